/**
 * RST-12 steps 11, 12 and 17: volumes made from the plan's snapshots (adopted when an earlier run of the
 * job made them, RST-20), and the data volumes attached to the restored server.
 */
import { CinderVolume, OpenStackClient } from '../../openstack';
import {
  createdId,
  createdServerId,
  jobMetadata,
  RestoreRun,
  RestoreStepError,
  stepWaitOptions,
} from '../context';
import { LedgerRow } from '../jobStore';
import { orNull } from '../live';
import type { PlannedVolume } from '../types';
import { waitFor } from '../waits';
import { StepHandler } from './types';

/** The volumes the job makes from snapshots: the boot volume first, then data volumes. */
export function volumesToCreate(run: RestoreRun): PlannedVolume[] {
  const d = run.details;
  return [
    ...(d.bootVolume?.sourceSnapshotId ? [d.bootVolume] : []),
    ...d.dataVolumes.filter(v => v.sourceSnapshotId),
  ].filter(v => v.newName);
}

function volumeBody(run: RestoreRun, v: PlannedVolume) {
  return {
    size: v.sizeGb,
    name: v.newName!,
    snapshot_id: v.sourceSnapshotId!,
    ...(v.volumeType ? { volume_type: v.volumeType } : {}),
    ...(v.availabilityZone ? { availability_zone: v.availabilityZone } : {}),
    metadata: jobMetadata(run),
  };
}

async function findVolume(
  os: OpenStackClient,
  run: RestoreRun,
  name: string,
): Promise<CinderVolume | undefined> {
  const listing = await os.blockStorage.listVolumes({ query: { name } });
  return listing.items.find(
    v =>
      v.name === name &&
      v.metadata?.restore_job_id === run.job.id &&
      !['deleting', 'error_deleting'].includes(v.status),
  );
}

export const createVolumes: StepHandler = {
  inDryRun: 'simulate',
  simulate: run =>
    volumesToCreate(run).map(v => ({
      method: 'POST',
      service: 'block-storage',
      path: '/volumes',
      body: { volume: volumeBody(run, v) },
    })),
  async run(run) {
    const os = await run.scoped();
    for (const v of volumesToCreate(run)) {
      await run.checkpoint();
      // RST-19: a retry adopts the earlier job's volume the plan verified
      const volume = v.adoptedId
        ? { id: v.adoptedId }
        : (await findVolume(os, run, v.newName!)) ??
          (await os.blockStorage.createVolume(volumeBody(run, v)));
      await run.record({
        kind: 'volume',
        resourceId: volume.id,
        name: v.newName,
        createdByJob: true,
        step: 'CREATE_VOLUMES',
      });
    }
  },
};

export const waitVolumes: StepHandler = {
  inDryRun: 'simulate',
  simulate: () => [],
  async run(run) {
    const os = await run.scoped();
    const ledger = await run.ledger();
    for (const v of volumesToCreate(run)) {
      const id = createdId(ledger, 'volume', v.newName);
      if (!id)
        throw new RestoreStepError(`volume ${v.newName} was not created`);
      await waitFor(
        `volume ${v.newName}`,
        async () => {
          const volume = await os.blockStorage.getVolume(id);
          if (volume.status.startsWith('error')) {
            throw new RestoreStepError(
              `volume ${v.newName} is ${volume.status}`,
            );
          }
          return volume.status === 'available' ? true : undefined;
        },
        stepWaitOptions(run, run.settings.timings.volumeTimeoutMs),
      );
    }
  },
};

/** Data volumes for the new server: restored ones (from the ledger) and re-attached originals. */
function dataVolumeIds(run: RestoreRun, ledger: LedgerRow[] | null): string[] {
  const d = run.details;
  return d.dataVolumes.flatMap(v => {
    if (v.sourceSnapshotId) {
      const id = ledger
        ? createdId(ledger, 'volume', v.newName)
        : `<volume ${v.newName}>`;
      return id ? [id] : [];
    }
    return d.dataVolumesMode === 'reattach_existing' && v.volumeId
      ? [v.volumeId]
      : [];
  });
}

export const attachDataVolumes: StepHandler = {
  inDryRun: 'simulate',
  simulate: run =>
    dataVolumeIds(run, null).map(volumeId => ({
      method: 'POST',
      service: 'compute',
      path: '/servers/<restored server>/os-volume_attachments',
      body: { volumeAttachment: { volumeId } },
    })),
  async run(run) {
    const os = await run.scoped();
    const ledger = await run.ledger();
    const serverId = createdServerId(ledger);
    const attached = new Set(
      (await os.compute.listVolumeAttachments(serverId)).items.map(
        a => a.volumeId,
      ),
    );
    for (const volumeId of dataVolumeIds(run, ledger)) {
      await run.checkpoint();
      if (!attached.has(volumeId)) {
        if (!ledger.some(e => e.resourceId === volumeId)) {
          await run.record({
            kind: 'volume',
            resourceId: volumeId,
            createdByJob: false,
            state: 'kept',
            step: 'ATTACH_DATA_VOLUMES',
          });
        }
        await os.compute.attachVolume(serverId, volumeId);
      }
      await waitFor(
        `attaching volume ${volumeId}`,
        async () => {
          const v = await orNull(os.blockStorage.getVolume(volumeId));
          if (!v) throw new RestoreStepError(`volume ${volumeId} is gone`);
          if (v.status.startsWith('error')) {
            throw new RestoreStepError(`volume ${volumeId} is ${v.status}`);
          }
          return v.status === 'in-use' &&
            (v.attachments ?? []).some(a => a.server_id === serverId)
            ? true
            : undefined;
        },
        stepWaitOptions(run, run.settings.timings.volumeTimeoutMs),
      );
    }
  },
};
