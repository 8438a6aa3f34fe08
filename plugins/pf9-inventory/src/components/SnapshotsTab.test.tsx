import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  SnapshotOrphan,
  SnapshotPolicy,
  SnapshotRun,
} from '@internal/plugin-pf9-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { pf9ApiRef } from '../api';
import { mockPf9Client } from '../testUtils/mockPf9Client';
import { SnapshotsTab } from './SnapshotsTab';

const policy: SnapshotPolicy = {
  name: 'monthly_15th',
  frequency: 'monthly',
  dayOfWeek: null,
  dayOfMonth: 15,
  windowStart: '02:00',
  windowHours: 6,
  timezone: 'Europe/Paris',
  defaultRetention: 3,
  enabled: true,
  description: null,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

const snapshotRun: SnapshotRun = {
  id: 'srun-1',
  cloudId: 'demo',
  trigger: 'api',
  triggeredBy: 'user:development/guest',
  dryRun: true,
  catchUp: false,
  policies: null,
  status: 'completed',
  startedAt: '2026-11-26T08:00:00.000Z',
  finishedAt: '2026-11-26T08:00:05.000Z',
  counts: {
    considered: 12,
    created: 0,
    deleted: 0,
    skipped: 9,
    deferred: 0,
    quotaBlocked: 0,
    failed: 1,
  },
  errorSummary: null,
};

const runningRun: SnapshotRun = {
  ...snapshotRun,
  id: 'srun-running',
  triggeredBy: 'user:development/ops',
  status: 'running',
  finishedAt: null,
};

const canceledRun: SnapshotRun = {
  ...snapshotRun,
  id: 'srun-canceled',
  triggeredBy: 'system:snapshots',
  status: 'canceled',
  cancelRequestedBy: 'user:development/ops',
};

const orphan: SnapshotOrphan = {
  snapshotId: 'snap-9',
  snapshotName: 'auto-daily-ledger',
  status: 'available',
  createdAt: '2026-11-20T02:10:00.000Z',
  sizeGb: 40,
  volumeId: 'vol-gone',
  policy: 'daily_5',
  period: '2026-11-20',
  keep: false,
  projectId: 'p1',
  projectName: 'finance-prod',
  domainId: 'd1',
  domainName: 'Finance',
  reason: 'volume_deleted',
};

/** A client whose runs page holds a running and a canceled run. */
function clientWithRuns() {
  return mockPf9Client({
    listSnapshotPolicies: jest.fn(async () => ({ items: [policy] })),
    listSnapshotRuns: jest.fn(async () => ({
      items: [runningRun, canceledRun],
      page: 1,
      pageSize: 20,
      total: 2,
    })),
    cancelSnapshotRun: jest.fn(async () => ({
      ...runningRun,
      cancelRequestedBy: 'user:development/guest',
    })),
    getSnapshotRun: jest.fn(async () => runningRun),
  });
}

function client() {
  return mockPf9Client({
    listSnapshotPolicies: jest.fn(async () => ({ items: [policy] })),
    listSnapshotRuns: jest.fn(async () => ({
      items: [snapshotRun],
      page: 1,
      pageSize: 20,
      total: 1,
    })),
    listSnapshotRunRecords: jest.fn(async () => ({
      items: [
        {
          id: 1,
          runId: 'srun-1',
          cloudId: 'demo',
          recordedAt: '2026-11-26T08:00:01.000Z',
          volumeId: 'vol-1',
          volumeName: 'db-data',
          projectId: 'p1',
          projectName: 'alpha',
          domainId: 'd1',
          domainName: 'Engineering',
          serverId: null,
          serverName: null,
          policy: 'monthly_15th',
          period: '2026-11',
          retention: 3,
          action: 'simulated_create',
          reason: null,
          snapshotId: null,
          snapshotName: null,
          snapshotStatus: null,
        },
      ],
      page: 1,
      pageSize: 50,
      total: 1,
    })),
    startSnapshotRun: jest.fn(async () => ({ runId: 'srun-2' })),
    getSnapshotRun: jest.fn(async () => snapshotRun),
  });
}

jest.setTimeout(30_000);

describe('SnapshotsTab', () => {
  it('lists policies and runs, and shows the per-pair records of a selected run', async () => {
    const api = client();
    await renderInTestApp(<SnapshotsTab cloudId="demo" canRun={false} />, {
      apis: [[pf9ApiRef, api]],
    });
    expect(await screen.findByText('monthly (day 15)')).toBeInTheDocument();
    expect(screen.getByText('02:00 + 6 h')).toBeInTheDocument();
    expect(screen.getByText('Europe/Paris')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Run now' })).toBeNull();

    fireEvent.click(await screen.findByText('api · user:development/guest'));
    expect(
      await screen.findByText('Run srun-1: per-pair records'),
    ).toBeInTheDocument();
    expect(await screen.findByText('simulated_create')).toBeInTheDocument();
    expect(api.listSnapshotRunRecords).toHaveBeenCalledWith('srun-1', {
      page: 1,
      pageSize: 50,
    });
  });

  it('starts a dry-run when allowed', async () => {
    const api = client();
    await renderInTestApp(<SnapshotsTab cloudId="demo" canRun />, {
      apis: [[pf9ApiRef, api]],
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Dry-run' }));
    await waitFor(() =>
      expect(api.startSnapshotRun).toHaveBeenCalledWith({
        cloudId: 'demo',
        dryRun: true,
      }),
    );
    expect(
      await screen.findByText('Dry-run started (run srun-2).'),
    ).toBeInTheDocument();
  });
  it('lists the assignment rules and previews a draft rule set', async () => {
    const rule = {
      name: 'prod-daily',
      priority: 10,
      action: 'include' as const,
      enabled: true,
      match: { project_name_glob: '*-prod' },
      policies: ['monthly_15th'],
      retention: { monthly_15th: 2 },
      description: null,
      updatedBy: 'user:default/ops',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
      warnings: [],
    };
    const api = mockPf9Client({
      listSnapshotPolicies: jest.fn(async () => ({ items: [policy] })),
      listSnapshotRuns: jest.fn(async () => ({
        items: [],
        page: 1,
        pageSize: 20,
        total: 0,
      })),
      listSnapshotRules: jest.fn(async () => ({ items: [rule] })),
      previewSnapshotAssignments: jest.fn(async () => ({
        items: [
          {
            volumeId: 'vol-9',
            volumeName: 'ledger-data',
            projectId: 'p1',
            projectName: 'finance-prod',
            domainId: 'd1',
            domainName: 'Finance',
            current: null,
            proposed: {
              source: 'rule:prod-daily',
              matchedRule: 'prod-daily',
              enabled: true,
              misconfigured: null,
              policies: [
                { policy: 'monthly_15th', retention: 2, misconfigured: null },
              ],
            },
            metadataChanges: {
              set: { auto_snapshot: 'true' },
              remove: [],
            },
            ownerEdited: false,
          },
        ],
        page: 1,
        pageSize: 500,
        total: 1,
        summary: {
          volumes: 40,
          protectedVolumes: 12,
          changed: 1,
          metadataWrites: 1,
          bySource: {},
        },
        warnings: [],
      })),
    });
    await renderInTestApp(<SnapshotsTab cloudId="demo" canRun={false} />, {
      apis: [[pf9ApiRef, api]],
    });
    expect(
      await screen.findByText('{"project_name_glob":"*-prod"}'),
    ).toBeInTheDocument();
    expect(screen.getByText('monthly_15th (keep 2)')).toBeInTheDocument();

    const draft = screen.getByLabelText('Draft rule set');
    fireEvent.change(draft, { target: { value: 'not json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText(/The draft is not a JSON array of rules/),
    ).toBeInTheDocument();
    expect(api.previewSnapshotAssignments).not.toHaveBeenCalled();

    const rules = [{ name: 'all', action: 'include', policies: ['daily_5'] }];
    fireEvent.change(draft, { target: { value: JSON.stringify(rules) } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText(
        '1 of 40 volumes would change; 1 metadata writes; 12 protected.',
      ),
    ).toBeInTheDocument();
    expect(api.previewSnapshotAssignments).toHaveBeenCalledWith({
      cloudId: 'demo',
      rules,
      changedOnly: true,
      pageSize: 500,
    });
    expect(
      screen.getByText('rule:prod-daily: monthly_15th ×2'),
    ).toBeInTheDocument();
    expect(screen.getByText('auto_snapshot=true')).toBeInTheDocument();
  });

  it('labels a canceled run with who asked it to stop', async () => {
    await renderInTestApp(<SnapshotsTab cloudId="demo" canRun={false} />, {
      apis: [[pf9ApiRef, clientWithRuns()]],
    });
    const row = (await screen.findByText('api · system:snapshots')).closest(
      'tr',
    )!;
    expect(within(row).getByText('canceled')).toBeInTheDocument();
    expect(
      within(row).getByText('canceled by user:development/ops'),
    ).toBeInTheDocument();
  });

  it('cancels a running run after confirmation, then reloads the runs', async () => {
    const api = clientWithRuns();
    await renderInTestApp(<SnapshotsTab cloudId="demo" canRun />, {
      apis: [[pf9ApiRef, api]],
    });
    const row = (await screen.findByText('api · user:development/ops')).closest(
      'tr',
    )!;
    // only the running run can be canceled
    expect(screen.getAllByRole('button', { name: 'Cancel' })).toHaveLength(1);
    fireEvent.click(within(row).getByRole('button', { name: 'Cancel' }));
    expect(
      await screen.findByText('Cancel snapshot run srun-running?'),
    ).toBeInTheDocument();
    expect(api.cancelSnapshotRun).not.toHaveBeenCalled();

    const loads = api.listSnapshotRuns.mock.calls.length;
    fireEvent.click(screen.getByRole('button', { name: 'Cancel the run' }));
    await waitFor(() =>
      expect(api.cancelSnapshotRun).toHaveBeenCalledWith('srun-running'),
    );
    expect(
      await screen.findByText(
        'Cancel requested (run srun-running); it stops after the batch in hand.',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(api.listSnapshotRuns).toHaveBeenCalledTimes(loads + 1),
    );
  });

  it('offers no cancel without pf9.snapshots.run', async () => {
    const api = clientWithRuns();
    await renderInTestApp(<SnapshotsTab cloudId="demo" canRun={false} />, {
      apis: [[pf9ApiRef, api]],
    });
    expect(
      await screen.findByText('api · user:development/ops'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(api.cancelSnapshotRun).not.toHaveBeenCalled();
  });

  it('lists the orphaned snapshots of the cloud and warns when the listing was incomplete', async () => {
    const api = client();
    api.listSnapshotOrphans.mockResolvedValue({
      items: [orphan],
      complete: false,
      reason: 'snapshot listing stopped at page 40',
    });
    await renderInTestApp(<SnapshotsTab cloudId="demo" canRun={false} />, {
      apis: [[pf9ApiRef, api]],
    });
    const row = (await screen.findByText('auto-daily-ledger')).closest('tr')!;
    expect(within(row).getByText('volume deleted')).toBeInTheDocument();
    expect(within(row).getByText('vol-gone')).toBeInTheDocument();
    expect(within(row).getByText('finance-prod')).toBeInTheDocument();
    expect(
      screen.getByText(/snapshot listing stopped at page 40/),
    ).toBeInTheDocument();
    expect(api.listSnapshotOrphans).toHaveBeenCalledWith({ cloudId: 'demo' });
  });
});
