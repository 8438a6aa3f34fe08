/* eslint-disable no-console */
/**
 * One inventory sync in its own process (forked by `runSyncChild` in syncChild.ts), so its peak RSS
 * and CPU time are the sync's alone: not the simulator's, not the floor's, not the benchmark's.
 * Migrates the database (migrateStore, a no-op when already migrated), then runs
 * InventorySyncEngine.run() once and sends the figures to the parent over IPC.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { CloudConfig } from '../../plugins/pf9-inventory-backend/src/config';
import { InventorySyncEngine } from '../../plugins/pf9-inventory-backend/src/inventory/engine';
import { RunStore } from '../../plugins/pf9-inventory-backend/src/inventory/runs';
import { closeSharedAgents } from '../../plugins/pf9-inventory-backend/src/openstack';
import { migrateStore } from '../../plugins/pf9-inventory-backend/src/store/migrate';
import { connect } from './pg';
import { sampleRss } from './stats';

export interface SyncWorkerInput {
  database: string;
  authUrl: string;
  cloudId: string;
}

export interface SyncWorkerResult {
  /** engine.run() only (claim → collect → write → finalise) */
  wallMs: number;
  /** from run start to every listing done (types are written meanwhile, as soon as they can be) */
  collectMs: number;
  migrateMs: number;
  cpuMs: number;
  /** RSS sampled every 20 ms during the sync */
  peakRss: number;
  /** process.resourceUsage().maxRSS of the whole worker, in bytes */
  maxRss: number;
  status: string;
  runId: string;
  /** SQL statements sent during the sync */
  queries: number;
  resources: number;
  types: Array<{
    type: string;
    status: string;
    count: number;
    durationMs: number;
    written?: { created: number; updated: number; unchanged: number };
    deletions?: number;
  }>;
}

/** when the engine reported every listing done (it writes types while others are still listed) */
let listedAt = NaN;

function quietLogger(): LoggerService {
  const logger: LoggerService = {
    debug() {},
    info: m => {
      if (/^inventory: cloud .* listed in /.test(m))
        listedAt = performance.now();
    },
    warn: m => console.error(`sync warn: ${m}`),
    error: m => console.error(`sync error: ${m}`),
    child: () => logger,
  };
  return logger;
}

async function main() {
  const input: SyncWorkerInput = JSON.parse(process.argv[2]);
  const db = connect(input.database);
  const t0 = performance.now();
  await migrateStore({
    getClient: async () => db,
    migrations: { skip: false },
  });
  const migrateMs = performance.now() - t0;
  const cloud: CloudConfig = {
    id: input.cloudId,
    auth: {
      url: input.authUrl,
      username: 'admin',
      password: 'demo-admin',
      userDomain: 'Default',
      projectName: 'admin',
      projectDomain: 'Default',
    },
    region: 'RegionOne',
    interface: 'public',
    insecure: false,
  } as CloudConfig;
  const engine = new InventorySyncEngine({
    db,
    clouds: [cloud],
    logger: quietLogger(),
  });
  // PF9_BENCH_HEAP: memory when the first type's outcome is saved
  let firstSave = NaN;
  const save = RunStore.prototype.saveOutcomes;
  engine.runs.saveOutcomes = async function patched(this: RunStore, ...args) {
    if (Number.isNaN(firstSave)) {
      firstSave = performance.now();
      if (process.env.PF9_BENCH_HEAP) {
        const m = process.memoryUsage();
        (globalThis as any).gc?.();
        const g = process.memoryUsage();
        console.error(
          `at the first saved outcome: rss ${m.rss >> 20} MiB heap ${
            m.heapUsed >> 20
          } MiB; after gc heap ${g.heapUsed >> 20} MiB external ${
            g.external >> 20
          } MiB arrayBuffers ${g.arrayBuffers >> 20} MiB`,
        );
      }
    }
    return save.apply(this, args);
  };
  let queries = 0;
  db.on('query', () => queries++);
  (globalThis as any).gc?.();
  const stopRss = sampleRss();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const run = await engine.run(input.cloudId, 'scheduled', 'bench');
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const peakRss = stopRss();
  const result: SyncWorkerResult = {
    wallMs,
    collectMs: listedAt - started,
    migrateMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    status: run.status,
    runId: run.id,
    queries,
    resources: run.types.reduce((n, t) => n + (t.count ?? 0), 0),
    types: run.types.map(t => ({
      type: t.type,
      status: t.status,
      count: t.count,
      durationMs: t.durationMs,
      written: t.written,
      deletions: t.deletions?.recorded,
    })),
  };
  await db.destroy();
  await closeSharedAgents();
  process.send!(result, () => process.exit(0));
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
