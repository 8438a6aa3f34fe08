/**
 * The listing plan of SPEC §1.2 shared by the benchmarks, and its floor: bare paginated GETs of the
 * same URLs with the same page size and per-service concurrency (see bench/README.md). The client's
 * side (`clientLister`) and the floor (`floorLister`) both implement `Lister`; `runPlan` drives either.
 */
import { Agent, request as undiciRequest } from 'undici';
import type { OpenStackClient } from '../../plugins/pf9-inventory-backend/src/openstack';

export interface PlanOptions {
  /** requests in flight per service, and fan-out width */
  concurrency: number;
  /** page size of paginated listings */
  pageSize?: number;
}

export type Item = Record<string, any>;

/** What the plan needs from one side; each call returns the items it listed. */
export interface Lister {
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
export async function mapLimit<T, R>(
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

export interface PlanResult {
  counts: Record<string, number>;
  times: Record<string, number>;
}

/**
 * Every listing of SPEC §1.2, in the order of INV-3: Keystone first; then Nova, Placement, Glance,
 * Cinder and Neutron side by side (each service has its own concurrency limit); quotas last, 8
 * projects in flight (INV-5). Fan-outs (group members, keypairs of server owners, resource provider
 * inventories and usages) run `CONCURRENCY` at a time.
 */
export async function runPlan(
  l: Lister,
  options: PlanOptions,
): Promise<PlanResult> {
  const CONCURRENCY = options.concurrency;
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

export function clientLister(c: OpenStackClient): Lister {
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
export class Semaphore {
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

export type HttpGet = (
  url: string,
  headers: Record<string, string>,
) => Promise<{ status: number; text: string }>;

export function undiciGet(dispatcher: Agent): HttpGet {
  return async (url, headers) => {
    const res = await undiciRequest(url, { headers, dispatcher });
    return { status: res.statusCode, text: await res.body.text() };
  };
}

export const fetchGet: HttpGet = async (url, headers) => {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text() };
};

/** Password auth and the catalog's public endpoints, then plain GETs. */
export async function floorLister(
  authUrl: string,
  get: HttpGet,
  options: PlanOptions,
): Promise<Lister> {
  const CONCURRENCY = options.concurrency;
  const PAGE_SIZE = options.pageSize ?? 1000;
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
