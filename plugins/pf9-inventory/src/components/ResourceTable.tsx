import { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  InventoryResource,
  InventoryResourceSortKey,
  InventoryType,
} from '@internal/plugin-pf9-common';
import { useMemo } from 'react';
import { pf9ApiRef } from '../api';
import { formatDateTime, formatValue, typeLabel } from '../lib/format';
import { TYPE_COLUMNS } from '../lib/typeColumns';
import { ResourceFilters } from './ResourceFilterBar';
import { ServerPagedTable } from './ServerPagedTable';

export const RESOURCE_PAGE_SIZE = 50;

/** The table fields the server can sort by, and the sort key it expects. */
const SORT_KEYS: Record<string, InventoryResourceSortKey> = {
  name: 'name',
  id: 'id',
  status: 'status',
  projectId: 'project_id',
  domainId: 'domain_id',
  lastSeenAt: 'last_seen_at',
};

const mono = {
  fontFamily: 'monospace',
  fontSize: '0.8rem',
  whiteSpace: 'nowrap',
} as const;

function columnsFor(type: InventoryType): TableColumn<InventoryResource>[] {
  const extra: TableColumn<InventoryResource>[] = (
    TYPE_COLUMNS[type] ?? []
  ).map(c => ({
    title: c.title,
    sorting: false,
    render: row => formatValue(row[c.source]?.[c.field]),
  }));
  return [
    {
      title: 'Name',
      field: 'name',
      highlight: true,
      render: row => row.name ?? '—',
    },
    { title: 'ID', field: 'id', cellStyle: mono },
    { title: 'Status', field: 'status', render: row => row.status ?? '—' },
    ...extra,
    {
      title: 'Project',
      field: 'projectId',
      render: row =>
        formatValue(row.derived?.project_name ?? row.projectId ?? undefined),
    },
    {
      title: 'Domain',
      field: 'domainId',
      render: row =>
        formatValue(row.derived?.domain_name ?? row.domainId ?? undefined),
    },
    {
      title: 'Last seen',
      field: 'lastSeenAt',
      render: row => (row.deleted ? 'deleted' : formatDateTime(row.lastSeenAt)),
    },
  ];
}

/**
 * One type's stored resources, paged, sorted and filtered on the server: the table only ever holds one
 * page. Changing the type, cloud, filters or `refreshKey` starts again at page 1.
 */
export function ResourceTable(props: {
  type: InventoryType;
  cloudId?: string;
  filters: ResourceFilters;
  refreshKey?: number;
  onSelect: (resource: InventoryResource) => void;
}) {
  const { type, cloudId, filters, refreshKey, onSelect } = props;
  const client = useApi(pf9ApiRef);
  const columns = useMemo(() => columnsFor(type), [type]);

  return (
    <ServerPagedTable<InventoryResource>
      resetKey={JSON.stringify({ type, cloudId, filters, refreshKey })}
      title={typeLabel(type)}
      columns={columns}
      pageSize={RESOURCE_PAGE_SIZE}
      sorting
      onRowClick={onSelect}
      load={request =>
        client.listResources(type, {
          cloudId,
          ...filters,
          sort: request.orderBy ? SORT_KEYS[request.orderBy] : undefined,
          order: request.order,
          page: request.page,
          pageSize: request.pageSize,
        })
      }
      emptyMessage={`No ${typeLabel(
        type,
      ).toLowerCase()} resources match. If the inventory was never synced, use Sync now.`}
    />
  );
}
