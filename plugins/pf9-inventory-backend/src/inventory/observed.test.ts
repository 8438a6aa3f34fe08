import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import knexFactory, { Knex } from 'knex';
import * as bulk from './bulkInsert';
import { CinderSnapshot, closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import {
  cycleEngine,
  eligibleVolumes,
  prepareSim,
} from '../snapshots/__testUtils__/sim';
import { CREATED_BY } from '../snapshots/live';
import {
  migrated,
  simEngine,
  startTinySim,
  tableCount,
} from './__testUtils__/harness';
import { recordObservedSnapshots, snapshotRunRef } from './observed';
import { InventoryQueries, stateAtRun } from './query';

jest.setTimeout(180_000);

// the real bulk insert, replaceable by one test to let "a sync" insert a row first
jest.mock('./bulkInsert', () => {
  const actual = jest.requireActual('./bulkInsert');
  return { ...actual, bulkInsert: jest.fn(actual.bulkInsert) };
});

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
/** two connections racing need a server database */
const pgOnly = TestDatabases.create({ ids: ['POSTGRES_15'] });
const USER = 'user:default/tester';
const TYPE = 'volume_snapshot';

async function versionsOf(db: Knex, id: string) {
  return db('inventory_versions')
    .where({ cloud_id: 'sim', type: TYPE, resource_id: id })
    .orderBy('version_no');
}

describe('snapshots the snapshot engine made, in the inventory (SNAP-25)', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startTinySim();
    prepareSim(sim);
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it.each(databases.eachSupportedId())(
    'created snapshots are versions of the snapshot run; the next sync adds no created version (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const inventory = simEngine(db, sim);
      await inventory.run('sim', 'on_demand', USER);
      const before = new Set(sim.state.snapshots.all().map(s => s.id));

      const run = await cycleEngine(db, simCloud(sim)).run('sim', 'api', USER);
      const created = sim.state.snapshots.all().filter(s => !before.has(s.id));
      expect(created.length).toBe(eligibleVolumes(sim).length);
      expect(created.length).toBeGreaterThan(0);

      const queries = new InventoryQueries(db);
      for (const s of created) {
        const resource = await queries.getResource(
          'sim',
          TYPE,
          s.id,
          undefined,
        );
        expect(resource).toMatchObject({
          id: s.id,
          projectId: s['os-extended-snapshot-attributes:project_id'],
        });
        expect(resource!.domainId).not.toBeNull();
        const [first, ...rest] = await versionsOf(db, s.id);
        expect(first).toMatchObject({
          run_id: snapshotRunRef(run.id),
          change_type: 'created',
          version_no: 1,
        });
        expect(rest).toEqual([]);
      }

      const sync = await inventory.run('sim', 'on_demand', USER);
      expect(sync.status).toBe('succeeded');
      for (const s of created) {
        const versions = await versionsOf(db, s.id);
        expect(versions.map(v => v.change_type)).not.toContain('discovered');
        expect(
          versions.filter(v => v.change_type === 'created').map(v => v.run_id),
        ).toEqual([snapshotRunRef(run.id)]);
        // only what really changed since the create answer (its status) may be versioned by the sync
        for (const v of versions.slice(1)) {
          expect(JSON.parse(v.changed_fields)).toEqual(['status']);
        }
      }
      // the state at that sync (exports, comparisons) holds them, though their creation was no sync's
      const state = await stateAtRun(db, 'sim', sync.id, TYPE);
      expect(state.map(r => r.id)).toEqual(
        expect.arrayContaining(created.map(s => s.id)),
      );
      // a third sync sees nothing new
      const versionsBefore = await tableCount(db, 'inventory_versions', {
        type: TYPE,
      });
      await inventory.run('sim', 'on_demand', USER);
      expect(await tableCount(db, 'inventory_versions', { type: TYPE })).toBe(
        versionsBefore,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'a dry-run writes nothing to the inventory (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      await simEngine(db, sim).run('sim', 'on_demand', USER);
      const tables = ['inventory_resources', 'inventory_versions'];
      const counts = async () =>
        Promise.all(tables.map(t => tableCount(db, t)));
      const before = await counts();
      const run = await cycleEngine(db, simCloud(sim)).run('sim', 'api', USER, {
        dryRun: true,
      });
      expect(run.counts.created).toBeGreaterThan(0);
      expect(await counts()).toEqual(before);
    },
  );

  it.each(databases.eachSupportedId())(
    'a retention delete is a deleting version, and only the next sync records the deletion (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const volume = eligibleVolumes(sim).find(v => v.status === 'available')!;
      volume.metadata.retention_daily_5 = '1';
      const project = volume['os-vol-tenant-attr:tenant_id'];
      for (const s of sim.state.snapshots.all()) {
        if (s.volume_id === volume.id) sim.state.snapshots.remove(s.id);
      }
      // the newest available one is kept (retention 1), the two older ones are surplus
      const surplus = ['snap-old-1', 'snap-old-2'];
      ['snap-newest', ...surplus].forEach((sid, i) =>
        sim.state.snapshots.add({
          id: sid,
          name: sid,
          volume_id: volume.id,
          status: 'available',
          size: volume.size,
          created_at: new Date(Date.now() - (i + 2) * 86_400_000)
            .toISOString()
            .replace('Z', ''),
          updated_at: null,
          description: null,
          metadata: {
            created_by: CREATED_BY,
            managed_by: 'pf9-ops',
            policy: 'daily_5',
            period: `p${i}`,
            original_volume_id: volume.id,
            original_project_id: project,
          },
          user_id: sim.state.adminUserId,
          'os-extended-snapshot-attributes:project_id': project,
          'os-extended-snapshot-attributes:progress': '100%',
        }),
      );
      const inventory = simEngine(db, sim);
      await inventory.run('sim', 'on_demand', USER);

      const run = await cycleEngine(db, simCloud(sim)).run('sim', 'api', USER);
      const deleted = await db('snapshot_records')
        .where({ run_id: run.id, action: 'deleted' })
        .pluck('snapshot_id');
      expect(deleted.sort()).toEqual(surplus);
      for (const sid of surplus) {
        const versions = await versionsOf(db, sid);
        expect(versions.at(-1)).toMatchObject({
          run_id: snapshotRunRef(run.id),
          change_type: 'updated',
        });
        expect(JSON.parse(versions.at(-1).changed_fields)).toEqual(['status']);
        expect(JSON.parse(versions.at(-1).content).status).toBe('deleting');
        const row = await db('inventory_resources')
          .where({ cloud_id: 'sim', type: TYPE, id: sid })
          .first();
        expect(row).toMatchObject({ status: 'deleting' });
        expect(!!row.deleted).toBe(false);
      }
      expect(await tableCount(db, 'inventory_deletions')).toBe(0);

      // the snapshots are gone from Cinder: the sync records the deletions (complete listing + GET)
      await inventory.run('sim', 'on_demand', USER);
      const deletions = await db('inventory_deletions')
        .where({ cloud_id: 'sim', type: TYPE })
        .pluck('resource_id');
      expect(deletions.sort()).toEqual(surplus);
    },
  );

  it.each(databases.eachSupportedId())(
    'a snapshot observed twice in one batch gets a version per observation, in order (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const [snapshot, other] = sim.state.snapshots.all() as CinderSnapshot[];
      const source = { cloudId: 'sim', runRef: snapshotRunRef('r1') };
      const outcomes = await recordObservedSnapshots(db, source, [
        { snapshot, event: 'created' },
        { snapshot: other, event: 'created' },
        { snapshot, event: 'deleted' },
        { snapshot, event: 'deleted' },
      ]);
      expect(outcomes).toEqual(['created', 'created', 'updated', 'unchanged']);
      const versions = await versionsOf(db, snapshot.id);
      expect(versions.map(v => [v.version_no, v.change_type])).toEqual([
        [1, 'created'],
        [2, 'updated'],
      ]);
      expect(JSON.parse(versions[1].changed_fields)).toEqual(['status']);
      expect(JSON.parse(versions[1].content).status).toBe('deleting');
      expect(await versionsOf(db, other.id)).toHaveLength(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'a create the inventory already holds is written against its row, not failed (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const [known, fresh, gone] =
        sim.state.snapshots.all() as CinderSnapshot[];
      const source = { cloudId: 'sim', runRef: snapshotRunRef('r1') };
      // a sync (or an earlier observation) stored two of them first; one is recorded as deleted
      await recordObservedSnapshots(db, source, [
        { snapshot: known, event: 'created' },
        { snapshot: gone, event: 'created' },
      ]);
      await db('inventory_resources')
        .where({ cloud_id: 'sim', type: TYPE, id: gone.id })
        .update({ deleted: true });

      const changed = { ...known, name: `${known.name}-renamed` };
      expect(
        await recordObservedSnapshots(db, source, [
          { snapshot: changed, event: 'created' },
          { snapshot: fresh, event: 'created' },
          { snapshot: gone, event: 'created' },
        ]),
      ).toEqual(['updated', 'created', 'skipped']);
      // alone, unchanged
      expect(
        await recordObservedSnapshots(db, source, [
          { snapshot: changed, event: 'created' },
        ]),
      ).toEqual(['unchanged']);
      expect((await versionsOf(db, known.id)).map(v => v.version_no)).toEqual([
        1, 2,
      ]);
      expect((await versionsOf(db, fresh.id)).map(v => v.version_no)).toEqual([
        1,
      ]);
      expect((await versionsOf(db, gone.id)).map(v => v.version_no)).toEqual([
        1,
      ]);
    },
  );

  it.each(pgOnly.eachSupportedId())(
    'a sync inserting one of the batch first costs that snapshot its upsert, not the batch (%p)',
    async id => {
      const db = await migrated(await pgOnly.init(id));
      const other = knexFactory(db.client.config);
      const [a, raced, c] = sim.state.snapshots.all() as CinderSnapshot[];
      const source = { cloudId: 'sim', runRef: snapshotRunRef('r1') };
      const { bulkInsert: insert } = jest.requireActual('./bulkInsert');
      let syncInserted = false;
      const mocked = bulk.bulkInsert as jest.MockedFunction<
        typeof bulk.bulkInsert
      >;
      mocked.mockImplementation(async (tx, table, columns, rows) => {
        if (!syncInserted && table === 'inventory_resources') {
          syncInserted = true;
          // another connection commits the row between our read and our insert
          await recordObservedSnapshots(other, source, [
            { snapshot: raced, event: 'created' },
          ]);
        }
        return insert(tx, table, columns, rows);
      });
      try {
        const outcomes = await recordObservedSnapshots(db, source, [
          { snapshot: a, event: 'created' },
          { snapshot: raced, event: 'created' },
          { snapshot: c, event: 'created' },
        ]);
        expect(syncInserted).toBe(true);
        expect(outcomes).toEqual(['created', 'unchanged', 'created']);
        for (const s of [a, raced, c]) {
          expect((await versionsOf(db, s.id)).map(v => v.version_no)).toEqual([
            1,
          ]);
        }
      } finally {
        mocked.mockImplementation(insert);
        await other.destroy();
      }
    },
  );
});
