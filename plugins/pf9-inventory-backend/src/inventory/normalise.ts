/**
 * The normalised form of a resource (INV-15): key fields plus derived fields, without the raw payload
 * and without volatile fields; its canonical JSON and hash.
 */
import { createHash } from 'crypto';
import { InventoryType, JsonMap } from './types';

/** Excluded from every type's normalised form. */
const ALWAYS_VOLATILE = [
  'updated',
  'updated_at',
  'links',
  'revision_number',
  'progress',
  'task_state',
];

/** INV-7: measurements that change at every poll; stored as current values, never versioned. */
const TYPE_VOLATILE: Partial<Record<InventoryType, string[]>> = {
  hypervisor: [
    'vcpus_used',
    'memory_mb_used',
    'disk_gb_used',
    'running_vms',
    'capacity',
  ],
  storage_pool: [
    'total_capacity_gb',
    'free_capacity_gb',
    'allocated_capacity_gb',
    'provisioned_capacity_gb',
  ],
  compute_service: ['updated_at'],
  network_ip_availability: ['total_ips', 'used_ips', 'subnets'],
  availability_zone: ['hosts_detail'],
  project_quota: ['in_use', 'reserved'],
};

/** Lists whose order means something (DNS resolution order, route order); every other list is a set. */
const ORDERED_LISTS = new Set([
  'dns_nameservers',
  'host_routes',
  'allocation_pools',
]);

export function volatileFields(type: InventoryType): string[] {
  return [...ALWAYS_VOLATILE, ...(TYPE_VOLATILE[type] ?? [])];
}

/** Plain code-unit order: independent of locale and ICU version, so hashes stay stable. */
function byCodeUnit(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

function canonicalValue(value: unknown, ordered: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value
      .map(v => canonicalValue(v, false))
      .filter(v => v !== undefined);
    if (ordered) return items;
    return items
      .map(v => [JSON.stringify(v), v] as const)
      .sort(([a], [b]) => byCodeUnit(a, b))
      .map(([, v]) => v);
  }
  if (typeof value === 'object') {
    const out: JsonMap = {};
    for (const key of Object.keys(value as JsonMap).sort()) {
      const v = canonicalValue((value as JsonMap)[key], ORDERED_LISTS.has(key));
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return value;
}

/** Canonical JSON: sorted keys, set-valued lists sorted, null and absent values dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalValue(value, false) ?? null);
}

/** Key fields plus derived fields, minus the volatile ones, in canonical order. */
export function normalisedForm(
  type: InventoryType,
  key: JsonMap,
  derived: JsonMap,
): JsonMap {
  const merged: JsonMap = { ...key, ...derived };
  for (const field of volatileFields(type)) delete merged[field];
  return (canonicalValue(merged, false) as JsonMap) ?? {};
}

export function contentHash(normalised: JsonMap): string {
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex');
}

/**
 * The normalised form with its canonical JSON (a version's content) and its hash, canonicalised once:
 * the normalised form is canonical already, so its plain JSON is its canonical JSON.
 */
export function hashedForm(
  type: InventoryType,
  key: JsonMap,
  derived: JsonMap,
): { normalised: JsonMap; json: string; hash: string } {
  const normalised = normalisedForm(type, key, derived);
  const json = JSON.stringify(normalised);
  return {
    normalised,
    json,
    hash: createHash('sha256').update(json).digest('hex'),
  };
}

/** The top-level fields whose canonical values differ. */
export function changedFields(
  before: JsonMap | undefined,
  after: JsonMap,
): string[] {
  if (!before) return Object.keys(after).sort();
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter(k => canonicalJson(before[k]) !== canonicalJson(after[k]))
    .sort();
}
