/**
 * Run records (INV-2) and the one-sync-per-cloud guarantee (INV-1): a run is claimed by inserting a
 * `running` row, which a unique partial index allows once per cloud, so two backend instances sharing
 * one database can never both run. A run left `running` beyond twice its timeout is set `interrupted`
 * by the next claim.
 */
import { ConflictError } from '@backstage/errors';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { readRunPage, RunPageFilter } from '../store/runPages';
import { InventoryRun, RunStatus, RunTrigger, TypeOutcome } from './types';

export const SYNC_RUNNING_CODE = 'INVENTORY_SYNC_RUNNING';

export class SyncAlreadyRunningError extends ConflictError {
  readonly runId: string;
  readonly details: { code: string; runId: string };
  constructor(cloudId: string, runId: string) {
    super(
      `An inventory sync of cloud '${cloudId}' is already running: ${runId}`,
    );
    this.runId = runId;
    this.details = { code: SYNC_RUNNING_CODE, runId };
  }
}

const iso = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(v as string | number);
  return d.toISOString();
};

const parse = <T>(v: unknown, fallback: T): T =>
  typeof v === 'string' && v ? (JSON.parse(v) as T) : fallback;

export function toRun(row: any): InventoryRun {
  return {
    id: row.id,
    cloudId: row.cloud_id,
    trigger: row.trigger,
    triggeredBy: row.triggered_by,
    status: row.status,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    types: parse<TypeOutcome[]>(row.type_outcomes, []),
    deletionStats: parse(row.deletion_stats, null),
    error: row.error ?? null,
  };
}

export class RunStore {
  constructor(private readonly db: Knex) {}

  /** Sets runs of the cloud left `running` beyond twice their timeout to `interrupted`. */
  async interruptStale(cloudId: string, now = new Date()): Promise<string[]> {
    const running = await this.db('inventory_runs')
      .where({ cloud_id: cloudId, status: 'running' })
      .select('id', 'started_at', 'timeout_ms');
    const stale = running.filter(
      r =>
        now.getTime() - new Date(r.started_at).getTime() >
        2 * Number(r.timeout_ms),
    );
    for (const r of stale) {
      await this.db('inventory_runs')
        .where({ id: r.id, status: 'running' })
        .update({
          status: 'interrupted',
          finished_at: now,
          error:
            'still running after twice its timeout; set interrupted by the next run',
        });
    }
    return stale.map(r => r.id);
  }

  /** Claims the cloud: inserts the `running` row or throws SyncAlreadyRunningError (409). */
  async claim(input: {
    cloudId: string;
    trigger: RunTrigger;
    triggeredBy: string;
    timeoutMs: number;
  }): Promise<InventoryRun> {
    await this.interruptStale(input.cloudId);
    const id = randomUUID();
    try {
      await this.db('inventory_runs').insert({
        id,
        cloud_id: input.cloudId,
        trigger: input.trigger,
        triggered_by: input.triggeredBy,
        status: 'running',
        started_at: new Date(),
        timeout_ms: input.timeoutMs,
        type_outcomes: '[]',
      });
    } catch (e) {
      const running = await this.running(input.cloudId);
      if (running) throw new SyncAlreadyRunningError(input.cloudId, running.id);
      throw e;
    }
    return (await this.get(id))!;
  }

  async running(cloudId: string): Promise<InventoryRun | undefined> {
    const row = await this.db('inventory_runs')
      .where({ cloud_id: cloudId, status: 'running' })
      .first();
    return row ? toRun(row) : undefined;
  }

  async saveOutcomes(runId: string, types: TypeOutcome[]): Promise<void> {
    await this.db('inventory_runs')
      .where({ id: runId, status: 'running' })
      .update({ type_outcomes: JSON.stringify(types) });
  }

  /** Finalises a running run; a run already set interrupted stays so. */
  async finish(
    runId: string,
    result: {
      status: Exclude<RunStatus, 'running'>;
      types: TypeOutcome[];
      deletionStats: InventoryRun['deletionStats'];
      error?: string | null;
    },
  ): Promise<void> {
    await this.db('inventory_runs')
      .where({ id: runId, status: 'running' })
      .update({
        status: result.status,
        finished_at: new Date(),
        type_outcomes: JSON.stringify(result.types),
        deletion_stats: result.deletionStats
          ? JSON.stringify(result.deletionStats)
          : null,
        error: result.error ?? null,
      });
  }

  async get(id: string): Promise<InventoryRun | undefined> {
    const row = await this.db('inventory_runs').where({ id }).first();
    return row ? toRun(row) : undefined;
  }

  async list(
    filter: RunPageFilter,
  ): Promise<{ items: InventoryRun[]; total: number }> {
    const { rows, total } = await readRunPage(
      this.db,
      'inventory_runs',
      filter,
    );
    return { items: rows.map(toRun), total };
  }
}
