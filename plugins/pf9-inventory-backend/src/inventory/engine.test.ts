import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import knexFactory, { Knex } from 'knex';
import { closeSharedAgents } from '../openstack';
import {
  countsByType,
  migrated,
  simEngine,
  startTinySim,
  tableCount,
} from './__testUtils__/harness';
import { InventoryQueries, currentValuesSeenIn } from './query';
import { SyncAlreadyRunningError } from './runs';
import { INVENTORY_TYPES } from './types';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/tester';

async function versionsOf(db: Knex, runId: string) {
  return db('inventory_versions')
    .where({ run_id: runId })
    .orderBy(['type', 'resource_id'])
    .select('type', 'resource_id', 'change_type', 'changed_fields');
}

describe('inventory sync on the simulator', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startTinySim();
  });
  afterEach(async () => {
    await sim.close();
  });
  afterAll(() => closeSharedAgents());

  it('runs on PostgreSQL when the test command provides it', () => {
    const required = process.env.PF9_REQUIRE_POSTGRES === '1';
    expect(!required || databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'stores every type with the simulator counts, and a re-sync changes nothing, on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      const run = await engine.run('sim', 'on_demand', USER);
      expect(run.status).toBe('succeeded');
      expect(run.triggeredBy).toBe(USER);
      expect(run.types.map(t => t.type)).toEqual([...INVENTORY_TYPES]);
      expect(run.types.every(t => t.status === 'complete')).toBe(true);
      expect(run.finishedAt).toMatch(/Z$/);

      const s = sim.state;
      const counts = await countsByType(db);
      expect(counts).toMatchObject({
        domain: s.domains.size,
        project: s.projects.size,
        user: s.users.size,
        group: s.groups.size,
        role: s.roles.size,
        server: s.servers.size,
        flavor: s.flavors.size,
        hypervisor: s.hypervisors.size,
        compute_service: s.computeServices.length,
        aggregate: s.aggregates.length,
        // §1.2: keypairs are listed per user owning a server
        keypair: s.keypairs.filter(k =>
          s.servers.all().some(v => v.user_id === k.user_id),
        ).length,
        server_group: s.serverGroups.size,
        image: s.images.size,
        volume: s.volumes.size,
        volume_snapshot: s.snapshots.size,
        volume_backup: s.backups.size,
        volume_type: s.volumeTypes.size,
        storage_pool: s.pools.length,
        network: s.networks.size,
        subnet: s.subnets.size,
        port: s.ports.size,
        router: s.routers.size,
        floating_ip: s.floatingips.size,
        security_group: s.securityGroups.size,
        security_group_rule: s.securityGroupRules.size,
        network_ip_availability: s.networks.size,
      });
      // direct assignments, plus their effective expansion
      expect(counts.role_assignment).toBeGreaterThanOrEqual(
        s.roleAssignments.length,
      );
      const direct = await db('inventory_resources')
        .where({ cloud_id: 'sim', type: 'role_assignment' })
        .where('id', 'not like', '%/effective');
      expect(direct).toHaveLength(s.roleAssignments.length);
      expect(Object.keys(counts).sort()).toEqual([...INVENTORY_TYPES].sort());
      // every first sighting of the cloud is `discovered`, with the run id
      expect(
        await tableCount(db, 'inventory_versions', { run_id: run.id }),
      ).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
      expect(
        await tableCount(db, 'inventory_versions', { change_type: 'created' }),
      ).toBe(0);

      const again = await engine.run('sim', 'scheduled', 'system:test');
      expect(again.status).toBe('succeeded');
      expect(await versionsOf(db, again.id)).toEqual([]);
      expect(await tableCount(db, 'inventory_deletions')).toBe(0);
      expect(again.deletionStats).toEqual({
        recorded: 0,
        verifiedByGet: 0,
        guardedTypes: [],
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'strips user_data, resolves owners and derives server fields on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      await simEngine(db, sim).run('sim', 'on_demand', USER);
      const server = sim.state.servers.all()[0];
      const row = await db('inventory_resources')
        .where({ cloud_id: 'sim', type: 'server', id: server.id })
        .first();
      expect(row.raw).not.toContain('user_data');
      const project = sim.state.projects.get(server.tenant_id)!;
      const domain = sim.state.domains.get(project.domain_id)!;
      expect(row.project_id).toBe(server.tenant_id);
      expect(row.domain_id).toBe(project.domain_id);
      const derived = JSON.parse(row.derived);
      expect(derived).toMatchObject({
        project_name: project.name,
        domain_id: domain.id,
        domain_name: domain.name,
        owner_state: 'ok',
      });
      const ports = sim.state.ports.filter(
        p => p.device_id === server.id && p.device_owner.startsWith('compute:'),
      );
      expect(derived.port_ids).toEqual(ports.map(p => p.id).sort());
      expect(derived.fixed_ips).toEqual(
        ports.flatMap(p => p.fixed_ips.map((f: any) => f.ip_address)).sort(),
      );
      const attached = sim.state.volumes.filter(v =>
        v.attachments.some((a: any) => a.server_id === server.id),
      );
      expect(derived.volume_count).toBe(attached.length);
      expect(derived.flavor_id).toBe(
        sim.state.flavors
          .all()
          .find(f => f.name === server.flavor.original_name)?.id ?? null,
      );
      // users of every domain, with their domain
      const users = await db('inventory_resources').where({
        cloud_id: 'sim',
        type: 'user',
      });
      for (const u of sim.state.users.all()) {
        expect(users.find(r => r.id === u.id)?.domain_id).toBe(u.domain_id);
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'writes exactly one version for a changed server and one deletion for a deleted volume on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      await engine.run('sim', 'on_demand', USER);

      const server = sim.state.servers.all()[0];
      server.metadata = { ...server.metadata, owner: 'team-blue' };
      const volume = sim.state.volumes
        .all()
        .find(
          v =>
            v.attachments.length === 0 &&
            !sim.state.snapshots.all().some(s => s.volume_id === v.id),
        )!;
      sim.state.volumes.remove(volume.id);

      const run = await engine.run('sim', 'on_demand', USER);
      expect(run.status).toBe('succeeded');
      expect(await versionsOf(db, run.id)).toEqual([
        {
          type: 'server',
          resource_id: server.id,
          change_type: 'updated',
          changed_fields: '["metadata"]',
        },
        {
          type: 'volume',
          resource_id: volume.id,
          change_type: 'deleted',
          changed_fields: '[]',
        },
      ]);
      const deletions = await db('inventory_deletions');
      expect(deletions).toHaveLength(1);
      expect(deletions[0]).toMatchObject({
        type: 'volume',
        resource_id: volume.id,
        name: volume.name,
        project_id: volume['os-vol-tenant-attr:tenant_id'],
        detected_in_run_id: run.id,
        reason: 'absent_from_complete_listing',
      });
      expect(!!deletions[0].verified_by_get).toBe(true);
      expect(JSON.parse(deletions[0].content).name).toBe(volume.name);
      const row = await db('inventory_resources')
        .where({ cloud_id: 'sim', type: 'volume', id: volume.id })
        .first();
      expect(!!row.deleted).toBe(true);
      expect(run.types.find(t => t.type === 'volume')?.deletions).toMatchObject(
        { recorded: 1, verifiedByGet: 1 },
      );

      // nothing changed: nothing written
      const quiet = await engine.run('sim', 'on_demand', USER);
      expect(await versionsOf(db, quiet.id)).toEqual([]);
      expect(await tableCount(db, 'inventory_deletions')).toBe(1);

      // the id comes back: `reappeared`, and the deletion record is reverted
      sim.state.volumes.add(volume);
      const back = await engine.run('sim', 'on_demand', USER);
      expect(await versionsOf(db, back.id)).toEqual([
        expect.objectContaining({
          type: 'volume',
          resource_id: volume.id,
          change_type: 'reappeared',
        }),
      ]);
      const reverted = await db('inventory_deletions').first();
      expect(!!reverted.reverted).toBe(true);
      expect(reverted.reverted_in_run_id).toBe(back.id);
    },
  );

  it.each(databases.eachSupportedId())(
    'reports the last run that saw each resource, also for rows it did not rewrite, on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      const queries = new InventoryQueries(db);
      const first = await engine.run('sim', 'on_demand', USER);
      const users = sim.state.users.all();
      // one domain's user listing is denied: its users are not seen in the second run
      sim.faults.add({
        method: 'GET',
        pathPattern: '/v3/users$',
        status: 403,
        times: 1,
      });
      const volume = sim.state.volumes
        .all()
        .find(
          v =>
            v.attachments.length === 0 &&
            !sim.state.snapshots.all().some(s => s.volume_id === v.id),
        )!;
      sim.state.volumes.remove(volume.id);
      const second = await engine.run('sim', 'on_demand', USER);
      sim.faults.clear();
      const denied = second.types
        .find(t => t.type === 'user')!
        .partitions!.find(p => p.status === 'access_denied')!.partition;
      const seenAt = async (runId: string) =>
        (await db('inventory_runs').where({ id: runId }).first()).started_at;

      const resource = (type: 'user' | 'volume', rid: string) =>
        queries.getResource('sim', type, rid, undefined);
      const deniedUser = users.find(u => u.domain_id === denied)!;
      const otherUser = users.find(u => u.domain_id !== denied)!;
      expect((await resource('user', deniedUser.id))?.lastSeenRunId).toBe(
        first.id,
      );
      expect((await resource('user', otherUser.id))?.lastSeenRunId).toBe(
        second.id,
      );
      const gone = await resource('volume', volume.id);
      expect(gone).toMatchObject({ deleted: true, lastSeenRunId: first.id });
      const deletion = await db('inventory_deletions').first();
      expect(deletion.last_seen_run_id).toBe(first.id);
      expect(new Date(deletion.last_seen_at).getTime()).toBeGreaterThanOrEqual(
        new Date(await seenAt(first.id)).getTime(),
      );
      expect(new Date(deletion.last_seen_at).getTime()).toBeLessThanOrEqual(
        new Date(await seenAt(second.id)).getTime(),
      );

      const seenInSecond = await currentValuesSeenIn(
        db,
        'sim',
        'user',
        second.id,
      );
      expect(seenInSecond.has(otherUser.id)).toBe(true);
      expect(seenInSecond.has(deniedUser.id)).toBe(false);
      expect(
        (await currentValuesSeenIn(db, 'sim', 'user', first.id)).has(
          deniedUser.id,
        ),
      ).toBe(true);

      // the list sorted by last seen puts the rows of the older run first
      const page = await queries.listResources(
        {
          cloudId: 'sim',
          type: 'user',
          sort: 'last_seen_at',
          order: 'asc',
          page: 1,
          pageSize: 500,
        },
        undefined,
      );
      const runs = page.items.map(
        (u: { lastSeenRunId: string }) => u.lastSeenRunId,
      );
      expect(runs[0]).toBe(first.id);
      expect(runs[runs.length - 1]).toBe(second.id);
      expect(runs.lastIndexOf(first.id)).toBeLessThan(runs.indexOf(second.id));

      const third = await engine.run('sim', 'on_demand', USER);
      expect((await resource('user', deniedUser.id))?.lastSeenRunId).toBe(
        third.id,
      );
      expect((await resource('volume', volume.id))?.lastSeenRunId).toBe(
        first.id,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'renaming a server versions the server and only the resources that show its name, on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      await engine.run('sim', 'on_demand', USER);
      const server = sim.state.servers.all()[0];
      server.name = `${server.name}-renamed`;
      const run = await engine.run('sim', 'on_demand', USER);
      const versions = await versionsOf(db, run.id);
      expect(versions.filter(v => v.type === 'server')).toEqual([
        {
          type: 'server',
          resource_id: server.id,
          change_type: 'updated',
          changed_fields: '["name"]',
        },
      ]);
      // INV-10 puts server names into volumes, security groups and floating IPs (derived fields)
      for (const v of versions.filter(x => x.type !== 'server')) {
        expect(['volume', 'security_group', 'floating_ip']).toContain(v.type);
        expect(JSON.parse(v.changed_fields)).toEqual([
          v.type === 'floating_ip' ? 'server_name' : 'attached_server_names',
        ]);
      }
      expect(await tableCount(db, 'inventory_deletions')).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'holds back mass deletions (INV-21) and keeps a GET-confirmed resource (INV-19) on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      await engine.run('sim', 'on_demand', USER);

      // 11 of 31 rules disappear: above max(10, 20 %) → guarded, nothing deleted
      const rules = sim.state.securityGroupRules.all().slice(0, 11);
      for (const r of rules) sim.state.securityGroupRules.remove(r.id);
      // a volume missing from the listing whose GET does not say 404 is kept
      const volume = sim.state.volumes.all().find(v => !v.attachments.length)!;
      sim.state.volumes.remove(volume.id);
      sim.faults.add({
        method: 'GET',
        pathPattern: `/volumes/${volume.id}$`,
        status: 500,
        times: 10,
      });
      const run = await engine.run('sim', 'on_demand', USER);
      const rulesOutcome = run.types.find(
        t => t.type === 'security_group_rule',
      )!;
      expect(rulesOutcome.status).toBe('complete_guarded');
      expect(rulesOutcome.deletions?.guarded).toEqual({
        threshold: 10,
        candidateIds: rules.map(r => r.id).sort(),
      });
      expect(run.deletionStats?.guardedTypes).toEqual(['security_group_rule']);
      const volumeOutcome = run.types.find(t => t.type === 'volume')!;
      expect(volumeOutcome.deletions).toMatchObject({
        candidates: 1,
        recorded: 0,
        keptAfterGet: 1,
      });
      expect(await tableCount(db, 'inventory_deletions')).toBe(0);
      expect(
        await tableCount(db, 'inventory_resources', { deleted: true }),
      ).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'allows one sync per cloud and interrupts a stale run on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      sim.faults.add({
        method: 'GET',
        pathPattern: '/v3/domains$',
        delayMs: 500,
        times: 1,
      });
      const first = await engine.start('sim', 'on_demand', USER);
      await expect(
        engine.start('sim', 'on_demand', USER),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        runId: first.runId,
      });
      // a second backend instance on the same database (its own Knex pool on PostgreSQL)
      const other = id.startsWith('POSTGRES')
        ? knexFactory(db.client.config)
        : db;
      try {
        const otherEngine = simEngine(other, sim);
        await expect(
          otherEngine.start('sim', 'scheduled', 'system:other'),
        ).rejects.toBeInstanceOf(SyncAlreadyRunningError);
      } finally {
        if (other !== db) await other.destroy();
      }
      expect((await first.done).status).toBe('succeeded');

      // a run left `running` for more than twice its timeout is interrupted by the next run
      await db('inventory_runs').insert({
        id: 'stale-run',
        cloud_id: 'sim',
        trigger: 'scheduled',
        triggered_by: 'system:old',
        status: 'running',
        started_at: new Date(Date.now() - 3 * 60_000),
        timeout_ms: 60_000,
        type_outcomes: '[]',
      });
      const next = await engine.run('sim', 'on_demand', USER);
      expect(next.status).toBe('succeeded');
      const stale = await engine.runs.get('stale-run');
      expect(stale?.status).toBe('interrupted');
      expect(stale?.finishedAt).toMatch(/Z$/);
    },
  );

  it.each(databases.eachSupportedId())(
    'with a write backlog of one resource the listing waits for the store and the sync still completes on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const run = await simEngine(db, sim, {
        settings: { writeBacklogLimit: 1 },
      }).run('sim', 'on_demand', USER);
      expect(run.status).toBe('succeeded');
      const s = sim.state;
      expect(await countsByType(db)).toMatchObject({
        project: s.projects.size,
        server: s.servers.size,
        volume: s.volumes.size,
        port: s.ports.size,
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'lets only one of two engines racing on one database run on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const other = id.startsWith('POSTGRES')
        ? knexFactory(db.client.config)
        : db;
      try {
        const results = await Promise.allSettled([
          simEngine(db, sim).start('sim', 'scheduled', 'system:a'),
          simEngine(other, sim).start('sim', 'scheduled', 'system:b'),
        ]);
        const started = results.filter(r => r.status === 'fulfilled');
        const refused = results.filter(r => r.status === 'rejected');
        expect(started).toHaveLength(1);
        expect(refused).toHaveLength(1);
        expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(
          SyncAlreadyRunningError,
        );
        await (started[0] as PromiseFulfilledResult<any>).value.done;
        expect(await tableCount(db, 'inventory_runs')).toBe(1);
      } finally {
        if (other !== db) await other.destroy();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'fails the run on an authentication failure and still finalises it on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim, {
        cloud: {
          auth: {
            url: sim.authUrl,
            username: 'admin',
            password: 'wrong-password',
            userDomain: 'Default',
            projectName: 'admin',
            projectDomain: 'Default',
          },
        },
      });
      const run = await engine.run('sim', 'on_demand', USER);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/Unauthorized|401/);
      expect(run.finishedAt).not.toBeNull();
      expect(await tableCount(db, 'inventory_resources')).toBe(0);
    },
  );
});
