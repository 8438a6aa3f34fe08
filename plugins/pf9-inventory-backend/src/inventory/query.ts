/**
 * The read side of the inventory (SPEC §1.12, INV-17): every filter, sort and page is applied in the
 * database, and the caller's scope becomes `domain_id IN (...)` / `project_id IN (...)` conditions.
 */
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import type { ScopeFilter } from '../permissions/rules';
import { changesInRun } from './changes';
import { lastSeenAtSql, loadSweep, resolveLastSeen } from './lastSeen';
import { toRun } from './runs';
import { InventoryRun, InventoryType } from './types';

export type Scope = PermissionCriteria<ScopeFilter> | undefined;

/** Applies a scope criteria tree as a WHERE clause on the given columns. */
export function applyScope(
  query: Knex.QueryBuilder,
  scope: Scope,
  columns = { domain: 'domain_id', project: 'project_id' },
): Knex.QueryBuilder {
  if (!scope) return query;
  const apply = (q: Knex.QueryBuilder, c: PermissionCriteria<ScopeFilter>) => {
    if ('allOf' in c) {
      q.where(inner => {
        for (const sub of c.allOf) inner.andWhere(x => apply(x, sub));
      });
    } else if ('anyOf' in c) {
      q.where(inner => {
        for (const sub of c.anyOf) inner.orWhere(x => apply(x, sub));
      });
    } else if ('not' in c) {
      q.whereNot(inner => apply(inner, c.not));
    } else if ('domainIds' in c) {
      if (c.domainIds.length) q.whereIn(columns.domain, c.domainIds);
      else q.whereRaw('1 = 0');
    } else if (c.projectIds.length) {
      q.whereIn(columns.project, c.projectIds);
    } else {
      q.whereRaw('1 = 0');
    }
    return q;
  };
  return query.where(q => apply(q, scope));
}

/** The same criteria as `applyScope`, evaluated on one owner (for rows chosen in code, not in SQL). */
export function matchesScope(
  scope: Scope,
  owner: { projectId: string | null; domainId: string | null },
): boolean {
  if (!scope) return true;
  const test = (c: PermissionCriteria<ScopeFilter>): boolean => {
    if ('allOf' in c) return c.allOf.every(test);
    if ('anyOf' in c) return c.anyOf.some(test);
    if ('not' in c) return !test(c.not);
    if ('domainIds' in c)
      return owner.domainId !== null && c.domainIds.includes(owner.domainId);
    return owner.projectId !== null && c.projectIds.includes(owner.projectId);
  };
  return test(scope);
}

export const RESOURCE_SORT_KEYS = {
  name: 'name',
  id: 'id',
  status: 'status',
  project_id: 'project_id',
  domain_id: 'domain_id',
  updated_at: 'updated_at',
  last_seen_at: 'last_seen_at',
} as const;
export type ResourceSortKey = keyof typeof RESOURCE_SORT_KEYS;
const NOT_NULL_SORT_COLUMNS = new Set<string>([
  'id',
  'updated_at',
  'last_seen_at',
]);

export interface ResourceFilter {
  cloudId: string;
  type: InventoryType;
  name?: string;
  projectId?: string;
  domainId?: string;
  status?: string;
  q?: string;
  includeDeleted?: boolean;
  sort: ResourceSortKey;
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

const parse = (v: unknown) =>
  typeof v === 'string' && v ? JSON.parse(v) : null;

const iso = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : (v instanceof Date ? v : new Date(v as string)).toISOString();

/** `%` and `_` in user input match literally. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, m => `\\${m}`)}%`;
}

export function toResource(row: any, detail = false) {
  const base = {
    cloudId: row.cloud_id,
    type: row.type,
    id: row.id,
    name: row.name,
    projectId: row.project_id,
    domainId: row.domain_id,
    status: row.status,
    deleted: !!row.deleted,
    versionNo: row.version_no,
    contentHash: row.content_hash,
    firstSeenRunId: row.first_seen_run,
    lastSeenRunId: row.last_seen_run,
    lastSeenAt: iso(row.last_seen_at),
    updatedAt: iso(row.updated_at),
    fields: parse(row.key_fields),
    derived: parse(row.derived),
  };
  return detail ? { ...base, raw: parse(row.raw) } : base;
}

export class InventoryQueries {
  constructor(private readonly db: Knex) {}

  changesInRun(filter: Parameters<typeof changesInRun>[1], scope: Scope) {
    return changesInRun(this.db, filter, scope);
  }

  async listResources(filter: ResourceFilter, scope: Scope) {
    const base = this.db('inventory_resources')
      .where({ cloud_id: filter.cloudId, type: filter.type })
      .modify(q => {
        if (!filter.includeDeleted) q.where('deleted', false);
        if (filter.projectId) q.where('project_id', filter.projectId);
        if (filter.domainId) q.where('domain_id', filter.domainId);
        if (filter.status)
          q.whereRaw('lower(status) = ?', [filter.status.toLowerCase()]);
        if (filter.name)
          q.whereRaw("lower(name) like ? escape '\\'", [
            likePattern(filter.name),
          ]);
        if (filter.q)
          q.whereRaw("search_text like ? escape '\\'", [likePattern(filter.q)]);
        applyScope(q, scope);
      });
    const [{ n }] = await base.clone().count({ n: '*' });
    const column = RESOURCE_SORT_KEYS[filter.sort];
    const rows = await base
      .clone()
      .select(
        'cloud_id',
        'type',
        'id',
        'name',
        'project_id',
        'domain_id',
        'status',
        'deleted',
        'version_no',
        'content_hash',
        'first_seen_run',
        'last_seen_run',
        'last_seen_at',
        'seen_in_sweep',
        'updated_at',
        'key_fields',
        'derived',
      )
      .modify(q => {
        // last seen comes from the type's sweep for most rows (lastSeen.ts): sorted by that value
        if (column === 'last_seen_at') {
          const order = filter.order === 'desc' ? 'desc' : 'asc';
          q.orderByRaw(`${lastSeenAtSql()} ${order}, id ${order}`);
          return;
        }
        q.orderBy([
          // NOT NULL columns get no NULLS clause: `desc nulls last` would not match a backward index scan
          NOT_NULL_SORT_COLUMNS.has(column)
            ? { column, order: filter.order }
            : { column, order: filter.order, nulls: 'last' },
          ...(column === 'id' ? [] : [{ column: 'id', order: filter.order }]),
        ]);
      })
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize);
    await resolveLastSeen(this.db, rows);
    return {
      items: rows.map((r: any) => toResource(r)),
      page: filter.page,
      pageSize: filter.pageSize,
      total: Number(n),
    };
  }

  async getResource(
    cloudId: string,
    type: InventoryType,
    id: string,
    scope: Scope,
  ) {
    const row = await applyScope(
      this.db('inventory_resources').where({ cloud_id: cloudId, type, id }),
      scope,
    ).first();
    if (!row) return undefined;
    await resolveLastSeen(this.db, [row]);
    return toResource(row, true);
  }

  async history(
    cloudId: string,
    type: InventoryType,
    id: string,
    page: number,
    pageSize: number,
  ) {
    const base = this.db('inventory_versions').where({
      cloud_id: cloudId,
      type,
      resource_id: id,
    });
    const [{ n }] = await base.clone().count({ n: '*' });
    const rows = await base
      .clone()
      .orderBy('version_no', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize);
    return {
      items: rows.map(r => ({
        versionNo: r.version_no,
        runId: r.run_id,
        changeType: r.change_type,
        recordedAt: iso(r.recorded_at),
        hash: r.content_hash,
        changedFields: parse(r.changed_fields) ?? [],
        normalised: parse(r.content),
      })),
      page,
      pageSize,
      total: Number(n),
    };
  }

  async deletions(
    filter: {
      cloudId: string;
      type?: InventoryType;
      since?: Date;
      runId?: string;
      page: number;
      pageSize: number;
    },
    scope: Scope,
  ) {
    const base = this.db('inventory_deletions')
      .where({ cloud_id: filter.cloudId })
      .modify(q => {
        if (filter.type) q.where('type', filter.type);
        if (filter.since) q.where('detected_at', '>=', filter.since);
        if (filter.runId) q.where('detected_in_run_id', filter.runId);
        applyScope(q, scope);
      });
    const [{ n }] = await base.clone().count({ n: '*' });
    const rows = await base
      .clone()
      .orderBy([
        { column: 'detected_at', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ])
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize);
    return {
      items: rows.map((r: any) => ({
        type: r.type,
        id: r.resource_id,
        name: r.name,
        projectId: r.project_id,
        projectName: r.project_name,
        domainId: r.domain_id,
        domainName: r.domain_name,
        lastSeenAt: iso(r.last_seen_at),
        lastSeenRunId: r.last_seen_run_id,
        detectedInRunId: r.detected_in_run_id,
        detectedAt: iso(r.detected_at),
        reason: r.reason,
        verifiedByGet: !!r.verified_by_get,
        lastKnown: parse(r.content),
        reverted: !!r.reverted,
        revertedInRunId: r.reverted_in_run_id ?? null,
      })),
      page: filter.page,
      pageSize: filter.pageSize,
      total: Number(n),
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Point-in-time reads for the export area (EXP-2, EXP-10). Read-only: nothing here writes a table.

/** One resource as it stood at a run: its latest version at or before that run. */
export interface StateRecord {
  id: string;
  versionNo: number;
  hash: string;
  projectId: string | null;
  domainId: string | null;
  /** the normalised form (key + derived fields, no volatile ones) */
  content: Record<string, unknown>;
}

const FINISHED_OK = ['succeeded', 'partial'];

/**
 * The latest finished run of a cloud that wrote data (`succeeded` or `partial`), or the previous
 * complete (`succeeded`) run started before a given run.
 */
export async function latestDataRun(
  db: Knex,
  cloudId: string,
): Promise<InventoryRun | undefined> {
  const row = await db('inventory_runs')
    .where({ cloud_id: cloudId })
    .whereIn('status', FINISHED_OK)
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first();
  return row ? toRun(row) : undefined;
}

export async function previousCompleteRun(
  db: Knex,
  cloudId: string,
  before: string,
): Promise<InventoryRun | undefined> {
  const row = await db('inventory_runs')
    .where({ cloud_id: cloudId, status: 'succeeded' })
    .where(
      'started_at',
      '<',
      db('inventory_runs').select('started_at').where({ id: before }),
    )
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first();
  return row ? toRun(row) : undefined;
}

/** Runs of the cloud started at or before the given run, newest first (at most `limit`). */
export async function runsUpTo(
  db: Knex,
  cloudId: string,
  runId: string,
  limit = 500,
): Promise<InventoryRun[]> {
  const rows = await db('inventory_runs')
    .where({ cloud_id: cloudId })
    .where(
      'started_at',
      '<=',
      db('inventory_runs').select('started_at').where({ id: runId }),
    )
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit);
  return rows.map(toRun);
}

/**
 * The state of one type at run R (EXP-2, EXP-10): resources first seen at or before R and not deleted at
 * or before R, each with its latest version at or before R. The scope filters the resulting rows (on the
 * owner of that version), never the choice of version. Sorted by id.
 */
export async function stateAtRun(
  db: Knex,
  cloudId: string,
  runId: string,
  type: InventoryType,
  scope?: Scope,
): Promise<StateRecord[]> {
  // a version written outside an inventory sync (a snapshot run, observed.ts) counts from when it was recorded
  const ranked = db('inventory_versions as v')
    .leftJoin('inventory_runs as r', j =>
      j.on('r.id', 'v.run_id').andOn('r.cloud_id', 'v.cloud_id'),
    )
    .where('v.cloud_id', cloudId)
    .andWhere('v.type', type)
    .andWhere(
      db.raw('coalesce(r.started_at, v.recorded_at)'),
      '<=',
      db('inventory_runs').select('started_at').where({ id: runId }),
    )
    .select(
      'v.resource_id',
      'v.version_no',
      'v.change_type',
      'v.content_hash',
      'v.content',
      'v.project_id',
      'v.domain_id',
    )
    .select(
      db.raw(
        'row_number() over (partition by v.resource_id order by v.version_no desc) as rn',
      ),
    );
  const rows = await db
    .from(ranked.as('x'))
    .where('x.rn', 1)
    .whereNot('x.change_type', 'deleted')
    .modify(q =>
      applyScope(q, scope, { domain: 'x.domain_id', project: 'x.project_id' }),
    )
    .orderBy('x.resource_id')
    .select('x.*');
  return rows.map((r: any) => ({
    id: r.resource_id,
    versionNo: Number(r.version_no),
    hash: r.content_hash,
    projectId: r.project_id ?? null,
    domainId: r.domain_id ?? null,
    content: JSON.parse(r.content),
  }));
}

/**
 * INV-7 measurements are stored as current values only (never versioned). They belong to run R only while
 * the stored row was last seen in R: this returns the key fields of those rows.
 */
export async function currentValuesSeenIn(
  db: Knex,
  cloudId: string,
  type: InventoryType,
  runId: string,
): Promise<Map<string, Record<string, unknown>>> {
  // a row was last seen in R by its own record, or (seen_in_sweep) by its type's sweep (lastSeen.ts)
  const sweep = await loadSweep(db, cloudId, type);
  const rows = await db('inventory_resources')
    .where({ cloud_id: cloudId, type })
    .where(q => {
      q.where({ seen_in_sweep: false, last_seen_run: runId });
      if (sweep?.runId === runId) q.orWhere({ seen_in_sweep: true });
    })
    .select('id', 'key_fields');
  return new Map(
    rows.map((r: any) => [r.id as string, JSON.parse(r.key_fields)] as const),
  );
}
