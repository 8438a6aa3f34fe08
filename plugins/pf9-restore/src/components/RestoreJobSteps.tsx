import { Table, TableColumn } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { RestoreJobStep } from '@internal/plugin-pf9-common';
import { formatDateTime, stepDuration } from '../lib/status';
import { RestoreStatusChip } from './RestoreStatusChip';

/** The error of a failed step, or for a SIMULATED step the request it would have sent (RST-18). */
function StepDetail(props: { step: RestoreJobStep }) {
  const { step } = props;
  if (step.error) {
    return (
      <Typography variant="body2" color="error">
        {step.error}
      </Typography>
    );
  }
  if (step.detail && Object.keys(step.detail).length > 0) {
    return (
      <Typography
        variant="body2"
        component="pre"
        style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: '0.75rem' }}
      >
        {JSON.stringify(step.detail, null, 1)}
      </Typography>
    );
  }
  return null;
}

const columns: TableColumn<RestoreJobStep>[] = [
  { title: 'Step', field: 'name', cellStyle: { fontFamily: 'monospace' } },
  { title: 'Status', render: s => <RestoreStatusChip status={s.status} /> },
  { title: 'Started', render: s => formatDateTime(s.startedAt) },
  {
    title: 'Duration',
    render: s => stepDuration(s.startedAt, s.finishedAt),
  },
  { title: 'Error / detail', render: s => <StepDetail step={s} /> },
];

/** The job's steps in order (RST-12), with timings, errors and simulated requests. */
export function RestoreJobSteps(props: { steps: RestoreJobStep[] }) {
  return (
    <Table<RestoreJobStep>
      title="Steps"
      columns={columns}
      data={props.steps}
      options={{
        search: false,
        paging: false,
        sorting: false,
        padding: 'dense',
      }}
    />
  );
}
