import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { InventoryExport, Pf9ApiError } from '@internal/plugin-pf9-common';
import { pf9ApiRef } from '../api';
import { run } from '../testUtils/fixtures';
import { mockPf9Client } from '../testUtils/mockPf9Client';
import { ExportButton } from './ExportButton';
import { ExportDialog, SCOPE_REQUIRED_MESSAGE, parseIds } from './ExportDialog';
import { InventorySection } from './InventorySection';

function exportRecord(
  overrides: Partial<InventoryExport> = {},
): InventoryExport {
  return {
    exportId: 'exp-1',
    cloudId: 'demo',
    status: 'queued',
    trigger: 'on_demand',
    format: 'xlsx',
    masking: 'none',
    runId: 'run-2',
    compareToRunId: null,
    requestedBy: 'user:development/guest',
    request: { cloudId: 'demo', format: 'xlsx', masking: 'none' },
    fileName: 'pf9_inventory_demo_2026-01-01_000000Z.xlsx',
    sizeBytes: null,
    sha256: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    expiresAt: '2026-01-08T00:00:00.000Z',
    error: null,
    ...overrides,
  };
}

function clientWithRuns(methods = {}) {
  return mockPf9Client({
    listRuns: jest.fn(async () => ({
      items: [
        run({ id: 'run-3', status: 'running' }),
        run({ id: 'run-2', status: 'succeeded' }),
        run({ id: 'run-1', status: 'partial' }),
      ],
      page: 1,
      pageSize: 20,
      total: 3,
    })),
    ...methods,
  });
}

async function renderDialog(
  client: ReturnType<typeof mockPf9Client>,
  canExportUnmasked = true,
) {
  await renderInTestApp(
    <ExportDialog
      open
      onClose={jest.fn()}
      cloudId="demo"
      canExportUnmasked={canExportUnmasked}
      pollMs={10}
    />,
    { apis: [[pf9ApiRef, client]] },
  );
  await runsLoaded(client);
}

/** Waits until the dialog has asked for the runs and stored the answer. */
async function runsLoaded(client: ReturnType<typeof mockPf9Client>) {
  await waitFor(() => expect(client.listRuns).toHaveBeenCalled());
  await act(async () => {
    await client.listRuns.mock.results[0].value;
  });
}

/** Picks an option of a Material UI select by the select's label. */
async function choose(label: string, option: RegExp | string) {
  fireEvent.mouseDown(screen.getByLabelText(label));
  const listbox = await screen.findByRole('listbox');
  fireEvent.click(within(listbox).getByText(option));
}

describe('ExportDialog', () => {
  const createObjectURL = jest.fn(() => 'blob:export');
  const revokeObjectURL = jest.fn();
  beforeAll(() => {
    Object.assign(URL, { createObjectURL, revokeObjectURL });
  });

  it('parses scope ids separated by commas, semicolons or spaces', () => {
    expect(parseIds(' d1, d2;d3  d1 ')).toEqual(['d1', 'd2', 'd3']);
    expect(parseIds(' , ')).toEqual([]);
  });

  it('refuses a masked export without a scope and sends nothing', async () => {
    const client = clientWithRuns();
    await renderDialog(client);
    fireEvent.click(screen.getByLabelText(/^Pseudonym/));
    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));

    expect(await screen.findByText(SCOPE_REQUIRED_MESSAGE)).toBeInTheDocument();
    expect(client.createExport).not.toHaveBeenCalled();
  });

  it('offers masking none only with the unmasked permission', async () => {
    const client = clientWithRuns();
    await renderDialog(client, false);
    expect(screen.queryByLabelText('None (unmasked)')).toBeNull();
    expect(screen.getByLabelText(/^Partial/)).toBeChecked();
  });

  it('posts the chosen options, follows the job and downloads the file', async () => {
    const blob = new Blob(['PK']);
    const client = clientWithRuns({
      createExport: jest.fn(async () => ({ exportId: 'exp-1' })),
      getExport: jest
        .fn()
        .mockResolvedValueOnce(exportRecord({ status: 'running' }))
        .mockResolvedValue(
          exportRecord({
            status: 'done',
            format: 'csv',
            masking: 'partial',
            fileName: 'pf9_inventory_demo_2026-01-01_000000Z.zip',
            sizeBytes: 2048,
          }),
        ),
      downloadExport: jest.fn(async () => ({
        blob,
        fileName: 'ignored.zip',
      })),
    });
    await renderDialog(client);

    fireEvent.click(screen.getByLabelText('CSV (zip)'));
    fireEvent.click(screen.getByLabelText(/^Partial/));
    fireEvent.change(screen.getByLabelText('Project IDs'), {
      target: { value: 'p1, p2' },
    });
    fireEvent.click(screen.getByLabelText('Mask names'));
    fireEvent.click(screen.getByLabelText('CSV with UTF-8 BOM'));
    await choose('Run', /run-2$/);
    await choose('Compare to run', /run-1$/);
    // the running run holds no data yet, so it is not offered
    expect(screen.queryByText(/run-3$/)).toBeNull();

    const clickSpy = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));

    await waitFor(() =>
      expect(client.createExport).toHaveBeenCalledWith({
        cloudId: 'demo',
        format: 'csv',
        masking: 'partial',
        runId: 'run-2',
        compareToRunId: 'run-1',
        scope: { projectIds: ['p1', 'p2'] },
        maskNames: true,
        maskIps: false,
        csvBom: true,
      }),
    );
    expect(
      await screen.findByText(
        /Export exp-1 is done: pf9_inventory_demo_2026-01-01_000000Z\.zip/,
      ),
    ).toBeInTheDocument();
    expect(client.getExport).toHaveBeenCalledWith('exp-1');
    expect(client.getExport.mock.calls.length).toBeGreaterThanOrEqual(2);

    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(clickSpy).toHaveBeenCalled());
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Download' })).toBeEnabled(),
    );
    expect(client.downloadExport).toHaveBeenCalledWith(
      'exp-1',
      'pf9_inventory_demo_2026-01-01_000000Z.zip',
    );
    expect(createObjectURL).toHaveBeenCalledWith(blob);
    const link = clickSpy.mock.instances[0] as unknown as HTMLAnchorElement;
    expect(link.download).toBe('pf9_inventory_demo_2026-01-01_000000Z.zip');
    expect(link.href).toBe('blob:export');
    clickSpy.mockRestore();
  });

  it('sends an unmasked xlsx export of the latest run by default', async () => {
    const client = clientWithRuns({
      createExport: jest.fn(async () => ({ exportId: 'exp-1' })),
      getExport: jest.fn(async () => exportRecord({ status: 'running' })),
    });
    await renderDialog(client);
    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    await waitFor(() =>
      expect(client.createExport).toHaveBeenCalledWith({
        cloudId: 'demo',
        format: 'xlsx',
        masking: 'none',
      }),
    );
    expect(await screen.findByText(/Export exp-1 is running/)).toBeVisible();
  });

  it('shows the server message of a 400 and of a 403 in the dialog', async () => {
    const createExport = jest
      .fn()
      .mockRejectedValueOnce(
        new Pf9ApiError(
          400,
          'InputError',
          "Invalid body: runId: no inventory run 'x' of cloud 'demo'",
        ),
      )
      .mockRejectedValueOnce(
        new Pf9ApiError(403, 'NotAllowedError', 'Missing permission'),
      );
    const client = clientWithRuns({ createExport });
    await renderDialog(client);

    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    expect(
      await screen.findByText(
        "Invalid body: runId: no inventory run 'x' of cloud 'demo'",
      ),
    ).toBeInTheDocument();
    // the options stay, so the caller can correct them and try again
    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    expect(
      await screen.findByText('Not allowed: Missing permission'),
    ).toBeInTheDocument();
  });

  it('reports a failed job with its error', async () => {
    const client = clientWithRuns({
      createExport: jest.fn(async () => ({ exportId: 'exp-1' })),
      getExport: jest.fn(async () =>
        exportRecord({ status: 'failed', error: 'disk full' }),
      ),
    });
    await renderDialog(client);
    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    expect(
      await screen.findByText('Export exp-1 failed: disk full'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Download' })).toBeNull();
  });
});

describe('ExportButton', () => {
  it('opens the dialog', async () => {
    const client = clientWithRuns();
    await renderInTestApp(<ExportButton cloudId="demo" canExportUnmasked />, {
      apis: [[pf9ApiRef, client]],
    });
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    expect(
      await screen.findByText('Export inventory of demo'),
    ).toBeInTheDocument();
    await runsLoaded(client);
    expect(screen.getByLabelText('None (unmasked)')).toBeChecked();
  });

  it('is offered only to callers allowed to export', async () => {
    const client = clientWithRuns();
    const props = {
      title: 'Compute',
      clouds: ['demo'],
      cloudId: 'demo',
      onCloudChange: jest.fn(),
      onSyncFinished: jest.fn(),
      canSync: false,
      children: <div>table</div>,
    };
    const { unmount } = await renderInTestApp(<InventorySection {...props} />, {
      apis: [[pf9ApiRef, client]],
    });
    expect(screen.queryByRole('button', { name: 'Export' })).toBeNull();
    unmount();
    await renderInTestApp(<InventorySection {...props} canExport />, {
      apis: [[pf9ApiRef, client]],
    });
    expect(screen.getByRole('button', { name: 'Export' })).toBeInTheDocument();
  });
});
