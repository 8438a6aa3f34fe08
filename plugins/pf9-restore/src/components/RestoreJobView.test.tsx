import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { pf9ApiRef } from '../pf9Inventory';
import { mockPf9Client, restoreJob, step } from '../testUtils/fixtures';
import { RestoreJobView } from './RestoreJobView';

const SIDE_BY_SIDE = ['pf9.restore.read', 'pf9.restore.execute.sideBySide'];

const running = restoreJob('RUNNING', [
  step('VALIDATE', 'SUCCEEDED', {
    startedAt: '2026-11-26T09:00:00.000Z',
    finishedAt: '2026-11-26T09:00:02.500Z',
  }),
  step('CREATE_VOLUMES', 'RUNNING', { startedAt: '2026-11-26T09:00:03.000Z' }),
]);

const succeeded = restoreJob(
  'SUCCEEDED',
  [step('VALIDATE', 'SUCCEEDED'), step('CREATE_VOLUMES', 'SUCCEEDED')],
  {
    resultServerId: 'srv-2',
    ledger: [
      {
        kind: 'volume',
        resourceId: 'vol-9',
        name: 'restore-job1-1',
        state: 'present',
        createdByJob: true,
        step: 'CREATE_VOLUMES',
        recordedAt: '2026-11-26T09:00:05.000Z',
      },
    ],
  },
);

jest.setTimeout(60_000);

describe('RestoreJobView', () => {
  it('polls a running job until it is terminal, showing progress, steps and ledger', async () => {
    const client = mockPf9Client({
      getRestoreJob: jest
        .fn()
        .mockResolvedValueOnce(running)
        .mockResolvedValue(succeeded),
    });
    await renderInTestApp(
      <RestoreJobView
        jobId="job-1"
        permissions={SIDE_BY_SIDE}
        jobsLink="/pf9-restore"
        pollIntervalMs={20}
      />,
      { apis: [[pf9ApiRef, client]] },
    );

    expect(
      await screen.findByTestId('restore-progress', {}, { timeout: 10_000 }),
    ).toHaveTextContent('50% · 1 of 2 steps done · now CREATE_VOLUMES');
    expect(screen.getByText('2.5 s')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Cancel restore' }),
    ).toBeInTheDocument();

    await waitFor(
      () =>
        expect(screen.getByTestId('restore-progress')).toHaveTextContent(
          '100% · 2 of 2 steps done',
        ),
      { timeout: 10_000 },
    );
    expect(screen.getByText('vol-9')).toBeInTheDocument();
    expect(screen.getByText('srv-2')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Cancel restore' }),
    ).not.toBeInTheDocument();
    const reads = client.getRestoreJob.mock.calls.length;
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(client.getRestoreJob).toHaveBeenCalledTimes(reads);
  });

  it('shows the failed step error and what simulated steps would send', async () => {
    const client = mockPf9Client({
      getRestoreJob: jest.fn().mockResolvedValue(
        restoreJob(
          'FAILED',
          [
            step('VALIDATE', 'SUCCEEDED', { detail: {} }),
            step('DELETE_ORIGINAL', 'SIMULATED', {
              detail: { method: 'DELETE', path: '/servers/srv-1' },
            }),
            step('WAIT_SERVER_ACTIVE', 'FAILED', {
              error: 'No valid host was found',
            }),
          ],
          { error: 'WAIT_SERVER_ACTIVE failed' },
        ),
      ),
    });
    await renderInTestApp(
      <RestoreJobView
        jobId="job-1"
        permissions={SIDE_BY_SIDE}
        jobsLink="/pf9-restore"
      />,
      { apis: [[pf9ApiRef, client]] },
    );

    expect(
      await screen.findByText('No valid host was found'),
    ).toBeInTheDocument();
    expect(screen.getByText(/"path": "\/servers\/srv-1"/)).toBeInTheDocument();
    expect(screen.getByText('WAIT_SERVER_ACTIVE failed')).toBeInTheDocument();
    expect(screen.queryByText('{}')).not.toBeInTheDocument();
  });

  it('offers cancel only to a user who may run restores, and sends the reason', async () => {
    const client = mockPf9Client({
      getRestoreJob: jest.fn().mockResolvedValue(running),
    });
    const { unmount } = await renderInTestApp(
      <RestoreJobView
        jobId="job-1"
        permissions={['pf9.restore.read']}
        jobsLink="/pf9-restore"
        pollIntervalMs={60_000}
      />,
      { apis: [[pf9ApiRef, client]] },
    );
    await screen.findByTestId('restore-progress', {}, { timeout: 10_000 });
    expect(
      screen.queryByRole('button', { name: 'Cancel restore' }),
    ).not.toBeInTheDocument();
    unmount();

    client.cancelRestoreJob.mockResolvedValue({
      ...running,
      status: 'CANCEL_REQUESTED',
    });
    await renderInTestApp(
      <RestoreJobView
        jobId="job-1"
        permissions={SIDE_BY_SIDE}
        jobsLink="/pf9-restore"
        pollIntervalMs={60_000}
      />,
      { apis: [[pf9ApiRef, client]] },
    );
    fireEvent.click(
      await screen.findByRole('button', { name: 'Cancel restore' }),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Reason'), {
      target: { value: 'wrong snapshot' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel the job' }),
    );
    await waitFor(() =>
      expect(client.cancelRestoreJob).toHaveBeenCalledWith(
        'job-1',
        'wrong snapshot',
      ),
    );
  });
});
