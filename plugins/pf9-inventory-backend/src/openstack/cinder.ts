/**
 * Cinder v3 calls: the block-storage listings of SPEC §1.2 (types 12, 16–20, 28), always with
 * `all_tenants=1` (OSC-6), and the volume and snapshot operations of snapshots and restore. Paths
 * are relative to the endpoint, which already ends in the token's project (`/v3/{p}`).
 */
import { Listing, confirmScope, listPaged, listSingle } from './paging';
import { OpenStackSession } from './session';
import type { QuotaValue } from './nova';

export interface CinderVolume {
  id: string;
  name: string | null;
  status: string;
  size: number;
  'os-vol-tenant-attr:tenant_id'?: string;
  'os-vol-host-attr:host'?: string;
  volume_type?: string | null;
  bootable?: string;
  attachments?: Array<{
    server_id: string;
    device?: string;
    attachment_id?: string;
    [key: string]: unknown;
  }>;
  metadata?: Record<string, string>;
  snapshot_id?: string | null;
  [key: string]: unknown;
}
export interface CinderSnapshot {
  id: string;
  name: string | null;
  status: string;
  volume_id: string;
  size: number;
  'os-extended-snapshot-attributes:project_id'?: string;
  metadata?: Record<string, string>;
  created_at?: string;
  [key: string]: unknown;
}
export interface CinderBackup {
  id: string;
  name: string | null;
  status: string;
  volume_id: string;
  [key: string]: unknown;
}
export interface CinderVolumeType {
  id: string;
  name: string;
  is_public?: boolean;
  extra_specs?: Record<string, string>;
  [key: string]: unknown;
}
export interface CinderPool {
  name: string;
  capabilities?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface CinderAvailabilityZone {
  zoneName: string;
  zoneState: { available: boolean };
  [key: string]: unknown;
}

export interface ListOptions {
  /** page size (default 1000); small values force paging in tests */
  pageSize?: number;
  /** extra filters, e.g. `{ volume_id }` */
  query?: Record<string, string | number>;
}

const enc = encodeURIComponent;

export class CinderApi {
  constructor(private readonly session: OpenStackSession) {}

  private crossProject<T>(path: string, key: string, o: ListOptions) {
    return listPaged<T>(this.session, 'block-storage', path, {
      key,
      style: 'links',
      pageSize: o.pageSize,
      query: { all_tenants: 1, ...(o.query ?? {}) },
    }).then(l => confirmScope(this.session, l));
  }

  /** 16 */
  listVolumes(options: ListOptions = {}) {
    return this.crossProject<CinderVolume>(
      '/volumes/detail',
      'volumes',
      options,
    );
  }

  /** 17 */
  listSnapshots(options: ListOptions = {}) {
    return this.crossProject<CinderSnapshot>(
      '/snapshots/detail',
      'snapshots',
      options,
    );
  }

  /** 18 */
  listBackups(options: ListOptions = {}) {
    return this.crossProject<CinderBackup>(
      '/backups/detail',
      'backups',
      options,
    );
  }

  /** 19: public and private types. */
  async listVolumeTypes() {
    return confirmScope(
      this.session,
      await listSingle<CinderVolumeType>(
        this.session,
        'block-storage',
        '/types',
        'volume_types',
        { is_public: 'None' },
      ),
    );
  }

  /** 20 */
  async listPools() {
    return confirmScope(
      this.session,
      await listSingle<CinderPool>(
        this.session,
        'block-storage',
        '/scheduler-stats/get_pools',
        'pools',
        { detail: 'true' },
      ),
    );
  }

  /** 12 (volume side) */
  async listAvailabilityZones(): Promise<Listing<CinderAvailabilityZone>> {
    return listSingle(
      this.session,
      'block-storage',
      '/os-availability-zone',
      'availabilityZoneInfo',
    );
  }

  /** 28 (block storage): `{limit, in_use, reserved}` per resource, including per-type keys. */
  async getQuotaUsage(
    projectId: string,
  ): Promise<Record<string, QuotaValue | string>> {
    const body = await this.session.json<{ quota_set: Record<string, any> }>(
      'block-storage',
      'GET',
      `/os-quota-sets/${enc(projectId)}`,
      { query: { usage: 'true' } },
    );
    return body.quota_set;
  }

  async updateQuota(
    projectId: string,
    quota: Record<string, number>,
  ): Promise<Record<string, unknown>> {
    const body = await this.session.json<{
      quota_set: Record<string, unknown>;
    }>('block-storage', 'PUT', `/os-quota-sets/${enc(projectId)}`, {
      body: { quota_set: quota },
    });
    return body.quota_set;
  }

  async getVolume(volumeId: string): Promise<CinderVolume> {
    return (
      await this.session.json<{ volume: CinderVolume }>(
        'block-storage',
        'GET',
        `/volumes/${enc(volumeId)}`,
      )
    ).volume;
  }

  async createVolume(volume: {
    size: number;
    name?: string;
    description?: string;
    snapshot_id?: string;
    source_volid?: string;
    imageRef?: string;
    volume_type?: string;
    availability_zone?: string;
    metadata?: Record<string, string>;
    [key: string]: unknown;
  }): Promise<CinderVolume> {
    return (
      await this.session.json<{ volume: CinderVolume }>(
        'block-storage',
        'POST',
        '/volumes',
        { body: { volume } },
      )
    ).volume;
  }

  async deleteVolume(
    volumeId: string,
    options: { cascade?: boolean } = {},
  ): Promise<void> {
    await this.session.request(
      'block-storage',
      'DELETE',
      `/volumes/${enc(volumeId)}`,
      {
        query: options.cascade ? { cascade: 'true' } : undefined,
      },
    );
  }

  async getVolumeMetadata(volumeId: string): Promise<Record<string, string>> {
    return (
      await this.session.json<{ metadata: Record<string, string> }>(
        'block-storage',
        'GET',
        `/volumes/${enc(volumeId)}/metadata`,
      )
    ).metadata;
  }

  /** Merges keys into the volume's metadata (POST; other keys stay). */
  async setVolumeMetadata(
    volumeId: string,
    metadata: Record<string, string>,
  ): Promise<Record<string, string>> {
    return (
      await this.session.json<{ metadata: Record<string, string> }>(
        'block-storage',
        'POST',
        `/volumes/${enc(volumeId)}/metadata`,
        { body: { metadata } },
      )
    ).metadata;
  }

  async deleteVolumeMetadataKey(volumeId: string, key: string): Promise<void> {
    await this.session.request(
      'block-storage',
      'DELETE',
      `/volumes/${enc(volumeId)}/metadata/${enc(key)}`,
    );
  }

  async getSnapshot(snapshotId: string): Promise<CinderSnapshot> {
    return (
      await this.session.json<{ snapshot: CinderSnapshot }>(
        'block-storage',
        'GET',
        `/snapshots/${enc(snapshotId)}`,
      )
    ).snapshot;
  }

  /** `force: true` is needed for an attached volume below microversion 3.66. */
  async createSnapshot(snapshot: {
    volume_id: string;
    name?: string;
    description?: string;
    force?: boolean;
    metadata?: Record<string, string>;
  }): Promise<CinderSnapshot> {
    return (
      await this.session.json<{ snapshot: CinderSnapshot }>(
        'block-storage',
        'POST',
        '/snapshots',
        { body: { snapshot } },
      )
    ).snapshot;
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await this.session.request(
      'block-storage',
      'DELETE',
      `/snapshots/${enc(snapshotId)}`,
    );
  }

  async getSnapshotMetadata(
    snapshotId: string,
  ): Promise<Record<string, string>> {
    return (
      await this.session.json<{ metadata: Record<string, string> }>(
        'block-storage',
        'GET',
        `/snapshots/${enc(snapshotId)}/metadata`,
      )
    ).metadata;
  }

  async setSnapshotMetadata(
    snapshotId: string,
    metadata: Record<string, string>,
  ): Promise<Record<string, string>> {
    return (
      await this.session.json<{ metadata: Record<string, string> }>(
        'block-storage',
        'POST',
        `/snapshots/${enc(snapshotId)}/metadata`,
        { body: { metadata } },
      )
    ).metadata;
  }
}
