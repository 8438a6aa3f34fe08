import { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { RestoreAuditEvent } from '@internal/plugin-pf9-common';
import { pf9ApiRef, ServerPagedTable } from '../pf9Inventory';
import { formatDateTime } from '../lib/status';

/** The columns already show these. */
const SHOWN = new Set(['jobId', 'serverId', 'projectId', 'outcome']);

/** `mode=side_by_side, ipStrategy=NEW_IPS, dryRun=false` */
function detailsText(details: Record<string, unknown> | null): string {
  const parts = Object.entries(details ?? {})
    .filter(([key, value]) => !SHOWN.has(key) && value !== null)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
    );
  return parts.join(', ') || '—';
}

const columns: TableColumn<RestoreAuditEvent>[] = [
  { title: 'When', render: e => formatDateTime(e.createdAt) },
  { title: 'Event', field: 'eventId' },
  { title: 'Actor', field: 'actor' },
  { title: 'Outcome', field: 'outcome' },
  {
    title: 'Job',
    render: e => e.jobId ?? '—',
    cellStyle: { fontFamily: 'monospace' },
  },
  { title: 'Server', render: e => e.serverId ?? '—' },
  { title: 'Details', render: e => e.error ?? detailsText(e.details) },
];

/** The restore audit events (RST-22), newest first, paged on the server; optionally of one job. */
export function RestoreAuditTable(props: { jobId?: string; title?: string }) {
  const { jobId, title = 'Restore audit' } = props;
  const client = useApi(pf9ApiRef);
  return (
    <ServerPagedTable<RestoreAuditEvent>
      title={title}
      resetKey={jobId ?? 'all'}
      columns={columns}
      pageSize={20}
      emptyMessage="No restore events recorded."
      load={request =>
        client.listRestoreAudit({
          jobId,
          page: request.page,
          pageSize: request.pageSize,
        })
      }
    />
  );
}
