import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Typography from '@material-ui/core/Typography';
import SyncIcon from '@material-ui/icons/Sync';
import { Pf9ApiError } from '@internal/plugin-pf9-common';
import { useEffect, useState } from 'react';
import { pf9ApiRef } from '../api';
import { errorMessage } from '../lib/format';

export const SYNC_POLL_MS = 3000;

/**
 * Starts an on-demand sync of the cloud (`POST /inventory/runs`) and follows the run until it ends. A sync
 * already running (409) is reported and followed instead. Render it only for callers with
 * `pf9.inventory.sync`.
 */
export function SyncNowButton(props: {
  cloudId: string;
  onSyncFinished?: () => void;
  pollMs?: number;
}) {
  const { cloudId, onSyncFinished, pollMs = SYNC_POLL_MS } = props;
  const client = useApi(pf9ApiRef);
  const toastApi = useApi(toastApiRef);
  const [starting, setStarting] = useState(false);
  const [runId, setRunId] = useState<string>();
  const [message, setMessage] = useState<{ text: string; error: boolean }>();

  useEffect(() => {
    if (!runId) return undefined;
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const run = await client.getRun(runId);
        if (stopped || run.status === 'running') return;
        stopped = true;
        clearInterval(timer);
        setRunId(undefined);
        setMessage({
          text: `Sync ${run.status} (run ${run.id}).`,
          error: run.status === 'failed',
        });
        toastApi.post({
          title: `Inventory sync of ${cloudId} ${run.status}`,
          description: `Run ${run.id}`,
          status: run.status === 'succeeded' ? 'success' : 'warning',
          timeout: 8000,
        });
        onSyncFinished?.();
      } catch (e) {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        setRunId(undefined);
        setMessage({
          text: `Could not follow run ${runId}: ${errorMessage(e)}`,
          error: true,
        });
      }
    }, pollMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client, toastApi, cloudId, runId, pollMs, onSyncFinished]);

  const start = async () => {
    setStarting(true);
    setMessage(undefined);
    try {
      const result = await client.triggerSync(cloudId);
      setRunId(result.runId);
      setMessage({ text: `Sync started (run ${result.runId}).`, error: false });
    } catch (e) {
      if (e instanceof Pf9ApiError && e.status === 409) {
        const running =
          typeof e.details.runId === 'string' ? e.details.runId : undefined;
        setMessage({
          text: running
            ? `A sync of ${cloudId} is already running (run ${running}); following it.`
            : `A sync of ${cloudId} is already running.`,
          error: false,
        });
        if (running) setRunId(running);
      } else {
        setMessage({ text: `Sync failed: ${errorMessage(e)}`, error: true });
        toastApi.post({
          title: 'Could not start the sync',
          description: errorMessage(e),
          status: 'danger',
        });
      }
    } finally {
      setStarting(false);
    }
  };

  const busy = starting || !!runId;
  return (
    <Box display="flex" alignItems="center" style={{ gap: 12 }}>
      {message && (
        <Typography
          variant="body2"
          color={message.error ? 'error' : 'textSecondary'}
          role="status"
        >
          {message.text}
        </Typography>
      )}
      <Button
        variant="contained"
        color="primary"
        onClick={start}
        disabled={busy}
        startIcon={
          busy ? <CircularProgress size={16} color="inherit" /> : <SyncIcon />
        }
      >
        {busy ? 'Syncing…' : 'Sync now'}
      </Button>
    </Box>
  );
}
