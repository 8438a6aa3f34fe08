/**
 * A counting semaphore: at most `limit` tasks of one service run at once (OSC-7). Waiters are served
 * in arrival order so a long listing cannot starve single calls.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** highest number of tasks seen running at once (for tests and metrics) */
  maxActive = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`concurrency limit must be >= 1, got ${limit}`);
    }
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>(resolve => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // hand the slot straight to the next waiter: `active` stays the same
      if (next) next();
      else this.active--;
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limiter = new ConcurrencyLimiter(Math.max(1, limit));
  return Promise.all(items.map((item, i) => limiter.run(() => fn(item, i))));
}
