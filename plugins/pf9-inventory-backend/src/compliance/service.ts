/**
 * The one compliance service (SPEC CMP-3): evaluates a cloud with a read-only live listing and the
 * snapshots area's stored facts, stores the evaluation (one row per pair, roll-ups), and answers every
 * read from the latest stored evaluation.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import type { CloudConfig } from '../config';
import { applyScope, Scope } from '../inventory/query';
import { createOpenStackClient, OpenStackClient } from '../openstack';
import { firstProtectedAt } from '../snapshots/assignments';
import { AssignmentStore } from '../snapshots/assignmentStore';
import {
  createdAtMs,
  isManaged,
  LiveCloud,
  readLiveCloud,
} from '../snapshots/live';
import { PolicyStore } from '../snapshots/policies';
import { SnapshotRunStore } from '../snapshots/runs';
import {
  allRollUps,
  ComplianceRow,
  evaluateCompliance,
  GroupBy,
  RollUp,
  rollUp,
  rollUpBy,
  RollUps,
  RowStatus,
  statusRank,
} from './evaluate';

export interface Evaluation {
  id: string;
  cloudId: string;
  evaluatedAt: string;
  trigger: string;
  rollups: RollUps;
}

/** How far back attempts matter: a monthly period plus its window. */
const ATTEMPT_LOOKBACK_MS = 70 * 86_400_000;
/** Evaluations kept per cloud. */
const KEEP_EVALUATIONS = 50;

function toEvaluation(row: any): Evaluation {
  return {
    id: row.id,
    cloudId: row.cloud_id,
    evaluatedAt: new Date(row.evaluated_at).toISOString(),
    trigger: row.trigger,
    rollups: JSON.parse(row.rollups),
  };
}

function toRow(row: any): ComplianceRow {
  return {
    volumeId: row.volume_id,
    volumeName: row.volume_name,
    projectId: row.project_id,
    projectName: row.project_name,
    domainId: row.domain_id,
    domainName: row.domain_name,
    serverId: row.server_id,
    serverName: row.server_name,
    policy: row.policy,
    retention: row.retention === null ? null : Number(row.retention),
    period: row.period,
    snapshotCount: Number(row.snapshot_count),
    lastSnapshotAt: row.last_snapshot_at
      ? new Date(row.last_snapshot_at).toISOString()
      : null,
    status: row.status,
    reason: row.reason,
    slaDays: row.sla_days,
  };
}

export interface ManualSnapshot {
  snapshotId: string;
  snapshotName: string | null;
  status: string | null;
  sizeGb: number | null;
  createdAt: string | null;
  volumeId: string | null;
  volumeName: string | null;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
}

function toManualSnapshot(row: any): ManualSnapshot {
  return {
    snapshotId: row.snapshot_id,
    snapshotName: row.snapshot_name,
    status: row.status,
    sizeGb: row.size_gb === null ? null : Number(row.size_gb),
    createdAt: row.created_at ? new Date(row.created_at).toISOString() : null,
    volumeId: row.volume_id,
    volumeName: row.volume_name,
    projectId: row.project_id,
    projectName: row.project_name,
    domainId: row.domain_id,
    domainName: row.domain_name,
  };
}

/** CMP-4: the listed snapshots without our marker; they never make a pair compliant. */
function manualSnapshotRows(evaluationId: string, live: LiveCloud) {
  const volumes = new Map(live.volumes.map(v => [v.id, v]));
  return live.snapshots
    .filter(s => !isManaged(s))
    .map(s => {
      const projectId =
        (s['os-extended-snapshot-attributes:project_id'] as string) ?? null;
      const project = projectId ? live.projects.get(projectId) : undefined;
      const domainId = project?.domainId ?? null;
      const created = createdAtMs(s);
      return {
        evaluation_id: evaluationId,
        snapshot_id: s.id,
        snapshot_name: s.name?.slice(0, 255) ?? null,
        status: s.status ?? null,
        size_gb: Number.isFinite(Number(s.size)) ? Number(s.size) : null,
        created_at: Number.isNaN(created) ? null : new Date(created),
        volume_id: s.volume_id ?? null,
        volume_name: volumes.get(s.volume_id)?.name?.slice(0, 255) ?? null,
        project_id: projectId,
        project_name: project?.name ?? null,
        domain_id: domainId,
        domain_name: domainId ? live.domains.get(domainId) ?? null : null,
      };
    });
}

/** CMP-3 order: non-compliant, pending, compliant, then the oldest last snapshot (never first). */
function ordered(q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q.orderBy([
    { column: 'status_rank', order: 'asc' },
    // nulls (never snapshotted) first
    { column: 'last_snapshot_at', order: 'asc', nulls: 'first' },
    { column: 'volume_id', order: 'asc' },
    { column: 'policy', order: 'asc' },
  ]);
}

export interface RowFilter {
  domainId?: string;
  projectId?: string;
  policy?: string;
  status?: RowStatus;
}

export class ComplianceService {
  private readonly runs: SnapshotRunStore;
  private readonly policies: PolicyStore;

  constructor(
    private readonly options: {
      db: Knex;
      clouds: CloudConfig[];
      logger: LoggerService;
      clientFactory?: (cloud: CloudConfig) => OpenStackClient;
      /** SNAP-10, as the assignment job and the cycle use it */
      adoptUnmarkedMetadata?: boolean;
    },
  ) {
    this.runs = new SnapshotRunStore(options.db);
    this.policies = new PolicyStore(options.db);
  }

  cloudIds(): string[] {
    return this.options.clouds.map(c => c.id);
  }

  /**
   * Evaluates one cloud at `at` (default now) and stores the result. The listing is read-only: an
   * evaluation never changes anything in OpenStack.
   */
  async evaluate(
    cloudId: string,
    trigger: string,
    at: Date = new Date(),
  ): Promise<Evaluation> {
    const cloud = this.options.clouds.find(c => c.id === cloudId);
    if (!cloud) throw new Error(`unknown cloud '${cloudId}'`);
    const client = this.options.clientFactory
      ? this.options.clientFactory(cloud)
      : createOpenStackClient(cloud, { readOnly: true });
    const live = await readLiveCloud(client);
    if (!live.snapshotsComplete) {
      throw new Error(
        `snapshot listing incomplete (${live.snapshotsReason}); the previous evaluation stays the latest`,
      );
    }
    const rows = evaluateCompliance({
      at,
      live,
      policies: await this.policies.list(),
      firstProtectedAt: await firstProtectedAt(this.options.db, cloudId),
      sources: await new AssignmentStore(this.options.db).sources(cloudId, {
        adoptUnmarkedMetadata: this.options.adoptUnmarkedMetadata ?? false,
      }),
      latestAttempts: await this.runs.latestAttempts(
        cloudId,
        new Date(at.getTime() - ATTEMPT_LOOKBACK_MS),
      ),
    });
    const id = randomUUID();
    const rollups = allRollUps(rows);
    await this.options.db.transaction(async tx => {
      await tx('compliance_evaluations').insert({
        id,
        cloud_id: cloudId,
        evaluated_at: at,
        trigger,
        rollups: JSON.stringify(rollups),
      });
      const inserts = rows.map(r => ({
        evaluation_id: id,
        volume_id: r.volumeId,
        volume_name: r.volumeName,
        project_id: r.projectId,
        project_name: r.projectName,
        domain_id: r.domainId,
        domain_name: r.domainName,
        server_id: r.serverId,
        server_name: r.serverName,
        policy: r.policy,
        retention: r.retention,
        period: r.period,
        snapshot_count: r.snapshotCount,
        last_snapshot_at: r.lastSnapshotAt ? new Date(r.lastSnapshotAt) : null,
        status: r.status,
        status_rank: statusRank(r.status),
        reason: r.reason?.slice(0, 255) ?? null,
        sla_days: r.slaDays?.slice(0, 64) ?? null,
      }));
      if (inserts.length) await tx.batchInsert('compliance_rows', inserts, 200);
      const manual = manualSnapshotRows(id, live);
      if (manual.length)
        await tx.batchInsert('compliance_manual_snapshots', manual, 200);
    });
    await this.prune(cloudId);
    return { id, cloudId, evaluatedAt: at.toISOString(), trigger, rollups };
  }

  private async prune(cloudId: string): Promise<void> {
    const old = await this.options
      .db('compliance_evaluations')
      .where({ cloud_id: cloudId })
      .orderBy([
        { column: 'evaluated_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .offset(KEEP_EVALUATIONS)
      .select('id');
    const ids = old.map(r => r.id);
    if (!ids.length) return;
    for (const table of ['compliance_rows', 'compliance_manual_snapshots']) {
      await this.options.db(table).whereIn('evaluation_id', ids).delete();
    }
    await this.options.db('compliance_evaluations').whereIn('id', ids).delete();
  }

  async latest(cloudId: string): Promise<Evaluation | undefined> {
    const row = await this.options
      .db('compliance_evaluations')
      .where({ cloud_id: cloudId })
      .orderBy([
        { column: 'evaluated_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? toEvaluation(row) : undefined;
  }

  private filtered(evaluationId: string, filter: RowFilter, scope: Scope) {
    return this.options
      .db('compliance_rows')
      .where('evaluation_id', evaluationId)
      .modify(q => {
        if (filter.domainId) q.where('domain_id', filter.domainId);
        if (filter.projectId) q.where('project_id', filter.projectId);
        if (filter.policy) q.where('policy', filter.policy);
        // unprotected volumes are listed only when asked for (they are not pairs)
        if (filter.status) q.where('status', filter.status);
        else q.whereNot('status', 'unprotected');
        applyScope(q, scope);
      });
  }

  /** CMP-3 rows of the latest evaluation: non-compliant, pending, compliant, then oldest last snapshot. */
  async rows(
    cloudId: string,
    filter: RowFilter,
    scope: Scope,
    paging: { page: number; pageSize: number },
  ): Promise<{
    evaluation: Evaluation | undefined;
    summary: RollUp | null;
    items: ComplianceRow[];
    total: number;
  }> {
    const evaluation = await this.latest(cloudId);
    if (!evaluation) return { evaluation, summary: null, items: [], total: 0 };
    const base = this.filtered(evaluation.id, filter, scope);
    const all = (await base.clone().select()).map(toRow);
    const rows = await ordered(base.clone())
      .limit(paging.pageSize)
      .offset((paging.page - 1) * paging.pageSize);
    return {
      evaluation,
      summary: rollUp('all', null, all),
      items: rows.map(toRow),
      total: all.length,
    };
  }

  /** Every row of the latest evaluation matching the filter, in the CMP-3 order (for the export). */
  async allRows(
    cloudId: string,
    filter: RowFilter,
    scope: Scope,
  ): Promise<{
    evaluation: Evaluation | undefined;
    summary: RollUp | null;
    items: ComplianceRow[];
  }> {
    const evaluation = await this.latest(cloudId);
    if (!evaluation) return { evaluation, summary: null, items: [] };
    const items = (
      await ordered(this.filtered(evaluation.id, filter, scope)).select()
    ).map(toRow);
    return { evaluation, summary: rollUp('all', null, items), items };
  }

  /** CMP-4: the snapshots we did not create, as of the latest evaluation; newest first. */
  async manualSnapshots(
    cloudId: string,
    filter: Pick<RowFilter, 'domainId' | 'projectId'>,
    scope: Scope,
    paging: { page: number; pageSize: number },
  ): Promise<{
    evaluation: Evaluation | undefined;
    items: ManualSnapshot[];
    total: number;
  }> {
    const evaluation = await this.latest(cloudId);
    if (!evaluation) return { evaluation, items: [], total: 0 };
    const base = this.options
      .db('compliance_manual_snapshots')
      .where('evaluation_id', evaluation.id)
      .modify(q => {
        if (filter.domainId) q.where('domain_id', filter.domainId);
        if (filter.projectId) q.where('project_id', filter.projectId);
        applyScope(q, scope);
      });
    const [{ n }] = await base.clone().count({ n: '*' });
    const rows = await base
      .clone()
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(paging.pageSize)
      .offset((paging.page - 1) * paging.pageSize);
    return { evaluation, items: rows.map(toManualSnapshot), total: Number(n) };
  }

  /** CMP-2 roll-ups of the latest evaluation, limited to the caller's scope. */
  async summary(
    cloudId: string,
    groupBy: GroupBy,
    scope: Scope,
  ): Promise<{
    evaluation: Evaluation | undefined;
    overall: RollUp | null;
    groups: RollUp[];
  }> {
    const evaluation = await this.latest(cloudId);
    if (!evaluation) return { evaluation, overall: null, groups: [] };
    const rows = (
      await this.options
        .db('compliance_rows')
        .where('evaluation_id', evaluation.id)
        .modify(q => applyScope(q, scope))
        .select()
    ).map(toRow);
    return {
      evaluation,
      overall: rollUp('all', null, rows),
      groups: rollUpBy(rows, groupBy),
    };
  }
}
