import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { pf9ApiRef } from '../pf9Inventory';
import { mockPf9Client, restoreJob, step } from '../testUtils/fixtures';
import { RestorePage } from './RestorePage';

/** material-table renders its first page a while after the data arrives */
const SLOW = { timeout: 10_000 };

const me = {
  principal: 'user:development/guest',
  role: 'superadmin',
  permissions: ['pf9.restore.read', 'pf9.restore.execute.sideBySide'],
};
const enabled = {
  enabled: true,
  serviceUserConfigured: true,
  planTtlMinutes: 60,
  maxConcurrentJobs: 3,
};

function pageOf<T>(items: T[]) {
  return { items, page: 1, pageSize: 20, total: items.length };
}

jest.setTimeout(60_000);

describe('RestorePage', () => {
  it('lists the jobs from the server with status chips, filters them there and opens a job', async () => {
    const job = restoreJob('SUCCEEDED', [step('VALIDATE', 'SUCCEEDED')], {
      resultServerId: 'srv-2',
    });
    const client = mockPf9Client({
      getAccessMe: jest.fn(async () => me),
      getRestoreConfig: jest.fn(async () => enabled),
      listRestoreJobs: jest.fn(async () => pageOf([job])),
      getRestoreJob: jest.fn(async () => job),
      listRestoreAudit: jest.fn(async () =>
        pageOf([
          {
            id: 1,
            eventId: 'restore.execute',
            actor: 'user:development/guest',
            outcome: 'success',
            jobId: 'job-1',
            serverId: 'srv-1',
            projectId: 'proj-1',
            details: {
              jobId: 'job-1',
              serverId: 'srv-1',
              mode: 'side_by_side',
              dryRun: false,
              outcome: 'success',
            },
            error: null,
            createdAt: '2026-11-26T09:00:00.000Z',
          },
        ]),
      ),
    });
    await renderInTestApp(<RestorePage />, { apis: [[pf9ApiRef, client]] });

    expect(await screen.findByText('web-1', {}, SLOW)).toBeInTheDocument();
    expect(screen.getAllByText('SUCCEEDED')[0]).toBeInTheDocument();
    expect(
      await screen.findByText('restore.execute', {}, SLOW),
    ).toBeInTheDocument();
    expect(
      screen.getByText('mode=side_by_side, dryRun=false'),
    ).toBeInTheDocument();
    expect(client.listRestoreJobs).toHaveBeenLastCalledWith({
      status: undefined,
      mode: undefined,
      q: undefined,
      page: 1,
      pageSize: 20,
    });
    expect(
      screen.queryByText(/VM restore is disabled/),
    ).not.toBeInTheDocument();

    fireEvent.mouseDown(screen.getByLabelText('Status'));
    fireEvent.click(await screen.findByRole('option', { name: 'FAILED' }));
    await waitFor(() =>
      expect(client.listRestoreJobs).toHaveBeenLastCalledWith(
        expect.objectContaining({ status: 'FAILED', page: 1 }),
      ),
    );

    fireEvent.click(await screen.findByText('web-1', {}, SLOW));
    expect(
      await screen.findByText('Restore job job-1', {}, SLOW),
    ).toBeInTheDocument();
    expect(client.getRestoreJob).toHaveBeenCalledWith('job-1');
  });

  it('says so when restore is disabled', async () => {
    const client = mockPf9Client({
      getAccessMe: jest.fn(async () => me),
      getRestoreConfig: jest.fn(async () => ({ ...enabled, enabled: false })),
      listRestoreJobs: jest.fn(async () => pageOf([])),
    });
    await renderInTestApp(<RestorePage />, { apis: [[pf9ApiRef, client]] });

    expect(
      await screen.findByText(/VM restore is disabled/),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('No restore jobs match.', {}, SLOW),
    ).toBeInTheDocument();
  });
});
