/** The 29 resource types of SPEC §1.2, in collection order (INV-3), and the shapes the sync passes around. */

import type {
  InventoryPartitionOutcome,
  InventoryRunStatus,
  InventoryRunTrigger,
  InventoryType,
  InventoryTypeStatus,
} from '@internal/plugin-pf9-common';

// The type list is shared with the frontend; the backend adds the shapes the sync passes around.
export {
  INVENTORY_TYPES,
  isInventoryType,
  type InventoryType,
} from '@internal/plugin-pf9-common';

// Run records are returned by the API as they are stored, so their types are the API's.
export type {
  InventoryRun,
  InventoryTypeOutcome as TypeOutcome,
} from '@internal/plugin-pf9-common';
export type PartitionOutcome = InventoryPartitionOutcome;
export type TypeStatus = InventoryTypeStatus;
export type RunStatus = InventoryRunStatus;
export type RunTrigger = InventoryRunTrigger;

export type JsonMap = Record<string, unknown>;

/** One resource as a collector produced it. */
export interface CollectedResource {
  id: string;
  name: string | null;
  projectId: string | null;
  domainId: string | null;
  status: string | null;
  /** the typed key fields of §1.2 */
  key: JsonMap;
  /**
   * the latest payload; never hashed; Nova user_data stripped. Collectors keep it serialised (a string):
   * a sync of 150k resources would otherwise hold every parsed payload until the last type is written.
   */
  raw: JsonMap | string | null;
  /** filled by enrichment (§1.3) */
  derived: JsonMap;
  /** derived keys whose sources were incomplete in this run: the stored value is carried over */
  carry?: string[];
  /** write only if no row exists yet (users known only from role assignments, INV-11) */
  onlyIfAbsent?: boolean;
  /** the partition that owns it, for partitioned types (users/groups: domain; quotas: project/service) */
  partition?: string;
  /** extra text for the free-text filter (IP addresses) */
  searchExtra?: string[];
}

/** What the collector learned about one type. */
export interface CollectedType {
  type: InventoryType;
  /** complete: every page, no error, not truncated, cross-project scope confirmed */
  complete: boolean;
  /** the listing failed outright (nothing usable) */
  failed: boolean;
  resources: CollectedResource[];
  pages: number;
  durationMs: number;
  error?: string;
  /** partitioned types: the outcome of each partition; only `ok` ones may be written and deleted from */
  partitions?: PartitionOutcome[];
  /**
   * partitioned types: stored rows of a partition that was not listed at all count as in a complete
   * partition (their parent, e.g. the domain or project, is absent from a complete parent listing)
   */
  unlistedPartitionsComplete?: boolean;
  /** ids known to exist whose content could not be fetched this run (kept, never deleted) */
  presentIds?: string[];
}

/** One type's line in the run record (INV-2). */
