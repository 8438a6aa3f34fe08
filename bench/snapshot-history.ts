/* eslint-disable no-console */
/**
 * Benchmark: the history reads of every snapshot cycle as `snapshot_records` grows. Each cycle reads the
 * creates still `creating` (SNAP-15 follow-up) and the create attempts of the current periods (SNAP-15,
 * at most 3 per pair and period) through `SnapshotRunStore`. The table is filled with `--days` daily
 * cycles' records of `--volumes` volumes (default 200 × 10,000 = 2M records; the last day's creates are
 * still `creating`), analysed, and each read is timed with the indexes of the migrations and, as the
 * baseline in the same run, without the ones that serve these reads (p50 after a warm-up). See bench/README.md.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/snapshot-history.ts
 *     [--volumes 10000] [--days 200] [--iterations 15]
 */
import { Knex } from 'knex';
import { SnapshotRunStore } from '../plugins/pf9-inventory-backend/src/snapshots/runs';
import { withMigratedDatabase } from './lib/pg';
import { ms, table, timeIt } from './lib/stats';
import { arg } from './lib/args';

const VOLUMES = Number(arg('volumes', '10000'));
const DAYS = Number(arg('days', '200'));
const ITERATIONS = Number(arg('iterations', '15'));
const CLOUD = 'bench';
/** the indexes added for these reads (migrations/20261206000000_snapshot_record_history_reads.js) */
const HISTORY_INDEXES = [
  'snapshot_records_pending_creates',
  'snapshot_records_cloud_id_period_index',
];

const day = (i: number) =>
  new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);

/** One run per day; every volume's create recorded, the last day's still `creating`. */
async function fill(db: Knex): Promise<void> {
  await db.raw(
    `INSERT INTO snapshot_runs (id, cloud_id, trigger, triggered_by, dry_run, catch_up, started_at,
       timeout_ms, status)
     SELECT 'run-' || d, ?, 'scheduled', 'system:bench', false, false, now(), 3600000, 'completed'
     FROM generate_series(0, ? - 1) d`,
    [CLOUD, DAYS],
  );
  await db.raw(
    `INSERT INTO snapshot_records (run_id, cloud_id, recorded_at, volume_id, policy, period, action,
       snapshot_id, snapshot_status)
     SELECT 'run-' || d, ?, now(), 'vol-' || v, 'daily_5',
       to_char(date '2026-01-01' + d, 'YYYY-MM-DD'), 'created', 'snap-' || d || '-' || v,
       CASE WHEN d = ? - 1 THEN 'creating' ELSE 'available' END
     FROM generate_series(0, ? - 1) d, generate_series(1, ?) v`,
    [CLOUD, DAYS, DAYS, VOLUMES],
  );
  await db.raw('ANALYZE snapshot_records');
}

async function measure(store: SnapshotRunStore) {
  const today = day(DAYS - 1);
  const pending = await store.pendingCreates(CLOUD);
  const attempts = await store.attemptCounts(CLOUD, [today]);
  if (pending.length !== VOLUMES || attempts.size !== VOLUMES)
    throw new Error(
      `expected ${VOLUMES} pending creates and attempt counts, read ${pending.length} and ${attempts.size}`,
    );
  return {
    pending: (await timeIt(ITERATIONS, () => store.pendingCreates(CLOUD))).p50,
    attempts: (
      await timeIt(ITERATIONS, () => store.attemptCounts(CLOUD, [today]))
    ).p50,
  };
}

async function main() {
  await withMigratedDatabase(`pf9_bench_${process.pid}_history`, async db => {
    const t0 = performance.now();
    await fill(db);
    console.log(
      `snapshot_records: ${(VOLUMES * DAYS).toLocaleString(
        'en-US',
      )} records (${DAYS} daily runs of ${VOLUMES.toLocaleString(
        'en-US',
      )} volumes), filled and analysed in ${ms(
        performance.now() - t0,
      )}; p50 of ${ITERATIONS} reads after a warm-up`,
    );
    const store = new SnapshotRunStore(db);
    const indexed = await measure(store);
    const definitions = await db('pg_indexes')
      .whereIn('indexname', HISTORY_INDEXES)
      .select('indexname');
    if (definitions.length !== HISTORY_INDEXES.length)
      throw new Error(`missing indexes: ${HISTORY_INDEXES.join(', ')}`);
    for (const { indexname } of definitions)
      await db.raw(`DROP INDEX ${indexname}`);
    await db.raw('ANALYZE snapshot_records');
    const baseline = await measure(store);
    console.log(
      table([
        ['read (one per cycle)', 'without', 'with the indexes', 'ratio'],
        ...(['pending', 'attempts'] as const).map(k => [
          k === 'pending'
            ? 'pendingCreates (SNAP-15 follow-up)'
            : 'attemptCounts of the day (SNAP-15)',
          ms(baseline[k]),
          ms(indexed[k]),
          `${(indexed[k] / baseline[k]).toFixed(3)}`,
        ]),
      ]),
    );
  });
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
