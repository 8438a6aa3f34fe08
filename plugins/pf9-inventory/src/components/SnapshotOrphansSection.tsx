import {
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import {
  SnapshotOrphan,
  SnapshotOrphanReason,
} from '@internal/plugin-pf9-common';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { formatDateTime } from '../lib/format';

const REASON_LABELS: Record<SnapshotOrphanReason, string> = {
  volume_deleted: 'volume deleted',
  pair_unassigned: 'no longer assigned',
};

const orphanColumns: TableColumn<SnapshotOrphan>[] = [
  {
    title: 'Snapshot',
    render: o => o.snapshotName ?? o.snapshotId,
    highlight: true,
  },
  { title: 'Reason', render: o => REASON_LABELS[o.reason] ?? o.reason },
  { title: 'Volume', field: 'volumeId' },
  { title: 'Policy', render: o => o.policy ?? '—' },
  { title: 'Period', render: o => o.period ?? '—' },
  { title: 'Keep', render: o => (o.keep ? 'yes' : 'no') },
  { title: 'Status', field: 'status' },
  { title: 'Size (GB)', render: o => o.sizeGb ?? '—' },
  { title: 'Project', render: o => o.projectName ?? o.projectId ?? '—' },
  { title: 'Domain', render: o => o.domainName ?? o.domainId ?? '—' },
  { title: 'Created', render: o => formatDateTime(o.createdAt) },
];

/**
 * SNAP-20: managed snapshots that cleanup keeps because their pair is no longer assigned or their
 * volume was deleted (they may be the last restore points). A live read the backend does not page.
 */
export function SnapshotOrphansSection(props: {
  cloudId: string;
  refreshKey?: number;
}) {
  const { cloudId, refreshKey } = props;
  const client = useApi(pf9ApiRef);
  const orphans = useAsync(
    () => client.listSnapshotOrphans({ cloudId }),
    [client, cloudId, refreshKey],
  );

  if (orphans.error) {
    return (
      <Box mb={3}>
        <ResponseErrorPanel error={orphans.error} />
      </Box>
    );
  }
  const listing = orphans.value;
  return (
    <Box mb={3}>
      {listing && !listing.complete && (
        <WarningPanel
          title="Some orphaned snapshots may be missing"
          message={listing.reason ?? 'The snapshot listing was incomplete.'}
        />
      )}
      <Table<SnapshotOrphan>
        title="Orphaned snapshots"
        isLoading={orphans.loading}
        columns={orphanColumns}
        data={listing?.items ?? []}
        options={{
          search: false,
          paging: true,
          pageSize: 20,
          pageSizeOptions: [20, 50, 100],
          emptyRowsWhenPaging: false,
          padding: 'dense',
        }}
        localization={{
          body: { emptyDataSourceMessage: 'No orphaned snapshot.' },
        }}
      />
    </Box>
  );
}
