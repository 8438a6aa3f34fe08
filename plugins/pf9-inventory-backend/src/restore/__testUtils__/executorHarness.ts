/**
 * Test helpers of the restore executor: a fixture server built through the simulator's API in a tenant
 * project, a job runner and RestoreJobControl per "backend instance" on one database, and the leftover
 * check (every resource in the simulator that carries a job's name or `restore_job_id`).
 */
import { mockServices } from '@backstage/backend-test-utils';
import type { RestoreJobStatus } from '@internal/plugin-pf9-common';
import { RESTORE_TERMINAL_STATUSES } from '@internal/plugin-pf9-common';
import type { Simulator } from '@internal/openstack-sim';
import { startSimulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import { JobRunner } from '../../jobs/runner';
import {
  createOpenStackClient,
  OpenStackClient,
  resolveCloud,
  TokenCache,
} from '../../openstack';
import { simCloud } from '../../openstack/__testUtils__/sim';
import { prepareSim } from '../../snapshots/__testUtils__/sim';
import { projectScopedCloud } from '../../snapshots/cycle';
import { AuditEventInput, AuditLog } from '../../store/audit';
import { RestoreJobControl } from '../contracts';
import { createRestoreJobControl, RestoreJobControlOptions } from '../executor';
import { PlanRequest } from '../planner';
import { UserDataCipher } from '../secrets';
import { DEFAULT_TIMINGS, RestoreTimings } from '../waits';
import { TEST_USER_DATA_KEY, testPlanner } from './planFixtures';

type Obj = Record<string, any>;

/** Waits and retries scaled to the simulator's 30 ms transitions. */
export const FAST_TIMINGS: RestoreTimings = {
  ...DEFAULT_TIMINGS,
  pollMs: 10,
  volumeTimeoutMs: 5000,
  serverTimeoutMs: 5000,
  deleteTimeoutMs: 5000,
  snapshotTimeoutMs: 5000,
  ipConflictRetries: 2,
  ipConflictDelayMs: 10,
};

export const SIM_TRANSITION_MS = 30;

/**
 * The simulator every executor test starts from: the tiny scenario with state transitions, the admin on
 * every project, and a volume-booted server named `name` (volumeBootedFixture).
 */
export async function startRestoreSim(
  name: string,
): Promise<{ sim: Simulator; fixture: Fixture }> {
  const sim = await startSimulator({
    scenario: 'tiny',
    seed: 3,
    port: 0,
    transitionMs: SIM_TRANSITION_MS,
  });
  try {
    prepareSim(sim);
    return { sim, fixture: await volumeBootedFixture(sim, name) };
  } catch (e) {
    await sim.close();
    throw e;
  }
}

async function until<T>(
  read: () => Promise<T | undefined>,
  what: string,
): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error(`fixture: ${what} not reached`);
}

export interface Fixture {
  projectId: string;
  serverId: string;
  serverName: string;
  bootVolumeId: string;
  dataVolumeId: string;
  bootSnapshotId: string;
  dataSnapshotId: string;
  networkId: string;
  originalIp: string;
  keyName: string;
}

/** The admin credential scoped to a tenant project (the simulator gives admin a role there). */
export function scopedFixtureClient(
  sim: Simulator,
  projectId: string,
): OpenStackClient {
  return createOpenStackClient(
    projectScopedCloud(resolveCloud(simCloud(sim)), projectId),
    {
      retryBaseDelayMs: 2,
      tokenCache: new TokenCache(),
    },
  );
}

/** A tenant project with a network, its quotas lifted so only injected faults block a restore. */
export function fixtureProject(sim: Simulator): {
  projectId: string;
  networkId: string;
} {
  const st = sim.state;
  const net = st.networks
    .all()
    .find(
      (n: Obj) =>
        !n['router:external'] &&
        n.project_id !== st.adminProjectId &&
        n.subnets?.length,
    );
  if (!net) throw new Error('fixture: the scenario has no tenant network');
  const projectId = net.project_id as string;
  for (const quotas of [st.quotas.nova, st.quotas.cinder, st.quotas.neutron]) {
    const q = quotas.get(projectId);
    if (q) for (const k of Object.keys(q)) q[k] = -1;
  }
  return { projectId, networkId: net.id };
}

/**
 * A volume-booted ACTIVE server with a data volume, a keypair of its owner, a boot volume that Nova
 * would delete with the server (delete_on_termination), and a snapshot of each volume.
 */
export async function volumeBootedFixture(
  sim: Simulator,
  name: string,
): Promise<Fixture> {
  const { projectId, networkId } = fixtureProject(sim);
  const os = scopedFixtureClient(sim, projectId);
  const ready = (id: string, status: string) =>
    until(async () => {
      const v = await os.blockStorage.getVolume(id);
      return v.status === status ? v : undefined;
    }, `volume ${id} ${status}`);
  const boot = await os.blockStorage.createVolume({
    size: 1,
    name: `${name}-boot`,
  });
  const data = await os.blockStorage.createVolume({
    size: 1,
    name: `${name}-data`,
  });
  await ready(boot.id, 'available');
  await ready(data.id, 'available');
  const keyName = `${name}-key`;
  const publicKey = sim.state.keypairs[0].keypair.public_key as string;
  await os.compute.importKeypair(keyName, publicKey);
  const flavor = [...sim.state.flavors.all()].sort(
    (a: Obj, b: Obj) => a.vcpus - b.vcpus,
  )[0];
  const created = await os.compute.createServer({
    name,
    flavorRef: flavor.id,
    key_name: keyName,
    metadata: { app: 'fixture' },
    networks: [{ uuid: networkId }],
    block_device_mapping_v2: [
      {
        boot_index: 0,
        uuid: boot.id,
        source_type: 'volume',
        destination_type: 'volume',
        delete_on_termination: true,
      },
    ],
  });
  await until(async () => {
    const s = await os.compute.getServer(created.id);
    return s.status === 'ACTIVE' ? s : undefined;
  }, 'fixture server ACTIVE');
  await os.compute.attachVolume(created.id, data.id);
  await ready(data.id, 'in-use');
  const snapshot = async (volumeId: string) => {
    const s = await os.blockStorage.createSnapshot({
      volume_id: volumeId,
      name: `${name}-snap-${volumeId.slice(0, 4)}`,
      force: true,
    });
    await until(async () => {
      const x = await os.blockStorage.getSnapshot(s.id);
      return x.status === 'available' ? x : undefined;
    }, 'fixture snapshot');
    return s.id;
  };
  const port = sim.state.ports
    .all()
    .find((p: Obj) => p.device_id === created.id)!;
  return {
    projectId,
    serverId: created.id,
    serverName: name,
    bootVolumeId: boot.id,
    dataVolumeId: data.id,
    bootSnapshotId: await snapshot(boot.id),
    dataSnapshotId: await snapshot(data.id),
    networkId,
    originalIp: port.fixed_ips[0].ip_address,
    keyName,
  };
}

/** An image-booted ACTIVE server and a server image of it (Nova createImage) as its restore point. */
export async function imageBootedFixture(
  sim: Simulator,
  name: string,
): Promise<{
  projectId: string;
  serverId: string;
  serverName: string;
  imageId: string;
}> {
  const { projectId, networkId } = fixtureProject(sim);
  const os = scopedFixtureClient(sim, projectId);
  const image = sim.state.images
    .all()
    .find((i: Obj) => i.status === 'active' && i.visibility === 'public')!;
  const flavor = [...sim.state.flavors.all()].sort(
    (a: Obj, b: Obj) => a.vcpus - b.vcpus,
  )[0];
  const created = await os.compute.createServer({
    name,
    flavorRef: flavor.id,
    imageRef: image.id,
    networks: [{ uuid: networkId }],
  });
  await until(async () => {
    const s = await os.compute.getServer(created.id);
    return s.status === 'ACTIVE' ? s : undefined;
  }, 'image-booted server ACTIVE');
  const imageId = await os.compute.createServerImage(
    created.id,
    `${name}-point`,
  );
  await until(async () => {
    const i = await os.image.getImage(imageId);
    return i.status === 'active' ? i : undefined;
  }, 'server image active');
  return { projectId, serverId: created.id, serverName: name, imageId };
}

export function planRequest(
  f: Fixture,
  extra: Partial<PlanRequest> = {},
): PlanRequest {
  return {
    cloudId: 'sim',
    serverId: f.serverId,
    restorePointId: f.bootSnapshotId,
    mode: 'side_by_side',
    ipStrategy: 'NEW_IPS',
    manualIps: {},
    dataVolumes: 'restore_from_snapshots',
    cleanupOldStorage: false,
    ...extra,
  };
}

export interface Instance {
  runner: JobRunner;
  control: RestoreJobControl;
  audit: AuditEventInput[];
}

/** One "backend instance": its own runner (owner id) and control, on the shared database. */
export function restoreInstance(
  db: Knex,
  sim: Simulator,
  options: Partial<RestoreJobControlOptions> & {
    ownerId?: string;
    heartbeatMs?: number;
    staleAfterMs?: number;
  } = {},
): Instance {
  const tokenCache = new TokenCache();
  const audit: AuditEventInput[] = [];
  const runner = new JobRunner({
    db,
    logger: mockServices.logger.mock(),
    ownerId: options.ownerId,
    pollIntervalMs: 20,
    heartbeatMs: options.heartbeatMs ?? 50,
    staleAfterMs: options.staleAfterMs ?? 2000,
  });
  const control = createRestoreJobControl({
    db,
    runner,
    clouds: [simCloud(sim)],
    logger: mockServices.logger.mock(),
    audit: {
      record: async (e: AuditEventInput) => {
        audit.push(e);
      },
    } as unknown as AuditLog,
    maxConcurrentJobs: 3,
    maxJobsPerProject: 2,
    stopOriginal: true,
    keepVolumesOnFailure: false,
    cipher: new UserDataCipher(TEST_USER_DATA_KEY),
    timings: FAST_TIMINGS,
    clientFactory: (cloud, { readOnly }) =>
      createOpenStackClient(cloud, {
        readOnly,
        retryBaseDelayMs: 2,
        readTimeoutMs: 10_000,
        tokenCache,
      }),
    ...options,
  });
  return { runner, control, audit };
}

/** Makes a PLANNED job through the real planner. */
export async function plan(
  db: Knex,
  sim: Simulator,
  request: PlanRequest,
  actor = 'user:default/operator',
) {
  const p = await testPlanner(db, sim).plan(request, actor);
  if (!p.eligible)
    throw new Error(`fixture plan is blocked: ${JSON.stringify(p.blockers)}`);
  return p;
}

export async function statusOf(
  db: Knex,
  jobId: string,
): Promise<RestoreJobStatus> {
  return (await db('restore_jobs').where({ id: jobId }).first('status')).status;
}

export async function waitForStatus(
  db: Knex,
  jobId: string,
  wanted: readonly RestoreJobStatus[] = RESTORE_TERMINAL_STATUSES,
  timeoutMs = 30_000,
): Promise<RestoreJobStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await statusOf(db, jobId);
    if (wanted.includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`job ${jobId} stayed ${status}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

/** Every resource in the simulator that a job made: by its deterministic name or its metadata. */
export function jobResources(sim: Simulator, jobId: string) {
  const st = sim.state;
  const prefix = `restore-${jobId.replace(/-/g, '').slice(0, 8)}`;
  const ours = (o: Obj) =>
    String(o.name ?? '').startsWith(prefix) ||
    o.metadata?.restore_job_id === jobId ||
    o.restore_job_id === jobId;
  return {
    servers: st.servers
      .all()
      .filter(ours)
      .map((s: Obj) => s.id as string),
    volumes: st.volumes
      .all()
      .filter(ours)
      .map((v: Obj) => v.id as string),
    snapshots: st.snapshots
      .all()
      .filter(ours)
      .map((s: Obj) => s.id as string),
    ports: st.ports
      .all()
      .filter(ours)
      .map((p: Obj) => p.id as string),
    images: st.images
      .all()
      .filter(ours)
      .map((i: Obj) => i.id as string),
    keypairs: st.keypairs
      .filter((k: Obj) => String(k.keypair.name).startsWith(prefix))
      .map((k: Obj) => k.keypair.name as string),
  };
}

export function serversNamed(sim: Simulator, name: string): Obj[] {
  return sim.state.servers.all().filter((s: Obj) => s.name === name);
}

/** The parts of a server a side-by-side restore must leave untouched. */
export function serverFingerprint(sim: Simulator, serverId: string) {
  const s = sim.state.servers.get(serverId);
  if (!s) return null;
  return {
    status: s.status,
    name: s.name,
    ports: sim.state.ports
      .all()
      .filter((p: Obj) => p.device_id === serverId)
      .map((p: Obj) => [p.id, p.fixed_ips]),
    volumes: (sim.state.serverVolumes.get(serverId) ?? []).map((a: Obj) => [
      a.volumeId,
      a.delete_on_termination,
    ]),
    metadata: s.metadata,
  };
}
