/**
 * The volumes of a plan: the boot volume made from the point (RST-4) and the data volumes per
 * `dataVolumes` (RST-7): restored from their matching snapshots, re-attached, or skipped.
 */
import { CinderVolume } from '../openstack';
import { matchingSnapshot } from './carryOver';
import type { PlanFacts } from './checks';
import { attachedVolumeIds } from './live';
import type { PlanRequest } from './planner';
import type { BootInfo, RestorePointDetail, ServerSource } from './points';
import type { PlannedVolume } from './types';

interface Input {
  request: PlanRequest;
  source: ServerSource;
  boot: BootInfo;
  point: RestorePointDetail;
  points: RestorePointDetail[];
  jobId: string;
  facts: PlanFacts;
}

function deleteOnTermination(source: ServerSource, volumeId: string): boolean {
  const attached = source.server['os-extended-volumes:volumes_attached'];
  const entry = Array.isArray(attached)
    ? attached.find((a: { id: string }) => a.id === volumeId)
    : undefined;
  return entry?.delete_on_termination === true;
}

function planned(
  source: ServerSource,
  volumeId: string,
  volume: CinderVolume | undefined,
  fields: Partial<PlannedVolume>,
): PlannedVolume {
  const attachment = volume?.attachments?.find(
    a => a.server_id === source.server.id,
  );
  return {
    volumeId,
    device: attachment?.device ?? null,
    sizeGb: volume?.size ?? 0,
    volumeType: volume?.volume_type ?? null,
    availabilityZone: (volume?.availability_zone as string | undefined) ?? null,
    multiattach: volume?.multiattach === true,
    deleteOnTermination: deleteOnTermination(source, volumeId),
    sourceSnapshotId: null,
    newName: null,
    ...fields,
  };
}

export function planDataVolumes(input: Input): {
  bootVolume: PlannedVolume | null;
  dataVolumes: PlannedVolume[];
} {
  const { request, source, boot, point, points, jobId, facts } = input;
  const prefix = `restore-${jobId.slice(0, 8)}`;
  let n = 0;
  const nextName = () => `${prefix}-${++n}`;
  const byId = new Map(source.volumes.map(v => [v.id, v]));

  let bootVolume: PlannedVolume | null = null;
  const bootId =
    boot.bootVolume?.id ??
    (point.kind === 'volume_snapshot' ? point.volumeId : null);
  if (boot.bootMode === 'volume' && bootId) {
    const fromSnapshot = point.kind === 'volume_snapshot';
    const original = byId.get(bootId);
    bootVolume = planned(source, bootId, original, {
      sizeGb: Math.max(original?.size ?? 0, point.sizeGb ?? 0),
      sourceSnapshotId: fromSnapshot ? point.id : null,
      newName: fromSnapshot ? nextName() : null,
    });
  }

  const dataIds = attachedVolumeIds(source.server).filter(id => id !== bootId);
  if (request.dataVolumes === 'skip') {
    if (dataIds.length)
      facts.warnings.push({
        code: 'DATA_VOLUMES_SKIPPED',
        message: `${
          dataIds.length
        } data volume(s) are not restored: ${dataIds.join(', ')}`,
      });
    return { bootVolume, dataVolumes: [] };
  }
  const dataVolumes: PlannedVolume[] = [];
  for (const id of dataIds) {
    const volume = byId.get(id);
    if (request.dataVolumes === 'reattach_existing') {
      if (!volume)
        facts.blockers.push({
          code: 'VOLUME_NOT_FOUND',
          message: `data volume ${id} no longer exists and cannot be re-attached`,
        });
      else if (request.mode === 'side_by_side' && volume.multiattach !== true)
        facts.blockers.push({
          code: 'REATTACH_NEEDS_MULTIATTACH',
          message: `data volume ${id} is not multiattach: side_by_side cannot re-attach it; choose restore_from_snapshots or skip`,
        });
      dataVolumes.push(planned(source, id, volume, {}));
      continue;
    }
    const candidates = points.filter(
      p => p.kind === 'volume_snapshot' && p.volumeId === id,
    );
    const match = matchingSnapshot(point, candidates);
    if (!match) {
      facts.blockers.push({
        code: 'DATA_VOLUME_SNAPSHOT_MISSING',
        message: `data volume ${id} has no snapshot matching the restore point; choose reattach_existing or skip`,
      });
      continue;
    }
    dataVolumes.push(
      planned(source, id, volume, {
        sizeGb: Math.max(volume?.size ?? 0, match.sizeGb ?? 0),
        sourceSnapshotId: match.id,
        newName: nextName(),
      }),
    );
  }
  return { bootVolume, dataVolumes };
}
