import { Knex } from 'knex';
import { resolveLastSeen } from './lastSeen';
import { applyScope, Scope, toResource } from './query';
import { InventoryType } from './types';

/** One change a run made: the resource's current row, or the id of a resource the run found deleted. */
export type RunChange =
  | { change: 'upserted'; resource: ReturnType<typeof toResource> }
  | { change: 'deleted'; type: string; id: string };

/**
 * The resources of some types that a run created, changed or deleted, from the versions it wrote (INV-15),
 * paged. Consumers that mirror the inventory (the catalog module) apply these as deltas; a run that
 * changed nothing yields nothing.
 */
export async function changesInRun(
  db: Knex,
  filter: {
    cloudId: string;
    runId: string;
    types: InventoryType[];
    page: number;
    pageSize: number;
  },
  scope: Scope,
): Promise<{ items: RunChange[]; total: number }> {
  const v = 'inventory_versions';
  const versions = db(v)
    .where({ [`${v}.cloud_id`]: filter.cloudId, [`${v}.run_id`]: filter.runId })
    .whereIn(`${v}.type`, filter.types)
    .modify(q =>
      applyScope(q, scope, {
        domain: `${v}.domain_id`,
        project: `${v}.project_id`,
      }),
    );
  const [{ n }] = await versions.clone().count({ n: '*' });
  const rows = await versions
    .clone()
    .leftJoin('inventory_resources as r', join =>
      join
        .on('r.cloud_id', `${v}.cloud_id`)
        .andOn('r.type', `${v}.type`)
        .andOn('r.id', `${v}.resource_id`),
    )
    .orderBy([{ column: `${v}.type` }, { column: `${v}.resource_id` }])
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize)
    .select(
      `${v}.type as change_resource_type`,
      `${v}.resource_id as change_resource_id`,
      `${v}.change_type`,
      'r.*',
    );
  await resolveLastSeen(db, rows);
  return {
    total: Number(n),
    items: rows.map(
      (row: any): RunChange =>
        row.change_type === 'deleted' || !row.id || row.deleted
          ? {
              change: 'deleted',
              type: row.change_resource_type,
              id: row.change_resource_id,
            }
          : { change: 'upserted', resource: toResource(row) },
    ),
  };
}
