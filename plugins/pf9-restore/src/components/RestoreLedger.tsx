import { Table, TableColumn } from '@backstage/core-components';
import type { RestoreLedgerEntry } from '@internal/plugin-pf9-common';
import { formatDateTime } from '../lib/status';

const columns: TableColumn<RestoreLedgerEntry>[] = [
  { title: 'Kind', field: 'kind' },
  {
    title: 'Resource',
    field: 'resourceId',
    cellStyle: { fontFamily: 'monospace' },
  },
  { title: 'Name', render: e => e.name ?? '—' },
  { title: 'State', field: 'state' },
  { title: 'Created by job', render: e => (e.createdByJob ? 'yes' : 'no') },
  { title: 'Step', field: 'step' },
  { title: 'Recorded', render: e => formatDateTime(e.recordedAt) },
];

/** What the job created or touched (RST-17): the resources a rollback or cleanup acts on. */
export function RestoreLedger(props: { entries: RestoreLedgerEntry[] }) {
  return (
    <Table<RestoreLedgerEntry>
      title="Ledger"
      columns={columns}
      data={props.entries}
      options={{
        search: false,
        paging: false,
        sorting: false,
        padding: 'dense',
      }}
      localization={{
        body: { emptyDataSourceMessage: 'The job has created nothing yet.' },
      }}
    />
  );
}
