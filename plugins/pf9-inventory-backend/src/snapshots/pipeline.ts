/**
 * "Sync & Snapshot Now" (SPEC SNAP-26): inventory sync, assignment job, snapshot cycle with catch-up,
 * inventory sync — each step's real outcome recorded; a failed step stops the pipeline and the later
 * steps are `skipped`, so nothing is ever snapshotted on stale data. One active pipeline per cloud,
 * enforced by a unique partial index (`snapshot_pipelines_one_active`). The steps run in the instance that
 * started the pipeline; one left running by a dead instance is failed as `interrupted` after
 * `staleAfterMs` by the next start.
 *
 * The inventory area is used only through its engine's exported start function; this area never
 * writes inventory tables.
 */
import { ConflictError, NotFoundError } from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { AssignmentJob } from './assignmentJob';
import { SnapshotCycleEngine } from './cycle';

export const PIPELINE_RUNNING_CODE = 'SNAPSHOT_PIPELINE_RUNNING';

export type PipelineStepName =
  | 'inventory_sync'
  | 'assignments'
  | 'snapshot_cycle'
  | 'inventory_sync';

export interface PipelineStep {
  name: PipelineStepName;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  started: string | null;
  finished: string | null;
  /** the inventory or snapshot run of the step, when it has one */
  runId: string | null;
  /** the run's own status (e.g. `partial`, `completed_with_errors`) */
  outcome: string | null;
  error: string | null;
}

export interface PipelineJob {
  id: string;
  cloudId: string;
  status: 'running' | 'succeeded' | 'failed';
  triggeredBy: string;
  steps: PipelineStep[];
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** What the pipeline needs of the inventory engine (InventorySyncEngine.start). */
export interface InventorySyncStarter {
  start(
    cloudId: string,
    trigger: 'pipeline',
    triggeredBy: string,
  ): Promise<{
    runId: string;
    done: Promise<{ status: string; error: string | null }>;
  }>;
}

export class PipelineAlreadyRunningError extends ConflictError {
  readonly details: { code: string; jobId: string };
  constructor(cloudId: string, readonly jobId: string) {
    super(
      `A snapshot pipeline of cloud '${cloudId}' is already running: ${jobId}`,
    );
    this.details = { code: PIPELINE_RUNNING_CODE, jobId };
  }
}

const STEP_NAMES: PipelineStepName[] = [
  'inventory_sync',
  'assignments',
  'snapshot_cycle',
  'inventory_sync',
];

/** A step's result: its run, the run's status, and whether the pipeline may go on. */
interface StepResult {
  runId: string | null;
  outcome: string | null;
  ok: boolean;
  error?: string | null;
}

function toJob(row: any): PipelineJob {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: row.id,
    cloudId: row.cloud_id,
    status: row.status,
    triggeredBy: row.triggered_by,
    steps: JSON.parse(row.steps),
    error: row.error,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
  };
}

export class SnapshotPipeline {
  constructor(
    private readonly options: {
      db: Knex;
      inventory: InventorySyncStarter;
      assignments: AssignmentJob;
      cycle: SnapshotCycleEngine;
      logger: LoggerService;
      /** a pipeline still running after this long is failed as interrupted (default 6 hours) */
      staleAfterMs?: number;
    },
  ) {}

  private get staleAfterMs(): number {
    return this.options.staleAfterMs ?? 6 * 3600_000;
  }

  async get(jobId: string): Promise<PipelineJob> {
    const row = await this.options
      .db('snapshot_pipelines')
      .where({ id: jobId })
      .first();
    if (!row) throw new NotFoundError(`No pipeline job ${jobId}`);
    return toJob(row);
  }

  /** Claims the cloud (409 while a pipeline runs) and runs the steps in the background. */
  async start(
    cloudId: string,
    triggeredBy: string,
  ): Promise<{ jobId: string; done: Promise<PipelineJob> }> {
    const { db } = this.options;
    // a pipeline whose instance died never finishes: it must not block the cloud for ever
    await db('snapshot_pipelines')
      .where({ cloud_id: cloudId, status: 'running' })
      .where('started_at', '<', new Date(Date.now() - this.staleAfterMs))
      .update({
        status: 'failed',
        error: 'interrupted',
        finished_at: new Date(),
      });
    const id = randomUUID();
    const steps: PipelineStep[] = STEP_NAMES.map(name => ({
      name,
      status: 'pending',
      started: null,
      finished: null,
      runId: null,
      outcome: null,
      error: null,
    }));
    try {
      await db('snapshot_pipelines').insert({
        id,
        cloud_id: cloudId,
        status: 'running',
        triggered_by: triggeredBy,
        steps: JSON.stringify(steps),
        started_at: new Date(),
      });
    } catch (e) {
      const active = await db('snapshot_pipelines')
        .where({ cloud_id: cloudId, status: 'running' })
        .first();
      if (active) throw new PipelineAlreadyRunningError(cloudId, active.id);
      throw e;
    }
    const done = this.execute(id, cloudId, triggeredBy, steps);
    return { jobId: id, done };
  }

  private async execute(
    id: string,
    cloudId: string,
    triggeredBy: string,
    steps: PipelineStep[],
  ): Promise<PipelineJob> {
    const { db, logger } = this.options;
    const save = (extra: object = {}) =>
      db('snapshot_pipelines')
        .where({ id })
        .update({ steps: JSON.stringify(steps), ...extra });
    const actions = [
      () => this.inventorySync(cloudId, triggeredBy),
      () => this.assignmentJob(cloudId),
      () => this.snapshotCycle(cloudId, triggeredBy),
      () => this.inventorySync(cloudId, triggeredBy),
    ];
    let failure: string | null = null;
    for (const [index, step] of steps.entries()) {
      if (failure) {
        step.status = 'skipped';
        continue;
      }
      step.status = 'running';
      step.started = new Date().toISOString();
      await save();
      let result: StepResult;
      try {
        result = await actions[index]();
      } catch (e) {
        result = { runId: null, outcome: null, ok: false, error: String(e) };
      }
      Object.assign(step, {
        status: result.ok ? 'succeeded' : 'failed',
        finished: new Date().toISOString(),
        runId: result.runId,
        outcome: result.outcome,
        error: result.error ?? null,
      });
      if (!result.ok)
        failure = `${step.name} failed: ${result.error ?? result.outcome}`;
    }
    await save({
      status: failure ? 'failed' : 'succeeded',
      error: failure,
      finished_at: new Date(),
    });
    if (failure) logger.warn(`snapshots: pipeline ${id}: ${failure}`);
    return this.get(id);
  }

  /** Only a complete sync lets the pipeline go on: a partial one means stale data. */
  private async inventorySync(
    cloudId: string,
    triggeredBy: string,
  ): Promise<StepResult> {
    const { runId, done } = await this.options.inventory.start(
      cloudId,
      'pipeline',
      triggeredBy,
    );
    const run = await done;
    return {
      runId,
      outcome: run.status,
      ok: run.status === 'succeeded',
      error: run.error,
    };
  }

  private async assignmentJob(cloudId: string): Promise<StepResult> {
    const result = await this.options.assignments.run(cloudId);
    return {
      runId: null,
      outcome: `${result.protectedVolumes}/${result.volumes} volumes protected`,
      ok: true,
    };
  }

  private async snapshotCycle(
    cloudId: string,
    triggeredBy: string,
  ): Promise<StepResult> {
    const run = await this.options.cycle.run(
      cloudId,
      'on_demand',
      triggeredBy,
      {
        catchUp: true,
      },
    );
    return {
      runId: run.id,
      outcome: run.status,
      ok: run.status !== 'failed' && run.status !== 'canceled',
      error: run.errorSummary,
    };
  }
}
