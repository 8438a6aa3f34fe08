/**
 * The live view of a cloud that the cycle and the compliance evaluation start from (SPEC SNAP-12):
 * volumes and snapshots of every project (`all_tenants=1`), plus project, domain and server names.
 * Names are best effort; the volume and snapshot listings decide what may happen.
 */
import type {
  CinderSnapshot,
  CinderVolume,
  OpenStackClient,
} from '../openstack';
import type { VolumeFacts } from './rules';

/** The marker of snapshots we created; kept for continuity with older managed snapshots (SNAP-13). */
export const CREATED_BY = 'p9_auto_snapshots';
export const MANAGED_BY = 'pf9-ops';

export interface LiveCloud {
  volumes: CinderVolume[];
  snapshots: CinderSnapshot[];
  /** every snapshot page fetched with confirmed scope; false means no pair may create or delete */
  snapshotsComplete: boolean;
  snapshotsReason?: string;
  projects: Map<string, { name: string; domainId: string | null }>;
  domains: Map<string, string>;
  servers: Map<string, string>;
}

/** Thrown when the volume listing fails or is incomplete: the cycle cannot decide anything. */
export class VolumeListingError extends Error {}

async function bestEffort<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await fn();
  } catch {
    return fallback;
  }
}

/** A promise's outcome as a value, so independent listings can be awaited together. */
function settled<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return p.then(
    value => ({ value }),
    error => ({ error }),
  );
}

/** `serverNames: false` for a reader that names no server (the servers are then not listed). */
export async function readLiveCloud(
  client: OpenStackClient,
  options: { serverNames?: boolean } = {},
): Promise<LiveCloud> {
  // independent listings, sent together: the slowest one sets the time, not their sum
  const [volumes, snapshots, names, servers] = await Promise.all([
    settled(client.blockStorage.listVolumes()),
    settled(client.blockStorage.listSnapshots()),
    readNames(client),
    options.serverNames === false
      ? new Map<string, string>()
      : bestEffort(
          async () =>
            new Map(
              (
                await client.compute.listServers()
              ).items.map(s => [s.id, String(s.name ?? '')]),
            ),
          new Map<string, string>(),
        ),
  ]);
  if ('error' in volumes) {
    throw new VolumeListingError(
      `volume listing failed: ${String(volumes.error)}`,
    );
  }
  if (!volumes.value.complete) {
    throw new VolumeListingError(
      `volume listing incomplete: ${volumes.value.reason ?? 'unknown reason'}`,
    );
  }
  return {
    volumes: volumes.value.items,
    snapshots: 'value' in snapshots ? snapshots.value.items : [],
    snapshotsComplete: 'value' in snapshots && snapshots.value.complete,
    snapshotsReason:
      'value' in snapshots ? snapshots.value.reason : String(snapshots.error),
    ...names,
    servers,
  };
}

/** Volumes (complete listing required) with project and domain names: what the assignment job reads. */
export async function readLiveVolumes(
  client: OpenStackClient,
): Promise<Pick<LiveCloud, 'volumes' | 'projects' | 'domains'>> {
  let volumes;
  try {
    volumes = await client.blockStorage.listVolumes();
  } catch (e) {
    throw new VolumeListingError(`volume listing failed: ${String(e)}`);
  }
  if (!volumes.complete) {
    throw new VolumeListingError(
      `volume listing incomplete: ${volumes.reason ?? 'unknown reason'}`,
    );
  }
  const { projects, domains } = await readNames(client);
  return { volumes: volumes.items, projects, domains };
}

async function readNames(
  client: OpenStackClient,
): Promise<Pick<LiveCloud, 'projects' | 'domains'>> {
  const [projects, domains] = await Promise.all([
    bestEffort(
      async () =>
        new Map(
          (
            await client.identity.listProjects()
          ).items.map(p => [
            p.id,
            { name: p.name, domainId: (p.domain_id as string) ?? null },
          ]),
        ),
      new Map<string, { name: string; domainId: string | null }>(),
    ),
    bestEffort(
      async () =>
        new Map(
          (await client.identity.listDomains()).items.map(d => [d.id, d.name]),
        ),
      new Map<string, string>(),
    ),
  ]);
  return { projects, domains };
}

export function isManaged(snapshot: CinderSnapshot): boolean {
  return snapshot.metadata?.created_by === CREATED_BY;
}

/** Our snapshots grouped by (volume, policy), built once per listing (SNAP-20 keys). */
export class ManagedSnapshotIndex {
  private readonly byPair = new Map<string, CinderSnapshot[]>();

  constructor(snapshots: CinderSnapshot[]) {
    for (const s of snapshots) {
      if (!isManaged(s) || !s.metadata?.policy) continue;
      const key = `${s.metadata?.original_volume_id ?? s.volume_id}\u0000${
        s.metadata.policy
      }`;
      const list = this.byPair.get(key);
      if (list) list.push(s);
      else this.byPair.set(key, [s]);
    }
  }

  of(volumeId: string, policy: string): CinderSnapshot[] {
    return this.byPair.get(`${volumeId}\u0000${policy}`) ?? [];
  }
}

export function volumeFacts(
  volume: CinderVolume,
  live: Pick<LiveCloud, 'projects' | 'domains'>,
): VolumeFacts {
  const projectId = volumeProjectId(volume);
  const project = projectId ? live.projects.get(projectId) : undefined;
  const domainId = project?.domainId ?? null;
  return {
    volume,
    projectId,
    projectName: project?.name ?? null,
    domainId,
    domainName: domainId ? live.domains.get(domainId) ?? null : null,
  };
}

export function volumeProjectId(volume: CinderVolume): string | null {
  return (volume['os-vol-tenant-attr:tenant_id'] as string) ?? null;
}

/** The server of an attached volume (the first attachment). */
export function volumeServerId(volume: CinderVolume): string | null {
  return volume.attachments?.[0]?.server_id ?? null;
}

/** `created_at` of a snapshot or volume in ms; NaN when absent. */
export function createdAtMs(item: {
  created_at?: unknown;
  [key: string]: unknown;
}): number {
  const raw = String(item.created_at ?? '');
  // Cinder omits the zone; its times are UTC
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`);
}

/** Newest first, id as tie-breaker (SNAP-20). */
export function newestFirst(a: CinderSnapshot, b: CinderSnapshot): number {
  return createdAtMs(b) - createdAtMs(a) || (a.id < b.id ? 1 : -1);
}
