import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
  WarningPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import type { RestoreJob } from '@internal/plugin-pf9-common';
import { usePolledRestoreJob } from '../hooks/usePolledRestoreJob';
import { canCancel, formatDateTime, isTerminal } from '../lib/status';
import { CancelJobButton } from './CancelJobButton';
import { RestoreAuditTable } from './RestoreAuditTable';
import { RestoreJobSteps } from './RestoreJobSteps';
import { RestoreLedger } from './RestoreLedger';
import { RestoreStatusChip } from './RestoreStatusChip';

function summaryOf(job: RestoreJob) {
  return {
    server: `${job.serverName} (${job.serverId})`,
    mode: job.dryRun ? `${job.mode} (dry-run)` : job.mode,
    'IP strategy': job.ipStrategy,
    'restore point': job.restorePointId,
    'created by': `${job.createdBy}, ${formatDateTime(job.createdAt)}`,
    'executed by': job.executedBy ?? '—',
    ...(job.canceledBy
      ? {
          'canceled by': `${job.canceledBy}${
            job.cancelReason ? `: ${job.cancelReason}` : ''
          }`,
        }
      : {}),
    'restored server': job.resultServerId ?? '—',
    ...(job.recoveredServerId
      ? { 'recovered server': job.recoveredServerId }
      : {}),
    ...(job.safetySnapshotIds.length
      ? { 'safety snapshots': job.safetySnapshotIds.join(', ') }
      : {}),
    ...(job.retryOf ? { 'retry of': job.retryOf } : {}),
    finished: formatDateTime(job.finishedAt),
  };
}

function ProgressHeader(props: { job: RestoreJob }) {
  const { job } = props;
  const { progress } = job;
  const queue =
    job.status === 'PENDING' && job.queuePosition !== null
      ? ` · queue position ${job.queuePosition}`
      : '';
  return (
    <Box mb={2}>
      <Box display="flex" alignItems="center" style={{ gap: 12 }}>
        <RestoreStatusChip status={job.status} />
        <Typography variant="body1" data-testid="restore-progress">
          {progress.percent}% · {progress.doneSteps} of {progress.totalSteps}{' '}
          steps done
          {progress.currentStep && !isTerminal(job.status)
            ? ` · now ${progress.currentStep}`
            : ''}
          {queue}
        </Typography>
      </Box>
      <Box mt={1}>
        <LinearProgress
          variant="determinate"
          value={progress.percent}
          aria-label="Restore progress"
        />
      </Box>
      {job.error && (
        <Typography color="error" variant="body2" style={{ marginTop: 8 }}>
          {job.error}
        </Typography>
      )}
    </Box>
  );
}

/** One restore job: live progress per step while it runs, then its outcome, ledger and audit trail. */
export function RestoreJobView(props: {
  jobId: string;
  permissions: string[];
  jobsLink: string;
  pollIntervalMs?: number;
}) {
  const { jobId, permissions, jobsLink, pollIntervalMs } = props;
  const { job, error, refresh } = usePolledRestoreJob(jobId, pollIntervalMs);

  if (!job && error) return <ResponseErrorPanel error={error} />;
  if (!job) return <Progress />;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Link to={jobsLink}>← All restore jobs</Link>
      </Grid>
      {error && (
        <Grid item xs={12}>
          <WarningPanel
            title="The job could not be read again; retrying"
            message={error.message}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <InfoCard
          title={`Restore job ${job.id}`}
          action={
            canCancel(job, permissions) ? (
              <CancelJobButton jobId={job.id} onCanceled={refresh} />
            ) : undefined
          }
        >
          <ProgressHeader job={job} />
          <StructuredMetadataTable metadata={summaryOf(job)} />
        </InfoCard>
      </Grid>
      {job.warnings.length > 0 && (
        <Grid item xs={12}>
          <WarningPanel title="Warnings">
            {job.warnings.map(w => (
              <Typography key={`${w.code}:${w.message}`} variant="body2">
                {w.code}: {w.message}
              </Typography>
            ))}
          </WarningPanel>
        </Grid>
      )}
      <Grid item xs={12}>
        <RestoreJobSteps steps={job.steps} />
      </Grid>
      <Grid item xs={12}>
        <RestoreLedger entries={job.ledger} />
      </Grid>
      <Grid item xs={12}>
        <RestoreAuditTable jobId={job.id} title="Audit of this job" />
      </Grid>
    </Grid>
  );
}
