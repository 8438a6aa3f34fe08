import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { closeSharedAgents } from '../openstack';
import { migrated, simEngine, startTinySim } from './__testUtils__/harness';
import { changesInRun } from './changes';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/test';
let sim: Simulator;

beforeAll(async () => {
  sim = await startTinySim();
});
afterAll(async () => {
  await sim.close();
  await closeSharedAgents();
});

describe('changesInRun', () => {
  it.each(databases.eachSupportedId())(
    'lists what each run created, changed and deleted, and nothing for an unchanged re-sync on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      const engine = simEngine(db, sim);
      const types = ['server', 'volume'] as const;
      const page = {
        cloudId: 'sim',
        types: [...types],
        page: 1,
        pageSize: 1000,
      };

      const first = await engine.run('sim', 'on_demand', USER);
      const created = await changesInRun(
        db,
        { ...page, runId: first.id },
        undefined,
      );
      expect(created.total).toBe(
        sim.state.servers.all().length + sim.state.volumes.all().length,
      );
      expect(created.items.every(c => c.change === 'upserted')).toBe(true);

      const unchanged = await engine.run('sim', 'on_demand', USER);
      expect(
        await changesInRun(db, { ...page, runId: unchanged.id }, undefined),
      ).toEqual({
        items: [],
        total: 0,
      });

      const server = sim.state.servers.all()[0];
      server.metadata = { ...server.metadata, owner: `team-${id}` };
      const volume = sim.state.volumes
        .all()
        .find(
          v =>
            v.attachments.length === 0 &&
            !sim.state.snapshots.all().some(s => s.volume_id === v.id),
        )!;
      sim.state.volumes.remove(volume.id);
      const changed = await engine.run('sim', 'on_demand', USER);
      const { items } = await changesInRun(
        db,
        { ...page, runId: changed.id },
        undefined,
      );
      expect(items).toEqual([
        {
          change: 'upserted',
          resource: expect.objectContaining({ type: 'server', id: server.id }),
        },
        { change: 'deleted', type: 'volume', id: volume.id },
      ]);

      // Scope filters the changes like every other read.
      const outOfScope = await changesInRun(
        db,
        { ...page, runId: changed.id },
        { domainIds: ['no-such-domain'] },
      );
      expect(outOfScope.total).toBe(0);
      sim.state.volumes.add(volume);
    },
  );
});
