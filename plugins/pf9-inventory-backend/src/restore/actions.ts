/** The ordered actions of a plan (RST-6), one per resource a step creates, changes or deletes. */
import type {
  RestorePlanAction,
  RestoreStepName,
} from '@internal/plugin-pf9-common';
import { RESTORE_STEP_ORDER } from './steps';
import type { RestorePlanDetails } from './types';

const DESCRIPTIONS: Record<RestoreStepName, string> = {
  VALIDATE: 'Check the plan again against live state',
  PREPARE_CREDENTIALS: "Open a session scoped to the server's project",
  QUOTA_CHECK: 'Check quota again',
  STOP_ORIGINAL: 'Stop the original server and wait for SHUTOFF',
  SAFETY_SNAPSHOT: 'Take safety snapshots of the original',
  WAIT_SAFETY_SNAPSHOT: 'Wait for the safety snapshots',
  PROTECT_ORIGINAL_VOLUMES:
    'Keep the original volumes when the server is deleted',
  DELETE_ORIGINAL: 'Delete the original server (point of no return)',
  WAIT_ORIGINAL_DELETED: 'Wait until the original server is gone',
  RELEASE_PORTS: 'Keep or delete the ports that survived the deletion',
  CREATE_VOLUMES: 'Create volumes from snapshots',
  WAIT_VOLUMES: 'Wait for the new volumes',
  PREPARE_KEYPAIR: 'Import the keypair for the acting credential',
  CREATE_PORTS: 'Create ports',
  CREATE_SERVER: 'Create the restored server',
  WAIT_SERVER_ACTIVE: 'Wait for the server to become ACTIVE',
  ATTACH_DATA_VOLUMES: 'Attach the data volumes',
  VERIFY: 'Verify status, addresses and volumes',
  FINALIZE: 'Remove the temporary keypair and record the result',
  CLEANUP_OLD_STORAGE: 'Delete the old boot volume when it is unattached',
};

function resources(
  step: RestoreStepName,
  d: RestorePlanDetails,
  jobId: string,
  serverId: string,
): RestorePlanAction['resource'][] {
  const volumes = [d.bootVolume, ...d.dataVolumes].filter(
    v => v !== null,
  ) as NonNullable<RestorePlanDetails['bootVolume']>[];
  switch (step) {
    case 'STOP_ORIGINAL':
    case 'PROTECT_ORIGINAL_VOLUMES':
      return [{ kind: 'server', id: serverId, operation: 'update' }];
    case 'SAFETY_SNAPSHOT':
      return d.bootMode === 'image'
        ? [{ kind: 'image', operation: 'create' }]
        : volumes
            .filter(v => v.volumeId)
            .map(v => ({
              kind: 'snapshot',
              id: v.volumeId!,
              operation: 'create' as const,
            }));
    case 'DELETE_ORIGINAL':
      return [{ kind: 'server', id: serverId, operation: 'delete' }];
    case 'RELEASE_PORTS':
      return d.ports
        .filter(p => p.originalPortId && d.ipStrategy === 'NEW_IPS')
        .map(p => ({
          kind: 'port',
          id: p.originalPortId!,
          operation: 'delete' as const,
        }));
    case 'CREATE_VOLUMES':
      return volumes
        .filter(v => v.sourceSnapshotId)
        .map(v =>
          v.adoptedId
            ? {
                kind: 'volume',
                id: v.adoptedId,
                name: v.newName!,
                operation: 'update' as const,
              }
            : {
                kind: 'volume',
                name: v.newName!,
                operation: 'create' as const,
              },
        );
    case 'PREPARE_KEYPAIR':
      return [
        {
          kind: 'keypair',
          name: `restore-${jobId.slice(0, 8)}-${d.keyName}`,
          operation: 'create',
        },
      ];
    case 'CREATE_PORTS':
      return d.ports.map(p =>
        p.reusePortId || p.adoptedId
          ? {
              kind: 'port',
              id: (p.adoptedId ?? p.reusePortId)!,
              name: p.newName,
              operation: 'update' as const,
            }
          : { kind: 'port', name: p.newName, operation: 'create' as const },
      );
    case 'CREATE_SERVER':
      return [{ kind: 'server', name: d.newServerName, operation: 'create' }];
    case 'CLEANUP_OLD_STORAGE':
      return d.bootVolume?.volumeId
        ? [{ kind: 'volume', id: d.bootVolume.volumeId, operation: 'delete' }]
        : [];
    default:
      return [undefined];
  }
}

/** The applicable steps in RST-12 order; the SKIPPED ones are left out. */
export function buildActions(
  details: RestorePlanDetails,
  jobId: string,
  serverId: string,
  skipped: ReadonlySet<RestoreStepName>,
): RestorePlanAction[] {
  const out: RestorePlanAction[] = [];
  for (const step of RESTORE_STEP_ORDER) {
    if (skipped.has(step)) continue;
    const list = resources(step, details, jobId, serverId);
    for (const resource of list.length ? list : [undefined])
      out.push(
        resource
          ? { step, description: DESCRIPTIONS[step], resource }
          : { step, description: DESCRIPTIONS[step] },
      );
  }
  return out;
}
