import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Pf9ApiError } from '@internal/plugin-pf9-common';
import { pf9ApiRef } from '../api';
import { run } from '../testUtils/fixtures';
import { mockPf9Client } from '../testUtils/mockPf9Client';
import { InventorySection } from './InventorySection';
import { SyncNowButton } from './SyncNowButton';

describe('SyncNowButton', () => {
  it('starts a sync, follows the run and reports when it ends', async () => {
    const onSyncFinished = jest.fn();
    const client = mockPf9Client({
      triggerSync: jest.fn(async () => ({ runId: 'run-9' })),
      getRun: jest.fn(async () => run({ id: 'run-9', status: 'succeeded' })),
    });
    await renderInTestApp(
      <SyncNowButton
        cloudId="demo"
        onSyncFinished={onSyncFinished}
        pollMs={10}
      />,
      { apis: [[pf9ApiRef, client]] },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));

    expect(client.triggerSync).toHaveBeenCalledWith('demo');
    expect(
      await screen.findByText('Sync succeeded (run run-9).'),
    ).toBeInTheDocument();
    expect(client.getRun).toHaveBeenCalledWith('run-9');
    expect(onSyncFinished).toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Sync now' })).toBeEnabled();
  });

  it('reports a sync already running (409) and follows that run', async () => {
    const client = mockPf9Client({
      triggerSync: jest.fn(async () => {
        throw new Pf9ApiError(409, 'ConflictError', 'already running', {
          runId: 'run-7',
        });
      }),
      getRun: jest.fn(async () => run({ id: 'run-7', status: 'running' })),
    });
    await renderInTestApp(<SyncNowButton cloudId="demo" pollMs={10} />, {
      apis: [[pf9ApiRef, client]],
    });
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));

    expect(
      await screen.findByText(
        'A sync of demo is already running (run run-7); following it.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Syncing…' })).toBeDisabled();
    await waitFor(() => expect(client.getRun).toHaveBeenCalledWith('run-7'));
  });
});

describe('InventorySection', () => {
  it('offers Sync now only to callers allowed to sync', async () => {
    const client = mockPf9Client();
    const props = {
      title: 'Compute',
      clouds: ['demo'],
      cloudId: 'demo',
      onCloudChange: jest.fn(),
      onSyncFinished: jest.fn(),
      children: <div>table</div>,
    };
    const { unmount } = await renderInTestApp(
      <InventorySection {...props} canSync={false} />,
      { apis: [[pf9ApiRef, client]] },
    );
    expect(screen.getByText('table')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sync now' })).toBeNull();
    unmount();

    await renderInTestApp(<InventorySection {...props} canSync />, {
      apis: [[pf9ApiRef, client]],
    });
    expect(
      screen.getByRole('button', { name: 'Sync now' }),
    ).toBeInTheDocument();
  });
});
