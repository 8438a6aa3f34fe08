/**
 * The ownership marker of metadata written by the assignment job (SPEC SNAP-10):
 * `snapshot_managed_by` plus `snapshot_managed_hash`, the first 12 hex of sha256 over the values we
 * wrote. Metadata whose values no longer match the hash was edited by someone else and is the owner's.
 */
import { createHash } from 'crypto';
import { policyNames } from './metadata';

export const MANAGED_BY_KEY = 'snapshot_managed_by';
export const MANAGED_HASH_KEY = 'snapshot_managed_hash';

/** Who states a volume's protection metadata. */
export type MetadataOwner =
  /** no protection keys at all */
  | 'nobody'
  /** written by us and unchanged since */
  | 'us'
  /** marked by us, but edited afterwards: the owner's now (raises an info event) */
  | 'edited'
  /** set by the owner or a tool without our marker */
  | 'owner';

/** The keys our hash covers, for metadata that names these policies. */
function coveredKeys(policies: string[]): string[] {
  return [
    'auto_snapshot',
    'snapshot_policies',
    MANAGED_BY_KEY,
    ...policies.map(p => `retention_${p}`),
  ];
}

/** sha256 over `key=value` lines in key order (absent keys count as empty), first 12 hex. */
export function managedHash(metadata: Record<string, string>): string {
  const keys = coveredKeys(policyNames(metadata)).sort();
  const text = keys.map(k => `${k}=${metadata[k] ?? ''}`).join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

export function metadataOwner(metadata: Record<string, string>): MetadataOwner {
  const marked =
    metadata[MANAGED_BY_KEY] !== undefined ||
    metadata[MANAGED_HASH_KEY] !== undefined;
  if (marked) {
    return metadata[MANAGED_HASH_KEY] === managedHash(metadata)
      ? 'us'
      : 'edited';
  }
  const stated = ['auto_snapshot', 'snapshot_policies', 'snapshot_policy'].some(
    k => metadata[k] !== undefined,
  );
  return stated ? 'owner' : 'nobody';
}

/** The keys we wrote on metadata we still own (to remove when the volume stops being managed). */
export function ourKeys(metadata: Record<string, string>): string[] {
  return [...coveredKeys(policyNames(metadata)), MANAGED_HASH_KEY].filter(
    k => metadata[k] !== undefined,
  );
}

/** The metadata a rule or manual assignment states, with marker and hash. */
export function statedMetadata(
  managedBy: string,
  policies: Array<{ policy: string; retention: number | null }>,
): Record<string, string> {
  const md: Record<string, string> = {
    auto_snapshot: 'true',
    snapshot_policies: policies.map(p => p.policy).join(','),
    [MANAGED_BY_KEY]: managedBy,
  };
  for (const p of policies) {
    if (p.retention !== null) md[`retention_${p.policy}`] = String(p.retention);
  }
  md[MANAGED_HASH_KEY] = managedHash(md);
  return md;
}

export interface MetadataChange {
  /** merged with POST …/metadata */
  set: Record<string, string>;
  /** removed with DELETE …/metadata/{key} */
  remove: string[];
}

/**
 * What the job changes on a volume so that its metadata states `wanted` (null: the volume is not
 * rule- or manual-managed). Only metadata that nobody set or that we still own is ever changed.
 */
export function metadataChange(
  current: Record<string, string>,
  wanted: Record<string, string> | null,
  options: { adoptUnmarked: boolean },
): MetadataChange {
  const owner = metadataOwner(current);
  const ours = owner === 'us';
  const none: MetadataChange = { set: {}, remove: [] };
  if (!wanted) return ours ? { set: {}, remove: ourKeys(current) } : none;
  const writable =
    ours ||
    (owner === 'owner' && options.adoptUnmarked) ||
    // nobody stated protection: only keys that are absent or already hold our value
    (owner === 'nobody' &&
      Object.entries(wanted).every(
        ([k, v]) => current[k] === undefined || current[k] === v,
      ));
  if (!writable) return none;
  const set = Object.fromEntries(
    Object.entries(wanted).filter(([k, v]) => current[k] !== v),
  );
  const stale = ours
    ? ourKeys(current).filter(k => wanted[k] === undefined)
    : [];
  return { set, remove: stale };
}
