import { Collection } from './collection';
import { Obj, cidrRange, intToIp, ipToInt } from './util';

export interface RoleAssignment {
  actorType: 'user' | 'group';
  actorId: string;
  roleId: string;
  scope: { project?: string; domain?: string; system?: boolean };
  inherited?: boolean;
}

export interface ApplicationCredential {
  id: string;
  name: string;
  secret: string;
  userId: string;
  projectId: string;
  roleIds: string[];
  description: string | null;
  expiresAt: string | null;
  unrestricted: boolean;
}

interface SubnetPool {
  first: number;
  last: number;
  next: number;
  used: Set<number>;
}

export interface QuotaSets {
  nova: Map<string, Obj>;
  cinder: Map<string, Obj>;
  neutron: Map<string, Obj>;
}

export const NOVA_QUOTA_DEFAULTS: Obj = {
  cores: 20,
  instances: 10,
  key_pairs: 100,
  metadata_items: 128,
  ram: 51200,
  server_group_members: 10,
  server_groups: 10,
};

export const CINDER_QUOTA_DEFAULTS: Obj = {
  volumes: 10,
  per_volume_gigabytes: -1,
  snapshots: 10,
  gigabytes: 1000,
  backups: 10,
  backup_gigabytes: 1000,
  groups: 10,
};

export const NEUTRON_QUOTA_DEFAULTS: Obj = {
  network: 100,
  subnet: 100,
  subnetpool: -1,
  port: 500,
  router: 10,
  floatingip: 50,
  rbac_policy: 10,
  security_group: 10,
  security_group_rule: 100,
};

/** The whole simulated cloud. Objects are stored in their API representation. */
export class SimState {
  readonly domains = new Collection<Obj>();
  readonly projects = new Collection<Obj>();
  readonly users = new Collection<Obj>();
  readonly groups = new Collection<Obj>();
  readonly roles = new Collection<Obj>();
  readonly groupMembers = new Map<string, Set<string>>();
  roleAssignments: RoleAssignment[] = [];
  readonly passwords = new Map<string, string>();
  readonly appCreds = new Map<string, ApplicationCredential>();

  readonly flavors = new Collection<Obj>();
  readonly servers = new Collection<Obj>();
  readonly keypairs: Obj[] = []; // {user_id, keypair: {...}}
  readonly serverGroups = new Collection<Obj>();
  readonly hypervisors = new Collection<Obj>();
  readonly aggregates: Obj[] = [];
  readonly computeServices: Obj[] = [];
  /** server id -> [{volumeId, device, tag, delete_on_termination}] */
  readonly serverVolumes = new Map<string, Obj[]>();
  /** server id -> ports the caller passed to `POST /servers`: Nova unbinds them on delete instead of deleting them */
  readonly preservedPorts = new Map<string, Set<string>>();

  readonly volumes = new Collection<Obj>();
  readonly snapshots = new Collection<Obj>();
  readonly backups = new Collection<Obj>();
  readonly volumeTypes = new Collection<Obj>();
  readonly pools: Obj[] = [];

  readonly networks = new Collection<Obj>();
  readonly subnets = new Collection<Obj>();
  readonly ports = new Collection<Obj>();
  readonly routers = new Collection<Obj>();
  readonly floatingips = new Collection<Obj>();
  readonly securityGroups = new Collection<Obj>();
  readonly securityGroupRules = new Collection<Obj>();

  readonly images = new Collection<Obj>();

  readonly quotas: QuotaSets = {
    nova: new Map(),
    cinder: new Map(),
    neutron: new Map(),
  };

  adminUserId = '';
  adminProjectId = '';
  externalNetworkId = '';
  private readonly subnetPools = new Map<string, SubnetPool>();
  private instanceCounter = 0;

  /**
   * Bumped by the simulator after every request that may change objects in place (any method but
   * GET/HEAD) and every scheduled state change. With the collections' versions it keys `cached`.
   */
  generation = 0;
  private readonly derived = new Map<string, { key: string; value: unknown }>();

  constructor(readonly baseUrl: string) {}

  /**
   * A figure derived from whole collections (quota usage of every project), computed once per
   * state generation: a quota call then costs a map lookup instead of a scan of 100k objects.
   * Direct changes of `sim.state` through a collection's add/remove/load are seen; an in-place
   * edit of an object's field from outside needs `generation++`.
   */
  cached<T>(name: string, deps: Collection<Obj>[], compute: () => T): T {
    const key = `${this.generation}:${deps.map(d => d.version).join(',')}`;
    const hit = this.derived.get(name);
    if (hit && hit.key === key) return hit.value as T;
    const value = compute();
    this.derived.set(name, { key, value });
    return value;
  }

  nextInstanceName(): string {
    this.instanceCounter += 1;
    return `instance-${this.instanceCounter.toString(16).padStart(8, '0')}`;
  }

  registerSubnet(subnet: Obj) {
    const { first, last } = cidrRange(subnet.cidr);
    const pool = subnet.allocation_pools[0];
    const start = pool ? ipToInt(pool.start) : first + 2;
    const used = new Set<number>();
    if (subnet.gateway_ip) used.add(ipToInt(subnet.gateway_ip));
    this.subnetPools.set(subnet.id, {
      first: start,
      last: pool ? ipToInt(pool.end) : last - 1,
      next: start,
      used,
    });
  }

  isIpUsed(subnetId: string, ip: string): boolean {
    return this.subnetPools.get(subnetId)?.used.has(ipToInt(ip)) ?? false;
  }

  /** Allocates the requested address, or the next free one. Returns undefined when taken or full. */
  allocateIp(subnetId: string, requested?: string): string | undefined {
    const pool = this.subnetPools.get(subnetId);
    if (!pool) return undefined;
    if (requested) {
      const n = ipToInt(requested);
      if (pool.used.has(n)) return undefined;
      pool.used.add(n);
      return requested;
    }
    const size = pool.last - pool.first + 1;
    for (let i = 0; i < size; i++) {
      const n = pool.first + ((pool.next - pool.first + i) % size);
      if (!pool.used.has(n)) {
        pool.used.add(n);
        pool.next = n + 1 > pool.last ? pool.first : n + 1;
        return intToIp(n);
      }
    }
    return undefined;
  }

  releaseIp(subnetId: string, ip: string) {
    this.subnetPools.get(subnetId)?.used.delete(ipToInt(ip));
  }

  subnetStats(subnetId: string): { total: number; used: number } {
    const pool = this.subnetPools.get(subnetId);
    if (!pool) return { total: 0, used: 0 };
    return { total: pool.last - pool.first + 1, used: pool.used.size - 1 };
  }

  /** Role ids of a user on a project, including group memberships and implied roles. */
  rolesOn(userId: string, scope: { project?: string; domain?: string }) {
    const groups = new Set<string>();
    for (const [gid, members] of this.groupMembers) {
      if (members.has(userId)) groups.add(gid);
    }
    const project = scope.project
      ? this.projects.get(scope.project)
      : undefined;
    const ids = new Set<string>();
    for (const a of this.roleAssignments) {
      const actorOk =
        (a.actorType === 'user' && a.actorId === userId) ||
        (a.actorType === 'group' && groups.has(a.actorId));
      if (!actorOk) continue;
      if (scope.project && a.scope.project === scope.project) ids.add(a.roleId);
      else if (
        scope.project &&
        a.inherited &&
        project &&
        a.scope.domain === project.domain_id
      )
        ids.add(a.roleId);
      else if (scope.domain && a.scope.domain === scope.domain && !a.inherited)
        ids.add(a.roleId);
    }
    // implied roles: admin -> member -> reader
    const byName = (n: string) => this.roles.all().find(r => r.name === n);
    const admin = byName('admin');
    const member = byName('member');
    const reader = byName('reader');
    if (admin && ids.has(admin.id) && member) ids.add(member.id);
    if (member && ids.has(member.id) && reader) ids.add(reader.id);
    return [...ids]
      .map(id => this.roles.get(id))
      .filter((r): r is Obj => !!r)
      .map(r => ({ id: r.id, name: r.name }));
  }

  counts(): Record<string, number> {
    return {
      domains: this.domains.size,
      projects: this.projects.size,
      users: this.users.size,
      groups: this.groups.size,
      roles: this.roles.size,
      role_assignments: this.roleAssignments.length,
      flavors: this.flavors.size,
      servers: this.servers.size,
      keypairs: this.keypairs.length,
      server_groups: this.serverGroups.size,
      hypervisors: this.hypervisors.size,
      aggregates: this.aggregates.length,
      volumes: this.volumes.size,
      snapshots: this.snapshots.size,
      backups: this.backups.size,
      volume_types: this.volumeTypes.size,
      networks: this.networks.size,
      subnets: this.subnets.size,
      ports: this.ports.size,
      routers: this.routers.size,
      floatingips: this.floatingips.size,
      security_groups: this.securityGroups.size,
      security_group_rules: this.securityGroupRules.size,
      images: this.images.size,
    };
  }

  totalResources(): number {
    return Object.values(this.counts()).reduce((a, b) => a + b, 0);
  }
}
