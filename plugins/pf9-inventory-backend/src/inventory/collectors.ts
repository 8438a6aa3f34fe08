/**
 * Collectors: one per resource type of SPEC §1.2, in the order of INV-3 (Keystone, Nova, Glance,
 * Cinder, Neutron, Placement with the hypervisors, quotas last). They only read OpenStack through the
 * one client and report, per type, whether the listing was complete (OSC-4, OSC-6, INV-11).
 */
import {
  CinderAvailabilityZone,
  CinderSnapshot,
  KeystoneDomain,
  KeystoneGroup,
  KeystoneProject,
  KeystoneRoleAssignment,
  KeystoneUser,
  Listing,
  NovaServer,
  OpenStackClient,
  OpenStackError,
  ProviderInventory,
  mapWithConcurrency,
} from '../openstack';
import { listKeystone } from '../openstack/paging';
import {
  CollectedResource,
  CollectedType,
  InventoryType,
  JsonMap,
  PartitionOutcome,
} from './types';

export interface CollectOptions {
  /** users whose keypairs were stored before (their keypairs are re-listed so deletions are seen) */
  knownKeypairUserIds?: string[];
  /** quota calls in flight (INV-5) */
  quotaConcurrency?: number;
  /**
   * Called with each type as soon as its listing is done (the sync writes it while others are still
   * listed); the type is final then. The effective role assignments are final when `role_assignment` is.
   */
  onType?: (
    t: CollectedType,
    effectiveAssignments: EffectiveAssignments,
  ) => void;
}

/** The effective role assignments as listed, or null when their listing was not complete. */
type EffectiveAssignments = KeystoneRoleAssignment[] | null;

const str = (v: unknown): string | null =>
  v === undefined || v === null || v === '' ? null : String(v);
function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === undefined || v === null || v === '') return null;
  return Number(v);
}
function bool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  return null;
}
export function scopeTypeOf(scope: KeystoneRoleAssignment['scope']): string {
  if (scope.project) return 'project';
  if (scope.domain) return 'domain';
  if (scope.system) return 'system';
  return 'unknown';
}
function listingStatus(l: {
  complete: boolean;
  failed: boolean;
}): PartitionOutcome['status'] {
  if (l.complete) return 'ok';
  return l.failed ? 'error' : 'truncated';
}
const ownerOf = (o: JsonMap): string | null =>
  str(o.project_id) ?? str(o.tenant_id);

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function partitionStatus(e: unknown): PartitionOutcome['status'] {
  if (e instanceof OpenStackError) {
    if (e.status === 403) return 'access_denied';
    if (e.status === 501) return 'not_supported';
  }
  return 'error';
}

function resource(
  id: string,
  fields: {
    name?: unknown;
    projectId?: unknown;
    domainId?: unknown;
    status?: unknown;
    key: JsonMap;
    raw: JsonMap | null;
    partition?: string;
    searchExtra?: string[];
  },
): CollectedResource {
  return {
    id,
    name: str(fields.name),
    projectId: str(fields.projectId),
    domainId: str(fields.domainId),
    status: str(fields.status),
    key: fields.key,
    raw: fields.raw ? JSON.stringify(fields.raw) : null,
    derived: {},
    partition: fields.partition,
    searchExtra: fields.searchExtra,
  };
}

/** A Cinder snapshot as a `volume_snapshot` resource (also used for snapshots the snapshot engine made). */
export function volumeSnapshotResource(s: CinderSnapshot): CollectedResource {
  const metadata = s.metadata ?? {};
  return resource(s.id, {
    name: s.name,
    projectId: s['os-extended-snapshot-attributes:project_id'],
    status: s.status,
    key: {
      id: s.id,
      name: s.name,
      description: s.description ?? null,
      project_id: s['os-extended-snapshot-attributes:project_id'] ?? null,
      volume_id: s.volume_id,
      size_gb: num(s.size),
      status: s.status,
      metadata,
      created_at: s.created_at ?? null,
      managed: metadata.created_by === 'p9_auto_snapshots',
      policy: metadata.policy ?? null,
      period: metadata.period ?? null,
    },
    raw: s,
  });
}

/** Runs one listing, timing it and turning an exception into a failed type. */
async function collect<T>(
  type: InventoryType,
  list: () => Promise<Listing<T>>,
  map: (item: T) => CollectedResource | CollectedResource[] | undefined,
): Promise<CollectedType & { items: T[] }> {
  const started = Date.now();
  try {
    const listing = await list();
    const resources = listing.items.flatMap(item => map(item) ?? []);
    return {
      type,
      complete: listing.complete,
      failed: false,
      resources,
      pages: listing.pages,
      durationMs: Date.now() - started,
      ...(listing.reason ? { error: listing.reason } : {}),
      items: listing.items,
    };
  } catch (e) {
    const partial = e instanceof OpenStackError ? e.partial : undefined;
    return {
      type,
      complete: false,
      failed: true,
      resources: [],
      pages: partial?.pages ?? 0,
      durationMs: Date.now() - started,
      error: describeError(e),
      items: [],
    };
  }
}

function strip<T extends CollectedType & { items?: unknown }>(
  t: T,
): CollectedType {
  const { items: _items, ...rest } = t;
  return rest;
}

/** Per-partition listing (users and groups of each domain, quotas of each project). */
async function collectPartitioned<P>(
  type: InventoryType,
  partitions: P[],
  keyOf: (p: P) => string,
  list: (p: P) => Promise<{
    resources: CollectedResource[];
    complete: boolean;
    pages: number;
    reason?: string;
  }>,
  concurrency: number,
  parentComplete: boolean,
  parentReason?: string,
): Promise<CollectedType> {
  const started = Date.now();
  const outcomes: PartitionOutcome[] = [];
  const resources: CollectedResource[] = [];
  let pages = 0;
  await mapWithConcurrency(partitions, concurrency, async p => {
    const partition = keyOf(p);
    try {
      const part = await list(p);
      pages += part.pages;
      outcomes.push({
        partition,
        status: part.complete ? 'ok' : 'truncated',
        count: part.resources.length,
        ...(part.reason ? { error: part.reason } : {}),
      });
      for (const r of part.resources) resources.push({ ...r, partition });
    } catch (e) {
      outcomes.push({
        partition,
        status: partitionStatus(e),
        count: 0,
        error: describeError(e),
      });
    }
  });
  outcomes.sort((a, b) => (a.partition < b.partition ? -1 : 1));
  const bad = outcomes.filter(o => o.status !== 'ok');
  const reasons = [
    ...(parentComplete ? [] : [parentReason ?? 'parent listing incomplete']),
    ...bad.map(
      o => `${o.partition}: ${o.status}${o.error ? ` (${o.error})` : ''}`,
    ),
  ];
  return {
    type,
    complete: reasons.length === 0,
    failed: partitions.length > 0 && bad.length === partitions.length,
    resources,
    pages,
    durationMs: Date.now() - started,
    partitions: outcomes,
    unlistedPartitionsComplete: parentComplete,
    ...(reasons.length ? { error: reasons.join('; ') } : {}),
  };
}

function hostsOf(hosts: unknown): string[] {
  return hosts && typeof hosts === 'object' ? Object.keys(hosts).sort() : [];
}

function roleAssignmentResource(
  a: KeystoneRoleAssignment,
  effective: boolean,
): CollectedResource | undefined {
  const actor = a.user ?? a.group;
  if (!actor) return undefined;
  const actorType = a.user ? 'user' : 'group';
  const scopeType = scopeTypeOf(a.scope);
  const scopeId =
    a.scope.project?.id ?? a.scope.domain?.id ?? (a.scope.system ? 'all' : '');
  const scopeName =
    a.scope.project?.name ??
    a.scope.domain?.name ??
    (a.scope.system ? 'system' : null);
  const inherited = !!a.scope['OS-INHERIT:inherited_to'];
  const id = [
    actorType,
    actor.id,
    a.role.id,
    scopeType,
    scopeId,
    inherited ? 'inherited' : 'direct',
    ...(effective ? ['effective'] : []),
  ].join('/');
  const scopeDomain = a.scope.project?.domain?.id ?? a.scope.domain?.id ?? null;
  return resource(id, {
    name: `${actor.name ?? actor.id} → ${a.role.name ?? a.role.id} on ${
      scopeName ?? scopeId
    }`,
    projectId: a.scope.project?.id,
    domainId: scopeDomain,
    key: {
      actor_type: actorType,
      actor_id: actor.id,
      actor_name: actor.name ?? null,
      actor_domain_id: actor.domain?.id ?? null,
      actor_domain_name: actor.domain?.name ?? null,
      role_id: a.role.id,
      role_name: a.role.name ?? null,
      scope_type: scopeType,
      scope_id: scopeId,
      scope_name: scopeName,
      inherited,
      effective,
    },
    raw: a as JsonMap,
    partition: effective ? 'effective' : 'direct',
  });
}

export interface CollectResult {
  types: Map<InventoryType, CollectedType>;
  /** the raw effective assignments, for user.effective_roles */
  effectiveAssignments: EffectiveAssignments;
}

/** Collects every type; never throws for a failed listing (the type says so instead). */
export async function collectAll(
  client: OpenStackClient,
  options: CollectOptions = {},
): Promise<CollectResult> {
  const types = new Map<InventoryType, CollectedType>();
  let effectiveAssignments: EffectiveAssignments = null;
  const put = (t: CollectedType) => {
    types.set(t.type, t);
    options.onType?.(t, effectiveAssignments);
  };
  const admin = await client.isAdmin();
  const notAdmin = 'scope not confirmed: the token has no admin role';

  // ---- Keystone
  const domains = await collect<KeystoneDomain>(
    'domain',
    () => client.identity.listDomains(),
    d =>
      resource(d.id, {
        name: d.name,
        domainId: d.id,
        status: d.enabled === false ? 'disabled' : 'enabled',
        key: {
          id: d.id,
          name: d.name,
          description: d.description ?? null,
          enabled: d.enabled ?? null,
        },
        raw: d,
      }),
  );
  put(strip(domains));

  // the listings below run side by side (each service's requests share its concurrency limit)
  const projectsP = collect<KeystoneProject>(
    'project',
    () => client.identity.listProjects(),
    p =>
      resource(p.id, {
        name: p.name,
        projectId: p.id,
        domainId: p.domain_id,
        status: p.enabled === false ? 'disabled' : 'enabled',
        key: {
          id: p.id,
          name: p.name,
          domain_id: p.domain_id,
          parent_id: p.parent_id ?? null,
          is_domain: p.is_domain ?? null,
          enabled: p.enabled ?? null,
          description: p.description ?? null,
          tags: p.tags ?? [],
        },
        raw: p,
      }),
  );

  const domainList = domains.items;
  const domainsComplete = domains.complete && admin;
  const userResource = (u: KeystoneUser) =>
    resource(u.id, {
      name: u.name,
      domainId: u.domain_id,
      status: u.enabled === false ? 'disabled' : 'enabled',
      key: {
        id: u.id,
        name: u.name,
        domain_id: u.domain_id,
        email: u.email ?? null,
        enabled: u.enabled ?? null,
        description: u.description ?? null,
        default_project_id: u.default_project_id ?? null,
        password_expires_at: u.password_expires_at ?? null,
        options: u.options ?? {},
        federated: Array.isArray(u.federated) && u.federated.length > 0,
        source: 'listing',
      },
      raw: u,
    });
  const usersP = collectPartitioned(
    'user',
    domainList,
    d => d.id,
    async d => {
      const part = await client.identity.listUsersOfDomain(d.id);
      return {
        resources: part.items.map(userResource),
        complete: part.complete && admin,
        pages: part.pages,
        reason: admin ? part.reason : notAdmin,
      };
    },
    8,
    domainsComplete,
    domains.error ?? notAdmin,
  );

  const groupsP = collectPartitioned(
    'group',
    domainList,
    d => d.id,
    async d => {
      const part = await listKeystone<KeystoneGroup>(
        client.session,
        '/groups',
        'groups',
        { domain_id: d.id },
      );
      let pages = part.pages;
      let complete = part.complete && admin;
      const reasons = [part.reason, admin ? undefined : notAdmin];
      const resources: CollectedResource[] = [];
      for (const g of part.items) {
        // a failed member listing throws: the whole domain partition is then kept as it was
        const members = await client.identity.listGroupUsers(g.id);
        pages += members.pages;
        if (!members.complete) {
          complete = false;
          reasons.push(`members of ${g.id}: ${members.reason}`);
        }
        resources.push(
          resource(g.id, {
            name: g.name,
            domainId: g.domain_id,
            key: {
              id: g.id,
              name: g.name,
              domain_id: g.domain_id,
              description: g.description ?? null,
              member_user_ids: members.items.map(m => m.id),
            },
            raw: g,
          }),
        );
      }
      return {
        resources,
        complete,
        pages,
        reason: reasons.filter(Boolean).join('; ') || undefined,
      };
    },
    8,
    domainsComplete,
    domains.error ?? notAdmin,
  );

  const rolesP = (async () => {
    put(
      strip(
        await collect(
          'role',
          () => client.identity.listRoles(),
          r =>
            resource(r.id, {
              name: r.name,
              domainId: r.domain_id,
              key: {
                id: r.id,
                name: r.name,
                domain_id: r.domain_id ?? null,
                description: r.description ?? null,
              },
              raw: r,
            }),
        ),
      ),
    );
  })();

  // Role assignments: the direct listing is the stored truth; the effective one is a second partition.
  const started = Date.now();
  const directP = collect(
    'role_assignment',
    () => client.identity.listRoleAssignments(),
    a => roleAssignmentResource(a, false),
  );
  const effectiveP = collect(
    'role_assignment',
    () => client.identity.listRoleAssignments({ effective: true }),
    a => roleAssignmentResource(a, true),
  );
  const [projects, users, groups, direct, effective] = await Promise.all([
    projectsP,
    usersP,
    groupsP,
    directP,
    effectiveP,
    rolesP,
  ]);
  put(strip(projects));
  if (domains.failed) users.failed = true;
  if (domains.failed) groups.failed = true;
  put(groups);
  const raPartitions: PartitionOutcome[] = [direct, effective].map((l, i) => ({
    partition: i === 0 ? 'direct' : 'effective',
    status: listingStatus(l),
    count: l.resources.length,
    ...(l.error ? { error: l.error } : {}),
  }));
  effectiveAssignments = effective.complete ? effective.items : null;
  put({
    type: 'role_assignment',
    complete: direct.complete && effective.complete,
    failed: direct.failed && effective.failed,
    resources: [...direct.resources, ...effective.resources],
    pages: direct.pages + effective.pages,
    durationMs: Date.now() - started,
    partitions: raPartitions,
    ...(direct.error || effective.error
      ? {
          error: [direct.error, effective.error].filter(Boolean).join('; '),
        }
      : {}),
  });
  // INV-11: users known only from an assignment, in domains whose user listing was not ok
  const listedUsers = new Set(users.resources.map(r => r.id));
  const okDomains = new Set(
    (users.partitions ?? [])
      .filter(p => p.status === 'ok')
      .map(p => p.partition),
  );
  const assignmentOnly = new Map<string, CollectedResource>();
  for (const a of direct.items) {
    const u = a.user;
    if (
      !u ||
      listedUsers.has(u.id) ||
      !u.domain?.id ||
      okDomains.has(u.domain.id)
    )
      continue;
    const r = resource(u.id, {
      name: u.name,
      domainId: u.domain.id,
      key: {
        id: u.id,
        name: u.name ?? null,
        domain_id: u.domain.id,
        source: 'assignment_only',
      },
      raw: null,
      partition: u.domain.id,
    });
    r.onlyIfAbsent = true;
    assignmentOnly.set(u.id, r);
  }
  users.resources.push(...assignmentOnly.values());
  put(users);

  // ---- Nova, Placement, Glance, Cinder and Neutron side by side (each service has its own
  // concurrency limit in the client); quotas last.
  const services: Array<Promise<void>> = [];
  // ---- Nova
  services.push(
    (async () => {
      const servers = await collect<NovaServer>(
        'server',
        () => client.compute.listServers(),
        s => serverResource(s),
      );
      put(strip(servers));
      // Keypairs: per user owning a server (plus users whose keypairs we stored before), one partition each.
      const keypairUsers = [
        ...new Set([
          ...servers.items
            .map(s => str(s.user_id))
            .filter((u): u is string => !!u),
          ...(options.knownKeypairUserIds ?? []),
        ]),
      ].sort();
      put(
        await collectPartitioned(
          'keypair',
          keypairUsers,
          u => u,
          async userId => {
            const l = await client.compute.listKeypairs(userId);
            return {
              resources: l.items.map(k =>
                resource(`${userId}/${k.name}`, {
                  name: k.name,
                  key: {
                    name: k.name,
                    user_id: userId,
                    type: k.type ?? null,
                    fingerprint: k.fingerprint ?? null,
                    created_at: k.created_at ?? null,
                  },
                  raw: k,
                }),
              ),
              complete: l.complete && admin,
              pages: l.pages,
              reason: admin ? l.reason : notAdmin,
            };
          },
          8,
          servers.complete,
          servers.error,
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      const flavors = await collect(
        'flavor',
        () => client.compute.listFlavors(),
        f =>
          resource(f.id, {
            name: f.name,
            key: {
              id: f.id,
              name: f.name,
              vcpus: num(f.vcpus),
              ram_mb: num(f.ram),
              disk_gb: num(f.disk),
              ephemeral_gb: num(f['OS-FLV-EXT-DATA:ephemeral']),
              swap_mb: num(f.swap) ?? 0,
              is_public: f['os-flavor-access:is_public'] ?? null,
              extra_specs: f.extra_specs ?? null,
            },
            raw: f,
          }),
      );
      // Below microversion 2.61 the extra specs are not embedded: fetch them one by one.
      for (const f of flavors.resources) {
        if (f.key.extra_specs !== null) continue;
        try {
          f.key.extra_specs = await client.compute.getFlavorExtraSpecs(f.id);
        } catch (e) {
          flavors.complete = false;
          flavors.error = `extra specs of ${f.id}: ${describeError(e)}`;
        }
      }
      put(strip(flavors));
    })(),
  );

  services.push(
    (async () => {
      const hypervisors = await collect(
        'hypervisor',
        () => client.compute.listHypervisors(),
        h =>
          resource(String(h.id), {
            name: h.hypervisor_hostname,
            status: h.state,
            key: {
              id: String(h.id),
              hostname: h.hypervisor_hostname,
              host_ip: h.host_ip ?? null,
              hypervisor_type: h.hypervisor_type ?? null,
              version: h.hypervisor_version ?? null,
              state: h.state ?? null,
              status: h.status ?? null,
              disabled_reason:
                (h.service as JsonMap | undefined)?.disabled_reason ?? null,
            },
            raw: h,
          }),
      );
      // INV-6: capacity from Placement only; unreachable Placement gives null capacity, flagged.
      let providers: Map<string, Record<string, JsonMap | null>> | null = null;
      let placementError: string | undefined;
      if (hypervisors.resources.length) {
        try {
          const rps = await client.placement.listResourceProviders();
          providers = new Map();
          await mapWithConcurrency(rps.items, 8, async rp => {
            const [inventories, usages] = await Promise.all([
              client.placement.getInventories(rp.uuid),
              client.placement.getUsages(rp.uuid),
            ]);
            const capacity: Record<string, JsonMap | null> = {};
            for (const rc of ['VCPU', 'MEMORY_MB', 'DISK_GB']) {
              const inv: ProviderInventory | undefined = inventories[rc];
              capacity[rc] = inv
                ? {
                    total: inv.total,
                    reserved: inv.reserved,
                    allocation_ratio: inv.allocation_ratio,
                    used: usages[rc] ?? 0,
                  }
                : null;
            }
            providers!.set(rp.uuid, capacity);
            providers!.set(`name:${rp.name}`, capacity);
          });
        } catch (e) {
          providers = null;
          placementError = describeError(e);
        }
      }
      for (const h of hypervisors.resources) {
        const capacity =
          providers?.get(h.id) ?? providers?.get(`name:${h.name}`) ?? null;
        h.key.capacity = capacity;
        h.key.capacity_source = capacity ? 'placement' : 'unavailable';
        if (!capacity && placementError) h.key.capacity_error = placementError;
      }
      put(strip(hypervisors));
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'compute_service',
            () => client.compute.listServices(),
            s =>
              resource(String(s.id), {
                name: `${s.binary}@${s.host}`,
                status: s.state,
                key: {
                  id: String(s.id),
                  binary: s.binary,
                  host: s.host,
                  zone: s.zone ?? null,
                  status: s.status,
                  state: s.state,
                  disabled_reason: s.disabled_reason ?? null,
                  forced_down: s.forced_down ?? null,
                  updated_at: s.updated_at ?? null,
                },
                raw: s,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'aggregate',
            () => client.compute.listAggregates(),
            a =>
              resource(String(a.id), {
                name: a.name,
                key: {
                  id: String(a.id),
                  uuid: a.uuid ?? null,
                  name: a.name,
                  availability_zone: a.availability_zone ?? null,
                  hosts: a.hosts ?? [],
                  metadata: a.metadata ?? {},
                },
                raw: a,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      const azStarted = Date.now();
      const computeAz = await collect(
        'availability_zone',
        () => client.compute.listAvailabilityZones(),
        z =>
          resource(`compute:${z.zoneName}`, {
            name: z.zoneName,
            status: z.zoneState?.available ? 'available' : 'unavailable',
            key: {
              name: z.zoneName,
              service: 'compute',
              available: z.zoneState?.available ?? null,
              hosts: hostsOf(z.hosts),
            },
            raw: z,
            partition: 'compute',
          }),
      );
      const volumeAz = await collect<CinderAvailabilityZone>(
        'availability_zone',
        async () => {
          const l = await client.blockStorage.listAvailabilityZones();
          return admin ? l : { ...l, complete: false, reason: notAdmin };
        },
        z =>
          resource(`volume:${z.zoneName}`, {
            name: z.zoneName,
            status: z.zoneState?.available ? 'available' : 'unavailable',
            key: {
              name: z.zoneName,
              service: 'volume',
              available: z.zoneState?.available ?? null,
              hosts: [],
            },
            raw: z,
            partition: 'volume',
          }),
      );
      put({
        type: 'availability_zone',
        complete: computeAz.complete && volumeAz.complete,
        failed: computeAz.failed && volumeAz.failed,
        resources: [...computeAz.resources, ...volumeAz.resources],
        pages: computeAz.pages + volumeAz.pages,
        durationMs: Date.now() - azStarted,
        partitions: [computeAz, volumeAz].map((l, i) => ({
          partition: i === 0 ? 'compute' : 'volume',
          status: listingStatus(l),
          count: l.resources.length,
          ...(l.error ? { error: l.error } : {}),
        })),
        ...(computeAz.error || volumeAz.error
          ? {
              error: [computeAz.error, volumeAz.error]
                .filter(Boolean)
                .join('; '),
            }
          : {}),
      });
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'server_group',
            () => client.compute.listServerGroups(),
            g =>
              resource(g.id, {
                name: g.name,
                projectId: g.project_id,
                key: {
                  id: g.id,
                  name: g.name,
                  project_id: g.project_id ?? null,
                  user_id: g.user_id ?? null,
                  policy: g.policy ?? null,
                  rules: g.rules ?? {},
                  members: g.members ?? [],
                },
                raw: g,
              }),
          ),
        ),
      );
    })(),
  );

  // ---- Glance
  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'image',
            () => client.image.listImages(),
            i =>
              resource(i.id, {
                name: i.name,
                projectId: i.owner,
                status: i.status,
                key: {
                  id: i.id,
                  name: i.name,
                  owner: i.owner ?? null,
                  status: i.status,
                  visibility: i.visibility,
                  protected: i.protected ?? null,
                  size_bytes: num(i.size),
                  disk_format: i.disk_format ?? null,
                  container_format: i.container_format ?? null,
                  min_disk: num(i.min_disk),
                  min_ram: num(i.min_ram),
                  os_distro: i.os_distro ?? null,
                  os_version: i.os_version ?? null,
                  image_type: i.image_type ?? null,
                  instance_uuid: i.instance_uuid ?? null,
                  block_device_mapping: i.block_device_mapping !== undefined,
                  os_hash_value: i.os_hash_value ?? null,
                  created_at: i.created_at ?? null,
                  tags: i.tags ?? [],
                },
                raw: i,
              }),
          ),
        ),
      );
    })(),
  );

  // ---- Cinder
  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'volume',
            () => client.blockStorage.listVolumes(),
            v =>
              resource(v.id, {
                name: v.name,
                projectId: v['os-vol-tenant-attr:tenant_id'],
                status: v.status,
                key: {
                  id: v.id,
                  name: v.name,
                  project_id: v['os-vol-tenant-attr:tenant_id'] ?? null,
                  user_id: v.user_id ?? null,
                  size_gb: num(v.size),
                  status: v.status,
                  volume_type: v.volume_type ?? null,
                  bootable: bool(v.bootable),
                  encrypted: v.encrypted ?? null,
                  multiattach: v.multiattach ?? null,
                  availability_zone: v.availability_zone ?? null,
                  attachments: (v.attachments ?? []).map(a => ({
                    server_id: a.server_id,
                    device: a.device ?? null,
                    attachment_id: a.attachment_id ?? null,
                  })),
                  snapshot_id: v.snapshot_id ?? null,
                  source_volid: v.source_volid ?? null,
                  image_id:
                    (v.volume_image_metadata as JsonMap | undefined)
                      ?.image_id ?? null,
                  backend_host: v['os-vol-host-attr:host'] ?? null,
                  metadata: v.metadata ?? {},
                  created_at: v.created_at ?? null,
                },
                raw: v,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'volume_snapshot',
            () => client.blockStorage.listSnapshots(),
            volumeSnapshotResource,
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'volume_backup',
            () => client.blockStorage.listBackups(),
            b =>
              resource(b.id, {
                name: b.name,
                projectId: b['os-backup-project-attr:project_id'],
                status: b.status,
                key: {
                  id: b.id,
                  name: b.name,
                  project_id: b['os-backup-project-attr:project_id'] ?? null,
                  volume_id: b.volume_id,
                  snapshot_id: b.snapshot_id ?? null,
                  size_gb: num(b.size),
                  status: b.status,
                  is_incremental: b.is_incremental ?? null,
                  has_dependent_backups: b.has_dependent_backups ?? null,
                  container: b.container ?? null,
                  availability_zone: b.availability_zone ?? null,
                  created_at: b.created_at ?? null,
                  data_timestamp: b.data_timestamp ?? null,
                },
                raw: b,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'volume_type',
            () => client.blockStorage.listVolumeTypes(),
            t =>
              resource(t.id, {
                name: t.name,
                key: {
                  id: t.id,
                  name: t.name,
                  description: t.description ?? null,
                  is_public: t.is_public ?? null,
                  extra_specs: t.extra_specs ?? {},
                  qos_specs_id: t.qos_specs_id ?? null,
                },
                raw: t,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'storage_pool',
            () => client.blockStorage.listPools(),
            p => {
              const c = (p.capabilities ?? {}) as JsonMap;
              return resource(p.name, {
                name: p.name,
                key: {
                  name: p.name,
                  backend: c.volume_backend_name ?? null,
                  total_capacity_gb: c.total_capacity_gb ?? null,
                  free_capacity_gb: c.free_capacity_gb ?? null,
                  allocated_capacity_gb: c.allocated_capacity_gb ?? null,
                  provisioned_capacity_gb: c.provisioned_capacity_gb ?? null,
                  max_over_subscription_ratio:
                    c.max_over_subscription_ratio ?? null,
                  reserved_percentage: c.reserved_percentage ?? null,
                  thin_provisioning_support:
                    c.thin_provisioning_support ?? null,
                },
                raw: p,
              });
            },
          ),
        ),
      );
    })(),
  );

  // ---- Neutron
  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'network',
            () => client.network.listNetworks(),
            n =>
              resource(n.id, {
                name: n.name,
                projectId: ownerOf(n),
                status: n.status,
                key: {
                  id: n.id,
                  name: n.name ?? null,
                  project_id: ownerOf(n),
                  status: n.status ?? null,
                  admin_state_up: n.admin_state_up ?? null,
                  is_shared: n.shared ?? null,
                  is_external: n['router:external'] ?? null,
                  network_type: n['provider:network_type'] ?? null,
                  physical_network: n['provider:physical_network'] ?? null,
                  segmentation_id: n['provider:segmentation_id'] ?? null,
                  mtu: n.mtu ?? null,
                  subnet_ids: n.subnets ?? [],
                  port_security_enabled: n.port_security_enabled ?? null,
                },
                raw: n,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'subnet',
            () => client.network.listSubnets(),
            s =>
              resource(s.id, {
                name: s.name,
                projectId: ownerOf(s),
                searchExtra: [String(s.cidr ?? '')],
                key: {
                  id: s.id,
                  name: s.name ?? null,
                  network_id: s.network_id ?? null,
                  project_id: ownerOf(s),
                  cidr: s.cidr ?? null,
                  ip_version: s.ip_version ?? null,
                  gateway_ip: s.gateway_ip ?? null,
                  enable_dhcp: s.enable_dhcp ?? null,
                  allocation_pools: s.allocation_pools ?? [],
                  dns_nameservers: s.dns_nameservers ?? [],
                  host_routes: s.host_routes ?? [],
                },
                raw: s,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'port',
            () => client.network.listPorts(),
            p =>
              resource(p.id, {
                name: p.name,
                projectId: ownerOf(p),
                status: p.status,
                searchExtra: (p.fixed_ips ?? []).map(f => f.ip_address),
                key: {
                  id: p.id,
                  name: p.name ?? null,
                  network_id: p.network_id,
                  project_id: ownerOf(p),
                  device_id: p.device_id ?? null,
                  device_owner: p.device_owner ?? null,
                  status: p.status ?? null,
                  admin_state_up: p.admin_state_up ?? null,
                  mac_address: p.mac_address ?? null,
                  fixed_ips: (p.fixed_ips ?? []).map(f => ({
                    subnet_id: f.subnet_id,
                    ip_address: f.ip_address,
                  })),
                  security_group_ids: p.security_groups ?? [],
                  binding_host: p['binding:host_id'] ?? null,
                  port_security_enabled: p.port_security_enabled ?? null,
                  allowed_address_pairs: p.allowed_address_pairs ?? [],
                },
                raw: p,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'router',
            () => client.network.listRouters(),
            r => {
              const gw = (r.external_gateway_info ?? null) as JsonMap | null;
              return resource(r.id, {
                name: r.name,
                projectId: ownerOf(r),
                status: r.status,
                key: {
                  id: r.id,
                  name: r.name ?? null,
                  project_id: ownerOf(r),
                  status: r.status ?? null,
                  admin_state_up: r.admin_state_up ?? null,
                  external_network_id: gw?.network_id ?? null,
                  external_fixed_ips: gw?.external_fixed_ips ?? [],
                  enable_snat: gw?.enable_snat ?? null,
                },
                raw: r,
              });
            },
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'floating_ip',
            () => client.network.listFloatingIps(),
            f =>
              resource(f.id, {
                name: f.floating_ip_address,
                projectId: ownerOf(f),
                status: f.status,
                searchExtra: [
                  String(f.floating_ip_address ?? ''),
                  String(f.fixed_ip_address ?? ''),
                ],
                key: {
                  id: f.id,
                  floating_ip_address: f.floating_ip_address ?? null,
                  floating_network_id: f.floating_network_id ?? null,
                  fixed_ip_address: f.fixed_ip_address ?? null,
                  port_id: f.port_id ?? null,
                  router_id: f.router_id ?? null,
                  project_id: ownerOf(f),
                  status: f.status ?? null,
                  description: f.description ?? null,
                },
                raw: f,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'security_group',
            () => client.network.listSecurityGroups(),
            g =>
              resource(g.id, {
                name: g.name,
                projectId: ownerOf(g),
                key: {
                  id: g.id,
                  name: g.name ?? null,
                  project_id: ownerOf(g),
                  description: g.description ?? null,
                  stateful: g.stateful ?? null,
                  is_default: g.name === 'default',
                  tags: g.tags ?? [],
                },
                raw: g,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'security_group_rule',
            () => client.network.listSecurityGroupRules(),
            r =>
              resource(r.id, {
                name: null,
                projectId: ownerOf(r),
                key: {
                  id: r.id,
                  security_group_id: r.security_group_id ?? null,
                  direction: r.direction ?? null,
                  ethertype: r.ethertype ?? null,
                  protocol: r.protocol ?? null,
                  port_range_min: r.port_range_min ?? null,
                  port_range_max: r.port_range_max ?? null,
                  remote_ip_prefix: r.remote_ip_prefix ?? null,
                  remote_group_id: r.remote_group_id ?? null,
                  remote_address_group_id: r.remote_address_group_id ?? null,
                  description: r.description ?? null,
                  project_id: ownerOf(r),
                },
                raw: r,
              }),
          ),
        ),
      );
    })(),
  );

  services.push(
    (async () => {
      put(
        strip(
          await collect(
            'network_ip_availability',
            () => client.network.listNetworkIpAvailabilities(),
            n =>
              resource(n.network_id, {
                name: n.network_name,
                projectId: ownerOf(n as JsonMap),
                key: {
                  network_id: n.network_id,
                  project_id: ownerOf(n as JsonMap),
                  total_ips: n.total_ips,
                  used_ips: n.used_ips,
                  subnets: (n.subnet_ip_availability ?? []).map(s => ({
                    subnet_id: s.subnet_id,
                    cidr: s.cidr,
                    total_ips: s.total_ips,
                    used_ips: s.used_ips,
                  })),
                },
                raw: n,
              }),
          ),
        ),
      );
    })(),
  );

  await Promise.all(services);

  // ---- quotas last: one partition per (project, service), at most 8 projects in flight (INV-5)
  const quotaPartitions = projects.items.flatMap(p =>
    (['compute', 'block-storage', 'network'] as const).map(service => ({
      projectId: p.id,
      domainId: p.domain_id,
      service,
    })),
  );
  put(
    await collectPartitioned(
      'project_quota',
      quotaPartitions,
      q => `${q.projectId}/${q.service}`,
      async q => {
        const values: Record<string, JsonMap> = {};
        if (q.service === 'compute') {
          for (const [k, v] of Object.entries(
            await client.compute.getQuotaDetail(q.projectId),
          ))
            if (v && typeof v === 'object') values[k] = v as unknown as JsonMap;
        } else if (q.service === 'block-storage') {
          for (const [k, v] of Object.entries(
            await client.blockStorage.getQuotaUsage(q.projectId),
          ))
            if (v && typeof v === 'object') values[k] = v as unknown as JsonMap;
        } else {
          for (const [k, v] of Object.entries(
            await client.network.getQuotaDetails(q.projectId),
          ))
            values[k] = {
              limit: v.limit,
              in_use: v.used,
              reserved: v.reserved,
            };
        }
        return {
          resources: Object.entries(values).map(([name, v]) =>
            resource(`${q.projectId}/${q.service}/${name}`, {
              name: `${q.service}/${name}`,
              projectId: q.projectId,
              domainId: q.domainId,
              key: {
                project_id: q.projectId,
                service: q.service,
                resource: name,
                limit: num(v.limit),
                in_use: num(v.in_use),
                reserved: num(v.reserved),
              },
              raw: v,
            }),
          ),
          complete: admin,
          pages: 1,
          reason: admin ? undefined : notAdmin,
        };
      },
      (options.quotaConcurrency ?? 8) * 3,
      projects.complete,
      projects.error,
    ),
  );

  return { types, effectiveAssignments };
}

/** Server key fields (§1.2 type 7); `user_data` never leaves this function. */
export function serverResource(s: NovaServer): CollectedResource {
  const { 'OS-EXT-SRV-ATTR:user_data': _userData, ...raw } = s;
  const flavor = s.flavor ?? {};
  const imageId =
    s.image && typeof s.image === 'object' ? str(s.image.id) : null;
  const fault = s.fault as JsonMap | undefined;
  const addresses = Object.values(s.addresses ?? {}).flatMap(list =>
    (list ?? []).map(a => String(a.addr ?? '')),
  );
  return resource(s.id, {
    name: s.name,
    projectId: s.tenant_id,
    status: s.status,
    searchExtra: addresses,
    key: {
      id: s.id,
      name: s.name,
      project_id: s.tenant_id ?? null,
      user_id: s.user_id ?? null,
      status: s.status,
      vm_state: s['OS-EXT-STS:vm_state'] ?? null,
      power_state: s['OS-EXT-STS:power_state'] ?? null,
      task_state: s['OS-EXT-STS:task_state'] ?? null,
      flavor_name: flavor.original_name ?? null,
      vcpus: num(flavor.vcpus),
      ram_mb: num(flavor.ram),
      disk_gb: num(flavor.disk),
      ephemeral_gb: num(flavor.ephemeral),
      swap_mb: num(flavor.swap),
      image_id: imageId,
      boot_source: imageId ? 'image' : 'volume',
      root_device_name: s['OS-EXT-SRV-ATTR:root_device_name'] ?? null,
      key_name: s.key_name ?? null,
      availability_zone: s['OS-EXT-AZ:availability_zone'] ?? null,
      hypervisor_hostname: s['OS-EXT-SRV-ATTR:hypervisor_hostname'] ?? null,
      host_id: s.hostId ?? null,
      instance_name: s['OS-EXT-SRV-ATTR:instance_name'] ?? null,
      created_at: s.created ?? null,
      launched_at: s['OS-SRV-USG:launched_at'] ?? null,
      locked: s.locked ?? null,
      tags: s.tags ?? [],
      metadata: s.metadata ?? {},
      description: s.description ?? null,
      fault: fault
        ? { code: fault.code ?? null, message: fault.message ?? null }
        : null,
      security_group_names: [
        ...new Set(
          ((s.security_groups as JsonMap[] | undefined) ?? []).map(g =>
            String(g.name),
          ),
        ),
      ],
    },
    raw,
  });
}
