import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import { migrated } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import {
  Fixture,
  imageBootedFixture,
  jobResources,
  plan,
  planRequest,
  restoreInstance,
  serverFingerprint,
  serversNamed,
  SIM_TRANSITION_MS,
  startRestoreSim,
  waitForStatus,
} from './__testUtils__/executorHarness';
import { writesSince } from './__testUtils__/planFixtures';
import { pruneSafetySnapshots } from './housekeeping';
import { simCloud } from '../openstack/__testUtils__/sim';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/operator';

describe('restore executor', () => {
  let sim: Simulator;
  let fixture: Fixture;

  beforeEach(async () => {
    ({ sim, fixture } = await startRestoreSim('web-1'));
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it('runs on PostgreSQL when the test command provides it', () => {
    const required = process.env.PF9_REQUIRE_POSTGRES === '1';
    expect(!required || databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'a job that cannot get a project session and touched nothing ends FAILED, not ROLLBACK_FAILED (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const p = await plan(db, sim, planRequest(fixture));
      // the admin loses its role in the server's project after the plan: every scoped token is refused
      sim.state.roleAssignments.splice(
        0,
        sim.state.roleAssignments.length,
        ...sim.state.roleAssignments.filter(
          a => a.scope?.project !== fixture.projectId,
        ),
      );
      const one = restoreInstance(db, sim);
      one.runner.start();
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, p.planId)).toBe('FAILED');
      await one.runner.stop();
      const step = await db('restore_steps')
        .where({ job_id: p.planId, name: 'PREPARE_CREDENTIALS' })
        .first();
      expect(step.status).toBe('FAILED');
      expect(await db('restore_ledger').where({ job_id: p.planId })).toEqual(
        [],
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'side_by_side restores an ACTIVE twin and leaves the original untouched (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const before = serverFingerprint(sim, fixture.serverId);
      const p = await plan(db, sim, planRequest(fixture));
      const one = restoreInstance(db, sim);
      one.runner.start();
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, p.planId)).toBe('SUCCEEDED');
      await one.runner.stop();

      const job = await db('restore_jobs').where({ id: p.planId }).first();
      expect(job.user_data_encrypted).toBeNull();
      const twin = sim.state.servers.get(job.result_server_id)!;
      expect(twin).toMatchObject({ status: 'ACTIVE', name: p.carryOver.name });
      expect(twin.metadata).toMatchObject({
        app: 'fixture',
        restore_job_id: p.planId,
        restored_from_server: fixture.serverId,
      });
      expect(serverFingerprint(sim, fixture.serverId)).toEqual(before);
      // boot and data volume restored and attached, temporary keypair gone
      expect((sim.state.serverVolumes.get(twin.id) ?? []).length).toBe(2);
      expect(jobResources(sim, p.planId).keypairs).toEqual([]);
      const steps = await db('restore_steps')
        .where({ job_id: p.planId })
        .orderBy('position');
      const skipped = new Set([
        'STOP_ORIGINAL',
        'SAFETY_SNAPSHOT',
        'WAIT_SAFETY_SNAPSHOT',
        'PROTECT_ORIGINAL_VOLUMES',
        'DELETE_ORIGINAL',
        'WAIT_ORIGINAL_DELETED',
        'RELEASE_PORTS',
        'CLEANUP_OLD_STORAGE',
      ]);
      expect(steps.map(s => [s.name, s.status])).toEqual(
        steps.map(s => [s.name, skipped.has(s.name) ? 'SKIPPED' : 'SUCCEEDED']),
      );
      expect(one.audit.map(e => [e.eventId, e.actor, e.outcome])).toEqual([
        ['restore_completed', USER, 'success'],
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'replace ends with one ACTIVE server of the original name and address (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const p = await plan(
        db,
        sim,
        planRequest(fixture, { mode: 'replace', ipStrategy: 'TRY_SAME_IPS' }),
      );
      const one = restoreInstance(db, sim);
      one.runner.start();
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, p.planId)).toBe('SUCCEEDED');
      await one.runner.stop();

      const job = await db('restore_jobs').where({ id: p.planId }).first();
      const named = serversNamed(sim, fixture.serverName);
      expect(named.map(s => [s.id, s.status])).toEqual([
        [job.result_server_id, 'ACTIVE'],
      ]);
      expect(sim.state.servers.get(fixture.serverId)).toBeUndefined();
      const ips = sim.state.ports
        .all()
        .filter(port => port.device_id === job.result_server_id)
        .flatMap(port => port.fixed_ips.map((f: any) => f.ip_address));
      expect(ips).toEqual([fixture.originalIp]);
      // the original volumes survived the deletion (PROTECT_ORIGINAL_VOLUMES), safety snapshots are kept
      expect(sim.state.volumes.get(fixture.bootVolumeId)?.status).toBe(
        'available',
      );
      const safety = JSON.parse(job.safety_snapshot_ids);
      expect(safety).toHaveLength(2);
      expect(
        safety.every(
          (sid: string) => sim.state.snapshots.get(sid)?.status === 'available',
        ),
      ).toBe(true);
    },
  );

  it.each(databases.eachSupportedId())(
    'dry-run execute sends only GET/HEAD in every mode and strategy (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const one = restoreInstance(db, sim);
      one.runner.start();
      for (const mode of ['side_by_side', 'replace'] as const) {
        for (const ipStrategy of ['NEW_IPS', 'TRY_SAME_IPS'] as const) {
          const p = await plan(
            db,
            sim,
            planRequest(fixture, { mode, ipStrategy }),
          );
          const from = sim.requestLog.length;
          await one.control.execute({
            jobId: p.planId,
            dryRun: true,
            actor: USER,
          });
          expect(await waitForStatus(db, p.planId)).toBe('DRY_RUN_COMPLETED');
          expect(writesSince(sim, from)).toEqual([]);
          expect(sim.requestLog.slice(from).some(r => r.method === 'GET')).toBe(
            true,
          );
          const steps = await db('restore_steps')
            .where({ job_id: p.planId })
            .orderBy('position');
          const simulated = steps
            .filter(s => s.status === 'SIMULATED')
            .map(s => s.name);
          expect(simulated).toContain('CREATE_SERVER');
          expect(
            steps.filter(
              s => !['SIMULATED', 'SUCCEEDED', 'SKIPPED'].includes(s.status),
            ),
          ).toEqual([]);
          const create = JSON.parse(
            steps.find(s => s.name === 'CREATE_SERVER').detail,
          );
          expect(create.requests[0]).toMatchObject({
            method: 'POST',
            path: '/servers',
          });
          expect(
            await db('restore_ledger').where({ job_id: p.planId }),
          ).toEqual([]);
        }
      }
      await one.runner.stop();
      expect(sim.state.servers.get(fixture.serverId)?.status).toBe('ACTIVE');
    },
  );

  it.each(databases.eachSupportedId())(
    'cancel during a wait rolls back cleanly (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const before = serverFingerprint(sim, fixture.serverId);
      const p = await plan(db, sim, planRequest(fixture));
      let canceled: unknown;
      const one = restoreInstance(db, sim, {
        onStepStart: async (jobId, step) => {
          if (step === 'WAIT_VOLUMES') {
            canceled = await one.control.cancel({
              jobId,
              actor: 'user:default/other',
              reason: 'wrong point',
            });
          }
        },
      });
      one.runner.start();
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, p.planId)).toBe('CANCELED');
      await one.runner.stop();
      expect(canceled).toEqual({ status: 'CANCEL_REQUESTED' });
      const job = await db('restore_jobs').where({ id: p.planId }).first();
      expect(job).toMatchObject({
        canceled_by: 'user:default/other',
        cancel_reason: 'wrong point',
        user_data_encrypted: null,
      });
      const wait = await db('restore_steps')
        .where({ job_id: p.planId, name: 'WAIT_VOLUMES' })
        .first();
      expect(wait).toMatchObject({ status: 'FAILED', error: 'canceled' });
      expect(jobResources(sim, p.planId)).toEqual({
        servers: [],
        volumes: [],
        snapshots: [],
        ports: [],
        images: [],
        keypairs: [],
      });
      expect(serverFingerprint(sim, fixture.serverId)).toEqual(before);
      expect(one.audit.map(e => [e.eventId, e.details?.status])).toEqual([
        ['restore_failed', 'CANCELED'],
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'a replace cannot be canceled once DELETE_ORIGINAL started (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const p = await plan(db, sim, planRequest(fixture, { mode: 'replace' }));
      let refusal: any;
      const one = restoreInstance(db, sim, {
        onStepStart: async (jobId, step) => {
          if (step === 'WAIT_ORIGINAL_DELETED') {
            refusal = await one.control
              .cancel({ jobId, actor: USER })
              .catch(e => e);
          }
        },
      });
      one.runner.start();
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, p.planId)).toBe('SUCCEEDED');
      await one.runner.stop();
      expect(refusal).toMatchObject({
        name: 'ConflictError',
        details: { code: 'PAST_POINT_OF_NO_RETURN' },
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'cancel of a PENDING job ends it at once; a finished job is not cancelable (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const p = await plan(db, sim, planRequest(fixture));
      const one = restoreInstance(db, sim);
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(
        await one.control.cancel({ jobId: p.planId, actor: USER }),
      ).toEqual({ status: 'CANCELED' });
      expect(await db('jobs').where({ id: p.planId }).first('state')).toEqual({
        state: 'done',
      });
      await expect(
        one.control.cancel({ jobId: p.planId, actor: USER }),
      ).rejects.toMatchObject({
        details: { code: 'JOB_NOT_CANCELABLE' },
      });
      await expect(
        one.control.execute({ jobId: p.planId, dryRun: false, actor: USER }),
      ).rejects.toMatchObject({
        details: { code: 'PLAN_NOT_EXECUTABLE' },
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'cleanup deletes what a failed job kept, and is idempotent (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const p = await plan(db, sim, planRequest(fixture));
      const one = restoreInstance(db, sim, {
        keepVolumesOnFailure: true,
        onStepStart: async (_jobId, step) => {
          if (step === 'CREATE_SERVER') {
            sim.faults.add({
              method: 'POST',
              pathPattern: '/compute/v2.1/servers$',
              status: 500,
              times: 1,
            });
          }
        },
      });
      one.runner.start();
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, p.planId)).toBe('FAILED');
      await one.runner.stop();
      expect(jobResources(sim, p.planId).volumes).toHaveLength(2);
      await one.control.cleanup({ jobId: p.planId, actor: USER });
      expect(jobResources(sim, p.planId)).toEqual({
        servers: [],
        volumes: [],
        snapshots: [],
        ports: [],
        images: [],
        keypairs: [],
      });
      const states = await db('restore_ledger')
        .where({ job_id: p.planId, created_by_job: true })
        .distinct('state');
      expect(states.map(r => r.state)).toEqual(['deleted']);
      await one.control.cleanup({ jobId: p.planId, actor: USER });
      const job = await db('restore_jobs').where({ id: p.planId }).first();
      expect(
        JSON.parse(job.warnings ?? '[]').filter(
          (w: any) => w.code === 'CLEANUP_INCOMPLETE',
        ),
      ).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'restores an image-booted server from a server image, side by side and by replace (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const imaged = await imageBootedFixture(sim, 'cache-1');
      const one = restoreInstance(db, sim);
      one.runner.start();
      const request = (mode: 'side_by_side' | 'replace') => ({
        ...planRequest(fixture, { mode, dataVolumes: 'skip' as const }),
        serverId: imaged.serverId,
        restorePointId: imaged.imageId,
      });
      const twin = await plan(db, sim, request('side_by_side'));
      await one.control.execute({
        jobId: twin.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, twin.planId)).toBe('SUCCEEDED');
      const again = await plan(db, sim, request('replace'));
      await one.control.execute({
        jobId: again.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, again.planId)).toBe('SUCCEEDED');
      const replaced = await db('restore_jobs')
        .where({ id: again.planId })
        .first();
      await one.runner.stop();
      const twinJob = await db('restore_jobs')
        .where({ id: twin.planId })
        .first();
      expect(sim.state.servers.get(twinJob.result_server_id)?.image?.id).toBe(
        imaged.imageId,
      );
      const named = serversNamed(sim, imaged.serverName);
      expect(named.map(s => [s.id, s.status, s.image?.id])).toEqual([
        [replaced.result_server_id, 'ACTIVE', imaged.imageId],
      ]);
      // the safety copy of an image-booted server is a server image (RST-12 step 5)
      const safety = JSON.parse(replaced.safety_snapshot_ids);
      expect(
        safety.map((sid: string) => sim.state.images.get(sid)?.image_type),
      ).toEqual(['snapshot']);
    },
  );

  it.each(databases.eachSupportedId())(
    'recovers an image-booted server from its safety image after the point of no return (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const imaged = await imageBootedFixture(sim, 'cache-2');
      const one = restoreInstance(db, sim, {
        onStepStart: async (_jobId, step) => {
          if (step === 'WAIT_ORIGINAL_DELETED') {
            sim.faults.add({
              method: 'GET',
              pathPattern: '/compute/v2.1/servers/[^/]+$',
              status: 500,
              times: 1,
            });
          }
        },
      });
      one.runner.start();
      const p = await plan(db, sim, {
        ...planRequest(fixture, { mode: 'replace', dataVolumes: 'skip' }),
        serverId: imaged.serverId,
        restorePointId: imaged.imageId,
      });
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, p.planId)).toBe('FAILED');
      await one.runner.stop();
      const job = await db('restore_jobs').where({ id: p.planId }).first();
      const [safetyImage] = JSON.parse(job.safety_snapshot_ids);
      const named = serversNamed(sim, imaged.serverName);
      expect(named.map(s => [s.id, s.status, s.image?.id])).toEqual([
        [job.recovered_server_id, 'ACTIVE', safetyImage],
      ]);
      expect(
        one.audit.map(e => [
          e.eventId,
          e.severity,
          e.details?.recoveredServerId,
        ]),
      ).toEqual([['restore_failed', 'medium', job.recovered_server_id]]);
    },
  );

  it.each(databases.eachSupportedId())(
    'housekeeping removes safety snapshots after their retention, never those of ROLLBACK_FAILED (%p)',
    async id => {
      const db: Knex = await migrated(await databases.init(id));
      const p = await plan(db, sim, planRequest(fixture, { mode: 'replace' }));
      const one = restoreInstance(db, sim);
      one.runner.start();
      await one.control.execute({
        jobId: p.planId,
        dryRun: false,
        actor: USER,
      });
      expect(await waitForStatus(db, p.planId)).toBe('SUCCEEDED');
      await one.runner.stop();
      const job = await db('restore_jobs').where({ id: p.planId }).first();
      const safety: string[] = JSON.parse(job.safety_snapshot_ids);
      const prune = (days: number, status: string) =>
        db('restore_jobs')
          .where({ id: p.planId })
          .update({
            status,
            finished_at: new Date(Date.now() - days * 86_400_000),
          })
          .then(() =>
            pruneSafetySnapshots({
              db,
              clouds: [simCloud(sim)],
              retentionDays: 7,
              logger: mockServices.logger.mock(),
            }),
          );
      expect(await prune(6, 'SUCCEEDED')).toEqual({ deleted: [], failed: [] });
      expect(await prune(8, 'ROLLBACK_FAILED')).toEqual({
        deleted: [],
        failed: [],
      });
      const pruned = await prune(8, 'SUCCEEDED');
      expect(pruned.deleted.sort()).toEqual([...safety].sort());
      // Cinder deletes asynchronously: the snapshots are gone after the transition
      await new Promise(r => setTimeout(r, SIM_TRANSITION_MS * 3));
      sim.tick();
      expect(safety.map(sid => sim.state.snapshots.get(sid))).toEqual(
        safety.map(() => undefined),
      );
      expect(await prune(8, 'SUCCEEDED')).toEqual({ deleted: [], failed: [] });
    },
  );
});
