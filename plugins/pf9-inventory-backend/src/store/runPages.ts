import { Knex } from 'knex';

export interface RunPageFilter {
  cloudId?: string;
  status?: string;
  page: number;
  pageSize: number;
}

/**
 * One page of an area's run table (any table with cloud_id, status, started_at and id), newest first with the
 * id as tie-breaker (SPEC COM-7). Each area passes its own table.
 */
export async function readRunPage(
  db: Knex,
  table: string,
  filter: RunPageFilter,
): Promise<{ rows: any[]; total: number }> {
  const base = db(table).modify(q => {
    if (filter.cloudId) q.where('cloud_id', filter.cloudId);
    if (filter.status) q.where('status', filter.status);
  });
  const [{ n }] = await base.clone().count({ n: '*' });
  const rows = await base
    .clone()
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize);
  return { rows, total: Number(n) };
}
