import { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import {
  RESTORE_JOB_STATUSES,
  RestoreJobStatus,
  RestoreJobSummary,
  RestoreMode,
} from '@internal/plugin-pf9-common';
import { pf9ApiRef, ServerPagedTable } from '../pf9Inventory';
import { useState } from 'react';
import { formatDateTime } from '../lib/status';
import { RestoreStatusChip } from './RestoreStatusChip';

export const JOBS_PAGE_SIZE = 20;

const columns: TableColumn<RestoreJobSummary>[] = [
  { title: 'Status', render: j => <RestoreStatusChip status={j.status} /> },
  { title: 'Server', render: j => j.serverName || j.serverId },
  { title: 'Mode', render: j => (j.dryRun ? `${j.mode} (dry-run)` : j.mode) },
  { title: 'IP strategy', field: 'ipStrategy' },
  { title: 'Created', render: j => formatDateTime(j.createdAt) },
  { title: 'Created by', field: 'createdBy' },
  { title: 'Restored server', render: j => j.resultServerId ?? '—' },
  { title: 'Job ID', field: 'id', cellStyle: { fontFamily: 'monospace' } },
];

function FilterSelect<T extends string>(props: {
  label: string;
  value: T | '';
  options: readonly T[];
  onChange: (value: T | '') => void;
}) {
  return (
    <TextField
      select
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value as T | '')}
      style={{ width: 200 }}
      inputProps={{ 'aria-label': props.label }}
      InputLabelProps={{ shrink: true }}
      SelectProps={{ displayEmpty: true }}
    >
      <MenuItem value="">any</MenuItem>
      {props.options.map(o => (
        <MenuItem key={o} value={o}>
          {o}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Restore jobs, newest first, filtered and paged on the server (RST-14); a row opens the job. */
export function RestoreJobsTable(props: { onOpen: (jobId: string) => void }) {
  const client = useApi(pf9ApiRef);
  const [status, setStatus] = useState<RestoreJobStatus | ''>('');
  const [mode, setMode] = useState<RestoreMode | ''>('');
  const [q, setQ] = useState('');

  return (
    <>
      <Box mb={2} display="flex" style={{ gap: 16 }}>
        <FilterSelect
          label="Status"
          value={status}
          options={RESTORE_JOB_STATUSES}
          onChange={setStatus}
        />
        <FilterSelect
          label="Mode"
          value={mode}
          options={['side_by_side', 'replace'] as const}
          onChange={setMode}
        />
        <TextField
          label="Search"
          placeholder="server name or id"
          value={q}
          onChange={e => setQ(e.target.value)}
          InputLabelProps={{ shrink: true }}
        />
      </Box>
      <ServerPagedTable<RestoreJobSummary>
        title="Restore jobs"
        resetKey={JSON.stringify({ status, mode, q })}
        columns={columns}
        pageSize={JOBS_PAGE_SIZE}
        emptyMessage="No restore jobs match."
        onRowClick={row => props.onOpen(row.id)}
        load={request =>
          client.listRestoreJobs({
            status: status || undefined,
            mode: mode || undefined,
            q: q.trim() || undefined,
            page: request.page,
            pageSize: request.pageSize,
          })
        }
      />
    </>
  );
}
