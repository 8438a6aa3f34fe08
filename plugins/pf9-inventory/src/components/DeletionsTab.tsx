import { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import {
  INVENTORY_TYPES,
  InventoryDeletion,
  InventoryType,
} from '@internal/plugin-pf9-common';
import { useState } from 'react';
import { pf9ApiRef } from '../api';
import { formatDateTime, typeLabel } from '../lib/format';
import { ResourceDrawer, ResourceRef } from './ResourceDrawer';
import { ServerPagedTable } from './ServerPagedTable';

export const DELETIONS_PAGE_SIZE = 50;

const columns: TableColumn<InventoryDeletion>[] = [
  {
    title: 'Detected',
    field: 'detectedAt',
    render: d => formatDateTime(d.detectedAt),
  },
  { title: 'Type', field: 'type', render: d => typeLabel(d.type) },
  { title: 'Name', field: 'name', highlight: true, render: d => d.name ?? '—' },
  { title: 'ID', field: 'id', cellStyle: { fontFamily: 'monospace' } },
  {
    title: 'Project',
    render: d => d.projectName ?? d.projectId ?? '—',
  },
  { title: 'Domain', render: d => d.domainName ?? d.domainId ?? '—' },
  {
    title: 'Last seen',
    field: 'lastSeenAt',
    render: d => formatDateTime(d.lastSeenAt),
  },
  {
    title: 'Verified by GET',
    render: d => (d.verifiedByGet ? 'yes' : 'no'),
  },
  {
    title: 'Reverted',
    render: d => (d.reverted ? `yes (run ${d.revertedInRunId})` : 'no'),
  },
];

/** Deletion records (INV-20), newest first, paged and filtered on the server. */
export function DeletionsTab(props: { cloudId?: string; refreshKey?: number }) {
  const { cloudId, refreshKey } = props;
  const client = useApi(pf9ApiRef);
  const [type, setType] = useState<InventoryType | ''>('');
  const [since, setSince] = useState('');
  const [selected, setSelected] = useState<ResourceRef>();

  return (
    <>
      <Box display="flex" flexWrap="wrap" mb={2} style={{ gap: 16 }}>
        <TextField
          select
          label="Type"
          value={type}
          onChange={e => setType(e.target.value as InventoryType | '')}
          style={{ width: 220 }}
          inputProps={{ 'aria-label': 'Deletion type' }}
          InputLabelProps={{ shrink: true }}
          SelectProps={{ displayEmpty: true }}
        >
          <MenuItem value="">any</MenuItem>
          {INVENTORY_TYPES.map(t => (
            <MenuItem key={t} value={t}>
              {typeLabel(t)}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Detected since"
          type="date"
          value={since}
          onChange={e => setSince(e.target.value)}
          InputLabelProps={{ shrink: true }}
          inputProps={{ 'aria-label': 'Detected since' }}
        />
      </Box>
      <ServerPagedTable<InventoryDeletion>
        resetKey={JSON.stringify({ cloudId, type, since, refreshKey })}
        title="Deletions"
        columns={columns}
        pageSize={DELETIONS_PAGE_SIZE}
        onRowClick={row => setSelected({ type: row.type, id: row.id })}
        load={request =>
          client.listDeletions({
            cloudId,
            type: type || undefined,
            since: since
              ? new Date(`${since}T00:00:00Z`).toISOString()
              : undefined,
            page: request.page,
            pageSize: request.pageSize,
          })
        }
        emptyMessage="No deletion recorded."
      />
      <ResourceDrawer
        resource={selected}
        cloudId={cloudId}
        onClose={() => setSelected(undefined)}
      />
    </>
  );
}
