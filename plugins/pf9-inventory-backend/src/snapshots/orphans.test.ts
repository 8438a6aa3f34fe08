import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { startSimulator } from '@internal/openstack-sim';
import { migrated } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { cycleEngine, eligibleVolumes, prepareSim } from './__testUtils__/sim';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('SNAP-20 orphaned managed snapshots', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({
      scenario: 'tiny',
      seed: 1,
      port: 0,
      transitionMs: 0,
    });
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it.each(databases.eachSupportedId())(
    'keeps and lists our snapshots of an unassigned pair and of a deleted volume, scope-filtered (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      prepareSim(sim);
      const engine = cycleEngine(db, simCloud(sim), {
        settings: { batchDelayMs: 0 },
      });
      const first = await engine.run('sim', 'api', 'system:test');
      expect(first.counts.created).toBeGreaterThan(1);
      expect((await engine.orphans('sim', undefined)).items).toEqual([]);

      const [unassigned, deleted] = eligibleVolumes(sim);
      const snapshotsOf = (volumeId: string) =>
        sim.state.snapshots
          .all()
          .filter(s => s.metadata?.original_volume_id === volumeId)
          .map(s => s.id);
      const unassignedSnapshots = snapshotsOf(unassigned.id);
      const deletedSnapshots = snapshotsOf(deleted.id);
      expect(unassignedSnapshots.length).toBeGreaterThan(0);
      expect(deletedSnapshots.length).toBeGreaterThan(0);
      unassigned.metadata.auto_snapshot = 'false';
      sim.state.volumes.remove(deleted.id);

      const second = await engine.run('sim', 'api', 'system:test');
      expect(second.status).not.toBe('failed');
      const logStart = sim.requestLog.length;
      const listing = await engine.orphans('sim', undefined);
      expect(listing.complete).toBe(true);
      expect(
        listing.items.map(o => [o.snapshotId, o.volumeId, o.reason]).sort(),
      ).toEqual(
        [
          ...unassignedSnapshots.map(s => [
            s,
            unassigned.id,
            'pair_unassigned',
          ]),
          ...deletedSnapshots.map(s => [s, deleted.id, 'volume_deleted']),
        ].sort(),
      );
      // the read sends only GETs, and the cycle kept them all
      const writes = sim.requestLog
        .slice(logStart)
        .filter(
          r =>
            !['GET', 'HEAD'].includes(r.method) &&
            !(r.method === 'POST' && r.path === '/v3/auth/tokens'),
        );
      expect(writes).toEqual([]);
      const present = new Set(sim.state.snapshots.all().map(s => s.id));
      expect(
        [...unassignedSnapshots, ...deletedSnapshots].every(s =>
          present.has(s),
        ),
      ).toBe(true);

      const domainId = listing.items[0].domainId!;
      const scoped = await engine.orphans('sim', { domainIds: [domainId] });
      expect(scoped.items.length).toBeGreaterThan(0);
      expect(scoped.items).toEqual(
        listing.items.filter(o => o.domainId === domainId),
      );
      const none = await engine.orphans('sim', { domainIds: ['no-domain'] });
      expect(none.items).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'before any pair is stored, only deleted volumes make orphans and the listing says it is incomplete (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      prepareSim(sim);
      const engine = cycleEngine(db, simCloud(sim));
      const [volume] = eligibleVolumes(sim);
      await engine.run('sim', 'api', 'system:test');
      await db('snapshot_assignments').delete();
      const ours = sim.state.snapshots
        .all()
        .filter(s => s.metadata?.original_volume_id === volume.id)
        .map(s => s.id);
      expect(ours.length).toBeGreaterThan(0);
      sim.state.volumes.remove(volume.id);

      const listing = await engine.orphans('sim', undefined);
      expect(listing.complete).toBe(false);
      expect(listing.reason).toMatch(/no assignments stored yet/);
      expect(listing.items.map(o => o.reason)).toEqual(
        ours.map(() => 'volume_deleted'),
      );
      expect(listing.items.map(o => o.snapshotId).sort()).toEqual(ours.sort());
    },
  );
});
