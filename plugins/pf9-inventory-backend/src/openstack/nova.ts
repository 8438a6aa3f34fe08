/**
 * Nova calls: the compute listings of SPEC §1.2 (types 7–14, 28) with the cross-project parameters
 * of OSC-6, and the server operations restore needs.
 */
import {
  Listing,
  Query,
  confirmScope,
  listOffset,
  listPaged,
  listSingle,
} from './paging';
import { OpenStackSession } from './session';

export interface NovaServer {
  id: string;
  name: string;
  status: string;
  tenant_id?: string;
  user_id?: string;
  flavor?: {
    original_name?: string;
    vcpus?: number;
    ram?: number;
    disk?: number;
    ephemeral?: number;
    swap?: number;
    extra_specs?: Record<string, string>;
    id?: string;
  };
  image?: { id: string } | '';
  metadata?: Record<string, string>;
  addresses?: Record<string, Array<Record<string, unknown>>>;
  [key: string]: unknown;
}
export interface NovaFlavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  'OS-FLV-EXT-DATA:ephemeral'?: number;
  swap?: number | '';
  'os-flavor-access:is_public'?: boolean;
  extra_specs?: Record<string, string>;
  [key: string]: unknown;
}
export interface NovaHypervisor {
  id: string | number;
  hypervisor_hostname: string;
  state?: string;
  status?: string;
  [key: string]: unknown;
}
export interface NovaService {
  id: string | number;
  binary: string;
  host: string;
  zone?: string;
  status: string;
  state: string;
  [key: string]: unknown;
}
export interface NovaAggregate {
  id: number;
  uuid?: string;
  name: string;
  availability_zone?: string | null;
  hosts?: string[];
  metadata?: Record<string, string>;
  [key: string]: unknown;
}
export interface AvailabilityZoneInfo {
  zoneName: string;
  zoneState: { available: boolean };
  hosts?: Record<string, unknown> | null;
  [key: string]: unknown;
}
export interface NovaKeypair {
  name: string;
  user_id?: string;
  type?: string;
  fingerprint?: string;
  public_key?: string;
  [key: string]: unknown;
}
export interface NovaServerGroup {
  id: string;
  name: string;
  project_id?: string;
  user_id?: string;
  policy?: string;
  rules?: Record<string, unknown>;
  members?: string[];
  [key: string]: unknown;
}
export interface QuotaValue {
  limit: number;
  in_use: number;
  reserved: number;
}
export interface VolumeAttachment {
  id: string;
  volumeId: string;
  serverId: string;
  device?: string;
  [key: string]: unknown;
}
export interface ServerInterface {
  port_id: string;
  net_id: string;
  mac_addr?: string;
  fixed_ips?: Array<{ subnet_id: string; ip_address: string }>;
  port_state?: string;
  [key: string]: unknown;
}

export interface PageOptions {
  /** page size (default 1000); small values force paging in tests */
  pageSize?: number;
}

const enc = encodeURIComponent;

export class NovaApi {
  constructor(private readonly session: OpenStackSession) {}

  /** 7: every project's servers (`all_tenants=1`). */
  async listServers(
    options: PageOptions & { query?: Query } = {},
  ): Promise<Listing<NovaServer> & { scopeConfirmed: boolean }> {
    return confirmScope(
      this.session,
      await listPaged<NovaServer>(this.session, 'compute', '/servers/detail', {
        key: 'servers',
        style: 'links',
        pageSize: options.pageSize,
        query: { all_tenants: 1, ...(options.query ?? {}) },
      }),
    );
  }

  /** 8: public and private flavors (`is_public=None`). */
  async listFlavors(
    options: PageOptions = {},
  ): Promise<Listing<NovaFlavor> & { scopeConfirmed: boolean }> {
    return confirmScope(
      this.session,
      await listPaged<NovaFlavor>(this.session, 'compute', '/flavors/detail', {
        key: 'flavors',
        style: 'links',
        pageSize: options.pageSize,
        query: { is_public: 'None' },
      }),
    );
  }

  /** Extra specs of one flavor, for microversions below 2.61 (where they are not embedded). */
  async getFlavorExtraSpecs(flavorId: string): Promise<Record<string, string>> {
    const body = await this.session.json<{
      extra_specs: Record<string, string>;
    }>('compute', 'GET', `/flavors/${enc(flavorId)}/os-extra-specs`);
    return body.extra_specs ?? {};
  }

  /** 9 */
  async listHypervisors(
    options: PageOptions = {},
  ): Promise<Listing<NovaHypervisor> & { scopeConfirmed: boolean }> {
    return confirmScope(
      this.session,
      await listPaged<NovaHypervisor>(
        this.session,
        'compute',
        '/os-hypervisors/detail',
        { key: 'hypervisors', style: 'links', pageSize: options.pageSize },
      ),
    );
  }

  /** 10 */
  async listServices(): Promise<
    Listing<NovaService> & { scopeConfirmed: boolean }
  > {
    return confirmScope(
      this.session,
      await listSingle<NovaService>(
        this.session,
        'compute',
        '/os-services',
        'services',
      ),
    );
  }

  /** 11 */
  async listAggregates(): Promise<
    Listing<NovaAggregate> & { scopeConfirmed: boolean }
  > {
    return confirmScope(
      this.session,
      await listSingle<NovaAggregate>(
        this.session,
        'compute',
        '/os-aggregates',
        'aggregates',
      ),
    );
  }

  /** 12 (compute side) */
  async listAvailabilityZones(): Promise<
    Listing<AvailabilityZoneInfo> & { scopeConfirmed: boolean }
  > {
    return confirmScope(
      this.session,
      await listSingle<AvailabilityZoneInfo>(
        this.session,
        'compute',
        '/os-availability-zone/detail',
        'availabilityZoneInfo',
      ),
    );
  }

  /** 13: keypairs of one user (admin: any user). Nova wraps each as `{keypair: {...}}`. */
  async listKeypairs(
    userId: string,
    options: PageOptions = {},
  ): Promise<Listing<NovaKeypair>> {
    const listing = await listPaged<{ keypair: NovaKeypair }>(
      this.session,
      'compute',
      '/os-keypairs',
      {
        key: 'keypairs',
        style: 'links',
        pageSize: options.pageSize,
        query: { user_id: userId },
      },
    );
    return {
      ...listing,
      items: listing.items.map(k => ({ user_id: userId, ...k.keypair })),
    };
  }

  /** 14: every project's server groups (`all_projects=True`; Nova pages them by offset). */
  async listServerGroups(
    options: PageOptions = {},
  ): Promise<Listing<NovaServerGroup> & { scopeConfirmed: boolean }> {
    return confirmScope(
      this.session,
      await listOffset<NovaServerGroup>(
        this.session,
        'compute',
        '/os-server-groups',
        'server_groups',
        { all_projects: 'True' },
        options.pageSize,
      ),
    );
  }

  /** 28 (compute): limit / in_use / reserved per resource. */
  async getQuotaDetail(
    projectId: string,
  ): Promise<Record<string, QuotaValue | string>> {
    const body = await this.session.json<{ quota_set: Record<string, any> }>(
      'compute',
      'GET',
      `/os-quota-sets/${enc(projectId)}/detail`,
    );
    return body.quota_set;
  }

  async updateQuota(
    projectId: string,
    quota: Record<string, number>,
  ): Promise<Record<string, unknown>> {
    const body = await this.session.json<{
      quota_set: Record<string, unknown>;
    }>('compute', 'PUT', `/os-quota-sets/${enc(projectId)}`, {
      body: { quota_set: quota },
    });
    return body.quota_set;
  }

  async getFlavor(flavorId: string): Promise<NovaFlavor> {
    const body = await this.session.json<{ flavor: NovaFlavor }>(
      'compute',
      'GET',
      `/flavors/${enc(flavorId)}`,
    );
    return body.flavor;
  }

  /** A keypair by name; an admin reads another user's with `userId` (keypairs belong to users). */
  async getKeypair(name: string, userId?: string): Promise<NovaKeypair> {
    const body = await this.session.json<{ keypair: NovaKeypair }>(
      'compute',
      'GET',
      `/os-keypairs/${enc(name)}`,
      { query: userId ? { user_id: userId } : undefined },
    );
    return body.keypair;
  }

  async getServer(serverId: string): Promise<NovaServer> {
    const body = await this.session.json<{ server: NovaServer }>(
      'compute',
      'GET',
      `/servers/${enc(serverId)}`,
    );
    return body.server;
  }

  /** POST /servers; the body is Nova's `server` object (name, flavorRef, networks, block_device_mapping_v2, ...). */
  async createServer(
    server: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; [key: string]: unknown }> {
    const body = await this.session.json<{
      server: { id: string; [key: string]: unknown };
    }>('compute', 'POST', '/servers', { body: { server, ...extra } });
    return body.server;
  }

  async deleteServer(serverId: string): Promise<void> {
    await this.session.request(
      'compute',
      'DELETE',
      `/servers/${enc(serverId)}`,
    );
  }

  /** POST /servers/{id}/action with one action object. */
  async serverAction(
    serverId: string,
    action: Record<string, unknown>,
  ): Promise<{ status: number; body: any; location?: string }> {
    const res = await this.session.request(
      'compute',
      'POST',
      `/servers/${enc(serverId)}/action`,
      { body: action },
    );
    return {
      status: res.status,
      body: res.text ? res.json() : {},
      location: res.headers.location,
    };
  }

  async stopServer(serverId: string): Promise<void> {
    await this.serverAction(serverId, { 'os-stop': null });
  }

  async startServer(serverId: string): Promise<void> {
    await this.serverAction(serverId, { 'os-start': null });
  }

  async rebootServer(serverId: string, type: 'SOFT' | 'HARD' = 'SOFT') {
    await this.serverAction(serverId, { reboot: { type } });
  }

  /** createImage: the image id from the body (2.45+) or the Location header (older). */
  async createServerImage(
    serverId: string,
    name: string,
    metadata: Record<string, string> = {},
  ): Promise<string> {
    const res = await this.serverAction(serverId, {
      createImage: { name, metadata },
    });
    const id =
      res.body?.image_id ?? res.location?.split('/').filter(Boolean).pop();
    if (!id) throw new Error(`createImage of ${serverId} returned no image id`);
    return id;
  }

  /** Imports a public key for the calling user. */
  async importKeypair(name: string, publicKey: string): Promise<NovaKeypair> {
    const body = await this.session.json<{ keypair: NovaKeypair }>(
      'compute',
      'POST',
      '/os-keypairs',
      { body: { keypair: { name, public_key: publicKey } } },
    );
    return body.keypair;
  }

  async deleteKeypair(name: string): Promise<void> {
    await this.session.request(
      'compute',
      'DELETE',
      `/os-keypairs/${enc(name)}`,
    );
  }

  /** Nova 2.85+: switches `delete_on_termination` of an attached volume (PUT os-volume_attachments). */
  async updateVolumeAttachment(
    serverId: string,
    volumeId: string,
    deleteOnTermination: boolean,
  ): Promise<void> {
    await this.session.request(
      'compute',
      'PUT',
      `/servers/${enc(serverId)}/os-volume_attachments/${enc(volumeId)}`,
      {
        microversion: '2.85',
        body: {
          volumeAttachment: {
            volumeId,
            delete_on_termination: deleteOnTermination,
          },
        },
      },
    );
  }

  async attachVolume(
    serverId: string,
    volumeId: string,
    device?: string,
  ): Promise<VolumeAttachment> {
    const body = await this.session.json<{
      volumeAttachment: VolumeAttachment;
    }>('compute', 'POST', `/servers/${enc(serverId)}/os-volume_attachments`, {
      body: { volumeAttachment: { volumeId, ...(device ? { device } : {}) } },
    });
    return body.volumeAttachment;
  }

  async detachVolume(serverId: string, volumeId: string): Promise<void> {
    await this.session.request(
      'compute',
      'DELETE',
      `/servers/${enc(serverId)}/os-volume_attachments/${enc(volumeId)}`,
    );
  }

  async listVolumeAttachments(
    serverId: string,
  ): Promise<Listing<VolumeAttachment>> {
    return listSingle(
      this.session,
      'compute',
      `/servers/${enc(serverId)}/os-volume_attachments`,
      'volumeAttachments',
    );
  }

  async listInterfaces(serverId: string): Promise<Listing<ServerInterface>> {
    return listSingle(
      this.session,
      'compute',
      `/servers/${enc(serverId)}/os-interface`,
      'interfaceAttachments',
    );
  }
}
