/* eslint-disable no-console */
/**
 * Benchmark: every listing of SPEC §1.2 through the OpenStack client, against the floor (bare HTTP
 * loops of the same URLs with the same page size and per-service concurrency), on the simulator's
 * xl scenario running in a child process. See bench/README.md.
 *
 *   node --expose-gc --require @backstage/cli/config/nodeTransform.cjs bench/client-listing.ts
 *     [--scenario xl] [--rounds 3] [--concurrency 8] [--profile client|floor-undici|floor-fetch]
 */
import { Agent, request as undiciRequest } from 'undici';
import {
  OpenStackClient,
  TokenCache,
  closeSharedAgents,
  createOpenStackClient,
} from '../plugins/pf9-inventory-backend/src/openstack';
import type { CloudConfig } from '../plugins/pf9-inventory-backend/src/config';
import { RequestLogEntry, SimChild, startSimChild } from './lib/simChild';
import { median, mib, ms, sampleRss, table } from './lib/stats';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const SCENARIO = arg('scenario', 'xl');
const ROUNDS = Number(arg('rounds', '3'));
const CONCURRENCY = Number(arg('concurrency', '8'));
const PAGE_SIZE = 1000;
/** the client's default connection cap per origin (the simulator is one origin) */
const CONNECTIONS = Math.max(16, CONCURRENCY);
const PROFILE = arg('profile', '');

type Item = Record<string, any>;

/** What the plan needs from one side; each call returns the items it listed. */
interface Lister {
  domains(): Promise<Item[]>;
  projects(): Promise<Item[]>;
  users(domains: Item[]): Promise<Item[]>;
  groups(domains: Item[]): Promise<Item[]>;
  groupMembers(groupId: string): Promise<Item[]>;
  roles(): Promise<Item[]>;
  roleAssignments(effective: boolean): Promise<Item[]>;
  servers(): Promise<Item[]>;
  flavors(): Promise<Item[]>;
  hypervisors(): Promise<Item[]>;
  computeServices(): Promise<Item[]>;
  aggregates(): Promise<Item[]>;
  computeZones(): Promise<Item[]>;
  keypairs(userId: string): Promise<Item[]>;
  serverGroups(): Promise<Item[]>;
  resourceProviders(): Promise<Item[]>;
  inventories(uuid: string): Promise<Item>;
  usages(uuid: string): Promise<Item>;
  images(): Promise<Item[]>;
  volumes(): Promise<Item[]>;
  snapshots(): Promise<Item[]>;
  backups(): Promise<Item[]>;
  volumeTypes(): Promise<Item[]>;
  pools(): Promise<Item[]>;
  volumeZones(): Promise<Item[]>;
  neutron(resource: string, key: string): Promise<Item[]>;
  novaQuota(projectId: string): Promise<Item>;
  cinderQuota(projectId: string): Promise<Item>;
  neutronQuota(projectId: string): Promise<Item>;
}

/** At most `limit` of `fn` in flight (the orchestration both sides share). */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return out;
}

const NEUTRON: Array<[number, string, string]> = [
  [21, 'networks', 'networks'],
  [22, 'subnets', 'subnets'],
  [23, 'ports', 'ports'],
  [24, 'routers', 'routers'],
  [25, 'floatingips', 'floatingips'],
  [26, 'security-groups', 'security_groups'],
  [27, 'security-group-rules', 'security_group_rules'],
  [29, 'network-ip-availabilities', 'network_ip_availabilities'],
];

interface PlanResult {
  counts: Record<string, number>;
  times: Record<string, number>;
}

/**
 * Every listing of SPEC §1.2, in the order of INV-3: Keystone first; then Nova, Placement, Glance,
 * Cinder and Neutron side by side (each service has its own concurrency limit); quotas last, 8
 * projects in flight (INV-5). Fan-outs (group members, keypairs of server owners, resource provider
 * inventories and usages) run `CONCURRENCY` at a time.
 */
async function runPlan(l: Lister): Promise<PlanResult> {
  const counts: Record<string, number> = {};
  const times: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await fn();
    times[name] = performance.now() - t0;
    counts[name] = Array.isArray(v) ? v.length : Number(v);
    return v;
  };
  const fanOut = <T, R>(items: readonly T[], fn: (item: T) => Promise<R>) =>
    mapLimit(items, CONCURRENCY, fn);
  const total = (lists: Item[][]) => lists.reduce((n, x) => n + x.length, 0);

  const t0 = performance.now();
  const domains = await timed('1 domain', () => l.domains());
  const [projects] = await Promise.all([
    timed('2 project', () => l.projects()),
    timed('3 user (per domain)', () => l.users(domains)),
    timed('4 group (per domain) + members', async () => {
      const groups = await l.groups(domains);
      const members = await fanOut(groups, g => l.groupMembers(g.id));
      return groups.length + total(members);
    }),
    timed('5 role', () => l.roles()),
    timed('6 role_assignment (direct + effective)', async () =>
      (
        await Promise.all([l.roleAssignments(false), l.roleAssignments(true)])
      ).flat(),
    ),
  ]);
  times['= phase identity'] = performance.now() - t0;

  const t1 = performance.now();
  await Promise.all([
    // Nova
    timed('7 server + 13 keypair (per owner)', async () => {
      const servers = await l.servers();
      const owners = [...new Set(servers.map(s => String(s.user_id)))];
      const keypairs = await fanOut(owners, u => l.keypairs(u));
      counts['13 keypair'] = total(keypairs);
      counts['13 keypair owners'] = owners.length;
      return servers;
    }),
    timed('8 flavor', () => l.flavors()),
    timed('9 hypervisor', () => l.hypervisors()),
    timed('10 compute_service', () => l.computeServices()),
    timed('11 aggregate', () => l.aggregates()),
    timed('12 availability_zone (compute)', () => l.computeZones()),
    timed('14 server_group', () => l.serverGroups()),
    // Placement (capacity of 9)
    timed('9 placement providers + inventories + usages', async () => {
      const rps = await l.resourceProviders();
      await fanOut(rps, rp =>
        Promise.all([l.inventories(rp.uuid), l.usages(rp.uuid)]),
      );
      return rps;
    }),
    // Glance
    timed('15 image', () => l.images()),
    // Cinder
    timed('16 volume', () => l.volumes()),
    timed('17 volume_snapshot', () => l.snapshots()),
    timed('18 volume_backup', () => l.backups()),
    timed('19 volume_type', () => l.volumeTypes()),
    timed('20 storage_pool', () => l.pools()),
    timed('12 availability_zone (volume)', () => l.volumeZones()),
    // Neutron
    ...NEUTRON.map(([n, resource, key]) =>
      timed(`${n} ${key}`, () => l.neutron(resource, key)),
    ),
  ]);
  times['= phase services'] = performance.now() - t1;

  const t2 = performance.now();
  await timed('28 project_quota (3 services per project)', async () => {
    const quotas = await mapLimit(projects, 8, p =>
      Promise.all([
        l.novaQuota(p.id),
        l.cinderQuota(p.id),
        l.neutronQuota(p.id),
      ]),
    );
    return quotas.length * 3;
  });
  times['= phase quotas'] = performance.now() - t2;
  return { counts, times };
}

// ------------------------------------------------------------------ the client

function clientLister(c: OpenStackClient): Lister {
  const items = async <T extends { items: any[]; complete: boolean }>(
    what: string,
    p: Promise<T>,
  ): Promise<Item[]> => {
    const l = await p;
    if (!l.complete) throw new Error(`client: ${what} incomplete`);
    return l.items;
  };
  return {
    domains: () => items('domains', c.identity.listDomains()),
    projects: () => items('projects', c.identity.listProjects()),
    users: () => items('users', c.identity.listUsers()),
    groups: () => items('groups', c.identity.listGroups()),
    groupMembers: id => items('members', c.identity.listGroupUsers(id)),
    roles: () => items('roles', c.identity.listRoles()),
    roleAssignments: effective =>
      items('assignments', c.identity.listRoleAssignments({ effective })),
    servers: () => items('servers', c.compute.listServers()),
    flavors: () => items('flavors', c.compute.listFlavors()),
    hypervisors: () => items('hypervisors', c.compute.listHypervisors()),
    computeServices: () => items('services', c.compute.listServices()),
    aggregates: () => items('aggregates', c.compute.listAggregates()),
    computeZones: () => items('zones', c.compute.listAvailabilityZones()),
    keypairs: u => items('keypairs', c.compute.listKeypairs(u)),
    serverGroups: () => items('server groups', c.compute.listServerGroups()),
    resourceProviders: () =>
      items('providers', c.placement.listResourceProviders()),
    inventories: uuid => c.placement.getInventories(uuid),
    usages: uuid => c.placement.getUsages(uuid),
    images: () => items('images', c.image.listImages()),
    volumes: () => items('volumes', c.blockStorage.listVolumes()),
    snapshots: () => items('snapshots', c.blockStorage.listSnapshots()),
    backups: () => items('backups', c.blockStorage.listBackups()),
    volumeTypes: () => items('types', c.blockStorage.listVolumeTypes()),
    pools: () => items('pools', c.blockStorage.listPools()),
    volumeZones: () => items('zones', c.blockStorage.listAvailabilityZones()),
    neutron: (resource, key) => {
      const n = c.network as any;
      const method: Record<string, string> = {
        networks: 'listNetworks',
        subnets: 'listSubnets',
        ports: 'listPorts',
        routers: 'listRouters',
        floatingips: 'listFloatingIps',
        security_groups: 'listSecurityGroups',
        security_group_rules: 'listSecurityGroupRules',
        network_ip_availabilities: 'listNetworkIpAvailabilities',
      };
      return items(resource, n[method[key]]());
    },
    novaQuota: p => c.compute.getQuotaDetail(p),
    cinderQuota: p => c.blockStorage.getQuotaUsage(p),
    neutronQuota: p => c.network.getQuotaDetails(p),
  };
}

// ------------------------------------------------------------------ the floor

/** A counting semaphore per service (the floor's only bookkeeping). */
class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit)
      await new Promise<void>(r => this.queue.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

type Svc =
  | 'identity'
  | 'compute'
  | 'volume'
  | 'network'
  | 'image'
  | 'placement';
const MICROVERSION: Partial<Record<Svc, Record<string, string>>> = {
  compute: { 'X-OpenStack-Nova-API-Version': '2.79' },
  volume: { 'OpenStack-API-Version': 'volume 3.60' },
  placement: { 'OpenStack-API-Version': 'placement 1.29' },
};

type HttpGet = (
  url: string,
  headers: Record<string, string>,
) => Promise<{ status: number; text: string }>;

function undiciGet(dispatcher: Agent): HttpGet {
  return async (url, headers) => {
    const res = await undiciRequest(url, { headers, dispatcher });
    return { status: res.statusCode, text: await res.body.text() };
  };
}

const fetchGet: HttpGet = async (url, headers) => {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text() };
};

/** Password auth and the catalog's public endpoints, then plain GETs. */
async function floorLister(authUrl: string, get: HttpGet): Promise<Lister> {
  const authRes = await fetch(`${authUrl}/auth/tokens`, {
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
  const token = authRes.headers.get('x-subject-token')!;
  const catalog: any[] = (await authRes.json()).token.catalog;
  const endpoint = (...types: string[]) => {
    for (const type of types) {
      const svc = catalog.find(c => c.type === type);
      const ep = svc?.endpoints.find((e: any) => e.interface === 'public');
      if (ep) return String(ep.url).replace(/\/$/, '');
    }
    throw new Error(`no endpoint for ${types.join('/')}`);
  };
  const base: Record<Svc, string> = {
    identity: endpoint('identity'),
    compute: endpoint('compute'),
    volume: endpoint('block-storage', 'volumev3'),
    network: endpoint('network'),
    image: endpoint('image'),
    placement: endpoint('placement'),
  };
  const sems = new Map<Svc, Semaphore>();
  const getJson = async (svc: Svc, url: string): Promise<any> => {
    let sem = sems.get(svc);
    if (!sem) sems.set(svc, (sem = new Semaphore(CONCURRENCY)));
    const res = await sem.run(() =>
      get(url, {
        accept: 'application/json',
        'x-auth-token': token,
        ...(MICROVERSION[svc] ?? {}),
      }),
    );
    if (res.status >= 400) throw new Error(`floor: GET ${url}: ${res.status}`);
    return JSON.parse(res.text);
  };
  const one = async (svc: Svc, path: string, key: string) =>
    (await getJson(svc, `${base[svc]}${path}`))[key] as Item[];
  /** follows `<key>_links` rel=next (or Glance's relative `next`) as given */
  const paged = async (svc: Svc, path: string, key: string) => {
    const out: Item[] = [];
    let url: string | undefined = `${base[svc]}${path}${
      path.includes('?') ? '&' : '?'
    }limit=${PAGE_SIZE}`;
    while (url) {
      const body = await getJson(svc, url);
      const page: Item[] = body[key];
      for (const item of page) out.push(item);
      if (svc === 'image')
        url = body.next ? `${base.image}${body.next}` : undefined;
      else url = body[`${key}_links`]?.find((x: any) => x.rel === 'next')?.href;
    }
    return out;
  };
  const enc = encodeURIComponent;
  return {
    domains: () => one('identity', '/domains', 'domains'),
    projects: () => one('identity', '/projects', 'projects'),
    users: async domains =>
      (
        await mapLimit(domains, CONCURRENCY, d =>
          one('identity', `/users?domain_id=${enc(d.id)}`, 'users'),
        )
      ).flat(),
    groups: async domains =>
      (
        await mapLimit(domains, CONCURRENCY, d =>
          one('identity', `/groups?domain_id=${enc(d.id)}`, 'groups'),
        )
      ).flat(),
    groupMembers: id => one('identity', `/groups/${enc(id)}/users`, 'users'),
    roles: () => one('identity', '/roles', 'roles'),
    roleAssignments: effective =>
      one(
        'identity',
        `/role_assignments?include_names=true${
          effective ? '&effective=true' : ''
        }`,
        'role_assignments',
      ),
    servers: () => paged('compute', '/servers/detail?all_tenants=1', 'servers'),
    flavors: () =>
      paged('compute', '/flavors/detail?is_public=None', 'flavors'),
    hypervisors: () =>
      paged('compute', '/os-hypervisors/detail', 'hypervisors'),
    computeServices: () => one('compute', '/os-services', 'services'),
    aggregates: () => one('compute', '/os-aggregates', 'aggregates'),
    computeZones: () =>
      one('compute', '/os-availability-zone/detail', 'availabilityZoneInfo'),
    keypairs: u =>
      paged('compute', `/os-keypairs?user_id=${enc(u)}`, 'keypairs'),
    serverGroups: async () => {
      const out: Item[] = [];
      for (;;) {
        const page = await one(
          'compute',
          `/os-server-groups?all_projects=True&limit=${PAGE_SIZE}&offset=${out.length}`,
          'server_groups',
        );
        out.push(...page);
        if (page.length !== PAGE_SIZE) return out;
      }
    },
    resourceProviders: () =>
      one('placement', '/resource_providers', 'resource_providers'),
    inventories: async uuid =>
      (
        await getJson(
          'placement',
          `${base.placement}/resource_providers/${uuid}/inventories`,
        )
      ).inventories,
    usages: async uuid =>
      (
        await getJson(
          'placement',
          `${base.placement}/resource_providers/${uuid}/usages`,
        )
      ).usages,
    images: () => paged('image', '/v2/images?visibility=all', 'images'),
    volumes: () => paged('volume', '/volumes/detail?all_tenants=1', 'volumes'),
    snapshots: () =>
      paged('volume', '/snapshots/detail?all_tenants=1', 'snapshots'),
    backups: () => paged('volume', '/backups/detail?all_tenants=1', 'backups'),
    volumeTypes: () => one('volume', '/types?is_public=None', 'volume_types'),
    pools: () =>
      one('volume', '/scheduler-stats/get_pools?detail=true', 'pools'),
    volumeZones: () =>
      one('volume', '/os-availability-zone', 'availabilityZoneInfo'),
    neutron: (resource, key) => paged('network', `/v2.0/${resource}`, key),
    novaQuota: async p =>
      (
        await getJson(
          'compute',
          `${base.compute}/os-quota-sets/${enc(p)}/detail`,
        )
      ).quota_set,
    cinderQuota: async p =>
      (
        await getJson(
          'volume',
          `${base.volume}/os-quota-sets/${enc(p)}?usage=true`,
        )
      ).quota_set,
    neutronQuota: async p =>
      (
        await getJson(
          'network',
          `${base.network}/v2.0/quotas/${enc(p)}/details`,
        )
      ).quota,
  };
}

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
  const result = await runPlan(lister);
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
      'floor-undici': () => floorLister(sim.authUrl, undiciGet(floorAgent)),
      'floor-fetch': () => floorLister(sim.authUrl, fetchGet),
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
