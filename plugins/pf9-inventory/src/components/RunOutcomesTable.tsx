import {
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Typography from '@material-ui/core/Typography';
import type { InventoryTypeOutcome } from '@internal/plugin-pf9-common';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { formatDuration, typeLabel } from '../lib/format';
import { RunStatusLabel } from './RunStatusLabel';

const columns: TableColumn<InventoryTypeOutcome>[] = [
  { title: 'Type', field: 'type', render: o => typeLabel(o.type) },
  {
    title: 'Status',
    field: 'status',
    render: o => <RunStatusLabel status={o.status} />,
  },
  { title: 'Count', field: 'count', type: 'numeric' },
  { title: 'Pages', field: 'pages', type: 'numeric' },
  {
    title: 'Duration',
    field: 'durationMs',
    type: 'numeric',
    render: o => formatDuration(o.durationMs),
  },
  {
    title: 'Deletions',
    sorting: false,
    render: o =>
      o.deletions
        ? `${o.deletions.recorded} recorded${
            o.deletions.guarded ? ' (guarded)' : ''
          }`
        : '—',
  },
  {
    title: 'Error',
    field: 'error',
    render: o => o.error ?? '',
    cellStyle: { wordBreak: 'break-word' },
  },
];

/** The per-type outcomes of one run (INV-2), fetched fresh from the server. */
export function RunOutcomesTable(props: { runId: string }) {
  const client = useApi(pf9ApiRef);
  const { value, loading, error } = useAsync(
    () => client.getRun(props.runId),
    [client, props.runId],
  );
  if (loading) return <Progress />;
  if (error || !value) {
    return <ResponseErrorPanel error={error ?? new Error('No such run')} />;
  }
  return (
    <>
      {value.error && (
        <Typography color="error" variant="body2" gutterBottom>
          {value.error}
        </Typography>
      )}
      <Table<InventoryTypeOutcome>
        title={`Run ${value.id}: per-type outcomes`}
        subtitle={
          value.deletionStats
            ? `${value.deletionStats.recorded} deletions recorded, ${value.deletionStats.verifiedByGet} verified by GET`
            : undefined
        }
        columns={columns}
        data={value.types}
        options={{
          search: false,
          paging: false,
          padding: 'dense',
        }}
        localization={{
          body: { emptyDataSourceMessage: 'No type has finished yet.' },
        }}
      />
    </>
  );
}
