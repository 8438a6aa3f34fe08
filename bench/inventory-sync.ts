/* eslint-disable no-console */
/**
 * Benchmark: a full inventory sync of the simulator's xl scenario (InventorySyncEngine into a fresh
 * PostgreSQL database) against the floor (the bare paginated fetch of the same endpoints at the same
 * concurrency, bench/lib/listing.ts), then an unchanged re-sync: versions, deletions and catalog
 * mutations it causes. See bench/README.md.
 *
 *   node --expose-gc --require @backstage/cli/config/nodeTransform.cjs bench/inventory-sync.ts
 *     [--scenario xl] [--rounds 2] [--concurrency 8] [--sync-flags "--cpu-prof --cpu-prof-dir=/tmp"]
 */
import { availableParallelism } from 'os';
import { Knex } from 'knex';
import { Agent } from 'undici';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { Pf9EntityProvider } from '../plugins/pf9-inventory-backend/src/catalog/provider';
import type { Pf9Reader } from '../plugins/pf9-inventory-backend/src/catalog/pf9Reader';
import { InventoryQueries } from '../plugins/pf9-inventory-backend/src/inventory/query';
import { RunStore } from '../plugins/pf9-inventory-backend/src/inventory/runs';
import { InventoryType } from '../plugins/pf9-inventory-backend/src/inventory/types';
import { floorLister, runPlan } from './lib/listing';
import {
  connect,
  createDatabase,
  dropDatabase,
  inventoryCounts,
  storeFloorMs,
} from './lib/pg';
import { SimChild, startSimChild } from './lib/simChild';
import { median, mib, ms, table } from './lib/stats';
import { arg } from './lib/args';
import { SyncWorkerResult, runSyncChild } from './lib/syncChild';
import { undiciGet } from './lib/listing';

const SCENARIO = arg('scenario', 'xl');
const ROUNDS = Number(arg('rounds', '2'));
const CONCURRENCY = Number(arg('concurrency', '8'));
const SYNC_FLAGS = arg('sync-flags', '').split(' ').filter(Boolean);
/** `--profile`: only a full sync and an unchanged re-sync (with --sync-flags), no floor */
const PROFILE = process.argv.includes('--profile');
/** `--keep-db`: leave the last database in place (its name is printed), e.g. for inventory-read.ts --db */
const KEEP_DB = process.argv.includes('--keep-db');
const CLOUD = 'bench';
/** the catalog module's default types (config.ts) */
const CATALOG_TYPES = ['server', 'volume', 'network'];
const TARGET_RATIO = 1.3;
const TARGET_RSS = 512 * 1024 * 1024;

interface FloorSample {
  wallMs: number;
  simCpuMs: number;
  /** this process's CPU during the floor: the bare fetch's client side */
  clientCpuMs: number;
  requests: number;
  items: number;
}

async function floor(sim: SimChild, agent: Agent): Promise<FloorSample> {
  (globalThis as any).gc?.();
  await sim.clearRequests();
  const simCpu0 = sim.cpuMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lister = await floorLister(sim.authUrl, undiciGet(agent), {
    concurrency: CONCURRENCY,
  });
  const result = await runPlan(lister, { concurrency: CONCURRENCY });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    wallMs,
    simCpuMs: sim.cpuMs() - simCpu0,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    requests: await sim.requestCount(),
    items: Object.entries(result.counts)
      .filter(([k]) => !k.startsWith('='))
      .reduce((n, [, v]) => n + v, 0),
  };
}

async function sync(
  sim: SimChild,
  database: string,
): Promise<SyncWorkerResult & { simCpuMs: number; requests: number }> {
  await sim.clearRequests();
  const simCpu0 = sim.cpuMs();
  const r = await runSyncChild(
    { database, authUrl: sim.authUrl, cloudId: CLOUD },
    SYNC_FLAGS,
  );
  return {
    ...r,
    simCpuMs: sim.cpuMs() - simCpu0,
    requests: await sim.requestCount(),
  };
}

/** The pf9 API as the catalog module reads it, answered by the real query functions. */
function queryReader(db: Knex): Pf9Reader {
  const queries = new InventoryQueries(db);
  const runs = new RunStore(db);
  const reader = {
    async get(path: string, query: Record<string, string | number>) {
      if (path !== '/inventory/runs') throw new Error(`unexpected ${path}`);
      return runs.list({
        cloudId: String(query.cloudId),
        page: Number(query.page),
        pageSize: Number(query.pageSize),
      });
    },
    async *all(path: string, query: Record<string, string | number>) {
      const type = /^\/inventory\/resources\/(\w+)$/.exec(path)?.[1];
      const runId = /^\/inventory\/runs\/([^/]+)\/changes$/.exec(path)?.[1];
      for (let page = 1; ; page++) {
        const result = type
          ? await queries.listResources(
              {
                cloudId: CLOUD,
                type: type as InventoryType,
                sort: 'id',
                order: 'asc',
                page,
                pageSize: 1000,
              },
              undefined,
            )
          : await queries.changesInRun(
              {
                cloudId: CLOUD,
                runId: decodeURIComponent(runId!),
                types: String(query.types).split(',') as InventoryType[],
                page,
                pageSize: 1000,
              },
              undefined,
            );
        yield* result.items as any[];
        if (page * 1000 >= result.total || !result.items.length) return;
      }
    },
  };
  return reader as unknown as Pf9Reader;
}

function countingConnection() {
  const calls: Array<{ type: string; entities: number; removed: number }> = [];
  return {
    calls,
    connection: {
      async applyMutation(m: any) {
        calls.push(
          m.type === 'full'
            ? { type: 'full', entities: m.entities.length, removed: 0 }
            : {
                type: 'delta',
                entities: m.added.length,
                removed: m.removed.length,
              },
        );
      },
      async refresh() {},
    },
  };
}

const silent: LoggerService = {
  debug() {},
  info() {},
  warn() {},
  error: m => console.error(m),
  child: () => silent,
};

const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}x`;

async function main() {
  console.log(
    `bench/inventory-sync: scenario ${SCENARIO}, ${ROUNDS} rounds, concurrency ${CONCURRENCY} per service, PostgreSQL, Node ${process.version}`,
  );
  const sim = await startSimChild(SCENARIO);
  const agent = new Agent({
    connections: Math.max(16, CONCURRENCY),
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 30_000,
  });
  const databases: string[] = [];
  const newDatabase = async () => {
    const name = `pf9_bench_${process.pid}_${databases.length}`;
    await createDatabase(name);
    databases.push(name);
    return name;
  };
  try {
    console.log(
      `simulator (child pid ${sim.pid}): ${sim.resources.toLocaleString(
        'en-US',
      )} resources, built in ${ms(sim.buildMs)}`,
    );
    if (PROFILE) {
      const database = await newDatabase();
      for (const what of ['full sync', 're-sync'].slice(
        0,
        process.argv.includes('--full-only') ? 1 : 2,
      )) {
        const s = await sync(sim, database);
        console.log(
          `${what}: ${ms(s.wallMs)}, collect ${ms(s.collectMs)}, cpu ${ms(
            s.cpuMs,
          )}, maxRSS ${mib(s.maxRss)}, ${s.status}, ${s.queries} queries`,
        );
      }
      return;
    }
    // warm-up: the simulator's lazy work, keep-alive sockets, JIT of the floor
    await floor(sim, agent);

    // ---- target 1: full sync into a fresh database vs the floor, alternating order
    const floors: FloorSample[] = [];
    const syncs: Array<Awaited<ReturnType<typeof sync>>> = [];
    let lastDb = '';
    for (let round = 0; round < ROUNDS; round++) {
      const steps = ['floor', 'sync'];
      for (const step of round % 2 ? steps.reverse() : steps) {
        if (step === 'floor') {
          const f = await floor(sim, agent);
          floors.push(f);
          console.log(
            `round ${round + 1} floor      ${ms(f.wallMs).padStart(
              10,
            )}  simulator cpu ${ms(f.simCpuMs).padStart(9)}  requests ${
              f.requests
            }  items ${f.items}`,
          );
        } else {
          if (lastDb) await dropDatabase(databases.pop()!);
          lastDb = await newDatabase();
          const s = await sync(sim, lastDb);
          syncs.push(s);
          console.log(
            `round ${round + 1} full sync  ${ms(s.wallMs).padStart(
              10,
            )}  simulator cpu ${ms(s.simCpuMs).padStart(9)}  requests ${
              s.requests
            }  cpu ${ms(s.cpuMs)}  collect ${ms(s.collectMs)}  peak RSS ${mib(
              s.peakRss,
            )}  maxRSS ${mib(s.maxRss)}  ${s.status}, ${s.resources} resources`,
          );
        }
      }
    }
    const floorMs = median(floors.map(f => f.wallMs));
    const syncMs = median(syncs.map(s => s.wallMs));
    const maxRss = Math.max(...syncs.map(s => s.maxRss));
    const last = syncs[syncs.length - 1];
    console.log(
      `\n${table([
        [
          `median of ${ROUNDS}`,
          'wall',
          'vs floor',
          'listing',
          'write after listing',
          'cpu',
          'requests',
          'maxRSS',
        ],
        [
          'floor (bare paginated fetch)',
          ms(floorMs),
          '1.000x',
          '',
          '',
          '',
          String(floors[0].requests),
          '',
        ],
        [
          'full sync (fresh database)',
          ms(syncMs),
          ratio(syncMs, floorMs),
          ms(median(syncs.map(s => s.collectMs))),
          ms(median(syncs.map(s => s.wallMs - s.collectMs))),
          ms(median(syncs.map(s => s.cpuMs))),
          String(last.requests),
          mib(maxRss),
        ],
      ])}`,
    );
    const okRatio = syncMs / floorMs <= TARGET_RATIO;
    const okRss = maxRss <= TARGET_RSS;
    console.log(
      `\nTarget 1: full sync / floor = ${ratio(
        syncMs,
        floorMs,
      )} (target <= ${TARGET_RATIO}x): ${
        okRatio ? 'MET' : 'MISSED'
      }; sync process maxRSS ${mib(maxRss)} (target <= 512 MiB): ${
        okRss ? 'MET' : 'MISSED'
      }`,
    );
    if (last.status !== 'succeeded')
      console.log(
        `WARNING: the run ended ${last.status}: ${last.types
          .filter(t => t.status !== 'complete')
          .map(t => `${t.type} ${t.status}`)
          .join(', ')}`,
      );

    // ---- what the target leaves for the store on this machine (see bench/README.md)
    const db = connect(lastDb);
    try {
      const cores = availableParallelism();
      const store = await storeFloorMs(db, [
        'inventory_resources',
        'inventory_versions',
      ]);
      const storeMs = Object.values(store).reduce((a, b) => a + b, 0);
      const fetchCpuMs = median(floors.map(f => f.clientCpuMs + f.simCpuMs));
      const spareMs = cores * TARGET_RATIO * floorMs - fetchCpuMs;
      console.log(
        `\nCPU budget of target 1 on ${cores} cores: ${cores} x ${TARGET_RATIO} x floor ${ms(
          floorMs,
        )} = ${ms(
          cores * TARGET_RATIO * floorMs,
        )}, of which the fetch itself (client + simulator CPU) uses ${ms(
          fetchCpuMs,
        )}: ${ms(spareMs)} of CPU for everything a sync adds.` +
          `\nstore floor (PostgreSQL COPY of the stored rows into copies without indexes or keys, server-side, alone): ${Object.entries(
            store,
          )
            .map(([t, v]) => `${t} ${ms(v)}`)
            .join(' + ')} = ${ms(storeMs)} (${ratio(
            storeMs,
            Math.max(spareMs, 1),
          )} of that budget) before any index, hash, serialisation or enrichment.`,
      );

      // ---- target 2: the unchanged re-sync
      const { calls, connection } = countingConnection();
      const provider = new Pf9EntityProvider({
        cloudId: CLOUD,
        types: CATALOG_TYPES,
        mapping: { owners: [], defaultOwner: 'group:default/ops' },
        reader: queryReader(db),
        logger: silent,
      });
      await provider.connect(connection as any);
      let t0 = performance.now();
      const first = await provider.refresh();
      const firstMs = performance.now() - t0;
      const before = await inventoryCounts(db);
      const resync = await sync(sim, lastDb);
      const after = await inventoryCounts(db);
      const callsBefore = calls.length;
      t0 = performance.now();
      const second = await provider.refresh();
      const secondMs = performance.now() - t0;
      const resyncCalls = calls.slice(callsBefore);
      const written = resync.types.reduce(
        (w, t) => ({
          created: w.created + (t.written?.created ?? 0),
          updated: w.updated + (t.written?.updated ?? 0),
          unchanged: w.unchanged + (t.written?.unchanged ?? 0),
        }),
        { created: 0, updated: 0, unchanged: 0 },
      );
      console.log(
        `\n${table([
          ['unchanged re-sync', 'before', 'after', 'written by the re-sync'],
          [
            'inventory_resources',
            String(before.resources),
            String(after.resources),
            `${written.created} created, ${written.updated} updated, ${written.unchanged} unchanged`,
          ],
          [
            'inventory_versions',
            String(before.versions),
            String(after.versions),
            String(after.versions - before.versions),
          ],
          [
            'inventory_deletions',
            String(before.deletions),
            String(after.deletions),
            String(after.deletions - before.deletions),
          ],
          [
            'catalog applyMutation calls',
            `${callsBefore} (${calls
              .slice(0, callsBefore)
              .map(c => `${c.type}: ${c.entities} entities`)
              .join(', ')})`,
            String(calls.length),
            String(resyncCalls.length),
          ],
        ])}`,
      );
      console.log(
        `catalog refresh after the first sync: ${first} in ${ms(
          firstMs,
        )}; after the re-sync: ${second} in ${ms(secondMs)}`,
      );
      console.log(
        `re-sync: ${ms(resync.wallMs)} (${ratio(
          resync.wallMs,
          floorMs,
        )} of the floor), maxRSS ${mib(resync.maxRss)}, ${resync.status}`,
      );
      const changed = resync.types.filter(
        t => (t.written?.created ?? 0) + (t.written?.updated ?? 0) > 0,
      );
      if (changed.length)
        console.log(
          `types the re-sync wrote versions for: ${changed
            .map(
              t => `${t.type} (${t.written!.created} + ${t.written!.updated})`,
            )
            .join(', ')}`,
        );
      const ok2 =
        after.versions === before.versions &&
        after.deletions === before.deletions &&
        resyncCalls.length === 0 &&
        calls.length === 1;
      console.log(
        `\nTarget 2: unchanged re-sync writes ${
          after.versions - before.versions
        } versions, ${after.deletions - before.deletions} deletions and sends ${
          resyncCalls.length
        } catalog mutations (target 0, 0, 0 after one full mutation): ${
          ok2 ? 'MET' : 'MISSED'
        }`,
      );
    } finally {
      await db.destroy();
    }
  } finally {
    await agent.close();
    await sim.stop();
    for (const name of databases) {
      if (KEEP_DB && name === databases[databases.length - 1])
        console.log(`kept database ${name}`);
      else await dropDatabase(name);
    }
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
