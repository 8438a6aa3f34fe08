/** Test helpers for restore plans: servers of the tiny scenario, restore points made through the API. */
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import type { CloudConfig } from '../../config';
import {
  createOpenStackClient,
  OpenStackClient,
  TokenCache,
} from '../../openstack';
import { simCloud } from '../../openstack/__testUtils__/sim';
import { RestorePlanner } from '../planner';
import { UserDataCipher } from '../secrets';

export const TEST_USER_DATA_KEY = 'ab'.repeat(32);

type Obj = Record<string, any>;

export function testPlanner(
  db: Knex,
  sim: Simulator,
  options: { now?: () => Date; planTtlMinutes?: number } = {},
): RestorePlanner {
  const tokenCache = new TokenCache();
  return new RestorePlanner({
    db,
    clouds: [simCloud(sim)],
    cipher: new UserDataCipher(TEST_USER_DATA_KEY),
    settings: {
      planTtlMinutes: options.planTtlMinutes ?? 60,
      stopOriginal: true,
    },
    clientFactory: (cloud: CloudConfig, { readOnly }) =>
      createOpenStackClient(cloud, {
        readOnly,
        retryBaseDelayMs: 2,
        readTimeoutMs: 10_000,
        tokenCache,
      }),
    now: options.now,
  });
}

/** A writable admin client to prepare fixtures (never used by the code under test). */
export function fixtureClient(sim: Simulator): OpenStackClient {
  return createOpenStackClient(simCloud(sim), {
    retryBaseDelayMs: 2,
    tokenCache: new TokenCache(),
  });
}

function portsOf(sim: Simulator, serverId: string): Obj[] {
  return sim.state.ports.all().filter((p: Obj) => p.device_id === serverId);
}

function attached(sim: Simulator, serverId: string): Obj[] {
  return (sim.state.serverVolumes.get(serverId) ?? [])
    .map((a: Obj) => sim.state.volumes.get(a.volumeId))
    .filter(Boolean) as Obj[];
}

/** An ACTIVE server of the scenario, volume- or image-booted, with ports (and data volumes if asked). */
export function pickServer(
  sim: Simulator,
  boot: 'volume' | 'image',
  options: { withDataVolume?: boolean; exclude?: string[] } = {},
): Obj {
  const server = sim.state.servers
    .all()
    .find(
      (s: Obj) =>
        s.status === 'ACTIVE' &&
        !options.exclude?.includes(s.id) &&
        (boot === 'volume' ? !s.image : !!s.image) &&
        portsOf(sim, s.id).length > 0 &&
        (!options.withDataVolume ||
          attached(sim, s.id).filter(v => v.bootable !== 'true').length > 0),
    );
  if (!server) throw new Error(`the scenario has no ${boot}-booted server`);
  return server;
}

export function bootVolumeOf(sim: Simulator, serverId: string): Obj {
  return attached(sim, serverId).find(v => v.bootable === 'true')!;
}

export function dataVolumesOf(sim: Simulator, serverId: string): Obj[] {
  return attached(sim, serverId).filter(v => v.bootable !== 'true');
}

export function serverPortsOf(sim: Simulator, serverId: string): Obj[] {
  return portsOf(sim, serverId);
}

/** An available snapshot made through Cinder (transitionMs 0 makes it available at once). */
export async function snapshotVolume(
  os: OpenStackClient,
  volumeId: string,
  metadata: Record<string, string> = {},
): Promise<string> {
  const snapshot = await os.blockStorage.createSnapshot({
    volume_id: volumeId,
    name: `fixture-${volumeId.slice(0, 8)}`,
    force: true,
    metadata,
  });
  await os.blockStorage.getSnapshot(snapshot.id);
  return snapshot.id;
}

/** A server image made through Nova's createImage (volume-backed for a volume-booted server). */
export async function imageOfServer(
  os: OpenStackClient,
  serverId: string,
): Promise<string> {
  const id = await os.compute.createServerImage(
    serverId,
    `img-${serverId.slice(0, 8)}`,
  );
  await os.image.getImage(id);
  return id;
}

/** Requests other than GET/HEAD (the token POST aside) sent since a position of the request log. */
export function writesSince(sim: Simulator, from: number) {
  return sim.requestLog
    .slice(from)
    .filter(
      r =>
        !['GET', 'HEAD'].includes(r.method) &&
        !(r.method === 'POST' && r.path === '/v3/auth/tokens'),
    )
    .map(r => `${r.method} ${r.path}`);
}
