import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { startSimulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import { migrated } from '../inventory/__testUtils__/harness';
import {
  closeSharedAgents,
  createOpenStackClient,
  TokenCache,
} from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { cycleEngine, prepareSim } from './__testUtils__/sim';
import { AssignmentJob } from './assignmentJob';
import { managedHash } from './ownership';
import { ruleInputSchema } from './rules';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/tester';

async function count(db: Knex, table: string, where: object = {}) {
  const [{ n }] = await db(table).where(where).count({ n: '*' });
  return Number(n);
}

function job(db: Knex, sim: Simulator) {
  const tokenCache = new TokenCache();
  return new AssignmentJob({
    db,
    clouds: [simCloud(sim)],
    logger: mockServices.logger.mock(),
    clientFactory: (c, { readOnly }) =>
      createOpenStackClient(c, {
        readOnly,
        retryBaseDelayMs: 2,
        readTimeoutMs: 10_000,
        tokenCache,
      }),
  });
}

/** The tiny scenario's volumes: one project with unprotected volumes, and an owner-set volume. */
function pick(sim: Simulator) {
  const volumes = sim.state.volumes.all();
  const owned = volumes.find(v => v.metadata?.auto_snapshot === 'true')!;
  const bare = volumes.filter(
    v =>
      Object.keys(v.metadata ?? {}).length === 0 &&
      ['available', 'in-use'].includes(v.status),
  );
  const project = bare[0]['os-vol-tenant-attr:tenant_id'] as string;
  const inProject = bare.filter(
    v => v['os-vol-tenant-attr:tenant_id'] === project,
  );
  return { owned, project, inProject };
}

const writesOf = (sim: Simulator, from: number) =>
  sim.requestLog
    .slice(from)
    .filter(
      r =>
        !['GET', 'HEAD'].includes(r.method) &&
        !(r.method === 'POST' && r.path === '/v3/auth/tokens'),
    );

describe('assignment job', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({
      scenario: 'tiny',
      seed: 1,
      port: 0,
      transitionMs: 0,
    });
    prepareSim(sim);
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it.each(databases.eachSupportedId())(
    'preview sends only GET/HEAD and writes nothing (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const { owned, project, inProject } = pick(sim);
      const before = JSON.stringify(sim.state.volumes.all());
      const logStart = sim.requestLog.length;
      const draft = ruleInputSchema.parse({
        name: 'project-daily',
        action: 'include',
        match: { project_id: project },
        policies: ['daily_5'],
        retention: { daily_5: 3 },
      });
      const outcomes = await job(db, sim).preview('sim', [draft]);

      expect(writesOf(sim, logStart)).toEqual([]);
      expect(JSON.stringify(sim.state.volumes.all())).toBe(before);
      expect(await count(db, 'snapshot_volume_assignments')).toBe(0);
      expect(await count(db, 'snapshot_assignments')).toBe(0);
      expect(await count(db, 'snapshot_rules')).toBe(0);

      const byId = new Map(outcomes.map(o => [o.volumeId, o]));
      const target = byId.get(inProject[0].id)!;
      expect(target.current).toBeNull();
      expect(target.proposed).toMatchObject({
        source: 'rule:project-daily',
        matchedRule: 'project-daily',
        enabled: true,
        policies: [{ policy: 'daily_5', retention: 3, misconfigured: null }],
      });
      expect(target.metadataChanges.set).toMatchObject({
        auto_snapshot: 'true',
        snapshot_policies: 'daily_5',
        retention_daily_5: '3',
        snapshot_managed_by: 'rule:project-daily',
      });
      // the owner's own metadata decides for its volume and is never rewritten
      expect(byId.get(owned.id)!.proposed.source).toBe('metadata');
      expect(byId.get(owned.id)!.metadataChanges).toEqual({
        set: {},
        remove: [],
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'writes rule results with the marker, leaves hand-edited metadata alone and withdraws its keys (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const { owned, project, inProject } = pick(sim);
      const j = job(db, sim);
      await j.store.createRule(
        ruleInputSchema.parse({
          name: 'project-daily',
          action: 'include',
          match: { project_id: project },
          policies: ['daily_5'],
          retention: { daily_5: 3 },
        }),
        USER,
      );
      const ownedBefore = { ...owned.metadata };

      const first = await j.run('sim');
      expect(first.metadataFailed).toBe(0);
      expect(first.metadataWritten).toBe(inProject.length);
      for (const v of inProject) {
        const md = sim.state.volumes.get(v.id)!.metadata;
        expect(md).toMatchObject({
          auto_snapshot: 'true',
          snapshot_policies: 'daily_5',
          retention_daily_5: '3',
          snapshot_managed_by: 'rule:project-daily',
        });
        expect(md.snapshot_managed_hash).toBe(managedHash(md));
      }
      expect(sim.state.volumes.get(owned.id)!.metadata).toEqual(ownedBefore);
      const stored = await db('snapshot_volume_assignments').where({
        volume_id: inProject[0].id,
      });
      expect(stored[0]).toMatchObject({
        source: 'rule:project-daily',
        matched_rule: 'project-daily',
      });
      expect(
        await count(db, 'snapshot_assignments', {
          volume_id: inProject[0].id,
          policy: 'daily_5',
        }),
      ).toBe(1);

      // a second run finds nothing to write
      const logStart = sim.requestLog.length;
      expect((await j.run('sim')).metadataWritten).toBe(0);
      expect(writesOf(sim, logStart)).toEqual([]);

      // the cycle protects what the rule assigned
      const before = new Set(sim.state.snapshots.all().map(s => s.id));
      await cycleEngine(db, simCloud(sim), {
        settings: { batchDelayMs: 0 },
      }).run('sim', 'scheduled', 'system:test');
      const created = sim.state.snapshots.all().filter(s => !before.has(s.id));
      for (const v of inProject) {
        expect(created.filter(s => s.volume_id === v.id)).toHaveLength(1);
      }

      // a tenant edits one volume by hand: it is the owner's now, never overwritten
      const edited = sim.state.volumes.get(inProject[0].id)!;
      edited.metadata = { ...edited.metadata, retention_daily_5: '7' };
      const third = await j.run('sim');
      expect(third.ownerEdited).toEqual([edited.id]);
      expect(sim.state.volumes.get(edited.id)!.metadata.retention_daily_5).toBe(
        '7',
      );
      expect(
        (
          await db('snapshot_volume_assignments').where({
            volume_id: edited.id,
          })
        )[0].source,
      ).toBe('metadata');

      // the rule goes: our keys go with it, the edited volume keeps its owner's metadata
      await j.store.deleteRule('project-daily');
      await j.run('sim');
      for (const v of inProject.slice(1)) {
        expect(sim.state.volumes.get(v.id)!.metadata).toEqual({});
      }
      expect(sim.state.volumes.get(edited.id)!.metadata.retention_daily_5).toBe(
        '7',
      );
    },
  );

  it('follows SNAP-8: exclusion over manual over owner metadata over rules', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    const { owned, project, inProject } = pick(sim);
    expect(inProject.length).toBeGreaterThan(1);
    const elsewhere = sim.state.volumes
      .all()
      .find(
        v =>
          v['os-vol-tenant-attr:tenant_id'] !== project &&
          Object.keys(v.metadata ?? {}).length === 0,
      )!;
    const j = job(db, sim);
    await j.store.createRule(
      ruleInputSchema.parse({
        name: 'all',
        action: 'include',
        policies: ['monthly_1st'],
      }),
      USER,
    );
    await j.store.createRule(
      ruleInputSchema.parse({
        name: 'not-this-project',
        action: 'exclude',
        priority: 5000,
        match: { project_id: project },
      }),
      USER,
    );
    await j.store.putExclusion(
      'sim',
      { volumeId: owned.id, reason: 'scratch', expiresAt: null },
      USER,
    );
    await j.store.putManual(
      'sim',
      {
        volumeId: inProject[0].id,
        policies: ['daily_5'],
        retention: { daily_5: 2 },
        note: null,
      },
      USER,
    );
    await j.run('sim');
    const source = async (volumeId: string) =>
      (
        await db('snapshot_volume_assignments').where({ volume_id: volumeId })
      )[0].source;
    expect(await source(owned.id)).toBe('exclusion');
    expect(await source(inProject[0].id)).toBe('manual');
    expect(sim.state.volumes.get(inProject[0].id)!.metadata).toMatchObject({
      snapshot_managed_by: 'manual',
      retention_daily_5: '2',
    });
    // an exclude rule wins over a catch-all include, whatever their priorities
    expect(await source(inProject[1].id)).toBe('rule:not-this-project');
    expect(await source(elsewhere.id)).toBe('rule:all');
  });

  it('changes nothing when the volume listing fails', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    const j = job(db, sim);
    await j.store.createRule(
      ruleInputSchema.parse({
        name: 'all',
        action: 'include',
        policies: ['daily_5'],
      }),
      USER,
    );
    sim.faults.add({ pathPattern: '/volumes/detail', status: 500 });
    const logStart = sim.requestLog.length;
    await expect(j.run('sim')).rejects.toThrow(/volume listing/);
    expect(writesOf(sim, logStart)).toEqual([]);
    expect(await count(db, 'snapshot_volume_assignments')).toBe(0);
  });
});
