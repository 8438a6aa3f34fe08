import type { InventoryVersion } from '@internal/plugin-pf9-common';

/** One changed field between two versions of a resource. */
export interface FieldChange {
  field: string;
  /** undefined: absent (or null) in the older version */
  old: unknown;
  /** undefined: absent (or null) in the newer version */
  new: unknown;
}

/**
 * The field changes a version introduced: its `changedFields`, each with the value in the previous version
 * (if known) and in this one. A first sighting has no previous version, so every old value is absent.
 */
export function versionDiff(
  version: InventoryVersion,
  previous: InventoryVersion | undefined,
): FieldChange[] {
  const before = previous?.normalised ?? {};
  const after = version.normalised ?? {};
  return version.changedFields.map(field => ({
    field,
    old: before[field],
    new: after[field],
  }));
}
