/* eslint-disable no-console */
/**
 * Benchmark: every listing of SPEC §1.2 through the OpenStack client, against the floor (bare HTTP
 * loops of the same URLs with the same page size and per-service concurrency), on the simulator's
 * xl scenario running in a child process. See bench/README.md.
 *
 *   node --expose-gc --require @backstage/cli/config/nodeTransform.cjs bench/client-listing.ts
 *     [--scenario xl] [--rounds 3] [--concurrency 8] [--profile client|floor-undici|floor-fetch]
 */
import { Agent } from 'undici';
import {
  TokenCache,
  closeSharedAgents,
  createOpenStackClient,
} from '../plugins/pf9-inventory-backend/src/openstack';
import type { CloudConfig } from '../plugins/pf9-inventory-backend/src/config';
import { RequestLogEntry, SimChild, startSimChild } from './lib/simChild';
import {
  Lister,
  PlanResult,
  clientLister,
  fetchGet,
  floorLister,
  runPlan,
  undiciGet,
} from './lib/listing';
import { median, mib, ms, sampleRss, table } from './lib/stats';
import { arg } from './lib/args';

const SCENARIO = arg('scenario', 'xl');
const ROUNDS = Number(arg('rounds', '3'));
const CONCURRENCY = Number(arg('concurrency', '8'));
const PAGE_SIZE = 1000;
/** the client's default connection cap per origin (the simulator is one origin) */
const CONNECTIONS = Math.max(16, CONCURRENCY);
const PROFILE = arg('profile', '');

/** What the plan needs from one side; each call returns the items it listed. */
// ------------------------------------------------------------------ measurement

interface Sample {
  side: string;
  wallMs: number;
  cpuMs: number;
  simCpuMs: number;
  peakRss: number;
  requests: number;
  errors: number;
  byService: Record<string, number>;
  result: PlanResult;
}

function serviceOf(path: string): string {
  const m = /^\/(v3|compute|volume|network|image|placement)/.exec(path);
  return m ? (m[1] === 'v3' ? 'identity' : m[1]) : 'other';
}

async function measure(
  sim: SimChild,
  side: string,
  makeLister: () => Promise<Lister>,
): Promise<Sample> {
  (globalThis as any).gc?.();
  await sim.clearRequests();
  const stopRss = sampleRss();
  const simCpu0 = sim.cpuMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lister = await makeLister();
  const result = await runPlan(lister, { concurrency: CONCURRENCY });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const simCpuMs = sim.cpuMs() - simCpu0;
  const peakRss = stopRss();
  const log: RequestLogEntry[] = await sim.requests();
  const byService: Record<string, number> = {};
  for (const r of log)
    byService[serviceOf(r.path)] = (byService[serviceOf(r.path)] ?? 0) + 1;
  return {
    side,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    simCpuMs,
    peakRss,
    requests: log.length,
    errors: log.filter(r => r.status >= 400).length,
    byService,
    result,
  };
}

async function pageTimes(sim: SimChild) {
  const tokenRes = await fetch(`${sim.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: 'admin',
              domain: { name: 'Default' },
              password: 'demo-admin',
            },
          },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  const token = tokenRes.headers.get('x-subject-token')!;
  const projectId = (await tokenRes.json()).token.project.id;
  const headers = {
    'x-auth-token': token,
    'X-OpenStack-Nova-API-Version': '2.79',
    'OpenStack-API-Version': 'volume 3.60',
  };
  const firstPage = async (path: string, key: string) => {
    const body: any = await (
      await fetch(`${sim.url}${path}`, { headers })
    ).json();
    return body[`${key}_links`]?.[0]?.href as string | undefined;
  };
  const cases: Array<[string, string | undefined]> = [
    [
      'cinder volumes/detail',
      await firstPage(
        `/volume/v3/${projectId}/volumes/detail?all_tenants=1&limit=1000`,
        'volumes',
      ),
    ],
    [
      'nova servers/detail',
      await firstPage(
        '/compute/v2.1/servers/detail?all_tenants=1&limit=1000',
        'servers',
      ),
    ],
    [
      'neutron ports',
      await firstPage('/network/v2.0/ports?limit=1000', 'ports'),
    ],
  ];
  const rows: string[][] = [
    ['page of 1000 (2nd page)', 'server (median of 7)', 'round trip + parse'],
  ];
  for (const [name, href] of cases) {
    if (!href) {
      rows.push([name, 'n/a (under 2000 items)', '']);
      continue;
    }
    const server: number[] = [];
    const roundTrip: number[] = [];
    for (let i = 0; i < 8; i++) {
      await sim.clearRequests();
      const t0 = performance.now();
      const body: any = await (await fetch(href, { headers })).json();
      const rt = performance.now() - t0;
      const entry = (await sim.requests())[0];
      if (i === 0 || !entry) continue; // first one warms up
      if (Object.values(body).find(Array.isArray)?.length !== 1000)
        throw new Error(`${name}: not a page of 1000`);
      server.push(entry.durationMs);
      roundTrip.push(rt);
    }
    rows.push([name, ms(median(server)), ms(median(roundTrip))]);
  }
  return rows;
}

async function main() {
  console.log(
    `bench/client-listing: scenario ${SCENARIO}, ${ROUNDS} rounds, concurrency ${CONCURRENCY} per service, page size ${PAGE_SIZE}, Node ${process.version}`,
  );
  const sim = await startSimChild(SCENARIO);
  try {
    console.log(
      `simulator (child pid ${sim.pid}): ${sim.resources.toLocaleString(
        'en-US',
      )} resources, scenario built in ${ms(
        sim.buildMs,
      )} (target < 30 s); spawn to ready ${ms(sim.readyMs)}`,
    );
    console.log(table(await pageTimes(sim)));
    console.log('(target: a page of 1000 served in < 50 ms)\n');

    const cloud: CloudConfig = {
      id: 'bench',
      auth: {
        url: sim.authUrl,
        username: 'admin',
        password: 'demo-admin',
        userDomain: 'Default',
        projectName: 'admin',
        projectDomain: 'Default',
      },
      region: 'RegionOne',
      interface: 'public',
      insecure: false,
    };
    const floorAgent = new Agent({
      connections: CONNECTIONS,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
    });
    const sides: Record<string, () => Promise<Lister>> = {
      client: async () =>
        clientLister(
          createOpenStackClient(cloud, {
            tokenCache: new TokenCache(),
            concurrency: CONCURRENCY,
          }),
        ),
      'floor-undici': () =>
        floorLister(sim.authUrl, undiciGet(floorAgent), {
          concurrency: CONCURRENCY,
          pageSize: PAGE_SIZE,
        }),
      'floor-fetch': () =>
        floorLister(sim.authUrl, fetchGet, {
          concurrency: CONCURRENCY,
          pageSize: PAGE_SIZE,
        }),
    };

    if (PROFILE) {
      // one warm-up, then a single run of one side (for --cpu-prof)
      await measure(sim, PROFILE, sides[PROFILE]);
      const s = await measure(sim, PROFILE, sides[PROFILE]);
      console.log(
        `${PROFILE}: ${ms(s.wallMs)}, cpu ${ms(s.cpuMs)}, ${
          s.requests
        } requests`,
      );
      return;
    }

    // warm-up round (JIT, keep-alive connections, the simulator's lazy work), not counted
    for (const side of Object.keys(sides))
      await measure(sim, side, sides[side]);

    const samples: Sample[] = [];
    const order = Object.keys(sides);
    for (let round = 0; round < ROUNDS; round++) {
      // alternate the order every round so neither side always runs first
      const seq = round % 2 ? [...order].reverse() : order;
      for (const side of seq) {
        const s = await measure(sim, side, sides[side]);
        samples.push(s);
        console.log(
          `round ${round + 1} ${side.padEnd(12)} ${ms(s.wallMs).padStart(
            9,
          )}  cpu ${ms(s.cpuMs).padStart(9)}  simulator cpu ${ms(
            s.simCpuMs,
          ).padStart(9)}  requests ${s.requests}${
            s.errors ? ` (${s.errors} errors!)` : ''
          }`,
        );
      }
    }

    const of = (side: string) => samples.filter(s => s.side === side);
    const med = (side: string, f: (s: Sample) => number) =>
      median(of(side).map(f));
    const floorMs = med('floor-undici', s => s.wallMs);
    const rows = [
      [
        'median of ' + ROUNDS,
        'wall',
        'vs floor',
        'cpu (bench)',
        'cpu (sim)',
        'requests',
        'peak RSS',
      ],
    ];
    for (const side of order) {
      const wall = med(side, s => s.wallMs);
      rows.push([
        side,
        ms(wall),
        `${(wall / floorMs).toFixed(3)}x`,
        ms(med(side, s => s.cpuMs)),
        ms(med(side, s => s.simCpuMs)),
        String(of(side)[0].requests),
        mib(med(side, s => s.peakRss)),
      ]);
    }
    console.log(`\n${table(rows)}`);
    const ratio = med('client', s => s.wallMs) / floorMs;
    console.log(
      `\nclient / floor (undici) = ${ratio.toFixed(3)}x (target <= 1.15x): ${
        ratio <= 1.15 ? 'MET' : 'MISSED'
      }`,
    );
    console.log(
      `process maxRSS (whole run, all sides) ${mib(
        process.resourceUsage().maxRSS * 1024,
      )}`,
    );

    // requests per service and per-type figures of the last sample of each side
    const last = (side: string) => of(side)[of(side).length - 1];
    const services = [
      ...new Set(order.flatMap(side => Object.keys(last(side).byService))),
    ].sort();
    console.log(
      `\n${table([
        ['requests by service', ...order],
        ...services.map(svc => [
          svc,
          ...order.map(side => String(last(side).byService[svc] ?? 0)),
        ]),
      ])}`,
    );
    // by SPEC §1.2 number, the phases last
    const rank = (t: string) => (t.startsWith('=') ? 100 : parseInt(t, 10));
    const types = Object.keys(last('client').result.times).sort(
      (a, b) => rank(a) - rank(b) || a.localeCompare(b),
    );
    const typeRows = [
      [
        'type (median ms; items)',
        ...order.map(s => `${s} ms`),
        'items (client)',
        'items (floor)',
      ],
    ];
    for (const t of types) {
      typeRows.push([
        t,
        ...order.map(side =>
          median(of(side).map(s => s.result.times[t])).toFixed(0),
        ),
        String(last('client').result.counts[t] ?? ''),
        String(last('floor-undici').result.counts[t] ?? ''),
      ]);
    }
    console.log(`\n${table(typeRows)}`);
    const mismatched = Object.keys(last('client').result.counts).filter(
      k =>
        last('client').result.counts[k] !==
        last('floor-undici').result.counts[k],
    );
    console.log(
      mismatched.length
        ? `\nWARNING: item counts differ between client and floor: ${mismatched.join(
            ', ',
          )}`
        : '\nitem counts: client and floor listed the same number of items of every type',
    );
    await floorAgent.close();
  } finally {
    await closeSharedAgents();
    await sim.stop();
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
