/**
 * Where a restore starts: the server (live, or from its deletion record, RST-5), its boot mode (RST-2)
 * and its restore points (RST-3): our stored snapshots merged with live Cinder snapshots of every attached
 * volume and Glance server images, de-duplicated by id, newest first.
 */
import type {
  RestoreIssue,
  RestorePoint,
  RestorePointKind,
} from '@internal/plugin-pf9-common';
import {
  CinderSnapshot,
  CinderVolume,
  GlanceImage,
  NovaServer,
  OpenStackClient,
} from '../openstack';
import { InventoryQueries } from '../inventory/query';
import { CREATED_BY, createdAtMs } from '../snapshots/live';
import { SnapshotRunStore } from '../snapshots/runs';
import {
  attachedVolumeIds,
  readServer,
  readVolumes,
  serverImages,
  volumeSnapshots,
} from './live';

/** The server a restore starts from. */
export interface ServerSource {
  server: NovaServer;
  /** root_device_name and user_data are real (Nova microversion ≥ 2.3, live only) */
  extendedAttributes: boolean;
  /** the server is gone: the values come from its last stored state (RST-5) */
  fromHistory: boolean;
  projectId: string;
  domainId: string | null;
  /** the attached volumes that still exist */
  volumes: CinderVolume[];
}

/** A restore point plus what the planner matches data-volume snapshots with (RST-7). */
export interface RestorePointDetail extends RestorePoint {
  period: string | null;
  /** the image's minimum disk or the snapshot's size, for quota needs */
  image: GlanceImage | null;
}

export interface BootInfo {
  bootMode: 'volume' | 'image';
  bootVolume: CinderVolume | null;
  blocker: RestoreIssue | null;
}

/** Live first; a server that no longer exists comes from inventory's last stored state (RST-5). */
export async function loadServerSource(
  os: OpenStackClient,
  queries: InventoryQueries,
  cloudId: string,
  serverId: string,
): Promise<ServerSource | null> {
  const live = await readServer(os, serverId);
  const stored = await queries.getResource(
    cloudId,
    'server',
    serverId,
    undefined,
  );
  if (live) {
    return {
      ...live,
      fromHistory: false,
      projectId: String(live.server.tenant_id ?? stored?.projectId ?? ''),
      domainId: stored?.domainId ?? null,
      volumes: await readVolumes(os, attachedVolumeIds(live.server)),
    };
  }
  const raw = (stored as { raw?: NovaServer } | undefined)?.raw;
  if (!stored || !raw) return null;
  return {
    server: raw,
    extendedAttributes: false,
    fromHistory: true,
    projectId: stored.projectId ?? String(raw.tenant_id ?? ''),
    domainId: stored.domainId ?? null,
    volumes: await readVolumes(os, attachedVolumeIds(raw)),
  };
}

export function isVolumeBooted(server: NovaServer): boolean {
  return !server.image || typeof server.image !== 'object';
}

/**
 * RST-2: the boot volume is the attachment on root_device_name (read at Nova ≥ 2.3), else the only
 * bootable attached volume; several bootable ones with none on the root device block the plan.
 */
export function bootInfo(source: ServerSource): BootInfo {
  const { server, volumes } = source;
  if (!isVolumeBooted(server))
    return { bootMode: 'image', bootVolume: null, blocker: null };
  const root = source.extendedAttributes
    ? (server['OS-EXT-SRV-ATTR:root_device_name'] as string | undefined)
    : undefined;
  const onRoot = root
    ? volumes.find(v =>
        (v.attachments ?? []).some(
          a => a.server_id === server.id && a.device === root,
        ),
      )
    : undefined;
  if (onRoot) return { bootMode: 'volume', bootVolume: onRoot, blocker: null };
  const bootable = volumes.filter(v => String(v.bootable) === 'true');
  if (bootable.length === 1)
    return { bootMode: 'volume', bootVolume: bootable[0], blocker: null };
  return {
    bootMode: 'volume',
    bootVolume: null,
    blocker: {
      code: 'BOOT_VOLUME_UNKNOWN',
      message: bootable.length
        ? `${bootable.length} attached volumes are bootable and none is on the root device`
        : 'no attached volume is bootable',
    },
  };
}

function iso(value: unknown): string {
  const ms = createdAtMs({ created_at: value });
  return Number.isNaN(ms)
    ? new Date(0).toISOString()
    : new Date(ms).toISOString();
}

function imageKind(image: GlanceImage): RestorePointKind {
  const mapping = image.block_device_mapping;
  const hasMapping =
    typeof mapping === 'string' ? mapping.length > 2 : Array.isArray(mapping);
  return hasMapping ? 'server_image_volume_backed' : 'server_image';
}

function snapshotPoint(
  s: CinderSnapshot,
  stored: { policy: string | null; period: string | null } | undefined,
): RestorePointDetail {
  const meta = s.metadata ?? {};
  return {
    id: s.id,
    kind: 'volume_snapshot',
    name: s.name ?? null,
    volumeId: s.volume_id,
    managed: Boolean(stored) || meta.created_by === CREATED_BY,
    policy: meta.policy ?? stored?.policy ?? null,
    period: meta.period ?? stored?.period ?? null,
    createdAt: iso(s.created_at),
    sizeGb: s.size ?? null,
    status: s.status,
    image: null,
  };
}

export function imagePoint(i: GlanceImage): RestorePointDetail {
  const size = typeof i.size === 'number' ? i.size : 0;
  const minDisk = Number(i.min_disk ?? 0);
  return {
    id: i.id,
    kind: imageKind(i),
    name: i.name ?? null,
    volumeId: null,
    managed: i.created_by === CREATED_BY,
    policy: typeof i.policy === 'string' ? i.policy : null,
    period: typeof i.period === 'string' ? i.period : null,
    createdAt: iso(i.created_at),
    sizeGb: Math.max(minDisk, Math.ceil(size / 1024 ** 3)) || null,
    status: i.status === 'active' ? 'available' : i.status,
    image: i,
  };
}

/** RST-3 for one server: every attached volume's snapshots plus the server's images, newest first. */
export async function restorePointsOf(
  os: OpenStackClient,
  runs: SnapshotRunStore,
  cloudId: string,
  source: ServerSource,
): Promise<RestorePointDetail[]> {
  const volumeIds = attachedVolumeIds(source.server);
  const stored = new Map(
    (await runs.createdSnapshotsOf(cloudId, volumeIds)).map(r => [
      r.snapshotId,
      r,
    ]),
  );
  const [snapshots, images] = await Promise.all([
    Promise.all(volumeIds.map(id => volumeSnapshots(os, id))),
    serverImages(os, source.server.id),
  ]);
  const byId = new Map<string, RestorePointDetail>();
  for (const s of snapshots.flat())
    byId.set(s.id, snapshotPoint(s, stored.get(s.id)));
  for (const i of images) byId.set(i.id, imagePoint(i));
  return [...byId.values()].sort(
    (a, b) =>
      b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id),
  );
}

/** The public form of a point (the API never shows the raw image). */
export function publicPoint(point: RestorePointDetail): RestorePoint {
  const { period: _period, image: _image, ...rest } = point;
  return rest;
}
