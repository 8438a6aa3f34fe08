/**
 * The step sequence of RST-12 and which steps apply to a plan. The plan stores every step in
 * `restore_steps` (position = index + 1) as PENDING, or SKIPPED when it does not apply, so the executor
 * walks one fixed list and progress (RST-14) counts against it from the start.
 */
import type { RestoreStepName } from '@internal/plugin-pf9-common';
import type { RestorePlanDetails } from './types';

export const RESTORE_STEP_ORDER: readonly RestoreStepName[] = [
  'VALIDATE',
  'PREPARE_CREDENTIALS',
  'QUOTA_CHECK',
  'STOP_ORIGINAL',
  'SAFETY_SNAPSHOT',
  'WAIT_SAFETY_SNAPSHOT',
  'PROTECT_ORIGINAL_VOLUMES',
  'DELETE_ORIGINAL',
  'WAIT_ORIGINAL_DELETED',
  'RELEASE_PORTS',
  'CREATE_VOLUMES',
  'WAIT_VOLUMES',
  'PREPARE_KEYPAIR',
  'CREATE_PORTS',
  'CREATE_SERVER',
  'WAIT_SERVER_ACTIVE',
  'ATTACH_DATA_VOLUMES',
  'VERIFY',
  'FINALIZE',
  'CLEANUP_OLD_STORAGE',
];

/** Steps that run only in replace mode, and only while the original exists (RST-19). */
const REPLACE_ONLY: ReadonlySet<RestoreStepName> = new Set([
  'STOP_ORIGINAL',
  'SAFETY_SNAPSHOT',
  'WAIT_SAFETY_SNAPSHOT',
  'PROTECT_ORIGINAL_VOLUMES',
  'DELETE_ORIGINAL',
  'WAIT_ORIGINAL_DELETED',
  'RELEASE_PORTS',
]);

export function stepApplies(
  step: RestoreStepName,
  details: RestorePlanDetails,
  settings: { stopOriginal: boolean },
): boolean {
  const replacing = details.mode === 'replace' && details.originalExists;
  if (REPLACE_ONLY.has(step)) {
    if (!replacing) return false;
    if (step === 'STOP_ORIGINAL')
      return settings.stopOriginal && details.originalWasActive;
    return true;
  }
  const newVolumes =
    (details.bootVolume?.sourceSnapshotId ? 1 : 0) +
    details.dataVolumes.filter(v => v.sourceSnapshotId).length;
  switch (step) {
    case 'CREATE_VOLUMES':
    case 'WAIT_VOLUMES':
      return newVolumes > 0;
    case 'PREPARE_KEYPAIR':
      return details.keyName !== null;
    case 'CREATE_PORTS':
      return details.ports.length > 0;
    case 'ATTACH_DATA_VOLUMES':
      return details.dataVolumes.length > 0;
    case 'CLEANUP_OLD_STORAGE':
      return details.cleanupOldStorage;
    default:
      return true;
  }
}
