import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  ComplianceRollUp,
  ComplianceRow,
} from '@internal/plugin-pf9-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { pf9ApiRef } from '../api';
import { mockPf9Client } from '../testUtils/mockPf9Client';
import { ComplianceTab } from './ComplianceTab';

function rollUp(
  key: string,
  name: string | null,
  overrides: Partial<ComplianceRollUp> = {},
): ComplianceRollUp {
  return {
    key,
    name,
    pairs: {
      compliant: 3,
      pending: 2,
      missing: 1,
      quota_blocked: 0,
      misconfigured: 0,
    },
    compliancePct: 75,
    volumes: { compliant: 2, nonCompliant: 1, pending: 1, unprotected: 4 },
    ...overrides,
  };
}

function complianceRow(overrides: Partial<ComplianceRow> = {}): ComplianceRow {
  return {
    volumeId: 'vol-1',
    volumeName: 'db-data',
    projectId: 'p1',
    projectName: 'alpha',
    domainId: 'd1',
    domainName: 'Engineering',
    serverId: null,
    serverName: null,
    policy: 'daily_5',
    retention: 5,
    period: '2026-11-25',
    snapshotCount: 0,
    lastSnapshotAt: null,
    status: 'missing',
    reason: 'no available snapshot since 2026-11-25T00:00:00.000Z',
    slaDays: 'daily',
    ...overrides,
  };
}

function clientWithEvaluation() {
  return mockPf9Client({
    getComplianceSummary: jest.fn(async ({ groupBy }) => ({
      evaluatedAt: '2026-11-26T08:00:00.000Z',
      groupBy,
      overall: rollUp('all', null),
      groups: [
        rollUp('d1', 'Engineering', { compliancePct: 50 }),
        rollUp('d2', 'Sales', { compliancePct: 100 }),
      ],
    })),
    listComplianceRows: jest.fn(async () => ({
      evaluatedAt: '2026-11-26T08:00:00.000Z',
      summary: rollUp('all', null),
      items: [complianceRow()],
      page: 1,
      pageSize: 50,
      total: 1,
    })),
  });
}

describe('ComplianceTab', () => {
  const createObjectURL = jest.fn(() => 'blob:compliance');
  beforeAll(() => {
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
  });

  it('shows the summary and drills down into a group, asking the server for its rows', async () => {
    const client = clientWithEvaluation();
    await renderInTestApp(
      <ComplianceTab cloudId="demo" canEvaluate={false} />,
      {
        apis: [[pf9ApiRef, client]],
      },
    );

    expect(await screen.findByTestId('compliance-pct')).toHaveTextContent(
      '75%',
    );
    expect(screen.getByTestId('compliance-pairs-pending')).toHaveTextContent(
      '2',
    );
    expect(
      screen.getByTestId('compliance-volumes-unprotected'),
    ).toHaveTextContent('4');
    expect(screen.getByText(/^Data as of /)).toBeInTheDocument();
    expect(client.getComplianceSummary).toHaveBeenCalledWith({
      cloudId: 'demo',
      groupBy: 'domain',
    });
    expect(screen.queryByRole('button', { name: 'Evaluate now' })).toBeNull();

    // all rows at first, then the rows of the clicked domain
    await waitFor(() =>
      expect(client.listComplianceRows).toHaveBeenCalledWith({
        cloudId: 'demo',
        page: 1,
        pageSize: 20,
      }),
    );
    // the roll-up table comes first; the rows table also names the domain
    fireEvent.click(screen.getAllByText('Engineering')[0]);
    await waitFor(() =>
      expect(client.listComplianceRows).toHaveBeenLastCalledWith({
        cloudId: 'demo',
        domainId: 'd1',
        page: 1,
        pageSize: 20,
      }),
    );
    expect(
      await screen.findByText('Rows of domain Engineering'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('compliance-drill')).toHaveTextContent(
      'Domain: Engineering',
    );

    // a row links to its volume in the inventory, where its snapshots are
    const link = await screen.findByRole('link', { name: 'db-data' });
    expect(link.getAttribute('href')).toMatch(
      /\/storage\?type=volume&id=vol-1$/,
    );
  });

  it('exports the current rows through the client and saves the file', async () => {
    const client = clientWithEvaluation();
    client.downloadComplianceExport.mockResolvedValue({
      blob: new Blob(['PK']),
      fileName: 'pf9-compliance-demo.xlsx',
    });
    await renderInTestApp(
      <ComplianceTab cloudId="demo" canEvaluate={false} />,
      {
        apis: [[pf9ApiRef, client]],
        initialRouteEntries: ['/?groupBy=policy&policy=daily_5&status=missing'],
      },
    );

    fireEvent.click(await screen.findByRole('button', { name: 'Export XLSX' }));
    await waitFor(() =>
      expect(client.downloadComplianceExport).toHaveBeenCalledWith({
        format: 'xlsx',
        cloudId: 'demo',
        policy: 'daily_5',
        status: 'missing',
      }),
    );
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
  });

  it('offers "Evaluate now" before any evaluation and reloads after it', async () => {
    let evaluated = false;
    const client = clientWithEvaluation();
    const withData = client.getComplianceSummary.getMockImplementation()!;
    client.getComplianceSummary.mockImplementation(async query =>
      evaluated
        ? withData(query)
        : { evaluatedAt: null, groupBy: 'domain', overall: null, groups: [] },
    );
    client.evaluateCompliance.mockImplementation(async () => {
      evaluated = true;
      return {
        id: 'e1',
        evaluatedAt: '2026-11-26T08:00:00.000Z',
        overall: rollUp('all', null),
      };
    });
    await renderInTestApp(<ComplianceTab cloudId="demo" canEvaluate />, {
      apis: [[pf9ApiRef, client]],
    });

    expect(
      await screen.findByText(/No compliance evaluation yet/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Evaluate now' }));
    expect(await screen.findByTestId('compliance-pct')).toHaveTextContent(
      '75%',
    );
    expect(client.evaluateCompliance).toHaveBeenCalledWith('demo');
  });
});
