/**
 * Neutron calls: the network listings of SPEC §1.2 (types 21–29). An admin token lists every
 * project's objects; paging follows `<key>_links`, and a deployment with pagination disabled
 * (no links) is accepted as one full page (OSC-4).
 */
import { Listing, confirmScope, listPaged } from './paging';
import { OpenStackSession } from './session';

export interface NeutronObject {
  id: string;
  name?: string;
  project_id?: string;
  tenant_id?: string;
  [key: string]: unknown;
}
export interface NeutronPort extends NeutronObject {
  network_id: string;
  device_id?: string;
  device_owner?: string;
  status?: string;
  mac_address?: string;
  fixed_ips?: Array<{ subnet_id: string; ip_address: string }>;
}
export interface NetworkIpAvailability {
  network_id: string;
  network_name?: string;
  project_id?: string;
  total_ips: number;
  used_ips: number;
  subnet_ip_availability?: Array<{
    subnet_id: string;
    cidr: string;
    total_ips: number;
    used_ips: number;
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}
export interface NeutronQuotaDetail {
  limit: number;
  used: number;
  reserved: number;
}

export interface NeutronListOptions {
  pageSize?: number;
  query?: Record<string, string | number>;
}

const enc = encodeURIComponent;

export class NeutronApi {
  constructor(private readonly session: OpenStackSession) {}

  private async list<T>(
    resource: string,
    key: string,
    o: NeutronListOptions,
  ): Promise<Listing<T> & { scopeConfirmed: boolean }> {
    return confirmScope(
      this.session,
      await listPaged<T>(this.session, 'network', `/v2.0/${resource}`, {
        key,
        style: 'links',
        pageSize: o.pageSize,
        query: o.query,
      }),
    );
  }

  /** 21 */
  listNetworks(o: NeutronListOptions = {}) {
    return this.list<NeutronObject>('networks', 'networks', o);
  }
  /** 22 */
  listSubnets(o: NeutronListOptions = {}) {
    return this.list<NeutronObject>('subnets', 'subnets', o);
  }
  /** 23 */
  listPorts(o: NeutronListOptions = {}) {
    return this.list<NeutronPort>('ports', 'ports', o);
  }
  /** 24 */
  listRouters(o: NeutronListOptions = {}) {
    return this.list<NeutronObject>('routers', 'routers', o);
  }
  /** 25 */
  listFloatingIps(o: NeutronListOptions = {}) {
    return this.list<NeutronObject>('floatingips', 'floatingips', o);
  }
  /** 26 */
  listSecurityGroups(o: NeutronListOptions = {}) {
    return this.list<NeutronObject>('security-groups', 'security_groups', o);
  }
  /** 27 */
  listSecurityGroupRules(o: NeutronListOptions = {}) {
    return this.list<NeutronObject>(
      'security-group-rules',
      'security_group_rules',
      o,
    );
  }
  /** 29 */
  listNetworkIpAvailabilities(o: NeutronListOptions = {}) {
    return this.list<NetworkIpAvailability>(
      'network-ip-availabilities',
      'network_ip_availabilities',
      o,
    );
  }

  /** 28 (network): `{limit, used, reserved}` per resource. */
  async getQuotaDetails(
    projectId: string,
  ): Promise<Record<string, NeutronQuotaDetail>> {
    return (
      await this.session.json<{ quota: Record<string, NeutronQuotaDetail> }>(
        'network',
        'GET',
        `/v2.0/quotas/${enc(projectId)}/details`,
      )
    ).quota;
  }

  async updateQuota(
    projectId: string,
    quota: Record<string, number>,
  ): Promise<Record<string, number>> {
    return (
      await this.session.json<{ quota: Record<string, number> }>(
        'network',
        'PUT',
        `/v2.0/quotas/${enc(projectId)}`,
        { body: { quota } },
      )
    ).quota;
  }

  async getNetwork(networkId: string): Promise<NeutronObject> {
    return (
      await this.session.json<{ network: NeutronObject }>(
        'network',
        'GET',
        `/v2.0/networks/${enc(networkId)}`,
      )
    ).network;
  }

  async getSubnet(
    subnetId: string,
  ): Promise<NeutronObject & { cidr?: string; network_id?: string }> {
    return (
      await this.session.json<{
        subnet: NeutronObject & { cidr?: string; network_id?: string };
      }>('network', 'GET', `/v2.0/subnets/${enc(subnetId)}`)
    ).subnet;
  }

  async getPort(portId: string): Promise<NeutronPort> {
    return (
      await this.session.json<{ port: NeutronPort }>(
        'network',
        'GET',
        `/v2.0/ports/${enc(portId)}`,
      )
    ).port;
  }

  /** A 409 `IpAddressAlreadyAllocated` means the requested fixed IP is taken. */
  async createPort(port: {
    network_id: string;
    name?: string;
    fixed_ips?: Array<{ subnet_id?: string; ip_address?: string }>;
    project_id?: string;
    security_groups?: string[];
    [key: string]: unknown;
  }): Promise<NeutronPort> {
    return (
      await this.session.json<{ port: NeutronPort }>(
        'network',
        'POST',
        '/v2.0/ports',
        { body: { port } },
      )
    ).port;
  }

  async deletePort(portId: string): Promise<void> {
    await this.session.request(
      'network',
      'DELETE',
      `/v2.0/ports/${enc(portId)}`,
    );
  }
}
