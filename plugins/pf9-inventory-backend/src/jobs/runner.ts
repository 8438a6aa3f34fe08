/**
 * The one durable job runner (DESIGN `jobs/`, SPEC COM-3, RST-15): a poll loop per backend instance
 * that claims `jobs` rows of the registered kinds, runs their handler with a heartbeat, and hands them
 * back when it stops. Nothing lives only in memory: a job whose owner died is taken over from the table.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { ClaimedJob, ClaimLimits, JobStore } from './store';

/**
 * A handler either returns (its work is done: the job row becomes `done`) or throws. When it stops
 * because `signal` was aborted, it throws the signal's reason and must not write anything after that.
 */
export interface JobContext {
  job: ClaimedJob;
  /**
   * Aborted when this instance no longer owns the job (it stops, or another instance took the job over
   * after a missed heartbeat). The handler stops at its next check without touching anything.
   */
  signal: AbortSignal;
  /** the job was resumed more than `maxResumes` times: the handler must fail it and roll back */
  resumesExhausted: boolean;
}

export type JobHandler = (ctx: JobContext) => Promise<void>;

export interface JobRunnerOptions {
  db: Knex;
  logger: LoggerService;
  /** identifies this instance in `jobs.owner_id` (default: a random id) */
  ownerId?: string;
  pollIntervalMs?: number;
  heartbeatMs?: number;
  staleAfterMs?: number;
  /** RST-15: a job resumed more than this many times fails */
  maxResumes?: number;
  now?: () => Date;
}

/** Thrown into nothing: the reason a handler's signal was aborted. */
export class JobOwnershipLost extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JobOwnershipLost';
  }
}

interface Registration {
  handler: JobHandler;
  limits: ClaimLimits;
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  heartbeat: NodeJS.Timeout;
  done: Promise<void>;
}

export class JobRunner {
  readonly ownerId: string;
  private readonly store: JobStore;
  private readonly kinds = new Map<string, Registration>();
  private readonly running = new Map<string, Running>();
  private readonly pollIntervalMs: number;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly maxResumes: number;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private pollAgain = false;
  private stopped = true;

  constructor(private readonly options: JobRunnerOptions) {
    this.ownerId = options.ownerId ?? `pf9-${randomUUID()}`;
    this.store = new JobStore(options.db, options.now);
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.staleAfterMs = options.staleAfterMs ?? 120_000;
    this.maxResumes = options.maxResumes ?? 3;
  }

  get jobs(): JobStore {
    return this.store;
  }

  register(kind: string, handler: JobHandler, limits: ClaimLimits): void {
    if (this.kinds.has(kind)) {
      throw new Error(`a handler for job kind '${kind}' is already registered`);
    }
    this.kinds.set(kind, { handler, limits });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a claim round now (after a job was queued) instead of at the next interval. */
  wake(): void {
    if (this.stopped) return;
    this.schedule(0);
  }

  /**
   * Clean shutdown: stop claiming, tell running handlers to stop at their next check, and hand their
   * jobs back to the queue (not counted as a resume) so another instance continues at once.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    const running = [...this.running.values()];
    for (const r of running) {
      r.controller.abort(new JobOwnershipLost('runner stopped'));
    }
    await Promise.all(running.map(r => r.done));
  }

  /** Test seam for a crash: everything stops and nothing is written, as if the process died. */
  kill(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const r of this.running.values()) {
      clearInterval(r.heartbeat);
      r.controller.abort(new JobOwnershipLost('runner killed'));
    }
    this.running.clear();
  }

  /** One claim round over every registered kind; resolves once the claimed handlers have started. */
  async poll(): Promise<number> {
    let started = 0;
    for (const [kind, reg] of this.kinds) {
      const claimed = await this.store.claim({
        kind,
        ownerId: this.ownerId,
        staleAfterMs: this.staleAfterMs,
        take: reg.limits.maxConcurrent - this.countRunning(kind),
        ...reg.limits,
      });
      for (const job of claimed) {
        this.launch(job, reg.handler);
        started++;
      }
    }
    return started;
  }

  /** Resolves when no handler of this instance is running (tests). */
  async idle(): Promise<void> {
    while (this.running.size) {
      await Promise.all([...this.running.values()].map(r => r.done));
    }
  }

  private countRunning(kind: string): number {
    return [...this.running.values()].filter(r => r.job.kind === kind).length;
  }

  private schedule(delayMs: number) {
    if (this.stopped) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.loop(), delayMs);
  }

  private loop() {
    this.polling = this.poll()
      .then(() => undefined)
      .catch(e =>
        this.options.logger.warn(`jobs: claim round failed: ${String(e)}`),
      )
      .finally(() => {
        this.polling = undefined;
        const again = this.pollAgain;
        this.pollAgain = false;
        this.schedule(again ? 0 : this.pollIntervalMs);
      });
  }

  private launch(job: ClaimedJob, handler: JobHandler) {
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      this.store.heartbeat(job.id, this.ownerId).then(
        alive => {
          if (!alive) {
            controller.abort(
              new JobOwnershipLost('job taken over by another instance'),
            );
          }
        },
        e =>
          this.options.logger.warn(
            `jobs: heartbeat of ${job.id} failed: ${String(e)}`,
          ),
      );
    }, this.heartbeatMs);
    const done = this.runHandler(job, handler, controller).finally(() => {
      clearInterval(heartbeat);
      if (this.running.get(job.id)?.controller === controller) {
        this.running.delete(job.id);
      }
      // a freed slot may let a queued job start
      this.wake();
    });
    this.running.set(job.id, { job, controller, heartbeat, done });
  }

  private async runHandler(
    job: ClaimedJob,
    handler: JobHandler,
    controller: AbortController,
  ): Promise<void> {
    const { logger } = this.options;
    let failure: unknown;
    try {
      await handler({
        job,
        signal: controller.signal,
        resumesExhausted: job.resumeCount > this.maxResumes,
      });
    } catch (e) {
      failure = e;
    }
    if (failure === undefined) {
      // a handler that returns has finished its work (one that stops on the signal throws)
      await this.store.finish(job.id, this.ownerId);
      return;
    }
    const signal = controller.signal;
    if (signal.aborted) {
      const reason = signal.reason;
      if (
        reason instanceof JobOwnershipLost &&
        reason.message === 'runner stopped'
      ) {
        await this.store
          .release(job.id, this.ownerId, { countAsResume: false })
          .catch(() => undefined);
      }
      logger.info(`jobs: ${job.kind} ${job.id} left: ${String(reason)}`);
      return;
    }
    logger.error(
      `jobs: ${job.kind} ${job.id} handler failed, queued again: ${String(
        failure,
      )}`,
    );
    await this.store
      .release(job.id, this.ownerId, { countAsResume: true })
      .catch(() => undefined);
  }
}
