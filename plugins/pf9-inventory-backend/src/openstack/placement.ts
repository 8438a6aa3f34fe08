/**
 * Placement calls: hypervisor capacity (SPEC §1.2 type 9, INV-6) comes from resource providers,
 * their inventories and usages, never from Nova's removed statistics.
 */
import { Listing, confirmScope, listSingle } from './paging';
import { OpenStackSession } from './session';

export interface ResourceProvider {
  uuid: string;
  name: string;
  generation?: number;
  parent_provider_uuid?: string | null;
  root_provider_uuid?: string;
  [key: string]: unknown;
}
export interface ProviderInventory {
  total: number;
  reserved: number;
  min_unit?: number;
  max_unit?: number;
  step_size?: number;
  allocation_ratio: number;
}

const enc = encodeURIComponent;

export class PlacementApi {
  constructor(private readonly session: OpenStackSession) {}

  async listResourceProviders(): Promise<
    Listing<ResourceProvider> & { scopeConfirmed: boolean }
  > {
    return confirmScope(
      this.session,
      await listSingle<ResourceProvider>(
        this.session,
        'placement',
        '/resource_providers',
        'resource_providers',
      ),
    );
  }

  async getInventories(
    providerUuid: string,
  ): Promise<Record<string, ProviderInventory>> {
    return (
      await this.session.json<{
        inventories: Record<string, ProviderInventory>;
      }>(
        'placement',
        'GET',
        `/resource_providers/${enc(providerUuid)}/inventories`,
      )
    ).inventories;
  }

  async getUsages(providerUuid: string): Promise<Record<string, number>> {
    return (
      await this.session.json<{ usages: Record<string, number> }>(
        'placement',
        'GET',
        `/resource_providers/${enc(providerUuid)}/usages`,
      )
    ).usages;
  }
}
