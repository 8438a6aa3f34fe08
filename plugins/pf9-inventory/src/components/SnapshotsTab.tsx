import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  Pf9ApiError,
  SnapshotPolicy,
  SnapshotRecord,
  SnapshotRun,
} from '@internal/plugin-pf9-common';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { formatDateTime, formatDuration, runDuration } from '../lib/format';
import { CancelSnapshotRunDialog } from './CancelSnapshotRunDialog';
import { RunStatusLabel } from './RunStatusLabel';
import { ServerPagedTable } from './ServerPagedTable';
import { SnapshotOrphansSection } from './SnapshotOrphansSection';
import { SnapshotRulesSection } from './SnapshotRulesSection';

export const SNAPSHOT_RUNS_PAGE_SIZE = 20;
const POLL_MS = 2000;

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** `daily`, `weekly (Mon)`, `monthly (day 15)` */
function frequencyOf(p: SnapshotPolicy): string {
  if (p.frequency === 'weekly' && p.dayOfWeek) {
    return `weekly (${WEEKDAYS[p.dayOfWeek - 1]})`;
  }
  if (p.frequency === 'monthly' && p.dayOfMonth) {
    return `monthly (day ${p.dayOfMonth})`;
  }
  return p.frequency;
}

/** The status, and who asked a run to stop (SNAP-24: it stays `running` until the batch in hand is done). */
function RunStatusCell(props: { run: SnapshotRun }) {
  const { status, cancelRequestedBy } = props.run;
  return (
    <>
      <RunStatusLabel status={status} />
      {cancelRequestedBy && (
        <Typography variant="caption" display="block" color="textSecondary">
          {status === 'canceled' ? 'canceled' : 'cancel requested'} by{' '}
          {cancelRequestedBy}
        </Typography>
      )}
    </>
  );
}

const policyColumns: TableColumn<SnapshotPolicy>[] = [
  { title: 'Name', field: 'name', highlight: true },
  { title: 'Frequency', render: frequencyOf },
  {
    title: 'Window',
    render: p => `${p.windowStart} + ${p.windowHours} h`,
  },
  { title: 'Timezone', field: 'timezone' },
  { title: 'Retention', field: 'defaultRetention' },
  { title: 'Enabled', render: p => (p.enabled ? 'yes' : 'no') },
  { title: 'Description', render: p => p.description ?? '—' },
];

const runColumns: TableColumn<SnapshotRun>[] = [
  { title: 'Status', render: r => <RunStatusCell run={r} /> },
  { title: 'Dry run', render: r => (r.dryRun ? 'yes' : 'no') },
  { title: 'Started', render: r => formatDateTime(r.startedAt) },
  {
    title: 'Duration',
    render: r => formatDuration(runDuration(r.startedAt, r.finishedAt)),
  },
  { title: 'Trigger', render: r => `${r.trigger} · ${r.triggeredBy}` },
  {
    title: 'Batches',
    render: r =>
      r.progress
        ? `${r.progress.completedBatches}/${r.progress.totalBatches} (${r.progress.progressPct}%)`
        : '—',
  },
  { title: 'Considered', render: r => r.counts.considered },
  { title: 'Created', render: r => r.counts.created },
  { title: 'Deleted', render: r => r.counts.deleted },
  { title: 'Skipped', render: r => r.counts.skipped },
  { title: 'Deferred', render: r => r.counts.deferred },
  { title: 'Quota blocked', render: r => r.counts.quotaBlocked },
  { title: 'Failed', render: r => r.counts.failed },
  { title: 'Error', render: r => r.errorSummary ?? '—' },
];

const recordColumns: TableColumn<SnapshotRecord>[] = [
  { title: 'Action', field: 'action' },
  { title: 'Volume', render: r => r.volumeName || r.volumeId },
  { title: 'Policy', render: r => r.policy ?? '—' },
  { title: 'Period', render: r => r.period ?? '—' },
  { title: 'Retention', render: r => r.retention ?? '—' },
  {
    title: 'Snapshot',
    render: r => r.snapshotName ?? r.snapshotId ?? '—',
  },
  { title: 'Reason', render: r => r.reason ?? '—' },
  { title: 'Project', render: r => r.projectName ?? r.projectId ?? '—' },
  { title: 'Recorded', render: r => formatDateTime(r.recordedAt) },
];

/** The per-pair records of one snapshot run, paged on the server. */
function RunRecordsTable(props: { runId: string }) {
  const { runId } = props;
  const client = useApi(pf9ApiRef);
  return (
    <ServerPagedTable<SnapshotRecord>
      resetKey={runId}
      title={`Run ${runId}: per-pair records`}
      columns={recordColumns}
      pageSize={50}
      load={request =>
        client.listSnapshotRunRecords(runId, {
          page: request.page,
          pageSize: request.pageSize,
        })
      }
      emptyMessage="This run recorded no pair."
    />
  );
}

/**
 * The snapshot area of a cloud: its policies, its assignment rules with a preview, its cycle runs (newest first) with a selected run's
 * per-pair records, its orphaned managed snapshots, and, for callers with pf9.snapshots.run, "Run now", "Dry-run" and a running
 * run's "Cancel".
 */
export function SnapshotsTab(props: {
  cloudId: string;
  /** /access/me lists pf9.snapshots.run */
  canRun: boolean;
  refreshKey?: number;
}) {
  const { cloudId, canRun, refreshKey } = props;
  const client = useApi(pf9ApiRef);
  const policies = useAsync(() => client.listSnapshotPolicies(), [client]);
  const [selected, setSelected] = useState<string>();
  const [reload, setReload] = useState(0);
  const [runningId, setRunningId] = useState<string>();
  const [starting, setStarting] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const [toCancel, setToCancel] = useState<SnapshotRun>();

  const columns = useMemo(
    () =>
      canRun
        ? [
            ...runColumns,
            {
              title: 'Actions',
              render: (r: SnapshotRun) =>
                r.status === 'running' && !r.cancelRequestedBy ? (
                  <Button
                    size="small"
                    variant="outlined"
                    onClick={e => {
                      // the row click selects the run; this click only opens the confirmation
                      e.stopPropagation();
                      setToCancel(r);
                    }}
                  >
                    Cancel
                  </Button>
                ) : null,
            },
          ]
        : runColumns,
    [canRun],
  );

  // follows a started run until it ends, then reloads the runs
  useEffect(() => {
    if (!runningId) return undefined;
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const run = await client.getSnapshotRun(runningId);
        if (stopped || run.status === 'running') return;
        setMessage({
          text: `Snapshot run ${run.status} (run ${run.id}).`,
          error: run.status === 'failed',
        });
        setRunningId(undefined);
        setReload(r => r + 1);
      } catch {
        // keep polling; a transient error should not end the follow-up
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client, runningId]);

  const start = async (dryRun: boolean) => {
    setStarting(true);
    setMessage(undefined);
    try {
      const { runId } = await client.startSnapshotRun({ cloudId, dryRun });
      setMessage({
        text: `${dryRun ? 'Dry-run' : 'Snapshot run'} started (run ${runId}).`,
        error: false,
      });
      setRunningId(runId);
      setSelected(runId);
      setReload(r => r + 1);
    } catch (e) {
      if (e instanceof Pf9ApiError && e.status === 409) {
        setMessage({
          text: 'A snapshot run of this cloud is already running.',
          error: true,
        });
      } else {
        setMessage({
          text: `Could not start the run: ${(e as Error).message}`,
          error: true,
        });
      }
    } finally {
      setStarting(false);
    }
  };

  const canceled = (run: SnapshotRun) => {
    setToCancel(undefined);
    setMessage({
      text: `Cancel requested (run ${run.id}); it stops after the batch in hand.`,
      error: false,
    });
    // follow it until it ends, as for a run started here
    setRunningId(run.id);
    setReload(r => r + 1);
  };

  return (
    <>
      {canRun && (
        <Box display="flex" alignItems="center" mb={2} style={{ gap: 12 }}>
          <Button
            variant="contained"
            color="primary"
            disabled={starting || !!runningId}
            onClick={() => start(false)}
          >
            Run now
          </Button>
          <Button
            variant="outlined"
            disabled={starting || !!runningId}
            onClick={() => start(true)}
          >
            Dry-run
          </Button>
          {message && (
            <Typography
              variant="body2"
              color={message.error ? 'error' : 'textSecondary'}
              role="status"
            >
              {message.text}
            </Typography>
          )}
        </Box>
      )}
      <Box mb={3}>
        {policies.error ? (
          <ResponseErrorPanel error={policies.error} />
        ) : (
          <Table<SnapshotPolicy>
            title="Snapshot policies"
            isLoading={policies.loading}
            columns={policyColumns}
            data={policies.value?.items ?? []}
            options={{
              search: false,
              paging: false,
              padding: 'dense',
            }}
            localization={{
              body: { emptyDataSourceMessage: 'No snapshot policy.' },
            }}
          />
        )}
      </Box>
      <SnapshotRulesSection cloudId={cloudId} />
      <ServerPagedTable<SnapshotRun>
        resetKey={JSON.stringify({ cloudId, reload, refreshKey })}
        title="Snapshot runs"
        columns={columns}
        onRowClick={r => setSelected(r.id)}
        pageSize={SNAPSHOT_RUNS_PAGE_SIZE}
        pageSizeOptions={[10, 20, 50]}
        load={request =>
          client.listSnapshotRuns({
            cloudId,
            page: request.page,
            pageSize: request.pageSize,
          })
        }
        emptyMessage="No snapshot run yet."
      />
      {selected && (
        <Box mt={3}>
          <RunRecordsTable key={`${selected}-${reload}`} runId={selected} />
        </Box>
      )}
      <Box mt={3}>
        <SnapshotOrphansSection cloudId={cloudId} refreshKey={refreshKey} />
      </Box>
      <CancelSnapshotRunDialog
        run={toCancel}
        onClose={() => setToCancel(undefined)}
        onCanceled={canceled}
      />
    </>
  );
}
