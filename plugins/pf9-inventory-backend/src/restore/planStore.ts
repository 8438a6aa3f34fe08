/**
 * Plans are restore jobs in PLANNED state (RST-6). This store inserts them and reads jobs for the API
 * (RST-14: steps, ledger, progress; lists with filters, newest first; queue position of PENDING jobs).
 * Every state change after PLANNED belongs to the executor's job store.
 */
import type {
  RestoreIssue,
  RestoreJob,
  RestoreJobProgress,
  RestoreJobStatus,
  RestoreJobStep,
  RestoreJobSummary,
  RestoreLedgerEntry,
  RestoreMode,
  RestorePlan,
  RestoreStepStatus,
} from '@internal/plugin-pf9-common';
import { Knex } from 'knex';
import { applyScope, Scope } from '../inventory/query';
import { RESTORE_STEP_ORDER } from './steps';
import type { RestorePlanDetails } from './types';

/** RST-15: the states that hold a server. */
export const ACTIVE_STATUSES: readonly RestoreJobStatus[] = [
  'PENDING',
  'RUNNING',
  'CANCEL_REQUESTED',
  'ROLLING_BACK',
];

export interface NewPlan {
  plan: RestorePlan;
  details: RestorePlanDetails;
  domainId: string | null;
  userDataEncrypted: string | null;
  createdBy: string;
  retryOf: string | null;
  /** the RST-12 steps that do not apply */
  skippedSteps: ReadonlySet<string>;
  createdAt: Date;
}

export interface RestoreJobFilter {
  cloudId?: string;
  projectId?: string;
  status?: RestoreJobStatus;
  mode?: RestoreMode;
  createdBy?: string;
  q?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

/** What the routes need of a job before acting on it. */
export interface JobHead {
  id: string;
  cloudId: string;
  serverId: string;
  serverName: string;
  projectId: string;
  domainId: string | null;
  mode: RestoreMode;
  status: RestoreJobStatus;
  ipStrategy: string;
  plan: RestorePlan;
  details: RestorePlanDetails;
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : (v instanceof Date ? v : new Date(v as string)).toISOString();

const json = <T>(v: unknown, fallback: T): T =>
  typeof v === 'string' && v ? (JSON.parse(v) as T) : fallback;

function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, m => `\\${m}`)}%`;
}

export function progressOf(steps: RestoreJobStep[]): RestoreJobProgress {
  const done = steps.filter(s =>
    (['SUCCEEDED', 'SKIPPED'] as RestoreStepStatus[]).includes(s.status),
  ).length;
  const current =
    steps.find(s => s.status === 'RUNNING') ??
    steps.find(s => s.status === 'PENDING');
  return {
    totalSteps: steps.length,
    doneSteps: done,
    currentStep: current?.name ?? null,
    percent: steps.length ? Math.floor((done / steps.length) * 100) : 0,
  };
}

export class RestorePlanStore {
  constructor(private readonly db: Knex) {}

  async insert(input: NewPlan): Promise<void> {
    const { plan, createdAt } = input;
    await this.db.transaction(async tx => {
      await tx('restore_jobs').insert({
        id: plan.planId,
        cloud_id: plan.cloudId,
        server_id: plan.serverId,
        server_name: plan.serverName,
        project_id: plan.projectId,
        domain_id: input.domainId,
        mode: plan.mode,
        ip_strategy: plan.ipStrategy,
        restore_point_id: plan.restorePoint.id,
        status: 'PLANNED',
        dry_run: false,
        eligible: plan.eligible,
        plan: JSON.stringify(plan),
        details: JSON.stringify(input.details),
        user_data_encrypted: input.userDataEncrypted,
        created_by: input.createdBy,
        retry_of: input.retryOf,
        warnings: JSON.stringify(plan.warnings),
        expires_at: new Date(plan.expiresAt),
        created_at: createdAt,
        updated_at: createdAt,
      });
      await tx('restore_steps').insert(
        RESTORE_STEP_ORDER.map((name, index) => ({
          job_id: plan.planId,
          position: index + 1,
          name,
          status: input.skippedSteps.has(name) ? 'SKIPPED' : 'PENDING',
        })),
      );
    });
  }

  /** The active job of a server, if any (RST-15). */
  async activeJobFor(
    cloudId: string,
    serverId: string,
  ): Promise<string | null> {
    const row = await this.db('restore_jobs')
      .where({ cloud_id: cloudId, server_id: serverId })
      .whereIn('status', ACTIVE_STATUSES as RestoreJobStatus[])
      .first('id');
    return row?.id ?? null;
  }

  async head(id: string): Promise<JobHead | undefined> {
    const row = await this.db('restore_jobs').where({ id }).first();
    if (!row) return undefined;
    return {
      id: row.id,
      cloudId: row.cloud_id,
      serverId: row.server_id,
      serverName: row.server_name,
      projectId: row.project_id,
      domainId: row.domain_id ?? null,
      mode: row.mode,
      status: row.status,
      ipStrategy: row.ip_strategy,
      plan: json<RestorePlan>(row.plan, {} as RestorePlan),
      details: json<RestorePlanDetails>(row.details, {} as RestorePlanDetails),
    };
  }

  /** The ledger of a job, oldest first. */
  async ledger(jobId: string): Promise<RestoreLedgerEntry[]> {
    const rows = await this.db('restore_ledger')
      .where({ job_id: jobId })
      .orderBy('id', 'asc');
    return rows.map(r => ({
      kind: r.kind,
      resourceId: r.resource_id,
      name: r.name ?? null,
      state: r.state,
      createdByJob: Boolean(r.created_by_job),
      step: r.step,
      recordedAt: iso(r.recorded_at)!,
    }));
  }

  async steps(jobId: string): Promise<RestoreJobStep[]> {
    const rows = await this.db('restore_steps')
      .where({ job_id: jobId })
      .orderBy('position', 'asc');
    return rows.map(r => ({
      name: r.name,
      status: r.status,
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
      error: r.error ?? null,
      detail: json<Record<string, unknown> | null>(r.detail, null),
    }));
  }

  /** RST-15: 1 for the next PENDING job to be claimed. */
  private async queuePosition(row: any): Promise<number | null> {
    if (row.status !== 'PENDING') return null;
    const [{ n }] = await this.db('restore_jobs')
      .where({ status: 'PENDING' })
      .where(q =>
        q
          .where('updated_at', '<', row.updated_at)
          .orWhere(inner =>
            inner
              .where('updated_at', '=', row.updated_at)
              .andWhere('id', '<', row.id),
          ),
      )
      .count({ n: '*' });
    return Number(n) + 1;
  }

  private async summary(row: any): Promise<RestoreJobSummary> {
    return {
      id: row.id,
      cloudId: row.cloud_id,
      serverId: row.server_id,
      serverName: row.server_name,
      projectId: row.project_id,
      mode: row.mode,
      ipStrategy: row.ip_strategy,
      restorePointId: row.restore_point_id,
      status: row.status,
      dryRun: Boolean(row.dry_run),
      createdBy: row.created_by,
      executedBy: row.executed_by ?? null,
      canceledBy: row.canceled_by ?? null,
      createdAt: iso(row.created_at)!,
      updatedAt: iso(row.updated_at)!,
      finishedAt: iso(row.finished_at),
      resultServerId: row.result_server_id ?? null,
      recoveredServerId: row.recovered_server_id ?? null,
      retryOf: row.retry_of ?? null,
      queuePosition: await this.queuePosition(row),
      error: row.error ?? null,
    };
  }

  /** RST-14; undefined when the job does not exist or lies outside the caller's scope. */
  async get(id: string, scope?: Scope): Promise<RestoreJob | undefined> {
    const row = await applyScope(
      this.db('restore_jobs').where({ id }),
      scope,
    ).first();
    if (!row) return undefined;
    const steps = await this.steps(id);
    return {
      ...(await this.summary(row)),
      plan: json<RestorePlan>(row.plan, {} as RestorePlan),
      steps,
      ledger: await this.ledger(id),
      progress: progressOf(steps),
      cancelReason: row.cancel_reason ?? null,
      safetySnapshotIds: json<string[]>(row.safety_snapshot_ids, []),
      warnings: json<RestoreIssue[]>(row.warnings, []),
    };
  }

  async list(
    filter: RestoreJobFilter,
    scope?: Scope,
  ): Promise<{ items: RestoreJobSummary[]; total: number }> {
    const base = applyScope(
      this.db('restore_jobs').modify(q => {
        if (filter.cloudId) q.where('cloud_id', filter.cloudId);
        if (filter.projectId) q.where('project_id', filter.projectId);
        if (filter.status) q.where('status', filter.status);
        if (filter.mode) q.where('mode', filter.mode);
        if (filter.createdBy) q.where('created_by', filter.createdBy);
        if (filter.from) q.where('created_at', '>=', filter.from);
        if (filter.to) q.where('created_at', '<=', filter.to);
        if (filter.q) {
          const like = likePattern(filter.q);
          q.where(inner =>
            inner
              .whereRaw("lower(server_name) like ? escape '\\'", [like])
              .orWhereRaw("lower(server_id) like ? escape '\\'", [like])
              .orWhereRaw("lower(id) like ? escape '\\'", [like]),
          );
        }
      }),
      scope,
    );
    const [{ n }] = await base.clone().count({ n: '*' });
    const rows = await base
      .clone()
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize);
    const items = [];
    for (const row of rows) items.push(await this.summary(row));
    return { items, total: Number(n) };
  }
}
