/** The 29 resource types of SPEC §1.2, in collection order (INV-3), and the shapes the sync passes around. */

export const INVENTORY_TYPES = [
  // Keystone first
  'domain',
  'project',
  'user',
  'group',
  'role',
  'role_assignment',
  // Nova
  'server',
  'flavor',
  'hypervisor',
  'compute_service',
  'aggregate',
  'availability_zone',
  'keypair',
  'server_group',
  // Glance
  'image',
  // Cinder
  'volume',
  'volume_snapshot',
  'volume_backup',
  'volume_type',
  'storage_pool',
  // Neutron
  'network',
  'subnet',
  'port',
  'router',
  'floating_ip',
  'security_group',
  'security_group_rule',
  'network_ip_availability',
  // quotas last
  'project_quota',
] as const;

export type InventoryType = (typeof INVENTORY_TYPES)[number];

export function isInventoryType(value: string): value is InventoryType {
  return (INVENTORY_TYPES as readonly string[]).includes(value);
}

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
  /** the latest payload; never hashed; Nova user_data stripped */
  raw: JsonMap | null;
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

export type TypeStatus =
  | 'complete'
  | 'incomplete'
  | 'failed'
  | 'skipped'
  | 'complete_guarded';

export interface PartitionOutcome {
  partition: string;
  status: 'ok' | 'access_denied' | 'not_supported' | 'error' | 'truncated';
  count: number;
  error?: string;
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
export interface TypeOutcome {
  type: InventoryType;
  status: TypeStatus;
  count: number;
  pages: number;
  durationMs: number;
  error?: string;
  partitions?: PartitionOutcome[];
  written?: { created: number; updated: number; unchanged: number };
  deletions?: {
    recorded: number;
    candidates: number;
    verifiedByGet: number;
    keptAfterGet: number;
    guarded?: { threshold: number; candidateIds: string[] };
  };
  reappeared?: number;
}

export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'partial'
  | 'failed'
  | 'interrupted';

export type RunTrigger = 'scheduled' | 'on_demand' | 'pipeline';

export interface InventoryRun {
  id: string;
  cloudId: string;
  trigger: RunTrigger;
  triggeredBy: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  types: TypeOutcome[];
  deletionStats: {
    recorded: number;
    verifiedByGet: number;
    guardedTypes: string[];
  } | null;
  error: string | null;
}
