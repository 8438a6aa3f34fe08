/**
 * "Last seen" of a stored resource (migration `20261130000000_inventory_last_seen.js`). A row with
 * `seen_in_sweep` was seen in its type's sweep: the last run that wrote the type
 * (`inventory_type_seen`); otherwise its own `last_seen_run` / `last_seen_at` hold the values. An
 * unchanged resource therefore costs no row update per run.
 */
import { Knex } from 'knex';

export interface Sweep {
  runId: string;
  seenAt: unknown;
}

const key = (cloudId: string, type: string) => `${cloudId}\u0000${type}`;

/** The sweep of one cloud and type, if the type was ever written. */
export async function loadSweep(
  db: Knex,
  cloudId: string,
  type: string,
): Promise<Sweep | undefined> {
  const row = await db('inventory_type_seen')
    .where({ cloud_id: cloudId, type })
    .first();
  return row ? { runId: row.run_id, seenAt: row.seen_at } : undefined;
}

/**
 * Replaces `last_seen_run` / `last_seen_at` of rows with `seen_in_sweep` by their sweep's values (in
 * place), so the row reads as it would if every sighting had been written into it.
 */
export async function resolveLastSeen<
  T extends {
    cloud_id: string;
    type: string;
    seen_in_sweep?: boolean | number | null;
    last_seen_run?: unknown;
    last_seen_at?: unknown;
  },
>(db: Knex, rows: T[]): Promise<T[]> {
  const swept = rows.filter(r => !!r.seen_in_sweep);
  if (!swept.length) return rows;
  const pairs = new Map<string, { cloudId: string; type: string }>();
  for (const r of swept)
    pairs.set(key(r.cloud_id, r.type), { cloudId: r.cloud_id, type: r.type });
  const sweeps = new Map<string, Sweep>();
  const cloudIds = [...new Set([...pairs.values()].map(p => p.cloudId))];
  const types = [...new Set([...pairs.values()].map(p => p.type))];
  for (const s of await db('inventory_type_seen')
    .whereIn('cloud_id', cloudIds)
    .whereIn('type', types)
    .select()) {
    sweeps.set(key(s.cloud_id, s.type), {
      runId: s.run_id,
      seenAt: s.seen_at,
    });
  }
  for (const r of swept) {
    const sweep = sweeps.get(key(r.cloud_id, r.type));
    if (!sweep) continue;
    r.last_seen_run = sweep.runId;
    r.last_seen_at = sweep.seenAt;
  }
  return rows;
}

/** SQL for the effective last seen time of a row of `table` (for ORDER BY). */
export function lastSeenAtSql(table = 'inventory_resources'): string {
  return `CASE WHEN ${table}.seen_in_sweep THEN COALESCE((SELECT s.seen_at FROM inventory_type_seen s WHERE s.cloud_id = ${table}.cloud_id AND s.type = ${table}.type), ${table}.last_seen_at) ELSE ${table}.last_seen_at END`;
}
