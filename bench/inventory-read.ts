/* eslint-disable no-console */
/**
 * Benchmark: reads of a 150k-resource inventory in PostgreSQL. A filtered, sorted page of 50 servers
 * through InventoryQueries.listResources and through GET /inventory/resources/server, against the bare
 * `SELECT ... WHERE ... ORDER BY ... LIMIT 50` of the same rows; and the render of /metrics with the
 * cache off (cacheMs 0). See bench/README.md.
 *
 *   node --expose-gc --require @backstage/cli/config/nodeTransform.cjs bench/inventory-read.ts
 *     [--scenario xl] [--iterations 200] [--metrics-iterations 60] [--db <kept database>]
 *
 * Without --db it starts the simulator, syncs it once into a throwaway database (in a child process)
 * and drops the database at the end; `inventory-sync.ts --keep-db` leaves one to reuse.
 */
import express from 'express';
import { AddressInfo } from 'net';
import { Agent, request } from 'undici';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InventorySyncEngine } from '../plugins/pf9-inventory-backend/src/inventory/engine';
import { GuardedBatches } from '../plugins/pf9-inventory-backend/src/inventory/guardedBatches';
import { InventoryHistory } from '../plugins/pf9-inventory-backend/src/inventory/history';
import { inventoryMetricFamilies } from '../plugins/pf9-inventory-backend/src/inventory/metrics';
import {
  InventoryQueries,
  ResourceFilter,
} from '../plugins/pf9-inventory-backend/src/inventory/query';
import { buildInfoFamily } from '../plugins/pf9-inventory-backend/src/metrics/buildInfo';
import { createMetricsRouter } from '../plugins/pf9-inventory-backend/src/metrics/router';
import { createInventoryRouter } from '../plugins/pf9-inventory-backend/src/router/inventory';
import type { CloudConfig } from '../plugins/pf9-inventory-backend/src/config';
import { migrateStore } from '../plugins/pf9-inventory-backend/src/store/migrate';
import { connect, createDatabase, dropDatabase } from './lib/pg';
import { startSimChild } from './lib/simChild';
import { ms, table, timeIt } from './lib/stats';
import { arg } from './lib/args';
import { runSyncChild } from './lib/syncChild';

const SCENARIO = arg('scenario', 'xl');
const ITERATIONS = Number(arg('iterations', '200'));
const METRICS_ITERATIONS = Number(arg('metrics-iterations', '60'));
const KEPT_DB = arg('db', '');
const CLOUD = 'bench';
const TARGET_PAGE_P95 = 50;
const TARGET_METRICS_P95 = 250;

const fmt = (v: number) => `${v.toFixed(1)} ms`;

const silent: LoggerService = {
  debug() {},
  info() {},
  warn() {},
  error: m => console.error(m),
  child: () => silent,
};

async function populate(): Promise<string> {
  const sim = await startSimChild(SCENARIO);
  const database = `pf9_bench_${process.pid}_read`;
  try {
    await createDatabase(database);
    const r = await runSyncChild({
      database,
      authUrl: sim.authUrl,
      cloudId: CLOUD,
    });
    console.log(
      `store: scenario ${SCENARIO} synced into ${database} in ${ms(
        r.wallMs,
      )} (${r.status}, ${r.resources} resources)`,
    );
    return database;
  } finally {
    await sim.stop();
  }
}

async function main() {
  console.log(
    `bench/inventory-read: ${ITERATIONS} iterations per query shape, ${METRICS_ITERATIONS} metrics renders, PostgreSQL, Node ${process.version}`,
  );
  const database = KEPT_DB || (await populate());
  const db = connect(database);
  const agent = new Agent({ connections: 1 });
  let server: ReturnType<ReturnType<typeof express>['listen']> | undefined;
  try {
    // a kept database gets the migrations of this checkout (e.g. new indexes)
    await migrateStore({ getClient: async () => db, migrations: {} } as any);
    // the steady state after autovacuum: statistics and the visibility map (index-only counts)
    await db.raw('VACUUM ANALYZE inventory_resources');
    const servers = Number(
      (
        await db('inventory_resources')
          .where({ cloud_id: CLOUD, type: 'server', deleted: false })
          .count({ n: '*' })
      )[0].n,
    );
    const total = Number(
      (await db('inventory_resources').count({ n: '*' }))[0].n,
    );
    // realistic filter values: a project with a median number of servers, a word of the names
    const perProject = (await db('inventory_resources')
      .where({ cloud_id: CLOUD, type: 'server', deleted: false })
      .groupBy('project_id')
      .select('project_id')
      .count({ n: '*' })
      .orderBy('n')) as any[];
    const project = String(
      perProject[Math.floor(perProject.length / 2)].project_id,
    );
    const sample = await db('inventory_resources')
      .where({ cloud_id: CLOUD, type: 'server' })
      .orderBy('id')
      .offset(Math.floor(servers / 3))
      .first('name', 'status');
    const word = String(sample.name)
      .split(/[-_ .]/)[0]
      .slice(0, 5);
    const status = String(sample.status);
    console.log(
      `store: ${total.toLocaleString(
        'en-US',
      )} resources, ${servers.toLocaleString(
        'en-US',
      )} servers; project ${project} (${
        perProject[Math.floor(perProject.length / 2)].n
      } servers), q='${word}', status='${status}'`,
    );

    const deepPage = Math.max(1, Math.floor(servers / 50 / 2));
    const shapes: Array<[string, Partial<ResourceFilter>]> = [
      ['sort name, page 1', { sort: 'name' }],
      [`sort name, page ${deepPage} (deep)`, { sort: 'name', page: deepPage }],
      ['sort updated_at desc, page 1', { sort: 'updated_at', order: 'desc' }],
      ['projectId, sort name', { projectId: project, sort: 'name' }],
      [`q='${word}', sort name`, { q: word, sort: 'name' }],
      [`q='${word}', sort name, page 20`, { q: word, sort: 'name', page: 20 }],
      [
        `status=${status}, sort updated_at desc`,
        { status, sort: 'updated_at', order: 'desc' },
      ],
      [
        `status=${status}, sort name, page ${Math.floor(deepPage / 2)}`,
        { status, sort: 'name', page: Math.floor(deepPage / 2) },
      ],
      [
        `projectId + status + q='${word}', sort updated_at`,
        { projectId: project, status, q: word, sort: 'updated_at' },
      ],
    ];

    // the HTTP route, with an authorizer that lets everything through unscoped
    const engine = new InventorySyncEngine({
      db,
      clouds: [{ id: CLOUD } as CloudConfig],
      logger: silent,
    });
    const queries = new InventoryQueries(db);
    const app = express();
    app.use(
      createInventoryRouter({
        engine,
        queries,
        history: new InventoryHistory(db),
        // not read by the benchmark's routes
        guardedBatches: new GuardedBatches(db, {
          verifier: cloudId => engine.verifier(cloudId),
          verifyLimit: 0,
        }),
        authorizer: {
          authorize: async () => ({ actor: 'user:default/bench' }),
        } as any,
        audit: { record: async () => {} } as any,
      }),
    );
    app.use(
      createMetricsRouter({
        families: [buildInfoFamily('bench'), ...inventoryMetricFamilies(db)],
        cloudIds: [CLOUD],
        allowAnonymousScrape: true,
        cacheMs: 0,
      }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise(ok => server!.once('listening', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (path: string) => {
      const res = await request(`${base}${path}`, { dispatcher: agent });
      const body = await res.body.text();
      if (res.statusCode !== 200)
        throw new Error(`${path}: ${res.statusCode} ${body}`);
      return body;
    };

    const rows = [
      [
        `page of 50 servers (${ITERATIONS} runs)`,
        'rows',
        'bare SQL p50/p95',
        'listResources p50/p95/p99',
        'vs bare (p95)',
        'HTTP p50/p95/p99',
      ],
    ];
    let worstP95 = 0;
    for (const [label, f] of shapes) {
      const filter: ResourceFilter = {
        cloudId: CLOUD,
        type: 'server',
        sort: 'name',
        order: 'asc',
        page: 1,
        pageSize: 50,
        ...f,
      } as ResourceFilter;
      const result = await queries.listResources(filter, undefined);
      // the baseline: the same WHERE, ORDER BY and LIMIT, the listed columns, no count, no mapping
      const bare = () =>
        db('inventory_resources')
          .where({ cloud_id: CLOUD, type: 'server', deleted: false })
          .modify(q => {
            if (filter.projectId) q.where('project_id', filter.projectId);
            if (filter.status)
              q.whereRaw('lower(status) = ?', [filter.status.toLowerCase()]);
            if (filter.q)
              q.whereRaw('search_text like ?', [`%${filter.q.toLowerCase()}%`]);
          })
          .select('id', 'name', 'project_id', 'status', 'key_fields', 'derived')
          .orderBy([
            filter.sort === 'updated_at'
              ? { column: filter.sort, order: filter.order }
              : { column: filter.sort, order: filter.order, nulls: 'last' },
            { column: 'id', order: filter.order },
          ])
          .limit(50)
          .offset((filter.page - 1) * 50);
      const b = await timeIt(ITERATIONS, bare);
      const l = await timeIt(ITERATIONS, () =>
        queries.listResources(filter, undefined),
      );
      const qs = new URLSearchParams({
        sort: filter.sort,
        order: filter.order,
        page: String(filter.page),
        pageSize: '50',
        ...(filter.projectId ? { projectId: filter.projectId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.q ? { q: filter.q } : {}),
      });
      const h = await timeIt(ITERATIONS, () => get(`/resources/server?${qs}`));
      worstP95 = Math.max(worstP95, l.p95, h.p95);
      rows.push([
        label,
        `${result.items.length}/${result.total}`,
        `${fmt(b.p50)} / ${fmt(b.p95)}`,
        `${fmt(l.p50)} / ${fmt(l.p95)} / ${fmt(l.p99)}`,
        `${(l.p95 / b.p95).toFixed(2)}x`,
        `${fmt(h.p50)} / ${fmt(h.p95)} / ${fmt(h.p99)}`,
      ]);
      console.log(rows[rows.length - 1].join('  |  '));
    }
    console.log(`\n${table(rows)}`);
    console.log(
      `\nTarget 3: worst p95 of a page of 50 (query and HTTP) ${fmt(
        worstP95,
      )} (target <= ${TARGET_PAGE_P95} ms): ${
        worstP95 <= TARGET_PAGE_P95 ? 'MET' : 'MISSED'
      }`,
    );

    // ---- metrics
    const families = inventoryMetricFamilies(db);
    const bareMetrics = () =>
      Promise.all([
        db.raw(
          'SELECT type, count(*) FROM inventory_resources WHERE cloud_id = ? AND deleted = false GROUP BY type',
          [CLOUD],
        ),
        db.raw(
          "SELECT project_id, status, count(*) FROM inventory_resources WHERE cloud_id = ? AND type = 'server' AND deleted = false GROUP BY project_id, status",
          [CLOUD],
        ),
        db.raw(
          "SELECT p.id, p.name, p.domain_id, d.name FROM inventory_resources p LEFT JOIN inventory_resources d ON d.cloud_id = p.cloud_id AND d.id = p.domain_id AND d.type = 'domain' WHERE p.cloud_id = ? AND p.type = 'project' AND p.deleted = false",
          [CLOUD],
        ),
        db.raw(
          'SELECT * FROM inventory_runs WHERE cloud_id = ? AND finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 50',
          [CLOUD],
        ),
      ]);
    const mb = await timeIt(METRICS_ITERATIONS, bareMetrics);
    const mc = await timeIt(METRICS_ITERATIONS, () =>
      Promise.all(families.map(f => f.collect(CLOUD))),
    );
    let bytes = 0;
    const mh = await timeIt(METRICS_ITERATIONS, async () => {
      bytes = (await get('/metrics')).length;
    });
    console.log(
      `\n${table([
        [
          `/metrics, cache off (${METRICS_ITERATIONS} runs)`,
          'p50',
          'p95',
          'p99',
        ],
        [
          'bare SQL (the 4 statements, concurrently)',
          fmt(mb.p50),
          fmt(mb.p95),
          fmt(mb.p99),
        ],
        ["families' collect() only", fmt(mc.p50), fmt(mc.p95), fmt(mc.p99)],
        [
          `GET /metrics (${(bytes / 1024).toFixed(0)} KiB)`,
          fmt(mh.p50),
          fmt(mh.p95),
          fmt(mh.p99),
        ],
      ])}`,
    );
    console.log(
      `\nTarget 4: GET /metrics p95 ${fmt(mh.p95)} (${(mh.p95 / mb.p95).toFixed(
        2,
      )}x the bare SQL) (target <= ${TARGET_METRICS_P95} ms): ${
        mh.p95 <= TARGET_METRICS_P95 ? 'MET' : 'MISSED'
      }`,
    );
  } finally {
    server?.close();
    await agent.close();
    await db.destroy();
    if (!KEPT_DB) await dropDatabase(database);
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
