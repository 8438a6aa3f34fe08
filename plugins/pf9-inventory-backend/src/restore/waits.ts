/**
 * Waits of the restore executor (RST-12): poll until a condition holds, checking for cancel at every
 * poll (RST-16), and fail after the step's timeout. Intervals and timeouts are settings so tests run fast.
 */

export interface RestoreTimings {
  /** RST-12: 5 s */
  pollMs: number;
  volumeTimeoutMs: number;
  serverTimeoutMs: number;
  deleteTimeoutMs: number;
  snapshotTimeoutMs: number;
  /** RST-12 step 14: a requested IP is retried this often, this far apart, on a conflict */
  ipConflictRetries: number;
  ipConflictDelayMs: number;
}

export const DEFAULT_TIMINGS: RestoreTimings = {
  pollMs: 5000,
  volumeTimeoutMs: 600_000,
  serverTimeoutMs: 600_000,
  deleteTimeoutMs: 300_000,
  snapshotTimeoutMs: 1_800_000,
  ipConflictRetries: 5,
  ipConflictDelayMs: 3000,
};

export class RestoreWaitTimeout extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not finish within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'RestoreWaitTimeout';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * Calls `probe` until it returns a value (not undefined). `probe` throws to fail the wait (an `error`
 * status, a fault); `check` runs before every poll and throws to stop it (cancel, lost ownership).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: {
    timeoutMs: number;
    pollMs: number;
    check: () => Promise<void>;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    await options.check();
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new RestoreWaitTimeout(what, options.timeoutMs);
    }
    await sleep(Math.min(options.pollMs, Math.max(0, deadline - Date.now())));
  }
}
