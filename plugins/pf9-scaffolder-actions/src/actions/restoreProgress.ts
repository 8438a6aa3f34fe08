import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Pf9ApiError,
  Pf9Client,
  RESTORE_TERMINAL_STATUSES,
  RestoreJob,
  RestoreJobStep,
} from '@internal/plugin-pf9-common';

/** Consecutive failed polls (network or 5xx) tolerated before the step gives up watching. */
const MAX_POLL_FAILURES = 5;

export interface FollowRestoreJobOptions {
  client: Pf9Client;
  jobId: string;
  logger: LoggerService;
  pollIntervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Thrown when the task is canceled while the job runs; the job has been asked to cancel. */
export class RestoreWatchCanceledError extends Error {}

function seconds(step: RestoreJobStep): string {
  if (!step.startedAt || !step.finishedAt) return '';
  const ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
  return Number.isFinite(ms) ? ` in ${(ms / 1000).toFixed(1)} s` : '';
}

/** One task-log line per step whose status changed since the last poll. */
function logStepTransitions(
  job: RestoreJob,
  seen: Map<string, string>,
  logger: LoggerService,
) {
  for (const step of job.steps) {
    if (seen.get(step.name) === step.status) continue;
    const known = seen.has(step.name);
    seen.set(step.name, step.status);
    if (!known && step.status === 'PENDING') continue;
    const line = `[${job.progress.percent}%] ${step.name} ${step.status}`;
    if (step.status === 'FAILED') {
      logger.error(`${line}${seconds(step)}: ${step.error ?? 'no error text'}`);
    } else if (step.status === 'SIMULATED') {
      logger.info(`${line}: would send ${JSON.stringify(step.detail ?? {})}`);
    } else {
      logger.info(`${line}${seconds(step)}`);
    }
  }
}

function logJobStatus(job: RestoreJob, logger: LoggerService) {
  const queue =
    job.status === 'PENDING' && job.queuePosition !== null
      ? `, queue position ${job.queuePosition}`
      : '';
  logger.info(`Restore job ${job.id} is ${job.status}${queue}`);
}

function isTransient(error: unknown): boolean {
  return !(error instanceof Pf9ApiError) || error.status >= 500;
}

/** Resolves after `ms`, or at once when the signal aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function requestCancel(options: FollowRestoreJobOptions): Promise<never> {
  const { client, jobId, logger } = options;
  logger.warn(`Task canceled: asking restore job ${jobId} to cancel`);
  try {
    const job = await client.cancelRestoreJob(
      jobId,
      'scaffolder task canceled',
    );
    logger.warn(`Restore job ${jobId} is ${job.status}`);
  } catch (error) {
    logger.error(`Restore job ${jobId} refused to cancel: ${error}`);
  }
  throw new RestoreWatchCanceledError(
    `Task canceled while restore job ${jobId} was running`,
  );
}

/**
 * Polls the job until it reaches a terminal status, writing each step transition to the task log. A task
 * cancel asks the job to cancel (RST-16); a timeout leaves the job running and fails the step.
 */
export async function followRestoreJob(
  options: FollowRestoreJobOptions,
): Promise<RestoreJob> {
  const { client, jobId, logger, signal, pollIntervalMs } = options;
  const deadline = Date.now() + options.timeoutMs;
  const seenSteps = new Map<string, string>();
  let lastStatus: string | undefined;
  let failures = 0;
  for (;;) {
    if (signal?.aborted) return requestCancel(options);
    let job: RestoreJob | undefined;
    try {
      job = await client.getRestoreJob(jobId);
      failures = 0;
    } catch (error) {
      failures += 1;
      if (!isTransient(error) || failures >= MAX_POLL_FAILURES) throw error;
      logger.warn(`Reading restore job ${jobId} failed, retrying: ${error}`);
    }
    if (job) {
      if (job.status !== lastStatus) logJobStatus(job, logger);
      lastStatus = job.status;
      logStepTransitions(job, seenSteps, logger);
      if (RESTORE_TERMINAL_STATUSES.includes(job.status)) return job;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Restore job ${jobId} did not finish within ${Math.round(
          options.timeoutMs / 60_000,
        )} min; it keeps running, follow it on the Restore page`,
      );
    }
    await pause(pollIntervalMs, signal);
  }
}
