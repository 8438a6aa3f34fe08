/**
 * Name resolution and derived fields (SPEC §1.3, INV-8 … INV-10), computed per run from the same run's
 * listings. A derived field whose source listing was incomplete is carried over from the stored row
 * (`carry`), so an incomplete neighbour never rewrites a resource's history.
 */
import type { KeystoneRoleAssignment } from '../openstack';
import { scopeTypeOf } from './collectors';
import {
  CollectedResource,
  CollectedType,
  InventoryType,
  JsonMap,
} from './types';

export interface StoredOwner {
  name: string | null;
  domainId: string | null;
  deleted: boolean;
}

export interface EnrichContext {
  types: Map<InventoryType, CollectedType>;
  effectiveAssignments: KeystoneRoleAssignment[] | null;
  /** stored projects, domains and users of the cloud (including deleted ones), for INV-8 fallbacks */
  storedProjects: Map<string, StoredOwner>;
  storedDomains: Map<string, StoredOwner>;
  storedUsers: Map<string, StoredOwner>;
  /** enrich only these types (the others are read, never changed); default: every type */
  only?: ReadonlySet<InventoryType>;
}

const OWNERS: InventoryType[] = ['project', 'domain'];

/**
 * The listings each type's enrichment reads (besides its own): a type can be enriched, and written,
 * as soon as these are collected. `user` reads the effective role assignments, which come with the
 * `role_assignment` listing.
 */
export const ENRICHMENT_SOURCES: Partial<
  Record<InventoryType, InventoryType[]>
> = {
  project: ['domain'],
  user: ['domain', 'role_assignment'],
  group: ['domain'],
  keypair: ['user', 'domain', 'server'],
  server: [
    ...OWNERS,
    'port',
    'floating_ip',
    'volume',
    'server_group',
    'flavor',
    'image',
    'network',
  ],
  volume: [...OWNERS, 'server'],
  port: [...OWNERS, 'network'],
  security_group: [
    ...OWNERS,
    'port',
    'server',
    'network',
    'security_group_rule',
  ],
  floating_ip: [...OWNERS, 'port', 'server'],
  router: [...OWNERS, 'port'],
  flavor: ['server'],
  image: [...OWNERS, 'server'],
  server_group: OWNERS,
  volume_snapshot: OWNERS,
  volume_backup: OWNERS,
  network: OWNERS,
  subnet: OWNERS,
  security_group_rule: OWNERS,
  network_ip_availability: OWNERS,
  project_quota: OWNERS,
  role_assignment: OWNERS,
};

const sortedUnique = <T>(values: T[]): T[] =>
  [
    ...new Set(values.filter(v => v !== null && v !== undefined && v !== '')),
  ].sort();

/** Appends to the list of a key (building lists by copying them made enrichment quadratic). */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function enrich(ctx: EnrichContext): void {
  const { types } = ctx;
  const want = (t: InventoryType) => !ctx.only || ctx.only.has(t);
  const list = (t: InventoryType) => types.get(t)?.resources ?? [];
  const complete = (...ts: InventoryType[]) =>
    ts.every(t => types.get(t)?.complete === true);
  const byId = (t: InventoryType) =>
    new Map(list(t).map(r => [r.id, r] as const));
  const carryUnless = (r: CollectedResource, ok: boolean, fields: string[]) => {
    if (!ok) r.carry = [...(r.carry ?? []), ...fields];
  };

  // ---- owners (INV-8)
  const projects = byId('project');
  const domains = byId('domain');
  const projectsComplete = complete('project');
  const domainsComplete = complete('domain');
  const domainName = (id: string | null): string | null => {
    if (!id) return null;
    return domains.get(id)?.name ?? ctx.storedDomains.get(id)?.name ?? null;
  };
  const resolveOwner = (r: CollectedResource) => {
    const pid = r.projectId;
    if (!pid) return;
    const p = projects.get(pid);
    if (p) {
      r.domainId = p.domainId;
      Object.assign(r.derived, {
        project_name: p.name,
        domain_id: p.domainId,
        domain_name: domainName(p.domainId),
        owner_state: 'ok',
      });
      return;
    }
    const stored = ctx.storedProjects.get(pid);
    if (stored) {
      r.domainId = stored.domainId;
      Object.assign(r.derived, {
        project_name: stored.name,
        domain_id: stored.domainId,
        domain_name: domainName(stored.domainId),
        // absent from a complete listing: gone; from an incomplete one: last known record
        owner_state: stored.deleted || projectsComplete ? 'deleted' : 'ok',
      });
      return;
    }
    Object.assign(r.derived, {
      project_name: null,
      domain_id: null,
      domain_name: null,
      owner_state: projectsComplete ? 'unknown' : 'unresolved',
    });
  };

  for (const p of want('project') ? list('project') : []) {
    p.derived.domain_name = domainName(p.domainId);
    carryUnless(p, domainsComplete || !!domains.get(p.domainId ?? ''), [
      'domain_name',
    ]);
  }
  for (const t of ['user', 'group'] as const) {
    if (!want(t)) continue;
    for (const r of list(t)) r.derived.domain_name = domainName(r.domainId);
  }

  const projectOwned: InventoryType[] = [
    'server',
    'server_group',
    'image',
    'volume',
    'volume_snapshot',
    'volume_backup',
    'network',
    'subnet',
    'port',
    'router',
    'floating_ip',
    'security_group',
    'security_group_rule',
    'network_ip_availability',
    'project_quota',
    'role_assignment',
  ];

  // INV-9: a port without a project inherits its network's owner
  const networks = byId('network');
  for (const port of want('port') ? list('port') : []) {
    if (port.projectId) continue;
    const net = networks.get(String(port.key.network_id));
    if (net?.projectId) {
      port.projectId = net.projectId;
      port.derived.owner_inherited = true;
    }
  }
  for (const t of projectOwned) {
    if (!want(t)) continue;
    for (const r of list(t)) {
      if (t === 'role_assignment' && !r.projectId) continue;
      resolveOwner(r);
    }
  }

  // keypairs are owned by a user: their domain is the user's domain
  const users = byId('user');
  for (const k of want('keypair') ? list('keypair') : []) {
    const uid = String(k.key.user_id);
    const u = users.get(uid);
    const stored = ctx.storedUsers.get(uid);
    k.domainId = u?.domainId ?? stored?.domainId ?? null;
    k.derived.user_name = u?.name ?? stored?.name ?? null;
    k.derived.domain_id = k.domainId;
    k.derived.domain_name = domainName(k.domainId);
  }

  // ---- servers (INV-10)
  const ports = list('port');
  const fips = list('floating_ip');
  const volumes = list('volume');
  const serverGroups = list('server_group');
  const flavorsByName = new Map(
    list('flavor').map(f => [String(f.key.name), f.id] as const),
  );
  const images = byId('image');
  const computePorts = ports.filter(p =>
    String(p.key.device_owner ?? '').startsWith('compute:'),
  );
  const servers = list('server');
  const serversById = new Map(servers.map(s => [s.id, s] as const));
  if (want('server'))
    enrichServers(servers, {
      computePorts,
      fips,
      volumes,
      serverGroups,
      flavorsByName,
      images,
      networks,
      complete,
      carryUnless,
    });

  // ---- volumes
  for (const v of want('volume') ? volumes : []) {
    const ids = sortedUnique(
      ((v.key.attachments as JsonMap[]) ?? []).map(a => String(a.server_id)),
    );
    v.derived.attached_server_ids = ids;
    v.derived.attached_server_names = sortedUnique(
      ids.map(id => serversById.get(id)?.name ?? null),
    );
    carryUnless(v, complete('server'), ['attached_server_names']);
  }

  // ---- security groups
  const rulesByGroup = new Map<string, CollectedResource[]>();
  const securityGroups = want('security_group') ? list('security_group') : [];
  for (const r of securityGroups.length ? list('security_group_rule') : []) {
    const g = String(r.key.security_group_id);
    pushTo(rulesByGroup, g, r);
  }
  const computePortsByGroup = new Map<string, CollectedResource[]>();
  for (const p of securityGroups.length ? computePorts : []) {
    for (const g of new Set((p.key.security_group_ids as string[]) ?? []))
      pushTo(computePortsByGroup, g, p);
  }
  for (const g of securityGroups) {
    const gp = computePortsByGroup.get(g.id) ?? [];
    const serverIds = sortedUnique(gp.map(p => String(p.key.device_id)));
    const networkIds = sortedUnique(gp.map(p => String(p.key.network_id)));
    const rules = rulesByGroup.get(g.id) ?? [];
    const ingress = rules.filter(r => r.key.direction === 'ingress').length;
    Object.assign(g.derived, {
      attached_server_ids: serverIds,
      attached_server_names: sortedUnique(
        serverIds.map(id => serversById.get(id)?.name ?? null),
      ),
      attached_server_count: serverIds.length,
      attached_network_ids: networkIds,
      attached_network_names: sortedUnique(
        networkIds.map(id => networks.get(id)?.name ?? null),
      ),
      attached_network_count: networkIds.length,
      ingress_rule_count: ingress,
      egress_rule_count: rules.length - ingress,
      total_rule_count: rules.length,
    });
    carryUnless(g, complete('port', 'server'), [
      'attached_server_ids',
      'attached_server_names',
      'attached_server_count',
    ]);
    carryUnless(g, complete('port', 'network'), [
      'attached_network_ids',
      'attached_network_names',
      'attached_network_count',
    ]);
    carryUnless(g, complete('security_group_rule'), [
      'ingress_rule_count',
      'egress_rule_count',
      'total_rule_count',
    ]);
  }

  // ---- floating IPs, routers
  const portsById = new Map(
    want('floating_ip') ? ports.map(p => [p.id, p] as const) : [],
  );
  for (const f of want('floating_ip') ? fips : []) {
    const port = f.key.port_id
      ? portsById.get(String(f.key.port_id))
      : undefined;
    const serverId =
      port && String(port.key.device_owner ?? '').startsWith('compute:')
        ? String(port.key.device_id)
        : null;
    f.derived.server_id = serverId;
    f.derived.server_name = serverId
      ? serversById.get(serverId)?.name ?? null
      : null;
    carryUnless(f, complete('port', 'server'), ['server_id', 'server_name']);
  }
  const routerInterfaces = new Map<unknown, CollectedResource[]>();
  for (const p of want('router') ? ports : []) {
    if (String(p.key.device_owner ?? '').startsWith('network:router_interface'))
      pushTo(routerInterfaces, p.key.device_id, p);
  }
  for (const r of want('router') ? list('router') : []) {
    r.derived.interface_subnet_ids = sortedUnique(
      (routerInterfaces.get(r.id) ?? []).flatMap(p =>
        ((p.key.fixed_ips as JsonMap[]) ?? []).map(f => String(f.subnet_id)),
      ),
    );
    carryUnless(r, complete('port'), ['interface_subnet_ids']);
  }

  // ---- usage counts
  const countBy = (values: Array<string | null>) => {
    const m = new Map<string, number>();
    for (const v of values) if (v) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };
  const byFlavor = countBy(servers.map(s => String(s.key.flavor_name)));
  for (const f of want('flavor') ? list('flavor') : []) {
    f.derived.server_count = byFlavor.get(String(f.key.name)) ?? 0;
    carryUnless(f, complete('server'), ['server_count']);
  }
  const byImage = countBy(servers.map(s => s.key.image_id as string | null));
  for (const i of want('image') ? list('image') : []) {
    i.derived.server_count = byImage.get(i.id) ?? 0;
    carryUnless(i, complete('server'), ['server_count']);
  }
  const byKeypair = countBy(
    servers.map(s =>
      s.key.key_name ? `${s.key.user_id}/${s.key.key_name}` : null,
    ),
  );
  for (const k of want('keypair') ? list('keypair') : []) {
    k.derived.server_count = byKeypair.get(k.id) ?? 0;
    carryUnless(k, complete('server'), ['server_count']);
  }

  // ---- users: effective roles from the effective assignments (INV-13)
  const effectiveRoles = new Map<string, string[]>();
  for (const a of want('user') ? ctx.effectiveAssignments ?? [] : []) {
    if (!a.user) continue;
    const scope =
      a.scope.project?.name ??
      a.scope.project?.id ??
      a.scope.domain?.name ??
      a.scope.domain?.id ??
      (a.scope.system ? 'system' : '?');
    const kind = scopeTypeOf(a.scope);
    pushTo(
      effectiveRoles,
      a.user.id,
      `${a.role.name ?? a.role.id}@${kind}:${scope}`,
    );
  }
  for (const u of want('user') ? list('user') : []) {
    u.derived.effective_roles = sortedUnique(effectiveRoles.get(u.id) ?? []);
    carryUnless(u, ctx.effectiveAssignments !== null, ['effective_roles']);
  }
}

interface ServerSources {
  computePorts: CollectedResource[];
  fips: CollectedResource[];
  volumes: CollectedResource[];
  serverGroups: CollectedResource[];
  flavorsByName: Map<string, string>;
  images: Map<string, CollectedResource>;
  networks: Map<string, CollectedResource>;
  complete: (...ts: InventoryType[]) => boolean;
  carryUnless: (r: CollectedResource, ok: boolean, fields: string[]) => void;
}

/** INV-10: a server's addresses, networks, volumes, groups, flavor and image. */
function enrichServers(
  servers: CollectedResource[],
  {
    computePorts,
    fips,
    volumes,
    serverGroups,
    flavorsByName,
    images,
    networks,
    complete,
    carryUnless,
  }: ServerSources,
): void {
  const portsByDevice = new Map<string, CollectedResource[]>();
  for (const p of computePorts) {
    const d = String(p.key.device_id ?? '');
    pushTo(portsByDevice, d, p);
  }
  const fipByPort = new Map<string, CollectedResource[]>();
  for (const f of fips) {
    const pid = f.key.port_id as string | null;
    if (pid) pushTo(fipByPort, pid, f);
  }
  const volumesByServer = new Map<string, CollectedResource[]>();
  for (const v of volumes) {
    for (const a of (v.key.attachments as JsonMap[]) ?? []) {
      const sid = String(a.server_id);
      pushTo(volumesByServer, sid, v);
    }
  }
  const groupsByServer = new Map<string, string[]>();
  for (const g of serverGroups) {
    for (const m of (g.key.members as string[]) ?? []) {
      pushTo(groupsByServer, m, g.id);
    }
  }
  for (const s of servers) {
    const sp = portsByDevice.get(s.id) ?? [];
    const vols = [
      ...new Map(
        (volumesByServer.get(s.id) ?? []).map(v => [v.id, v]),
      ).values(),
    ];
    const imageId = s.key.image_id as string | null;
    Object.assign(s.derived, {
      fixed_ips: sortedUnique(
        sp.flatMap(p =>
          ((p.key.fixed_ips as JsonMap[]) ?? []).map(f => String(f.ip_address)),
        ),
      ),
      port_ids: sortedUnique(sp.map(p => p.id)),
      network_ids: sortedUnique(sp.map(p => String(p.key.network_id))),
      network_names: sortedUnique(
        sp.map(p => networks.get(String(p.key.network_id))?.name ?? null),
      ),
      floating_ips: sortedUnique(
        sp.flatMap(p =>
          (fipByPort.get(p.id) ?? []).map(f =>
            String(f.key.floating_ip_address),
          ),
        ),
      ),
      attached_volume_ids: sortedUnique(vols.map(v => v.id)),
      volume_count: vols.length,
      volume_gb: vols.reduce((n, v) => n + (Number(v.key.size_gb) || 0), 0),
      server_group_ids: sortedUnique(groupsByServer.get(s.id) ?? []),
      flavor_id: flavorsByName.get(String(s.key.flavor_name)) ?? null,
      image_name: imageId ? images.get(imageId)?.name ?? null : null,
    });
    carryUnless(s, complete('port', 'network'), [
      'fixed_ips',
      'port_ids',
      'network_ids',
      'network_names',
    ]);
    carryUnless(s, complete('port', 'floating_ip'), ['floating_ips']);
    carryUnless(s, complete('volume'), [
      'attached_volume_ids',
      'volume_count',
      'volume_gb',
    ]);
    carryUnless(s, complete('server_group'), ['server_group_ids']);
    carryUnless(s, complete('flavor'), ['flavor_id']);
    carryUnless(s, complete('image'), ['image_name']);
  }
}
