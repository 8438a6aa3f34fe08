/**
 * The restore executor against the real OpenStack Zed lab, when PF9_OSLAB_AUTH_URL is set
 * (PF9_REQUIRE_OSLAB=1 makes its absence a failure, never a silent skip). Everything the test creates —
 * snapshots, a disposable server, the restored servers, their volumes and ports — is deleted at the end;
 * the lab's fixture servers are only read (side-by-side) and never replaced.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { RestoreStepName } from '@internal/plugin-pf9-common';
import { Knex } from 'knex';
import type { CloudConfig } from '../config';
import { migrated } from '../inventory/__testUtils__/harness';
import { JobRunner } from '../jobs/runner';
import {
  closeSharedAgents,
  createOpenStackClient,
  OpenStackClient,
  OpenStackNotFoundError,
  resolveCloud,
  TokenCache,
} from '../openstack';
import {
  labTarget,
  RunningTarget,
  waitUntil,
} from '../openstack-integration/__testUtils__/targets';
import { projectScopedCloud } from '../snapshots/cycle';
import { AuditLog } from '../store/audit';
import { TEST_USER_DATA_KEY } from './__testUtils__/planFixtures';
import { waitForStatus } from './__testUtils__/executorHarness';
import { RestoreJobControl } from './contracts';
import { createRestoreJobControl } from './executor';
import { RestoreJobStore } from './jobStore';
import { PlanRequest, RestorePlanner } from './planner';
import { deleteCreated } from './rollback';
import { UserDataCipher } from './secrets';
import { DEFAULT_TIMINGS } from './waits';

jest.setTimeout(900_000);

const labUrl = process.env.PF9_OSLAB_AUTH_URL;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const USER = 'user:default/lab-test';

describe('restore lab registration', () => {
  it('fails when PF9_REQUIRE_OSLAB=1 and the lab URL is missing', () => {
    const required = process.env.PF9_REQUIRE_OSLAB === '1';
    expect({
      required,
      labUrl: required ? labUrl ?? null : 'not required',
    }).not.toEqual({ required: true, labUrl: null });
  });
});

const labSuites = labUrl ? ['lab'] : [];

for (const suite of labSuites) {
  describe(`restore on the OpenStack ${suite}`, () => {
    const tokenCache = new TokenCache();
    let target: RunningTarget;
    let cloud: CloudConfig;
    let db: Knex;
    let admin: OpenStackClient;
    let scoped: OpenStackClient;
    let runner: JobRunner;
    let control: RestoreJobControl;
    let planner: RestorePlanner;
    let onStep: (
      jobId: string,
      step: RestoreStepName,
    ) => Promise<void> = async () => undefined;
    let bfv: {
      id: string;
      name: string;
      projectId: string;
      bootVolumeId: string;
    };
    let bootSnapshotId: string;
    const jobs: string[] = [];
    const snapshots: string[] = [];
    const servers: string[] = [];
    const volumes: string[] = [];

    const settle = <T>(what: string, fn: () => Promise<T | undefined>) =>
      waitUntil(what, fn, target.settleTimeoutMs, target.pollMs);
    const gone = (what: string, get: () => Promise<unknown>) =>
      settle(what, async () => {
        try {
          await get();
          return undefined;
        } catch (e) {
          if (e instanceof OpenStackNotFoundError) return true;
          throw e;
        }
      });
    const snapshotOf = async (volumeId: string, name: string) => {
      const s = await scoped.blockStorage.createSnapshot({
        volume_id: volumeId,
        name,
        force: true,
      });
      snapshots.push(s.id);
      await settle(`snapshot ${name}`, async () =>
        (await scoped.blockStorage.getSnapshot(s.id)).status === 'available'
          ? true
          : undefined,
      );
      return s.id;
    };
    const request = (extra: Partial<PlanRequest>): PlanRequest => ({
      cloudId: 'oslab',
      serverId: bfv.id,
      restorePointId: bootSnapshotId,
      mode: 'side_by_side',
      ipStrategy: 'NEW_IPS',
      manualIps: {},
      dataVolumes: 'skip',
      cleanupOldStorage: false,
      ...extra,
    });
    const run = async (req: PlanRequest) => {
      const plan = await planner.plan(req, USER);
      jobs.push(plan.planId);
      expect({ eligible: plan.eligible, blockers: plan.blockers }).toEqual({
        eligible: true,
        blockers: [],
      });
      await control.execute({ jobId: plan.planId, dryRun: false, actor: USER });
      const status = await waitForStatus(db, plan.planId, undefined, 600_000);
      const job = await db('restore_jobs').where({ id: plan.planId }).first();
      return { plan, status, job };
    };
    const addressesOf = async (serverId: string) =>
      (
        await admin.network.listPorts({ query: { device_id: serverId } })
      ).items.flatMap(p =>
        (p.fixed_ips ?? []).map(f => `${p.network_id}/${f.ip_address}`),
      );

    beforeAll(async () => {
      target = await labTarget(labUrl!).start();
      cloud = target.cloud;
      db = await migrated(await databases.init('SQLITE_3'));
      admin = createOpenStackClient(cloud, { tokenCache });
      const server = (
        await admin.compute.listServers({ query: { name: '^alpha-bfv-1$' } })
      ).items[0];
      if (!server) throw new Error('lab server alpha-bfv-1 is missing');
      const projectId = String(server.tenant_id);
      const boot = (
        await admin.blockStorage.listVolumes({
          query: { name: 'alpha-boot-1' },
        })
      ).items[0];
      bfv = {
        id: server.id,
        name: server.name,
        projectId,
        bootVolumeId: boot.id,
      };
      scoped = createOpenStackClient(
        projectScopedCloud(resolveCloud(cloud), projectId),
        { tokenCache },
      );
      bootSnapshotId = await snapshotOf(
        boot.id,
        `pf9-lab-restore-${Date.now()}`,
      );
      const factory = (c: any, { readOnly }: { readOnly: boolean }) =>
        createOpenStackClient(c, { readOnly, tokenCache });
      const cipher = new UserDataCipher(TEST_USER_DATA_KEY);
      planner = new RestorePlanner({
        db,
        clouds: [cloud],
        cipher,
        settings: { planTtlMinutes: 60, stopOriginal: true },
        clientFactory: factory,
      });
      runner = new JobRunner({
        db,
        logger: mockServices.logger.mock(),
        pollIntervalMs: 200,
      });
      control = createRestoreJobControl({
        db,
        runner,
        clouds: [cloud],
        logger: mockServices.logger.mock(),
        audit: { record: async () => undefined } as unknown as AuditLog,
        maxConcurrentJobs: 3,
        maxJobsPerProject: 2,
        stopOriginal: true,
        keepVolumesOnFailure: false,
        cipher,
        timings: { ...DEFAULT_TIMINGS, pollMs: 1000, ipConflictDelayMs: 1000 },
        clientFactory: factory,
        onStepStart: (jobId, step) => onStep(jobId, step),
      });
      runner.start();
    });

    afterAll(async () => {
      await runner?.stop();
      // everything the jobs made or kept, then the fixtures this test made
      const store = new RestoreJobStore(db);
      for (const jobId of jobs) {
        await db('restore_ledger')
          .where({ job_id: jobId, created_by_job: true })
          .whereNot({ state: 'deleted' })
          .update({ state: 'present' });
        await deleteCreated(scoped, store, jobId, {
          timings: { ...DEFAULT_TIMINGS, pollMs: 1000 },
          keepVolumes: false,
          keepSafetySnapshots: false,
          check: async () => undefined,
        });
      }
      const lab = admin;
      for (const id of servers) {
        await scoped.compute.deleteServer(id).catch(() => undefined);
        await gone(`server ${id}`, () => lab.compute.getServer(id)).catch(
          () => undefined,
        );
      }
      const removeSnapshot = async (id: string) => {
        await scoped.blockStorage.deleteSnapshot(id).catch(() => undefined);
        await gone(`snapshot ${id}`, () =>
          lab.blockStorage.getSnapshot(id),
        ).catch(() => undefined);
      };
      // Cinder keeps a volume that still has snapshots: those go first, the snapshots it came from last
      const ofOurVolumes: string[] = [];
      for (const id of snapshots) {
        const s = await lab.blockStorage.getSnapshot(id).catch(() => null);
        if (s && volumes.includes(s.volume_id)) ofOurVolumes.push(id);
      }
      for (const id of ofOurVolumes) await removeSnapshot(id);
      for (const id of volumes) {
        await settle(`volume ${id} detached`, async () => {
          const v = await lab.blockStorage.getVolume(id).catch(() => null);
          return !v || ['available', 'error'].includes(v.status)
            ? true
            : undefined;
        }).catch(() => undefined);
        await scoped.blockStorage.deleteVolume(id).catch(() => undefined);
        await gone(`volume ${id}`, () => lab.blockStorage.getVolume(id)).catch(
          () => undefined,
        );
      }
      for (const id of snapshots.filter(x => !ofOurVolumes.includes(x))) {
        await removeSnapshot(id);
      }
      await target?.stop();
      await closeSharedAgents();
    });

    it.each(['NEW_IPS', 'TRY_SAME_IPS'] as const)(
      'side-by-side from a snapshot of the boot volume with %s gives an ACTIVE twin with the planned addresses',
      async ipStrategy => {
        const { plan, status, job } = await run(request({ ipStrategy }));
        expect({ status, error: job.error }).toEqual({
          status: 'SUCCEEDED',
          error: null,
        });
        const twin = await admin.compute.getServer(job.result_server_id);
        expect(twin).toMatchObject({
          status: 'ACTIVE',
          name: plan.carryOver.name,
        });
        const addresses = await addressesOf(twin.id);
        expect(addresses).toHaveLength(plan.networkPlan.length);
        for (const entry of plan.networkPlan) {
          const onNet = addresses.filter(a =>
            a.startsWith(`${entry.networkId}/`),
          );
          expect(onNet).toHaveLength(1);
          // a planned address is the twin's; otherwise Neutron chose a new one (the original keeps its own)
          expect(onNet[0]).toBe(
            `${entry.networkId}/${entry.requestedIp ?? onNet[0].split('/')[1]}`,
          );
        }
        const original = await addressesOf(bfv.id);
        expect(addresses.some(a => original.includes(a))).toBe(false);
        expect((await admin.compute.getServer(bfv.id)).status).toBe('ACTIVE');
      },
    );

    it('cancel during a wait rolls back cleanly', async () => {
      onStep = async (jobId, step) => {
        if (step === 'WAIT_VOLUMES')
          await control.cancel({ jobId, actor: USER, reason: 'lab test' });
      };
      try {
        const { status, plan } = await run(request({}));
        expect(status).toBe('CANCELED');
        const ledger = await db('restore_ledger').where({
          job_id: plan.planId,
          created_by_job: true,
        });
        expect(ledger.length).toBeGreaterThan(0);
        expect(ledger.filter(e => e.state !== 'deleted')).toEqual([]);
        for (const e of ledger) {
          await expect(
            e.kind === 'volume'
              ? admin.blockStorage.getVolume(e.resource_id)
              : admin.network.getPort(e.resource_id),
          ).rejects.toBeInstanceOf(OpenStackNotFoundError);
        }
        expect((await admin.compute.getServer(bfv.id)).status).toBe('ACTIVE');
      } finally {
        onStep = async () => undefined;
      }
    });

    it('replace of a disposable server ends with one ACTIVE server of the original name', async () => {
      const name = `pf9-lab-disposable-${Date.now()}`;
      const bootVolume = await scoped.blockStorage.createVolume({
        size: 1,
        name: `${name}-boot`,
        snapshot_id: bootSnapshotId,
      });
      volumes.push(bootVolume.id);
      await settle('disposable boot volume', async () =>
        (await scoped.blockStorage.getVolume(bootVolume.id)).status ===
        'available'
          ? true
          : undefined,
      );
      const original = await admin.compute.getServer(bfv.id);
      const network = (
        await admin.network.listPorts({ query: { device_id: bfv.id } })
      ).items[0].network_id;
      const created = await scoped.compute.createServer({
        name,
        flavorRef:
          (original.flavor as any).id ??
          (
            await admin.compute.listFlavors()
          ).items.find(f => f.name === original.flavor?.original_name)!.id,
        networks: [{ uuid: network }],
        block_device_mapping_v2: [
          {
            boot_index: 0,
            uuid: bootVolume.id,
            source_type: 'volume',
            destination_type: 'volume',
            delete_on_termination: true,
          },
        ],
      });
      servers.push(created.id);
      await settle('disposable server ACTIVE', async () =>
        (await scoped.compute.getServer(created.id)).status === 'ACTIVE'
          ? true
          : undefined,
      );
      const point = await snapshotOf(bootVolume.id, `${name}-point`);
      const before = await addressesOf(created.id);

      const { status, job } = await run(
        request({
          serverId: created.id,
          restorePointId: point,
          mode: 'replace',
          ipStrategy: 'TRY_SAME_IPS',
        }),
      );
      expect({ status, error: job.error }).toEqual({
        status: 'SUCCEEDED',
        error: null,
      });
      servers.push(job.result_server_id);
      const named = (
        await admin.compute.listServers({ query: { name: `^${name}$` } })
      ).items;
      expect(named.map(s => [s.id, s.status])).toEqual([
        [job.result_server_id, 'ACTIVE'],
      ]);
      await expect(admin.compute.getServer(created.id)).rejects.toBeInstanceOf(
        OpenStackNotFoundError,
      );
      expect(await addressesOf(job.result_server_id)).toEqual(before);
      // the original boot volume was protected from the deletion
      expect((await admin.blockStorage.getVolume(bootVolume.id)).status).toBe(
        'available',
      );
    });
  });
}
