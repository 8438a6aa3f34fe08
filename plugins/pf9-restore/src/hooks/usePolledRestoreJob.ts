import { useApi } from '@backstage/frontend-plugin-api';
import type { RestoreJob } from '@internal/plugin-pf9-common';
import { pf9ApiRef } from '../pf9Inventory';
import { useCallback, useEffect, useState } from 'react';
import { isTerminal } from '../lib/status';

export const JOB_POLL_INTERVAL_MS = 3000;

/** A restore job, read again every few seconds until it reaches a terminal status. */
export function usePolledRestoreJob(
  jobId: string,
  intervalMs = JOB_POLL_INTERVAL_MS,
) {
  const client = useApi(pf9ApiRef);
  const [job, setJob] = useState<RestoreJob>();
  const [error, setError] = useState<Error>();
  const [reads, setReads] = useState(0);
  const refresh = useCallback(() => setReads(n => n + 1), []);

  useEffect(() => {
    let active = true;
    client
      .getRestoreJob(jobId)
      .then(value => {
        if (active) {
          setJob(value);
          setError(undefined);
        }
      })
      .catch(e => active && setError(e as Error));
    return () => {
      active = false;
    };
  }, [client, jobId, reads]);

  const done = job ? isTerminal(job.status) : false;
  useEffect(() => {
    if (done) return undefined;
    const timer = setTimeout(refresh, intervalMs);
    return () => clearTimeout(timer);
  }, [done, intervalMs, refresh, job, error]);

  return { job, error, refresh };
}
