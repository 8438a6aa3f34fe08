/**
 * What the planner hands the executor beyond the public plan (pf9-common `RestorePlan`): the original
 * server as read at plan time, stored in `restore_jobs.details` (user_data is stored apart, encrypted).
 */
import type {
  RestoreDataVolumes,
  RestoreIpStrategy,
  RestoreMode,
  RestorePointKind,
} from '@internal/plugin-pf9-common';

export interface PlannedVolume {
  /** the original volume; null for a volume only known from history */
  volumeId: string | null;
  device: string | null;
  sizeGb: number;
  volumeType: string | null;
  availabilityZone: string | null;
  multiattach: boolean;
  deleteOnTermination: boolean;
  /** the snapshot the new volume is created from; null when the volume is re-attached or skipped */
  sourceSnapshotId: string | null;
  /** the deterministic name of the volume the job creates (RST-12 step 11) */
  newName: string | null;
  /** RST-19: a volume of the retried job, verified available and unattached at plan time, used instead */
  adoptedId?: string | null;
}

export interface PlannedPort {
  /** the original port, null for a new NIC */
  originalPortId: string | null;
  networkId: string;
  subnetId: string | null;
  originalIp: string | null;
  /** the address to request; null lets Neutron choose */
  requestedIp: string | null;
  reusePortId: string | null;
  securityGroupIds: string[];
  /** only in replace mode, only for re-created ports (RST-9) */
  macAddress: string | null;
  /** under TRY_SAME_IPS a lost address falls back to a new one; under SAME_IPS_OR_FAIL it fails (RST-8) */
  fallbackToNew: boolean;
  newName: string;
  /** RST-19: a port of the retried job, verified with an empty device_id at plan time, used instead */
  adoptedId?: string | null;
}

export interface RestorePlanDetails {
  mode: RestoreMode;
  ipStrategy: RestoreIpStrategy;
  dataVolumesMode: RestoreDataVolumes;
  bootMode: 'volume' | 'image';
  restorePointKind: RestorePointKind;
  /** `imageRef` for image-based restores, null for a boot volume made from a Cinder snapshot */
  imageRef: string | null;
  bootVolume: PlannedVolume | null;
  dataVolumes: PlannedVolume[];
  ports: PlannedPort[];
  newServerName: string;
  flavorId: string;
  availabilityZone: string | null;
  metadata: Record<string, string>;
  tags: string[];
  description: string | null;
  serverGroupId: string | null;
  keyName: string | null;
  /** the user owning the keypair (RST-9: keypairs belong to users) */
  keyOwnerUserId: string | null;
  /** the original was running at plan time (side_by_side) or is gone (RST-5) */
  originalExists: boolean;
  originalWasActive: boolean;
  /** values that came from the deletion record rather than a live lookup (RST-5) */
  fromHistory: string[];
  cleanupOldStorage: boolean;
}
