/**
 * The executor's writes to the restore tables: compare-and-set status transitions (RST-13), the step
 * rows (RST-12/14) and the ledger of resources the job created or touched (RST-17).
 */
import type {
  RestoreIssue,
  RestoreJobStatus,
  RestoreLedgerEntry,
  RestoreStepName,
  RestoreStepStatus,
} from '@internal/plugin-pf9-common';
import { RESTORE_TERMINAL_STATUSES } from '@internal/plugin-pf9-common';
import { Knex } from 'knex';
import { isUniqueViolation } from '../store/errors';
import { RestoreConflictError } from './contracts';
import type { RestorePlanDetails } from './types';

/** RST-13: the only transitions a job may take. */
const TRANSITIONS: Record<RestoreJobStatus, RestoreJobStatus[]> = {
  PLANNED: ['PENDING', 'EXPIRED', 'CANCELED'],
  PENDING: ['RUNNING', 'CANCELED'],
  RUNNING: [
    'SUCCEEDED',
    'CANCEL_REQUESTED',
    'ROLLING_BACK',
    'DRY_RUN_COMPLETED',
  ],
  CANCEL_REQUESTED: ['ROLLING_BACK'],
  ROLLING_BACK: ['CANCELED', 'FAILED', 'ROLLBACK_FAILED'],
  SUCCEEDED: [],
  CANCELED: [],
  FAILED: [],
  ROLLBACK_FAILED: [],
  EXPIRED: [],
  DRY_RUN_COMPLETED: [],
};

export function canTransition(
  from: RestoreJobStatus,
  to: RestoreJobStatus,
): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface RestoreJobRow {
  id: string;
  cloud_id: string;
  server_id: string;
  server_name: string;
  project_id: string;
  domain_id: string | null;
  mode: string;
  ip_strategy: string;
  restore_point_id: string;
  status: RestoreJobStatus;
  dry_run: boolean | number;
  eligible: boolean | number;
  plan: string;
  details: string;
  user_data_encrypted: string | null;
  created_by: string;
  executed_by: string | null;
  canceled_by: string | null;
  cancel_reason: string | null;
  result_server_id: string | null;
  recovered_server_id: string | null;
  safety_snapshot_ids: string | null;
  warnings: string | null;
  error: string | null;
  expires_at: unknown;
  finished_at: unknown;
}

export type JobPatch = Partial<
  Pick<
    RestoreJobRow,
    | 'dry_run'
    | 'executed_by'
    | 'canceled_by'
    | 'cancel_reason'
    | 'result_server_id'
    | 'recovered_server_id'
    | 'error'
  >
> & { safetySnapshotIds?: string[] };

export interface StoredStep {
  position: number;
  name: RestoreStepName;
  status: RestoreStepStatus;
  error: string | null;
  detail: Record<string, unknown> | null;
}

export type LedgerKind = RestoreLedgerEntry['kind'];
export type LedgerState = 'present' | 'deleted' | 'kept';

export interface LedgerRow {
  id: number;
  kind: LedgerKind;
  resourceId: string;
  name: string | null;
  state: LedgerState;
  createdByJob: boolean;
  step: string;
}

export class RestoreJobStore {
  constructor(
    readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(
    id: string,
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<RestoreJobRow | undefined> {
    return trx<RestoreJobRow>('restore_jobs').where({ id }).first();
  }

  details(job: RestoreJobRow): RestorePlanDetails {
    return JSON.parse(job.details) as RestorePlanDetails;
  }

  async activeJobFor(
    cloudId: string,
    serverId: string,
  ): Promise<string | undefined> {
    const row = await this.db('restore_jobs')
      .where({ cloud_id: cloudId, server_id: serverId })
      .whereIn('status', [
        'PENDING',
        'RUNNING',
        'CANCEL_REQUESTED',
        'ROLLING_BACK',
      ])
      .first('id');
    return row?.id;
  }

  /**
   * Compare-and-set `from` → `to`; false when the job was not in `from` (another writer won). A unique
   * index violation (a second active job for the server) becomes 409 RESTORE_ALREADY_ACTIVE.
   */
  async transition(
    id: string,
    from: RestoreJobStatus,
    to: RestoreJobStatus,
    patch: JobPatch = {},
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<boolean> {
    if (!canTransition(from, to)) {
      throw new Error(`restore job transition ${from} → ${to} is not allowed`);
    }
    const now = this.now();
    const terminal = RESTORE_TERMINAL_STATUSES.includes(to);
    const { safetySnapshotIds, ...columns } = patch;
    const update: Record<string, unknown> = {
      ...columns,
      status: to,
      updated_at: now,
    };
    if (safetySnapshotIds) {
      update.safety_snapshot_ids = JSON.stringify(safetySnapshotIds);
    }
    if (terminal) {
      // RST-9: user_data is kept only while the job can still use it
      update.user_data_encrypted = null;
      update.finished_at = now;
    }
    try {
      const changed = await trx('restore_jobs')
        .where({ id, status: from })
        .update(update);
      return changed > 0;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // inside a transaction nothing more can be read (PostgreSQL aborted it); the caller adds the id
      const activeJobId =
        trx === this.db ? await this.activeJobOf(id) : undefined;
      throw new RestoreConflictError(
        'RESTORE_ALREADY_ACTIVE',
        `another restore job is active for this server${
          activeJobId ? ` (${activeJobId})` : ''
        }`,
        { activeJobId },
      );
    }
  }

  /** The active job of the same server as this job. */
  async activeJobOf(id: string): Promise<string | undefined> {
    const job = await this.get(id);
    return job ? this.activeJobFor(job.cloud_id, job.server_id) : undefined;
  }

  async addWarning(id: string, warning: RestoreIssue): Promise<void> {
    const job = await this.get(id);
    if (!job) return;
    const warnings: RestoreIssue[] = job.warnings
      ? JSON.parse(job.warnings)
      : [];
    if (
      warnings.some(
        w => w.code === warning.code && w.message === warning.message,
      )
    ) {
      return;
    }
    warnings.push(warning);
    await this.db('restore_jobs')
      .where({ id })
      .update({ warnings: JSON.stringify(warnings), updated_at: this.now() });
  }

  async setResult(id: string, patch: JobPatch): Promise<void> {
    const { safetySnapshotIds, ...columns } = patch;
    await this.db('restore_jobs')
      .where({ id })
      .update({
        ...columns,
        ...(safetySnapshotIds
          ? { safety_snapshot_ids: JSON.stringify(safetySnapshotIds) }
          : {}),
        updated_at: this.now(),
      });
  }

  // ---- steps ----

  /** Inserts the step rows once; a resumed job keeps the rows it has. */
  async initSteps(jobId: string, names: RestoreStepName[]): Promise<void> {
    const existing = await this.db('restore_steps')
      .where({ job_id: jobId })
      .count({ n: '*' });
    if (Number(existing[0].n) > 0) return;
    await this.db('restore_steps').insert(
      names.map((name, i) => ({
        job_id: jobId,
        position: i + 1,
        name,
        status: 'PENDING',
      })),
    );
  }

  async steps(jobId: string): Promise<StoredStep[]> {
    const rows = await this.db('restore_steps')
      .where({ job_id: jobId })
      .orderBy('position');
    return rows.map(r => ({
      position: r.position,
      name: r.name,
      status: r.status,
      error: r.error ?? null,
      detail: r.detail ? JSON.parse(r.detail) : null,
    }));
  }

  async setStep(
    jobId: string,
    name: RestoreStepName,
    status: RestoreStepStatus,
    extra: { error?: string | null; detail?: Record<string, unknown> } = {},
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<void> {
    const now = this.now();
    const update: Record<string, unknown> = { status };
    if (status === 'RUNNING') {
      update.started_at = now;
      update.finished_at = null;
      update.error = null;
    } else if (status !== 'PENDING') {
      update.finished_at = now;
    }
    if (extra.error !== undefined) update.error = extra.error;
    if (extra.detail !== undefined)
      update.detail = JSON.stringify(extra.detail);
    await trx('restore_steps').where({ job_id: jobId, name }).update(update);
  }

  // ---- ledger ----

  /** Records (or re-records) a resource; the unique key is (job, kind, resource id). */
  async record(
    jobId: string,
    entry: {
      kind: LedgerKind;
      resourceId: string;
      name?: string | null;
      state?: LedgerState;
      createdByJob: boolean;
      step: string;
    },
  ): Promise<void> {
    const now = this.now();
    const state = entry.state ?? 'present';
    const changed = await this.db('restore_ledger')
      .where({ job_id: jobId, kind: entry.kind, resource_id: entry.resourceId })
      .update({ state, updated_at: now });
    if (changed) return;
    await this.db('restore_ledger').insert({
      job_id: jobId,
      kind: entry.kind,
      resource_id: entry.resourceId,
      name: entry.name ?? null,
      state,
      created_by_job: entry.createdByJob,
      step: entry.step,
      recorded_at: now,
      updated_at: now,
    });
  }

  async setLedgerState(
    jobId: string,
    kind: LedgerKind,
    resourceId: string,
    state: LedgerState,
  ): Promise<void> {
    await this.db('restore_ledger')
      .where({ job_id: jobId, kind, resource_id: resourceId })
      .update({ state, updated_at: this.now() });
  }

  async ledger(jobId: string): Promise<LedgerRow[]> {
    const rows = await this.db('restore_ledger')
      .where({ job_id: jobId })
      .orderBy('id');
    return rows.map(r => ({
      id: r.id,
      kind: r.kind,
      resourceId: r.resource_id,
      name: r.name,
      state: r.state,
      createdByJob: Boolean(r.created_by_job),
      step: r.step,
    }));
  }
}
