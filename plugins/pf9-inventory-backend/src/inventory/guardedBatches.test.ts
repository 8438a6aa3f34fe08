import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import { closeSharedAgents } from '../openstack';
import { migrated, simEngine, startTinySim } from './__testUtils__/harness';
import { InventorySyncEngine } from './engine';
import { GuardedBatches } from './guardedBatches';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/tester';
const ADMIN = 'user:default/admin';

describe('guarded deletion batches (INV-21)', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startTinySim();
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  /** Two syncs; the second misses 11 security group rules, so the guard holds them back. */
  async function guardedRun(db: Knex, engine: InventorySyncEngine) {
    await engine.run('sim', 'on_demand', USER);
    const rules = sim.state.securityGroupRules.all().slice(0, 11);
    for (const r of rules) sim.state.securityGroupRules.remove(r.id);
    const run = await engine.run('sim', 'on_demand', USER);
    expect(run.types.find(t => t.type === 'security_group_rule')?.status).toBe(
      'complete_guarded',
    );
    const batches = new GuardedBatches(db, {
      verifier: cloudId => engine.verifier(cloudId),
      verifyLimit: 500,
    });
    return { run, rules, batches };
  }

  const deletedRules = (db: Knex) =>
    db('inventory_deletions')
      .where({ type: 'security_group_rule' })
      .pluck('resource_id');

  it.each(databases.eachSupportedId())(
    'an approval records the held-back deletions once, on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      const { run, rules, batches } = await guardedRun(db, engine);

      const result = await batches.decide({
        runId: run.id,
        type: 'security_group_rule',
        decision: 'approved',
        actor: ADMIN,
      });

      expect(result).toEqual({
        runId: run.id,
        type: 'security_group_rule',
        decision: 'approved',
        candidates: 11,
        recorded: 11,
        kept: 0,
      });
      expect((await deletedRules(db)).sort()).toEqual(
        rules.map(r => r.id).sort(),
      );
      const versions = await db('inventory_versions')
        .where({ type: 'security_group_rule', change_type: 'deleted' })
        .count({ n: '*' });
      expect(Number(versions[0].n)).toBe(11);
      await expect(
        batches.decide({
          runId: run.id,
          type: 'security_group_rule',
          decision: 'approved',
          actor: ADMIN,
        }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect(await deletedRules(db)).toHaveLength(11);
    },
  );

  it.each(databases.eachSupportedId())(
    'a rejection changes nothing, and a batch a later complete listing superseded cannot be approved, on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      const { run, batches } = await guardedRun(db, engine);

      const rejected = await batches.decide({
        runId: run.id,
        type: 'security_group_rule',
        decision: 'rejected',
        actor: ADMIN,
      });
      expect(rejected).toMatchObject({ recorded: 0, kept: 11 });
      expect(await deletedRules(db)).toEqual([]);
      const [decision] = await db('inventory_guard_decisions').select();
      expect(decision).toMatchObject({
        decision: 'rejected',
        decided_by: ADMIN,
      });

      // the next sync is guarded again; a third one supersedes it
      const second = await engine.run('sim', 'on_demand', USER);
      await engine.run('sim', 'on_demand', USER);
      await expect(
        batches.decide({
          runId: second.id,
          type: 'security_group_rule',
          decision: 'approved',
          actor: ADMIN,
        }),
      ).rejects.toThrow(/stale/);
      await expect(
        batches.decide({
          runId: second.id,
          type: 'server',
          decision: 'approved',
          actor: ADMIN,
        }),
      ).rejects.toThrow(/no guarded deletion batch/);
      expect(await deletedRules(db)).toEqual([]);
    },
  );
});
