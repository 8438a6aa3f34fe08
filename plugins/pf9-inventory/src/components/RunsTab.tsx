import { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import type {
  InventoryRun,
  InventoryRunStatus,
} from '@internal/plugin-pf9-common';
import { useState } from 'react';
import { pf9ApiRef } from '../api';
import { formatDateTime, formatDuration, runDuration } from '../lib/format';
import { RunOutcomesTable } from './RunOutcomesTable';
import { RunStatusLabel } from './RunStatusLabel';
import { ServerPagedTable } from './ServerPagedTable';

const STATUSES: InventoryRunStatus[] = [
  'running',
  'succeeded',
  'partial',
  'failed',
  'interrupted',
];

export const RUNS_PAGE_SIZE = 20;

/** `27 complete, 2 failed` */
function outcomeSummary(run: InventoryRun): string {
  const counts = new Map<string, number>();
  for (const t of run.types)
    counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || '—';
}

const columns: TableColumn<InventoryRun>[] = [
  {
    title: 'Status',
    field: 'status',
    render: r => <RunStatusLabel status={r.status} />,
  },
  {
    title: 'Started',
    field: 'startedAt',
    render: r => formatDateTime(r.startedAt),
  },
  {
    title: 'Duration',
    render: r =>
      `${formatDuration(runDuration(r.startedAt, r.finishedAt))}${
        r.finishedAt ? '' : ' so far'
      }`,
  },
  { title: 'Trigger', field: 'trigger' },
  { title: 'Triggered by', field: 'triggeredBy' },
  { title: 'Types', render: outcomeSummary },
  { title: 'Run ID', field: 'id', cellStyle: { fontFamily: 'monospace' } },
];

/** The sync runs of a cloud, newest first, paged on the server; a selected run shows its type outcomes. */
export function RunsTab(props: { cloudId?: string; refreshKey?: number }) {
  const { cloudId, refreshKey } = props;
  const client = useApi(pf9ApiRef);
  const [status, setStatus] = useState<InventoryRunStatus | ''>('');
  const [selected, setSelected] = useState<string>();

  return (
    <>
      <Box mb={2}>
        <TextField
          select
          label="Status"
          value={status}
          onChange={e => setStatus(e.target.value as InventoryRunStatus | '')}
          style={{ width: 200 }}
          inputProps={{ 'aria-label': 'Run status' }}
          InputLabelProps={{ shrink: true }}
          SelectProps={{ displayEmpty: true }}
        >
          <MenuItem value="">any</MenuItem>
          {STATUSES.map(s => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      <ServerPagedTable<InventoryRun>
        resetKey={JSON.stringify({ cloudId, status, refreshKey })}
        title="Sync runs"
        columns={columns}
        pageSize={RUNS_PAGE_SIZE}
        pageSizeOptions={[10, 20, 50]}
        onRowClick={row => setSelected(row.id)}
        load={request =>
          client.listRuns({
            cloudId,
            status: status || undefined,
            page: request.page,
            pageSize: request.pageSize,
          })
        }
        emptyMessage="No sync has run yet."
      />
      {selected && (
        <Box mt={3}>
          <RunOutcomesTable
            key={`${selected}-${refreshKey}`}
            runId={selected}
          />
        </Box>
      )}
    </>
  );
}
