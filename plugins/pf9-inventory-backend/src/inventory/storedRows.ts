/** Reads of stored inventory rows shared by the writer and the deletion recorder. */
import { Knex } from 'knex';
import { InventoryType, JsonMap } from './types';

export const VERSION_COLUMNS = [
  'cloud_id',
  'type',
  'resource_id',
  'version_no',
  'run_id',
  'change_type',
  'recorded_at',
  'content_hash',
  'content',
  'changed_fields',
  'project_id',
  'domain_id',
] as const;

/** Rows whose payloads are read back at once (changed rows, carried fields, deletions). */
export const DETAIL_BATCH = 500;

export const parseMap = (v: string | null | undefined): JsonMap =>
  v ? (JSON.parse(v) as JsonMap) : {};

/** Payload columns of some stored rows of one type, read `DETAIL_BATCH` at a time. */
export async function loadDetails(
  db: Knex,
  cloudId: string,
  type: InventoryType,
  ids: string[],
  columns: string[],
): Promise<Map<string, Record<string, string | null>>> {
  const out = new Map<string, Record<string, string | null>>();
  for (let i = 0; i < ids.length; i += DETAIL_BATCH) {
    const rows = await db('inventory_resources')
      .where({ cloud_id: cloudId, type })
      .whereIn('id', ids.slice(i, i + DETAIL_BATCH))
      .select(['id', ...columns]);
    for (const row of rows) out.set(row.id, row);
  }
  return out;
}
