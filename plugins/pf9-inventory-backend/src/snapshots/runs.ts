/**
 * Cycle runs (SPEC SNAP-24) and per-pair records (SNAP-25). A run is claimed by inserting a `running`
 * row, which a unique partial index allows once per cloud, so two backend instances can never both
 * run a cycle. A run left `running` beyond twice its timeout is set `failed` (reason `interrupted`) by
 * the next claim.
 */
import { ConflictError } from '@backstage/errors';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { readRunPage, RunPageFilter } from '../store/runPages';
import { applyScope, Scope } from '../inventory/query';
import { BulkValue, bulkInsert } from '../inventory/bulkInsert';

export const CYCLE_RUNNING_CODE = 'SNAPSHOT_CYCLE_RUNNING';

export type RunTrigger = 'scheduled' | 'on_demand' | 'api';
export type RunStatus =
  | 'running'
  | 'completed'
  | 'completed_with_errors'
  | 'failed'
  | 'skipped'
  | 'canceled';

export type SnapshotAction =
  | 'created'
  | 'deleted'
  | 'already_absent'
  | 'delete_failed'
  | 'skipped'
  | 'deferred'
  | 'quota_blocked'
  | 'failed'
  | 'simulated_create'
  | 'simulated_delete';

export const SNAPSHOT_ACTIONS: SnapshotAction[] = [
  'created',
  'deleted',
  'already_absent',
  'delete_failed',
  'skipped',
  'deferred',
  'quota_blocked',
  'failed',
  'simulated_create',
  'simulated_delete',
];

export interface RunCounts {
  considered: number;
  created: number;
  deleted: number;
  skipped: number;
  deferred: number;
  quotaBlocked: number;
  failed: number;
}

export interface SnapshotRun {
  id: string;
  cloudId: string;
  trigger: RunTrigger;
  triggeredBy: string;
  dryRun: boolean;
  catchUp: boolean;
  policies: string[] | null;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  counts: RunCounts;
  errorSummary: string | null;
  /** SNAP-23 batching progress; null before the create step */
  progress: RunProgress | null;
  /** SNAP-24: the user who asked the run to stop */
  cancelRequestedBy: string | null;
}

export interface RunProgress {
  totalBatches: number;
  completedBatches: number;
  currentBatch: number;
  progressPct: number;
  estimatedFinishAt: string | null;
}

export interface RecordInput {
  volumeId: string;
  volumeName?: string | null;
  projectId?: string | null;
  projectName?: string | null;
  domainId?: string | null;
  domainName?: string | null;
  serverId?: string | null;
  serverName?: string | null;
  policy?: string | null;
  period?: string | null;
  retention?: number | null;
  action: SnapshotAction;
  reason?: string | null;
  snapshotId?: string | null;
  snapshotName?: string | null;
  snapshotStatus?: string | null;
  /** the snapshot payload (never the volume's) */
  snapshot?: unknown;
}

export interface SnapshotRecord
  extends Required<Omit<RecordInput, 'snapshot'>> {
  id: number;
  runId: string;
  cloudId: string;
  recordedAt: string;
  snapshot: unknown;
}

export class CycleAlreadyRunningError extends ConflictError {
  readonly runId: string;
  readonly details: { code: string; runId: string };
  constructor(cloudId: string, runId: string) {
    super(
      `A snapshot cycle of cloud '${cloudId}' is already running: ${runId}`,
    );
    this.runId = runId;
    this.details = { code: CYCLE_RUNNING_CODE, runId };
  }
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : (v instanceof Date ? v : new Date(v as string)).toISOString();

function toRun(row: any): SnapshotRun {
  return {
    id: row.id,
    cloudId: row.cloud_id,
    trigger: row.trigger,
    triggeredBy: row.triggered_by,
    dryRun: Boolean(row.dry_run),
    catchUp: Boolean(row.catch_up),
    policies: row.policies ? JSON.parse(row.policies) : null,
    status: row.status,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    counts: {
      considered: Number(row.considered),
      created: Number(row.created),
      deleted: Number(row.deleted),
      skipped: Number(row.skipped),
      deferred: Number(row.deferred),
      quotaBlocked: Number(row.quota_blocked),
      failed: Number(row.failed),
    },
    errorSummary: row.error_summary ?? null,
    progress: progressOf(row),
    cancelRequestedBy: row.cancel_requested_by ?? null,
  };
}

function progressOf(row: any): RunProgress | null {
  if (row.total_batches === null || row.total_batches === undefined)
    return null;
  const total = Number(row.total_batches);
  const completed = Number(row.completed_batches ?? 0);
  return {
    totalBatches: total,
    completedBatches: completed,
    currentBatch: Number(row.current_batch ?? 0),
    progressPct: total ? Math.round((1000 * completed) / total) / 10 : 100,
    estimatedFinishAt: iso(row.estimated_finish_at),
  };
}

function toRecord(row: any): SnapshotRecord {
  return {
    id: Number(row.id),
    runId: row.run_id,
    cloudId: row.cloud_id,
    recordedAt: iso(row.recorded_at)!,
    volumeId: row.volume_id,
    volumeName: row.volume_name,
    projectId: row.project_id,
    projectName: row.project_name,
    domainId: row.domain_id,
    domainName: row.domain_name,
    serverId: row.server_id,
    serverName: row.server_name,
    policy: row.policy,
    period: row.period,
    retention: row.retention === null ? null : Number(row.retention),
    action: row.action,
    reason: row.reason,
    snapshotId: row.snapshot_id,
    snapshotName: row.snapshot_name,
    snapshotStatus: row.snapshot_status,
    snapshot: row.snapshot ? JSON.parse(row.snapshot) : null,
  };
}

/** The key of a pair's period in `attemptCounts`. */
export function attemptKey(volumeId: string, policy: string, period: string) {
  return `${volumeId}\u0000${policy}\u0000${period}`;
}

/** snapshot ids per read of their delete outcomes */
const FAILURE_READS_PER_QUERY = 500;
/** records per update of their followed-up status */
const STATUS_UPDATES_PER_QUERY = 500;

const RECORD_COLUMNS = [
  'run_id',
  'cloud_id',
  'recorded_at',
  'volume_id',
  'volume_name',
  'project_id',
  'project_name',
  'domain_id',
  'domain_name',
  'server_id',
  'server_name',
  'policy',
  'period',
  'retention',
  'action',
  'reason',
  'snapshot_id',
  'snapshot_name',
  'snapshot_status',
  'snapshot',
] as const;

function recordRow(
  run: { id: string; cloudId: string },
  input: RecordInput,
): Record<(typeof RECORD_COLUMNS)[number], BulkValue> {
  return {
    run_id: run.id,
    cloud_id: run.cloudId,
    recorded_at: new Date(),
    volume_id: input.volumeId,
    volume_name: input.volumeName ?? null,
    project_id: input.projectId ?? null,
    project_name: input.projectName ?? null,
    domain_id: input.domainId ?? null,
    domain_name: input.domainName ?? null,
    server_id: input.serverId ?? null,
    server_name: input.serverName ?? null,
    policy: input.policy ?? null,
    period: input.period ?? null,
    retention: input.retention ?? null,
    action: input.action,
    reason: input.reason?.slice(0, 255) ?? null,
    snapshot_id: input.snapshotId ?? null,
    snapshot_name: input.snapshotName ?? null,
    snapshot_status: input.snapshotStatus ?? null,
    snapshot:
      input.snapshot === undefined ? null : JSON.stringify(input.snapshot),
  };
}

export class SnapshotRunStore {
  constructor(private readonly db: Knex) {}

  /** Sets runs of the cloud left `running` beyond twice their timeout to `failed` (interrupted). */
  async interruptStale(cloudId: string, now = new Date()): Promise<void> {
    const running = await this.db('snapshot_runs')
      .where({ cloud_id: cloudId, status: 'running' })
      .select('id', 'started_at', 'timeout_ms');
    for (const r of running) {
      if (
        now.getTime() - new Date(r.started_at).getTime() >
        2 * Number(r.timeout_ms)
      ) {
        await this.db('snapshot_runs')
          .where({ id: r.id, status: 'running' })
          .update({
            status: 'failed',
            finished_at: now,
            error_summary: 'interrupted',
          });
      }
    }
  }

  /** Claims the cloud: inserts the `running` row or throws CycleAlreadyRunningError (409). */
  async claim(input: {
    cloudId: string;
    trigger: RunTrigger;
    triggeredBy: string;
    dryRun: boolean;
    catchUp: boolean;
    policies: string[] | null;
    timeoutMs: number;
  }): Promise<SnapshotRun> {
    await this.interruptStale(input.cloudId);
    const id = randomUUID();
    try {
      await this.db('snapshot_runs').insert({
        id,
        cloud_id: input.cloudId,
        trigger: input.trigger,
        triggered_by: input.triggeredBy,
        dry_run: input.dryRun,
        catch_up: input.catchUp,
        policies: input.policies ? JSON.stringify(input.policies) : null,
        status: 'running',
        started_at: new Date(),
        timeout_ms: input.timeoutMs,
      });
    } catch (e) {
      const running = await this.db('snapshot_runs')
        .where({ cloud_id: input.cloudId, status: 'running' })
        .first();
      if (running)
        throw new CycleAlreadyRunningError(input.cloudId, running.id);
      throw e;
    }
    return (await this.get(id))!;
  }

  /** Finalises a running run (SNAP-24: on every path); a run already set failed by a later claim stays so. */
  async finish(
    runId: string,
    status: Exclude<RunStatus, 'running'>,
    counts: RunCounts,
    errorSummary: string | null,
  ): Promise<void> {
    await this.db('snapshot_runs')
      .where({ id: runId, status: 'running' })
      .update({
        status,
        finished_at: new Date(),
        considered: counts.considered,
        created: counts.created,
        deleted: counts.deleted,
        skipped: counts.skipped,
        deferred: counts.deferred,
        quota_blocked: counts.quotaBlocked,
        failed: counts.failed,
        error_summary: errorSummary,
      });
  }

  /** SNAP-24: marks a running run to stop (the first request counts); false when it is not running. */
  async requestCancel(runId: string, user: string): Promise<boolean> {
    await this.db('snapshot_runs')
      .where({ id: runId, status: 'running' })
      .whereNull('cancel_requested_at')
      .update({ cancel_requested_by: user, cancel_requested_at: new Date() });
    const row = await this.db('snapshot_runs')
      .where({ id: runId, status: 'running' })
      .first('id');
    return Boolean(row);
  }

  async cancelRequested(runId: string): Promise<boolean> {
    const row = await this.db('snapshot_runs')
      .where({ id: runId })
      .first('cancel_requested_at');
    return Boolean(row?.cancel_requested_at);
  }

  async get(id: string): Promise<SnapshotRun | undefined> {
    const row = await this.db('snapshot_runs').where({ id }).first();
    return row ? toRun(row) : undefined;
  }

  async list(
    filter: RunPageFilter,
  ): Promise<{ items: SnapshotRun[]; total: number }> {
    const { rows, total } = await readRunPage(this.db, 'snapshot_runs', filter);
    return { items: rows.map(toRun), total };
  }

  /** SNAP-23: batch progress of a running run. */
  async setProgress(
    runId: string,
    p: Omit<RunProgress, 'progressPct' | 'estimatedFinishAt'> & {
      estimatedFinishAt: Date | null;
    },
  ): Promise<void> {
    await this.db('snapshot_runs').where({ id: runId }).update({
      total_batches: p.totalBatches,
      completed_batches: p.completedBatches,
      current_batch: p.currentBatch,
      estimated_finish_at: p.estimatedFinishAt,
    });
  }

  async addRecord(
    run: { id: string; cloudId: string },
    input: RecordInput,
  ): Promise<void> {
    await this.addRecords(run, [input]);
  }

  /** Stores records in few statements: one COPY on PostgreSQL, multi-row inserts on SQLite. */
  async addRecords(
    run: { id: string; cloudId: string },
    inputs: RecordInput[],
  ): Promise<void> {
    if (!inputs.length) return;
    const rows = inputs.map(input => {
      const row = recordRow(run, input);
      return RECORD_COLUMNS.map(column => row[column]);
    });
    await this.db.transaction(tx =>
      bulkInsert(tx, 'snapshot_records', RECORD_COLUMNS, rows),
    );
  }

  /** Create attempts (created + failed) per pair and period of the cloud, for the given periods. */
  async attemptCounts(
    cloudId: string,
    periods: string[],
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!periods.length) return out;
    const rows = (await this.db('snapshot_records')
      .where({ cloud_id: cloudId })
      .whereIn('period', periods)
      .whereIn('action', ['created', 'failed'])
      .groupBy('volume_id', 'policy', 'period')
      .select('volume_id', 'policy', 'period')
      .count({ n: '*' })) as any[];
    for (const r of rows) {
      out.set(attemptKey(r.volume_id, r.policy, r.period), Number(r.n));
    }
    return out;
  }

  async records(filter: {
    runId: string;
    action?: SnapshotAction;
    scope: Scope;
    page: number;
    pageSize: number;
  }): Promise<{ items: SnapshotRecord[]; total: number }> {
    const base = this.db('snapshot_records')
      .where('run_id', filter.runId)
      .modify(q => {
        if (filter.action) q.where('action', filter.action);
        applyScope(q, filter.scope);
      });
    const [{ n }] = await base.clone().count({ n: '*' });
    const rows = await base
      .clone()
      .orderBy('id', 'asc')
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize);
    return { items: rows.map(toRecord), total: Number(n) };
  }

  /** SNAP-27 `GET /records`: records of the cloud across runs, newest first, scope-filtered. */
  async searchRecords(filter: {
    cloudId: string;
    volumeId?: string;
    policy?: string;
    action?: SnapshotAction;
    since?: Date;
    scope: Scope;
    page: number;
    pageSize: number;
  }): Promise<{ items: SnapshotRecord[]; total: number }> {
    const base = this.db('snapshot_records')
      .where('cloud_id', filter.cloudId)
      .modify(q => {
        if (filter.volumeId) q.where('volume_id', filter.volumeId);
        if (filter.policy) q.where('policy', filter.policy);
        if (filter.action) q.where('action', filter.action);
        if (filter.since) q.where('recorded_at', '>=', filter.since);
        applyScope(q, filter.scope);
      });
    const [{ n }] = await base.clone().count({ n: '*' });
    const rows = await base
      .clone()
      .orderBy('id', 'desc')
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize);
    return { items: rows.map(toRecord), total: Number(n) };
  }

  /** Every record of a run the scope allows, in order (the run export). */
  async allRecords(runId: string, scope: Scope): Promise<SnapshotRecord[]> {
    const rows = await this.db('snapshot_records')
      .where('run_id', runId)
      .modify(q => applyScope(q, scope))
      .orderBy('id', 'asc');
    return rows.map(toRecord);
  }

  /**
   * Snapshots our cycles really created of the given volumes, with their policy and period (restore
   * points, RST-3). Read-only; whether each still exists is for the caller to check live.
   */
  async createdSnapshotsOf(
    cloudId: string,
    volumeIds: string[],
  ): Promise<
    Array<{
      snapshotId: string;
      volumeId: string;
      policy: string | null;
      period: string | null;
    }>
  > {
    if (!volumeIds.length) return [];
    const rows = await this.db('snapshot_records')
      .where({ cloud_id: cloudId, action: 'created' })
      .whereIn('volume_id', volumeIds)
      .whereNotNull('snapshot_id')
      .select('snapshot_id', 'volume_id', 'policy', 'period');
    return rows.map(r => ({
      snapshotId: r.snapshot_id,
      volumeId: r.volume_id,
      policy: r.policy ?? null,
      period: r.period ?? null,
    }));
  }

  /** Creates still `creating` at the end of their run, to follow up (SNAP-15). */
  async pendingCreates(
    cloudId: string,
  ): Promise<Array<{ id: number; snapshotId: string; recordedAt: Date }>> {
    const rows = await this.db('snapshot_records')
      .where({
        cloud_id: cloudId,
        action: 'created',
        snapshot_status: 'creating',
      })
      .select('id', 'snapshot_id', 'recorded_at');
    return rows.map(r => ({
      id: Number(r.id),
      snapshotId: r.snapshot_id,
      recordedAt: new Date(r.recorded_at),
    }));
  }

  /** Sets the followed-up status of created records: one statement per status and 500 records. */
  async setSnapshotStatuses(statusById: Map<number, string>): Promise<void> {
    const idsByStatus = new Map<string, number[]>();
    for (const [id, status] of statusById) {
      const ids = idsByStatus.get(status);
      if (ids) ids.push(id);
      else idsByStatus.set(status, [id]);
    }
    for (const [status, ids] of idsByStatus) {
      for (let i = 0; i < ids.length; i += STATUS_UPDATES_PER_QUERY) {
        await this.db('snapshot_records')
          .whereIn('id', ids.slice(i, i + STATUS_UPDATES_PER_QUERY))
          .update({ snapshot_status: status });
      }
    }
  }

  /** Create attempts for a pair's period (SNAP-15: at most 3). Dry-runs write no such record. */
  async attempts(
    cloudId: string,
    volumeId: string,
    policy: string,
    period: string,
  ): Promise<number> {
    const [{ n }] = await this.db('snapshot_records')
      .where({ cloud_id: cloudId, volume_id: volumeId, policy, period })
      .whereIn('action', ['created', 'failed'])
      .count({ n: '*' });
    return Number(n);
  }

  /** Consecutive failed deletions of each snapshot that has any (SNAP-21: `stuck` after 3). */
  async deleteFailureCounts(
    cloudId: string,
    snapshotIds: string[],
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < snapshotIds.length; i += FAILURE_READS_PER_QUERY) {
      const rows = await this.db('snapshot_records')
        .where({ cloud_id: cloudId })
        .whereIn(
          'snapshot_id',
          snapshotIds.slice(i, i + FAILURE_READS_PER_QUERY),
        )
        .whereIn('action', ['deleted', 'already_absent', 'delete_failed'])
        .orderBy([{ column: 'snapshot_id' }, { column: 'id', order: 'desc' }])
        .select('snapshot_id', 'action');
      // newest first per snapshot: count the failures until the first other outcome
      const settled = new Set<string>();
      for (const r of rows) {
        if (settled.has(r.snapshot_id)) continue;
        if (r.action !== 'delete_failed') settled.add(r.snapshot_id);
        else out.set(r.snapshot_id, (out.get(r.snapshot_id) ?? 0) + 1);
      }
    }
    return out;
  }

  /**
   * The latest real attempt (created, failed or quota_blocked) of every pair since a time: compliance
   * reads these for its `quota_blocked` status (CMP-1). Dry-run records never count.
   */
  async latestAttempts(
    cloudId: string,
    since: Date,
  ): Promise<Map<string, { action: SnapshotAction; period: string | null }>> {
    const rows = await this.db('snapshot_records as r')
      .join('snapshot_runs as u', 'u.id', 'r.run_id')
      .where('r.cloud_id', cloudId)
      .where('u.dry_run', false)
      .where('r.recorded_at', '>=', since)
      .whereIn('r.action', ['created', 'failed', 'quota_blocked'])
      .orderBy('r.id', 'asc')
      .select('r.volume_id', 'r.policy', 'r.period', 'r.action');
    const out = new Map<
      string,
      { action: SnapshotAction; period: string | null }
    >();
    for (const r of rows) {
      out.set(`${r.volume_id}\u0000${r.policy}`, {
        action: r.action,
        period: r.period,
      });
    }
    return out;
  }

  /** Real creates and deletions per policy, for the counters of SNAP metrics. */
  async actionTotals(
    cloudId: string,
    action: 'created' | 'deleted',
  ): Promise<Array<{ policy: string; n: number }>> {
    const rows = (await this.db('snapshot_records')
      .where({ cloud_id: cloudId, action })
      .groupBy('policy')
      .select('policy')
      .count({ n: '*' })) as Array<{
      policy: string | null;
      n: string | number;
    }>;
    return rows.map(r => ({ policy: r.policy ?? '', n: Number(r.n) }));
  }
}
