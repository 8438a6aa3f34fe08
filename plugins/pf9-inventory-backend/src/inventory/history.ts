/**
 * History reads beyond the version list (SPEC INV-17): a field-level compare of two versions, the recent
 * changes and the most-changed resources. Every filter, scope and rank is applied in the database.
 */
import { Knex } from 'knex';
import { applyScope, Scope } from './query';
import { canonicalJson } from './normalise';
import { InventoryType } from './types';

type JsonMap = Record<string, unknown>;

export interface FieldChange {
  field: string;
  change: 'added' | 'removed' | 'changed';
  from: unknown;
  to: unknown;
}

const parse = (text: string | null): JsonMap =>
  text ? (JSON.parse(text) as JsonMap) : {};

const iso = (v: unknown): string =>
  (v instanceof Date ? v : new Date(v as string)).toISOString();

/** The field-level difference of two normalised forms, sorted by field. */
export function diffNormalised(before: JsonMap, after: JsonMap): FieldChange[] {
  const fields = [
    ...new Set([...Object.keys(before), ...Object.keys(after)]),
  ].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const inBefore = field in before;
    const inAfter = field in after;
    if (inBefore && !inAfter) {
      changes.push({ field, change: 'removed', from: before[field], to: null });
    } else if (!inBefore && inAfter) {
      changes.push({ field, change: 'added', from: null, to: after[field] });
    } else if (canonicalJson(before[field]) !== canonicalJson(after[field])) {
      changes.push({
        field,
        change: 'changed',
        from: before[field],
        to: after[field],
      });
    }
  }
  return changes;
}

export class InventoryHistory {
  constructor(private readonly db: Knex) {}

  /** `…/compare?from=&to=`; undefined when either version does not exist. */
  async compare(
    cloudId: string,
    type: InventoryType,
    id: string,
    from: number,
    to: number,
  ) {
    const rows = await this.db('inventory_versions')
      .where({ cloud_id: cloudId, type, resource_id: id })
      .whereIn('version_no', [from, to])
      .select('version_no', 'content', 'recorded_at', 'change_type');
    const byNo = new Map(rows.map(r => [Number(r.version_no), r]));
    const a = byNo.get(from);
    const b = byNo.get(to);
    if (!a || !b) return undefined;
    return {
      type,
      id,
      from: { versionNo: from, recordedAt: iso(a.recorded_at) },
      to: { versionNo: to, recordedAt: iso(b.recorded_at) },
      changes: diffNormalised(parse(a.content), parse(b.content)),
    };
  }

  /** Versions recorded in the last `hours`, newest first. */
  async recent(
    filter: {
      cloudId: string;
      hours: number;
      type?: InventoryType;
      domainId?: string;
      projectId?: string;
      page: number;
      pageSize: number;
    },
    scope: Scope,
    now = new Date(),
  ) {
    const since = new Date(now.getTime() - filter.hours * 3_600_000);
    const base = this.db('inventory_versions as v')
      .where('v.cloud_id', filter.cloudId)
      .where('v.recorded_at', '>=', since)
      .modify(q => {
        if (filter.type) q.where('v.type', filter.type);
        if (filter.domainId) q.where('v.domain_id', filter.domainId);
        if (filter.projectId) q.where('v.project_id', filter.projectId);
        applyScope(q, scope, {
          domain: 'v.domain_id',
          project: 'v.project_id',
        });
      });
    const [{ n }] = await base.clone().count({ n: '*' });
    const rows = await base
      .clone()
      .leftJoin('inventory_resources as r', join =>
        join
          .on('r.cloud_id', 'v.cloud_id')
          .andOn('r.type', 'v.type')
          .andOn('r.id', 'v.resource_id'),
      )
      .select(
        'v.type',
        'v.resource_id',
        'v.version_no',
        'v.run_id',
        'v.change_type',
        'v.recorded_at',
        'v.changed_fields',
        'v.project_id',
        'v.domain_id',
        'r.name',
      )
      .orderBy([
        { column: 'v.recorded_at', order: 'desc' },
        { column: 'v.seq', order: 'desc' },
      ])
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize);
    return {
      items: rows.map((r: any) => ({
        type: r.type,
        id: r.resource_id,
        name: r.name ?? null,
        versionNo: Number(r.version_no),
        runId: r.run_id,
        changeType: r.change_type,
        recordedAt: iso(r.recorded_at),
        changedFields: JSON.parse(r.changed_fields ?? '[]') as string[],
        projectId: r.project_id ?? null,
        domainId: r.domain_id ?? null,
      })),
      page: filter.page,
      pageSize: filter.pageSize,
      total: Number(n),
    };
  }

  /** Resources ranked by the number of versions recorded in the last `days`. */
  async mostChanged(
    filter: {
      cloudId: string;
      days: number;
      type?: InventoryType;
      limit: number;
    },
    scope: Scope,
    now = new Date(),
  ) {
    const since = new Date(now.getTime() - filter.days * 86_400_000);
    const rows = await this.db('inventory_versions as v')
      .where('v.cloud_id', filter.cloudId)
      .where('v.recorded_at', '>=', since)
      .modify(q => {
        if (filter.type) q.where('v.type', filter.type);
        applyScope(q, scope, {
          domain: 'v.domain_id',
          project: 'v.project_id',
        });
      })
      .groupBy('v.type', 'v.resource_id')
      .select('v.type', 'v.resource_id')
      .count({ versions: '*' })
      .max({ lastChangedAt: 'v.recorded_at' })
      .orderBy([
        { column: 'versions', order: 'desc' },
        { column: 'v.resource_id', order: 'asc' },
      ])
      .limit(filter.limit);
    const names = await this.names(filter.cloudId, rows);
    return {
      days: filter.days,
      items: rows.map((r: any) => ({
        type: r.type as InventoryType,
        id: r.resource_id as string,
        name: names.get(`${r.type}/${r.resource_id}`) ?? null,
        versions: Number(r.versions),
        lastChangedAt: iso(r.lastChangedAt),
      })),
    };
  }

  private async names(
    cloudId: string,
    rows: Array<{ type: string; resource_id: string }>,
  ): Promise<Map<string, string | null>> {
    if (!rows.length) return new Map();
    const found = await this.db('inventory_resources')
      .where('cloud_id', cloudId)
      .whereIn(
        'id',
        rows.map(r => r.resource_id),
      )
      .select('type', 'id', 'name');
    return new Map(found.map(r => [`${r.type}/${r.id}`, r.name]));
  }
}
