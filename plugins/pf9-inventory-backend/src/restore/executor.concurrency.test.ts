/**
 * RST-15 across backend instances: one active job per server (409, also when two instances execute at
 * once), and a job whose instance died is resumed by another one without duplicate resources.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import knexFactory, { Knex } from 'knex';
import { migrated } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import {
  Fixture,
  jobResources,
  plan,
  planRequest,
  restoreInstance,
  serversNamed,
  waitForStatus,
  startRestoreSim,
} from './__testUtils__/executorHarness';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/operator';

/** A second connection pool to the same database, as another backend instance has (PostgreSQL). */
function secondPool(db: Knex): { db: Knex; close: () => Promise<void> } {
  const { client, connection } = db.client.config;
  if (!String(client).startsWith('p'))
    return { db, close: async () => undefined };
  const other = knexFactory({ client, connection, pool: { min: 0, max: 5 } });
  return { db: other, close: () => other.destroy() };
}

describe('restore jobs across backend instances', () => {
  let sim: Simulator;
  let fixture: Fixture;

  beforeEach(async () => {
    ({ sim, fixture } = await startRestoreSim('db-1'));
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it.each(databases.eachSupportedId())(
    'a second restore of the same server gets 409, also from two instances at once (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const other = secondPool(db);
      try {
        const a = restoreInstance(db, sim);
        const b = restoreInstance(other.db, sim);
        const first = await plan(db, sim, planRequest(fixture));
        const second = await plan(db, sim, planRequest(fixture));
        await a.control.execute({
          jobId: first.planId,
          dryRun: false,
          actor: USER,
        });
        await expect(
          b.control.execute({
            jobId: second.planId,
            dryRun: false,
            actor: USER,
          }),
        ).rejects.toMatchObject({
          name: 'ConflictError',
          details: {
            code: 'RESTORE_ALREADY_ACTIVE',
            activeJobId: first.planId,
          },
        });
        expect(
          await a.control.cancel({ jobId: first.planId, actor: USER }),
        ).toEqual({ status: 'CANCELED' });

        // two instances race with two plans of the same server: exactly one wins
        const third = await plan(db, sim, planRequest(fixture));
        const fourth = await plan(db, sim, planRequest(fixture));
        const results = await Promise.allSettled([
          a.control.execute({
            jobId: third.planId,
            dryRun: false,
            actor: USER,
          }),
          b.control.execute({
            jobId: fourth.planId,
            dryRun: false,
            actor: USER,
          }),
        ]);
        expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
        const refused = results.find(
          r => r.status === 'rejected',
        ) as PromiseRejectedResult;
        expect(refused.reason).toMatchObject({
          details: { code: 'RESTORE_ALREADY_ACTIVE' },
        });
        const active = await db('restore_jobs').where({
          server_id: fixture.serverId,
          status: 'PENDING',
        });
        expect(active).toHaveLength(1);
        // the refused plan is still PLANNED and changed nothing; only the winner has a job row
        expect(
          await db('jobs').whereIn('id', [third.planId, fourth.planId]),
        ).toHaveLength(1);

        // and the same plan executed by both instances at once runs once
        await a.control.cancel({ jobId: active[0].id, actor: USER });
        const fifth = await plan(db, sim, planRequest(fixture));
        const same = await Promise.allSettled([
          a.control.execute({
            jobId: fifth.planId,
            dryRun: false,
            actor: USER,
          }),
          b.control.execute({
            jobId: fifth.planId,
            dryRun: false,
            actor: USER,
          }),
        ]);
        expect(same.map(r => r.status).sort()).toEqual([
          'fulfilled',
          'rejected',
        ]);
      } finally {
        await other.close();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'a job whose instance died is resumed by another one without duplicates (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const other = secondPool(db);
      try {
        const p = await plan(db, sim, planRequest(fixture));
        const logStart = sim.requestLog.length;
        let killedAt: string | undefined;
        const a = restoreInstance(db, sim, {
          ownerId: 'instance-a',
          onStepStart: async (_jobId, step) => {
            if (step === 'CREATE_SERVER' && !killedAt) {
              // the process dies while it sends POST /servers: no heartbeat, no cleanup
              killedAt = step;
              a.runner.kill();
            }
          },
        });
        a.runner.start();
        await a.control.execute({
          jobId: p.planId,
          dryRun: false,
          actor: USER,
        });
        for (let i = 0; i < 500 && !killedAt; i++)
          await new Promise(r => setTimeout(r, 10));
        expect(killedAt).toBe('CREATE_SERVER');
        // give the dead instance's in-flight call time to land, as on a real cloud
        await new Promise(r => setTimeout(r, 200));

        const b = restoreInstance(other.db, sim, {
          ownerId: 'instance-b',
          staleAfterMs: 300,
        });
        b.runner.start();
        expect(await waitForStatus(db, p.planId)).toBe('SUCCEEDED');
        await b.runner.stop();

        const job = await db('jobs').where({ id: p.planId }).first();
        expect(job).toMatchObject({
          owner_id: 'instance-b',
          resume_count: 1,
          state: 'done',
        });
        const restored = await db('restore_jobs')
          .where({ id: p.planId })
          .first();
        expect(serversNamed(sim, p.carryOver.name).map(s => s.id)).toEqual([
          restored.result_server_id,
        ]);
        // the dead instance's POST /servers was adopted by name and metadata, not repeated (RST-20)
        const creates = sim.requestLog
          .slice(logStart)
          .filter(
            r => r.method === 'POST' && r.path === '/compute/v2.1/servers',
          );
        expect(creates).toHaveLength(1);
        const ledger = await db('restore_ledger').where({
          job_id: p.planId,
          kind: 'server',
        });
        expect(ledger.map(e => e.resource_id)).toEqual([
          restored.result_server_id,
        ]);
        const made = jobResources(sim, p.planId);
        expect({
          volumes: made.volumes.length,
          ports: made.ports.length,
          servers: made.servers.length,
        }).toEqual({
          volumes: 2,
          ports: 1,
          servers: 1,
        });
      } finally {
        await other.close();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'a job resumed more than 3 times fails and rolls back (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const p = await plan(db, sim, planRequest(fixture));
      const one = restoreInstance(db, sim, { staleAfterMs: 100 });
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      // its third owner died too: RUNNING, a stale heartbeat, three resumes behind it
      await db('restore_jobs')
        .where({ id: p.planId })
        .update({ status: 'RUNNING' });
      await db('jobs')
        .where({ id: p.planId })
        .update({
          state: 'running',
          owner_id: 'ghost',
          heartbeat_at: new Date(Date.now() - 60_000),
          resume_count: 3,
        });
      one.runner.start();
      expect(await waitForStatus(db, p.planId)).toBe('FAILED');
      await one.runner.stop();
      const job = await db('restore_jobs').where({ id: p.planId }).first();
      expect(job.error).toContain('resumed more than 3 times');
      expect(await db('jobs').where({ id: p.planId }).first()).toMatchObject({
        resume_count: 4,
        state: 'done',
      });
      expect(jobResources(sim, p.planId)).toEqual({
        servers: [],
        volumes: [],
        snapshots: [],
        ports: [],
        images: [],
        keypairs: [],
      });
    },
  );
});
