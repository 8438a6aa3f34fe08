import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import {
  migrated,
  simEngine,
  startTinySim,
} from '../inventory/__testUtils__/harness';
import {
  closeSharedAgents,
  createOpenStackClient,
  TokenCache,
} from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { cycleEngine, eligibleVolumes, prepareSim } from './__testUtils__/sim';
import { AssignmentJob } from './assignmentJob';
import { PipelineAlreadyRunningError, SnapshotPipeline } from './pipeline';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/tester';

function pipelineOf(db: Knex, sim: Simulator) {
  const tokenCache = new TokenCache();
  const logger = mockServices.logger.mock();
  return new SnapshotPipeline({
    db,
    inventory: simEngine(db, sim),
    assignments: new AssignmentJob({
      db,
      clouds: [simCloud(sim)],
      logger,
      clientFactory: (c, { readOnly }) =>
        createOpenStackClient(c, { readOnly, retryBaseDelayMs: 2, tokenCache }),
    }),
    cycle: cycleEngine(db, simCloud(sim), { settings: { batchDelayMs: 0 } }),
    logger,
  });
}

describe('sync & snapshot now (SNAP-26)', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startTinySim();
    prepareSim(sim);
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it.each(databases.eachSupportedId())(
    'runs sync, assignments, cycle and sync in order, one at a time (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const pipeline = pipelineOf(db, sim);
      const before = sim.state.snapshots.all().length;
      const { jobId, done } = await pipeline.start('sim', USER);
      await expect(pipeline.start('sim', USER)).rejects.toBeInstanceOf(
        PipelineAlreadyRunningError,
      );
      const job = await done;
      expect(job.status).toBe('succeeded');
      expect(job.steps.map(s => [s.name, s.status])).toEqual([
        ['inventory_sync', 'succeeded'],
        ['assignments', 'succeeded'],
        ['snapshot_cycle', 'succeeded'],
        ['inventory_sync', 'succeeded'],
      ]);
      const cycleRun = job.steps[2].runId!;
      expect(
        (await db('snapshot_runs').where({ id: cycleRun }))[0],
      ).toMatchObject({ trigger: 'on_demand' });
      expect(sim.state.snapshots.all().length).toBe(
        before + eligibleVolumes(sim).length,
      );
      const syncs = await db('inventory_runs')
        .where({ trigger: 'pipeline' })
        .count({ n: '*' });
      expect(Number(syncs[0].n)).toBe(2);
      expect((await pipeline.get(jobId)).finishedAt).not.toBeNull();
      // the next one may start once this one finished
      await (
        await pipeline.start('sim', USER)
      ).done;
    },
  );

  it('fails a pipeline left running by a dead instance, then starts a new one', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    await db('snapshot_pipelines').insert({
      id: 'dead',
      cloud_id: 'sim',
      status: 'running',
      triggered_by: USER,
      steps: '[]',
      started_at: new Date(Date.now() - 7 * 3600_000),
    });
    const pipeline = pipelineOf(db, sim);
    const job = await (await pipeline.start('sim', USER)).done;
    expect(job.status).toBe('succeeded');
    expect(await pipeline.get('dead')).toMatchObject({
      status: 'failed',
      error: 'interrupted',
    });
  });

  it('stops at a failed sync: later steps are skipped and nothing is snapshotted', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    const pipeline = pipelineOf(db, sim);
    sim.faults.add({ pathPattern: '/v3/projects$', status: 500 });
    const before = sim.state.snapshots.all().length;
    const job = await (await pipeline.start('sim', USER)).done;
    expect(job.status).toBe('failed');
    expect(job.steps.map(s => s.status)).toEqual([
      'failed',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(job.error).toMatch(/inventory_sync failed/);
    expect(sim.state.snapshots.all().length).toBe(before);
    expect(await db('snapshot_runs').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
