/**
 * Throwaway PostgreSQL databases for the benchmarks: one per run (`pf9_bench_<pid>...`), created on
 * the server of PF9_BENCH_PG (default postgresql://postgres@127.0.0.1:5432) and dropped at the end.
 */
import knexFactory, { Knex } from 'knex';
import { migrateStore } from '../../plugins/pf9-inventory-backend/src/store/migrate';

export const PG_URL =
  process.env.PF9_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';

export function connect(database: string, maxPool = 10): Knex {
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  return knexFactory({
    client: 'pg',
    connection: url.toString(),
    pool: { min: 0, max: maxPool },
  });
}

async function admin<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
  const db = connect('postgres', 1);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

export async function createDatabase(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
  await admin(async db => {
    await db.raw(`DROP DATABASE IF EXISTS ${name}`);
    await db.raw(`CREATE DATABASE ${name}`);
  });
}

export async function dropDatabase(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
  await admin(db => db.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Row counts of the inventory tables. */
export async function inventoryCounts(db: Knex) {
  const count = async (table: string) =>
    Number((await db(table).count({ n: '*' }))[0].n);
  return {
    resources: await count('inventory_resources'),
    versions: await count('inventory_versions'),
    deletions: await count('inventory_deletions'),
    runs: await count('inventory_runs'),
  };
}

/**
 * What PostgreSQL alone needs to take the rows a sync stored: each table is copied out to a server-side
 * file, then timed being copied back into a copy of itself without any index, key or constraint — no
 * client, no network, no index upkeep. A lower bound on the store's share of a full sync. Needs the
 * server on this machine and a superuser (the benchmarks' default).
 */
export async function storeFloorMs(
  db: Knex,
  tables: string[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    const file = `/tmp/pf9_bench_${process.pid}_${table}.copy`;
    const bare = `${table}_bare`;
    await db.raw(`COPY ${table} TO '${file}'`);
    await db.raw(`CREATE TABLE ${bare} (LIKE ${table} INCLUDING COMPRESSION)`);
    try {
      const t0 = performance.now();
      await db.raw(`COPY ${bare} FROM '${file}'`);
      out[table] = performance.now() - t0;
    } finally {
      await db.raw(`DROP TABLE ${bare}`);
      await db.raw(`COPY (SELECT 1 WHERE false) TO '${file}'`);
    }
  }
  return out;
}

/** `fn` on a fresh database migrated with the store's migrations, dropped afterwards. */
export async function withMigratedDatabase<T>(
  name: string,
  fn: (db: Knex) => Promise<T>,
): Promise<T> {
  await createDatabase(name);
  const db = connect(name);
  try {
    await migrateStore({
      getClient: async () => db,
      migrations: { skip: false },
    });
    return await fn(db);
  } finally {
    await db.destroy();
    await dropDatabase(name);
  }
}
