/**
 * The volume metadata contract (SPEC SNAP-5 – SNAP-7), kept for compatibility with tenants and tools:
 * which volumes the metadata protects, with which policies and which retention counts, and why a pair
 * is misconfigured. Pure functions; the cycle and the compliance evaluation both use them.
 */

/** The policy fields the contract needs. */
export interface PolicyRef {
  name: string;
  enabled: boolean;
  defaultRetention: number;
}

export type MisconfiguredReason =
  | 'no_policy'
  | 'unknown_policy'
  | 'policy_disabled'
  | 'invalid_retention';

export interface PairAssignment {
  policy: string;
  /** the count of managed snapshots to keep; null when the winning key is invalid */
  retention: number | null;
  /** the metadata key the retention came from, or `defaultRetention` */
  retentionSource: string;
  /** set when the pair is misconfigured (SNAP-6, SNAP-7) */
  misconfigured?: MisconfiguredReason;
}

/** SNAP-8: where a volume's assignment comes from. */
export type AssignmentSource =
  | 'exclusion'
  | 'manual'
  | 'metadata'
  | `rule:${string}`
  | 'none';

export interface VolumeAssignment {
  /** `metadata` when the volume's own metadata decides, else the SNAP-8 source that did */
  source: AssignmentSource;
  enabled: boolean;
  /** `no_policy` when enabled without any policy name */
  misconfigured?: 'no_policy';
  pairs: PairAssignment[];
  /** `sla_days`, informational only */
  slaDays: string | null;
}

const TRUE_VALUES = new Set(['true', 'yes', '1']);

/** `auto_snapshot`: true/yes/1 (any case) enables; any other present value disables; absent is undefined. */
export function autoSnapshotFlag(
  metadata: Record<string, string>,
): boolean | undefined {
  const value = metadata.auto_snapshot;
  if (value === undefined || value === null) return undefined;
  return TRUE_VALUES.has(String(value).trim().toLowerCase());
}

/** `snapshot_policies` (commas or semicolons; trimmed, lower-cased, de-duplicated), else legacy `snapshot_policy`. */
export function policyNames(metadata: Record<string, string>): string[] {
  const split = (value: string | undefined) =>
    String(value ?? '')
      .split(/[,;]/)
      .map(item => item.trim().toLowerCase())
      .filter(Boolean);
  let names = split(metadata.snapshot_policies);
  if (!names.length) names = split(metadata.snapshot_policy);
  return [...new Set(names)];
}

/** An integer from 1 to 365 written as digits, else null. */
function retentionCount(value: string): number | null {
  const trimmed = String(value).trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return n >= 1 && n <= 365 ? n : null;
}

/** SNAP-6 for an owner-set assignment: the first present key wins; an invalid winner is misconfigured. */
export function metadataRetention(
  metadata: Record<string, string>,
  policy: PolicyRef,
): Pick<PairAssignment, 'retention' | 'retentionSource'> {
  for (const key of [
    `retention_${policy.name}`,
    `snapshot_retention_${policy.name}`,
    'retention',
  ]) {
    if (metadata[key] !== undefined && metadata[key] !== null) {
      return { retention: retentionCount(metadata[key]), retentionSource: key };
    }
  }
  return {
    retention: policy.defaultRetention,
    retentionSource: 'defaultRetention',
  };
}

/** The assignment that a volume's own metadata states (SNAP-5 – SNAP-7). */
export function assignmentFromMetadata(
  metadata: Record<string, string> | undefined,
  policies: ReadonlyMap<string, PolicyRef>,
): VolumeAssignment {
  const md = metadata ?? {};
  const slaDays = md.sla_days ?? null;
  const flag = autoSnapshotFlag(md);
  if (flag === undefined)
    return { source: 'none', enabled: false, pairs: [], slaDays };
  if (!flag) return { source: 'metadata', enabled: false, pairs: [], slaDays };
  const names = policyNames(md);
  if (!names.length) {
    return {
      source: 'metadata',
      enabled: true,
      misconfigured: 'no_policy',
      pairs: [],
      slaDays,
    };
  }
  const pairs = names.map((name): PairAssignment => {
    const policy = policies.get(name);
    if (!policy) {
      return {
        policy: name,
        retention: null,
        retentionSource: 'unknown',
        misconfigured: 'unknown_policy',
      };
    }
    const retention = metadataRetention(md, policy);
    if (!policy.enabled) {
      return { policy: name, ...retention, misconfigured: 'policy_disabled' };
    }
    return retention.retention === null
      ? { policy: name, ...retention, misconfigured: 'invalid_retention' }
      : { policy: name, ...retention };
  });
  return { source: 'metadata', enabled: true, pairs, slaDays };
}
