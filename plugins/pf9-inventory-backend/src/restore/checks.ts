/** RST-4: which restore point fits which boot mode; anything else is refused before a plan exists. */
import type { RestoreIssue } from '@internal/plugin-pf9-common';
import { CinderVolume } from '../openstack';
import { RestoreConflictError } from './contracts';
import type { RestorePointDetail } from './points';

/** The issues a plan collects while it is built. */
export interface PlanFacts {
  blockers: RestoreIssue[];
  warnings: RestoreIssue[];
}

export const RESTORE_POINT_UNSUPPORTED = 'RESTORE_POINT_UNSUPPORTED';

/**
 * Volume-booted: a snapshot of the boot volume or a volume-backed server image. Image-booted: a server
 * image. A volume-booted server's data-volume snapshot cannot boot it either.
 */
export function contractCheck(
  bootMode: 'volume' | 'image',
  bootVolume: CinderVolume | null,
  point: RestorePointDetail,
): void {
  if (bootMode === 'image') {
    if (point.kind === 'volume_snapshot')
      throw new RestoreConflictError(
        RESTORE_POINT_UNSUPPORTED,
        'image-booted server: choose a server image snapshot',
        { restorePointId: point.id },
      );
    return;
  }
  if (point.kind === 'server_image')
    throw new RestoreConflictError(
      RESTORE_POINT_UNSUPPORTED,
      'volume-booted server: choose a snapshot of its boot volume or a volume-backed server image',
      { restorePointId: point.id },
    );
  if (
    point.kind === 'volume_snapshot' &&
    bootVolume &&
    point.volumeId !== bootVolume.id
  )
    throw new RestoreConflictError(
      RESTORE_POINT_UNSUPPORTED,
      `volume-booted server: ${point.id} is a snapshot of data volume ${point.volumeId}, not of the boot volume`,
      { restorePointId: point.id },
    );
}
