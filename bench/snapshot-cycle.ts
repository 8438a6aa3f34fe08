/* eslint-disable no-console */
/**
 * Benchmark: one snapshot cycle over N protected volumes (default 10,000) of the simulator's `xl`
 * scenario, against its API floor: the same listings and the same creates sent bare. See bench/README.md.
 *
 *   node --expose-gc --require @backstage/cli/config/nodeTransform.cjs bench/snapshot-cycle.ts
 *     [--volumes 10000] [--scenario xl] [--batch-size 20] [--rounds 3] [--cycle-only] [--timeline]
 *
 * Each side gets its own simulator child built from the same scenario and seed, prepared the same way
 * through the API before the clock starts: exactly N eligible volumes carry `auto_snapshot=true,
 * snapshot_policies=daily_5` (owner metadata; every other volume none), the admin holds a role on every
 * project, and Cinder quotas are unlimited.
 *
 * - cycle: SnapshotCycleEngine on a fresh PostgreSQL database, createConcurrency 4 (SNAP-16),
 *   maxNewPerRun above N, batchSize 20 and **batchDelaySeconds 0** (the pause is a configured throttle,
 *   not work); the daily_5 window is open all day, so every protected volume is due.
 * - floor: a token, the cycle's listings (volumes, snapshots, projects, domains, servers; paginated,
 *   all_tenants), one quota GET and one project-scoped token per project, then the same creates
 *   (POST …/snapshots with the same body shape), 4 in flight, then the retention deletes the cycle
 *   sent (the same snapshot ids, read from its records), 4 in flight. No database, no checks, no
 *   records. The deletes are the warm-up cycle's: the same in every round (same scenario, seed and
 *   retention).
 *
 * A warm-up pair (not counted: the cycle's code is JIT-compiled and its lazily loaded modules load in
 * it), then `--rounds` pairs in alternating order (cycle, floor; floor, cycle); as in
 * inventory-sync.ts the median walls of the two sides are compared, each pair's ratio is printed too.
 */
import { Agent, request } from 'undici';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { SnapshotCycleEngine } from '../plugins/pf9-inventory-backend/src/snapshots/cycle';
import { withMigratedDatabase } from './lib/pg';
import { SimChild, startSimChild } from './lib/simChild';
import { ms, table } from './lib/stats';
import { arg } from './lib/args';
import { printTimeline } from './lib/timeline';

const SCENARIO = arg('scenario', 'xl');
const VOLUMES = Number(arg('volumes', '10000'));
const BATCH_SIZE = Number(arg('batch-size', '20'));
/** `--rounds N`: N cycle/floor pairs after a warm-up pair, in alternating order; the medians are compared */
const ROUNDS = Number(arg('rounds', '3'));
/** `--cycle-only`: measure the cycle side alone (e.g. under `node --cpu-prof`) */
const CYCLE_ONLY = process.argv.includes('--cycle-only');
/** `--timeline`: after each side, where its wall time went as the simulator saw it */
const TIMELINE = process.argv.includes('--timeline');
const CREATES_IN_FLIGHT = 4;
const LIST_CONCURRENCY = 8;
const TARGET_RATIO = 1.2;
const ADMIN = { name: 'admin', password: 'demo-admin', domain: 'Default' };

type Json = Record<string, any>;

/** Warnings and errors on stderr; the rest dropped (no per-record logging cost on either side). */
const quietLogger: LoggerService = {
  debug: () => {},
  info: () => {},
  warn: (m: string) => console.error(`warn: ${m}`),
  error: (m: string) => console.error(`error: ${m}`),
  child: () => quietLogger,
};

class Api {
  private readonly agent = new Agent({ connections: 16 });
  constructor(readonly authUrl: string) {}

  async token(project?: string): Promise<{ token: string; body: Json }> {
    const scope = project
      ? { project: { id: project } }
      : { project: { name: 'admin', domain: { name: 'Default' } } };
    const res = await request(`${this.authUrl}/auth/tokens`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: {
                name: ADMIN.name,
                password: ADMIN.password,
                domain: { name: ADMIN.domain },
              },
            },
          },
          scope,
        },
      }),
    });
    const body = (await res.body.json()) as Json;
    if (res.statusCode !== 201) throw new Error(`token: ${res.statusCode}`);
    return { token: String(res.headers['x-subject-token']), body };
  }

  async call(
    token: string,
    method: string,
    url: string,
    body?: Json,
  ): Promise<Json> {
    const res = await request(url, {
      method: method as any,
      dispatcher: this.agent,
      headers: {
        'x-auth-token': token,
        'content-type': 'application/json',
        'openstack-api-version': 'volume 3.70',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    if (res.statusCode >= 400)
      throw new Error(`${method} ${url}: ${res.statusCode}`);
    return text ? JSON.parse(text) : {};
  }

  /** Every page of a listing, following the next link as given. */
  async list(token: string, url: string, key: string): Promise<Json[]> {
    const items: Json[] = [];
    let next: string | undefined = url;
    while (next) {
      const page = await this.call(token, 'GET', next);
      items.push(...(page[key] ?? []));
      // Nova/Cinder: `<key>_links` [{rel, href}]; Keystone: `links.next`
      const links: Json[] = page[`${key}_links`] ?? [];
      next =
        links.find(l => l.rel === 'next')?.href ??
        page.links?.next ??
        undefined;
      if (next && next.startsWith('/')) next = new URL(next, url).toString();
    }
    return items;
  }

  close() {
    return this.agent.close();
  }
}

function endpoint(catalog: Json[], type: string): string {
  const service = catalog.find(s => s.type === type)!;
  return service.endpoints.find((e: Json) => e.interface === 'public').url;
}

async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** Exactly N protected eligible volumes, admin role everywhere, unlimited quotas (untimed). */
async function prepare(sim: SimChild): Promise<void> {
  const api = new Api(sim.authUrl);
  const { token, body } = await api.token();
  const cinder = endpoint(body.token.catalog, 'block-storage').replace(
    /\/$/,
    '',
  );
  const keystone = sim.authUrl;
  const adminUser = body.token.user.id;
  const roles = await api.list(token, `${keystone}/roles`, 'roles');
  const adminRole = roles.find(r => r.name === 'admin')!.id;
  const projects = await api.list(token, `${keystone}/projects`, 'projects');
  await mapLimit(projects, 8, async p => {
    await api.call(
      token,
      'PUT',
      `${keystone}/projects/${p.id}/users/${adminUser}/roles/${adminRole}`,
    );
    await api.call(token, 'PUT', `${cinder}/os-quota-sets/${p.id}`, {
      quota_set: { snapshots: -1, gigabytes: -1 },
    });
  });
  const volumes = await api.list(
    token,
    `${cinder}/volumes/detail?all_tenants=1&limit=1000`,
    'volumes',
  );
  const eligible = volumes
    .filter(v => ['available', 'in-use'].includes(v.status))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  if (eligible.length < VOLUMES)
    throw new Error(`only ${eligible.length} eligible volumes`);
  const chosen = new Set(eligible.slice(0, VOLUMES).map(v => v.id));
  await mapLimit(volumes, 16, async v => {
    const url = `${cinder}/volumes/${v.id}/metadata`;
    if (chosen.has(v.id)) {
      await api.call(token, 'POST', url, {
        metadata: { auto_snapshot: 'true', snapshot_policies: 'daily_5' },
      });
    } else if (v.metadata?.auto_snapshot !== undefined) {
      await api.call(token, 'DELETE', `${url}/auto_snapshot`);
    }
  });
  await api.close();
}

type CycleSample = Sample & { status: string; deletes: SentDelete[] };

interface Sample {
  wallMs: number;
  /** CPU of this process (the product's side) during the measurement */
  cpuMs: number;
  /** CPU of the simulator during the measurement */
  simCpuMs: number;
  creates: number;
  requests: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** A retention delete the cycle sent: the floor sends the same. */
interface SentDelete {
  projectId: string;
  snapshotId: string;
}

/** The same listings, creates and deletes, sent bare. */
async function floor(sim: SimChild, deletes: SentDelete[]): Promise<Sample> {
  await sim.clearRequests();
  const cpu0 = cpuNow();
  const simCpu0 = sim.cpuMs();
  const t0 = performance.now();
  const epoch0 = Date.now();
  const api = new Api(sim.authUrl);
  const { token, body } = await api.token();
  const cinder = endpoint(body.token.catalog, 'block-storage').replace(
    /\/$/,
    '',
  );
  const nova = endpoint(body.token.catalog, 'compute').replace(/\/$/, '');
  const keystone = sim.authUrl;
  const [volumes, , projects] = await Promise.all([
    api.list(
      token,
      `${cinder}/volumes/detail?all_tenants=1&limit=1000`,
      'volumes',
    ),
    api.list(
      token,
      `${cinder}/snapshots/detail?all_tenants=1&limit=1000`,
      'snapshots',
    ),
    api.list(token, `${keystone}/projects`, 'projects'),
    api.list(token, `${keystone}/domains`, 'domains'),
    api.list(
      token,
      `${nova}/servers/detail?all_tenants=1&limit=1000`,
      'servers',
    ),
  ]);
  void projects;
  const due = volumes.filter(
    v =>
      v.metadata?.auto_snapshot === 'true' &&
      ['available', 'in-use'].includes(v.status),
  );
  const dueProjects = [
    ...new Set(due.map(v => String(v['os-vol-tenant-attr:tenant_id']))),
  ];
  const scoped = new Map<string, { token: string; cinder: string }>();
  await mapLimit(dueProjects, LIST_CONCURRENCY, async p => {
    await api.call(token, 'GET', `${cinder}/os-quota-sets/${p}?usage=true`);
    const t = await api.token(p);
    scoped.set(p, {
      token: t.token,
      cinder: endpoint(t.body.token.catalog, 'block-storage').replace(
        /\/$/,
        '',
      ),
    });
  });
  const period = new Date().toISOString().slice(0, 10);
  await mapLimit(due, CREATES_IN_FLIGHT, async v => {
    const p = String(v['os-vol-tenant-attr:tenant_id']);
    const s = scoped.get(p)!;
    await api.call(s.token, 'POST', `${s.cinder}/snapshots`, {
      snapshot: {
        volume_id: v.id,
        force: true,
        name: `auto-${p}-daily_5-${v.id}`,
        description: `Automatic snapshot, policy daily_5, period ${period}`,
        metadata: {
          created_by: 'p9_auto_snapshots',
          managed_by: 'pf9-ops',
          policy: 'daily_5',
          period,
          original_project_id: p,
          original_volume_id: v.id,
        },
      },
    });
  });
  await mapLimit(deletes, CREATES_IN_FLIGHT, async d => {
    const s = scoped.get(d.projectId)!;
    await api.call(s.token, 'DELETE', `${s.cinder}/snapshots/${d.snapshotId}`);
  });
  const wallMs = performance.now() - t0;
  const cpuMs = cpuNow() - cpu0;
  const simCpuMs = sim.cpuMs() - simCpu0;
  await api.close();
  if (TIMELINE) printTimeline('floor', epoch0, await sim.requests());
  return {
    wallMs,
    cpuMs,
    simCpuMs,
    creates: due.length,
    requests: await sim.requestCount(),
  };
}

async function cycle(sim: SimChild): Promise<CycleSample> {
  return withMigratedDatabase(`pf9_bench_${process.pid}_snap`, async db => {
    const engine = new SnapshotCycleEngine({
      db,
      clouds: [
        {
          id: 'bench',
          auth: {
            url: sim.authUrl,
            username: ADMIN.name,
            password: ADMIN.password,
            userDomain: ADMIN.domain,
            projectName: 'admin',
            projectDomain: ADMIN.domain,
          },
          interface: 'public',
          insecure: false,
        },
      ],
      logger: quietLogger,
      settings: {
        maxNewPerRun: VOLUMES * 2,
        createConcurrency: CREATES_IN_FLIGHT,
        batchSize: BATCH_SIZE,
        batchDelayMs: 0,
      },
    });
    await sim.clearRequests();
    const cpu0 = cpuNow();
    const simCpu0 = sim.cpuMs();
    const t0 = performance.now();
    const epoch0 = Date.now();
    const run = await engine.run('bench', 'api', 'system:bench');
    const wallMs = performance.now() - t0;
    if (TIMELINE) printTimeline('cycle', epoch0, await sim.requests());
    const deletes = await db('snapshot_records')
      .where({ run_id: run.id, action: 'deleted' })
      .select('project_id', 'snapshot_id');
    return {
      deletes: deletes.map(d => ({
        projectId: d.project_id,
        snapshotId: d.snapshot_id,
      })),
      wallMs,
      cpuMs: cpuNow() - cpu0,
      simCpuMs: sim.cpuMs() - simCpu0,
      creates: run.counts.created,
      requests: await sim.requestCount(),
      status: run.status,
    };
  });
}

async function withSim<T>(fn: (sim: SimChild) => Promise<T>): Promise<T> {
  const sim = await startSimChild(SCENARIO);
  try {
    await prepare(sim);
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

function printCycle(c: CycleSample) {
  console.log(
    `cycle (${c.status}): wall ${ms(c.wallMs)}, client CPU ${ms(
      c.cpuMs,
    )}, sim CPU ${ms(c.simCpuMs)}, ${c.creates} creates, ${
      c.requests
    } requests, ${c.deletes.length} retention deletes`,
  );
}

function printFloor(f: Sample) {
  console.log(
    `floor: wall ${ms(f.wallMs)}, client CPU ${ms(f.cpuMs)}, sim CPU ${ms(
      f.simCpuMs,
    )}, ${f.creates} creates, ${f.requests} requests`,
  );
}

const row = (side: string, x: Sample) => [
  side,
  ms(x.wallMs),
  ms(x.cpuMs),
  ms(x.simCpuMs),
  String(x.creates),
  String(x.requests),
];

async function main() {
  console.log(
    `snapshot cycle: ${VOLUMES.toLocaleString(
      'en-US',
    )} protected volumes of scenario ${SCENARIO}, batch size ${BATCH_SIZE}, no batch pause, ${ROUNDS} round(s)`,
  );
  // as the other benchmarks: a warm-up pair first (JIT, lazily loaded modules), not counted; the
  // floor needs the cycle's deletes, the same in every round (same scenario, seed and retention)
  console.log('warm-up (not counted):');
  const warm = await withSim(cycle);
  printCycle(warm);
  if (CYCLE_ONLY) {
    for (let i = 0; i < ROUNDS; i++) printCycle(await withSim(cycle));
    return;
  }
  printFloor(await withSim(sim => floor(sim, warm.deletes)));
  const cycles: CycleSample[] = [];
  const floors: Sample[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // the order alternates, so a drift of the machine's speed weighs on both sides alike
    console.log(`round ${i + 1}:`);
    for (const side of i % 2 === 0 ? ['cycle', 'floor'] : ['floor', 'cycle']) {
      if (side === 'cycle') {
        const c = await withSim(cycle);
        printCycle(c);
        cycles.push(c);
      } else {
        const f = await withSim(sim => floor(sim, warm.deletes));
        printFloor(f);
        floors.push(f);
      }
    }
  }
  // the median sample by wall (the lower one of an even count)
  const byWall = <T extends Sample>(xs: T[]) =>
    [...xs].sort((a, b) => a.wallMs - b.wallMs)[(xs.length - 1) >> 1];
  const c = byWall(cycles);
  const f = byWall(floors);
  console.log(
    table([
      [
        'median of the rounds',
        'wall',
        'client CPU',
        'sim CPU',
        'creates',
        'requests',
      ],
      row('floor (bare)', f),
      row(`cycle (${c.status})`, c),
    ]),
  );
  const ratio = c.wallMs / f.wallMs;
  const perRound = cycles.map((x, i) =>
    (x.wallMs / floors[i].wallMs).toFixed(2),
  );
  console.log(
    `ratio cycle/floor (medians): ${ratio.toFixed(
      3,
    )} (target ≤ ${TARGET_RATIO}) ${
      ratio <= TARGET_RATIO ? 'MET' : 'NOT MET'
    }; per round ${perRound.join(', ')}`,
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
