/**
 * INV-4 / INV-19 / PIT-1 under faults: a listing that fails (503 after retries, timeout, 401 after the
 * re-authentication), is truncated, or is denied for one domain never produces a deletion record or a
 * version for what it could not see, keeps the last known content, and shows in the run record.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import type { FaultSpec, Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import { closeSharedAgents } from '../openstack';
import { migrated, simEngine, startTinySim } from './__testUtils__/harness';
import { InventoryType } from './types';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** The listing path of each type, as the simulator sees it. */
const LISTING: Record<InventoryType, string> = {
  domain: '/v3/domains$',
  project: '/v3/projects$',
  user: '/v3/users$',
  group: '/v3/groups$',
  role: '/v3/roles$',
  role_assignment: '/v3/role_assignments$',
  server: '/servers/detail$',
  flavor: '/flavors/detail$',
  hypervisor: '/os-hypervisors/detail$',
  compute_service: '/os-services$',
  aggregate: '/os-aggregates$',
  availability_zone: '/compute/v2.1/os-availability-zone/detail$',
  keypair: '/os-keypairs$',
  server_group: '/os-server-groups$',
  image: '/v2/images$',
  volume: '/volumes/detail$',
  volume_snapshot: '/snapshots/detail$',
  volume_backup: '/backups/detail$',
  volume_type: '/types$',
  storage_pool: '/get_pools$',
  network: '/v2.0/networks$',
  subnet: '/v2.0/subnets$',
  port: '/v2.0/ports$',
  router: '/v2.0/routers$',
  floating_ip: '/v2.0/floatingips$',
  security_group: '/v2.0/security-groups$',
  security_group_rule: '/v2.0/security-group-rules$',
  network_ip_availability: '/v2.0/network-ip-availabilities$',
  project_quota: '/os-quota-sets/[^/]+/detail$',
};

/** Rows a fault on the type's listing must leave alone (partitioned types: the failing partition). */
const AFFECTED: Partial<Record<InventoryType, (id: string) => boolean>> = {
  availability_zone: id => id.startsWith('compute:'),
  project_quota: id => id.includes('/compute/'),
};

/** The simulator collection of a type, to delete one object and rename another behind the fault. */
function collectionOf(sim: Simulator, type: InventoryType) {
  const s = sim.state;
  const map: Partial<Record<InventoryType, any>> = {
    group: s.groups,
    role: s.roles,
    server: s.servers,
    flavor: s.flavors,
    image: s.images,
    volume: s.volumes,
    volume_snapshot: s.snapshots,
    volume_backup: s.backups,
    volume_type: s.volumeTypes,
    network: s.networks,
    subnet: s.subnets,
    port: s.ports,
    router: s.routers,
    floating_ip: s.floatingips,
    security_group: s.securityGroups,
    security_group_rule: s.securityGroupRules,
    server_group: s.serverGroups,
    hypervisor: s.hypervisors,
  };
  return map[type];
}

type FaultKind = '503' | 'timeout' | 'truncate' | '401';

function faultFor(kind: FaultKind, pathPattern: string): FaultSpec {
  switch (kind) {
    case '503':
      return { method: 'GET', pathPattern, status: 503, times: 100 };
    case 'timeout':
      return { method: 'GET', pathPattern, timeout: true, times: 100 };
    case 'truncate':
      return { method: 'GET', pathPattern, truncate: true, times: 100 };
    default:
      // 401, re-authentication, 401 again: the listing fails (OSC-1 re-authenticates once)
      return { method: 'GET', pathPattern, status: 401, times: 100 };
  }
}

const ALL_TYPES = Object.keys(LISTING) as InventoryType[];
const CASES: Array<[FaultKind, InventoryType]> = [
  ...ALL_TYPES.map(t => ['503', t] as [FaultKind, InventoryType]),
  ...(
    [
      'server',
      'flavor',
      'image',
      'volume',
      'volume_snapshot',
      'network',
      'port',
      'security_group',
      'role',
      'project',
    ] as InventoryType[]
  ).map(t => ['timeout', t] as [FaultKind, InventoryType]),
  ...(
    [
      'domain',
      'project',
      'user',
      'group',
      'role',
      'role_assignment',
    ] as InventoryType[]
  ).map(t => ['truncate', t] as [FaultKind, InventoryType]),
  ...(
    [
      'domain',
      'project',
      'role_assignment',
      'server',
      'flavor',
      'image',
      'volume',
      'volume_snapshot',
      'volume_backup',
      'network',
      'port',
      'router',
      'floating_ip',
    ] as InventoryType[]
  ).map(t => ['401', t] as [FaultKind, InventoryType]),
];

async function rowsOf(db: Knex, type: InventoryType) {
  return db('inventory_resources')
    .where({ cloud_id: 'sim', type })
    .orderBy('id')
    .select(
      'id',
      'content_hash',
      'key_fields',
      'derived',
      'deleted',
      'version_no',
      'last_seen_run',
    );
}

describe('inventory sync under faults', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startTinySim();
  });
  afterEach(async () => {
    sim.faults.clear();
    await sim.close();
  });
  afterAll(() => closeSharedAgents());

  it('has at least 50 fault cases', () => {
    expect(CASES.length + 2).toBeGreaterThanOrEqual(50);
  });

  it.each(CASES)(
    '%s on the %s listing: no deletion, no version, last content kept, run partial',
    async (kind, type) => {
      const db = await migrated(await databases.init('SQLITE_3'));
      const engine = simEngine(db, sim, { client: { readTimeoutMs: 500 } });
      const baseline = await engine.run('sim', 'on_demand', 'user:default/t');
      expect(baseline.status).toBe('succeeded');
      const affected = AFFECTED[type] ?? (() => true);
      const before = (await rowsOf(db, type)).filter(r => affected(r.id));
      expect(before.length).toBeGreaterThan(0);

      // behind the fault, one object disappears and another is renamed
      const collection = collectionOf(sim, type);
      if (collection) {
        const [gone, renamed] = collection.all();
        collection.remove(gone.id ?? gone.name);
        if (renamed && 'name' in renamed) renamed.name = `${renamed.name}-x`;
      }
      sim.faults.add(faultFor(kind, LISTING[type]));

      const run = await engine.run('sim', 'on_demand', 'user:default/t');
      expect(run.status).toBe('partial');
      const outcome = run.types.find(t => t.type === type)!;
      expect(['incomplete', 'failed']).toContain(outcome.status);
      expect(outcome.error).toBeTruthy();
      expect(outcome.deletions?.recorded ?? 0).toBe(0);

      expect(
        await db('inventory_deletions').where({ type }).select('resource_id'),
      ).toEqual([]);
      const versions = await db('inventory_versions')
        .where({ run_id: run.id, type })
        .select('resource_id');
      expect(versions.filter(v => affected(v.resource_id))).toEqual([]);
      const after = (await rowsOf(db, type)).filter(r => affected(r.id));
      expect(after).toEqual(before);
      expect(after.every(r => r.last_seen_run === baseline.id)).toBe(true);
    },
  );

  it.each(['user', 'group'] as const)(
    '403 on one domain of the %s listing: that domain is access_denied and kept, the others sync',
    async type => {
      const db = await migrated(await databases.init('SQLITE_3'));
      const engine = simEngine(db, sim);
      const baseline = await engine.run('sim', 'on_demand', 'user:default/t');
      const collection = type === 'user' ? sim.state.users : sim.state.groups;
      // rename one object in every domain
      const renamed = new Map<string, string>();
      for (const o of collection.all()) {
        if (renamed.has(o.domain_id)) continue;
        renamed.set(o.domain_id, o.id);
        o.name = `${o.name}-x`;
      }
      sim.faults.add({
        method: 'GET',
        pathPattern: type === 'user' ? '/v3/users$' : '/v3/groups$',
        status: 403,
        times: 1,
      });
      const run = await engine.run('sim', 'on_demand', 'user:default/t');
      expect(run.status).toBe('partial');
      const outcome = run.types.find(t => t.type === type)!;
      expect(outcome.status).toBe('incomplete');
      const denied = outcome.partitions!.filter(
        p => p.status === 'access_denied',
      );
      expect(denied).toHaveLength(1);
      const deniedDomain = denied[0].partition;
      expect(outcome.partitions!.filter(p => p.status === 'ok').length).toBe(
        outcome.partitions!.length - 1,
      );

      const versions = await db('inventory_versions')
        .where({ run_id: run.id, type })
        .select('resource_id');
      const expected = [...renamed.entries()]
        .filter(([domain]) => domain !== deniedDomain)
        .map(([, id]) => id)
        .sort();
      expect(versions.map(v => v.resource_id).sort()).toEqual(expected);
      const kept = await db('inventory_resources').where({
        cloud_id: 'sim',
        type,
        domain_id: deniedDomain,
      });
      expect(kept.every(r => r.last_seen_run === baseline.id)).toBe(true);
      expect(await db('inventory_deletions').where({ type })).toEqual([]);
    },
  );

  it('recovers from tokens expiring between runs (401, re-authentication, success)', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    const engine = simEngine(db, sim);
    await engine.run('sim', 'on_demand', 'user:default/t');
    sim.expireAllTokens();
    const run = await engine.run('sim', 'on_demand', 'user:default/t');
    expect(run.status).toBe('succeeded');
    expect(
      await db('inventory_versions')
        .where({ run_id: run.id })
        .count({ n: '*' }),
    ).toEqual([{ n: 0 }]);
    expect(await db('inventory_deletions')).toEqual([]);
  });
});
