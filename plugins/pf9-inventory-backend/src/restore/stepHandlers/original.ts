/**
 * Replace-mode steps on the original server (RST-12 steps 4–10): stop it, take safety snapshots,
 * keep its volumes when it is deleted, delete it and release its ports.
 */
import { OpenStackNotFoundError } from '../../openstack';
import {
  jobMetadata,
  RestoreRun,
  RestoreStepError,
  stepWaitOptions,
} from '../context';
import { microversionAtLeast, orNull } from '../live';
import { waitFor } from '../waits';
import { StepHandler } from './types';

export const stopOriginal: StepHandler = {
  inDryRun: 'simulate',
  simulate: run => [
    {
      method: 'POST',
      service: 'compute',
      path: `/servers/${run.job.server_id}/action`,
      body: { 'os-stop': null },
    },
  ],
  async run(run) {
    const os = await run.scoped();
    const id = run.job.server_id;
    const server = await orNull(os.compute.getServer(id));
    if (!server) throw new RestoreStepError('the original server is gone');
    if (server.status === 'ACTIVE') {
      // recorded first: a crash after the stop still leaves rollback the duty to start it again
      await run.record({
        kind: 'original_server',
        resourceId: id,
        name: run.job.server_name,
        createdByJob: false,
        step: 'STOP_ORIGINAL',
      });
      await os.compute.stopServer(id);
    } else if (server.status !== 'SHUTOFF') {
      throw new RestoreStepError(
        `the original server is ${server.status}, expected ACTIVE or SHUTOFF`,
      );
    }
    await waitFor(
      'stopping the original server',
      async () => {
        const s = await os.compute.getServer(id);
        if (s.status === 'ERROR')
          throw new RestoreStepError('the original server went to ERROR');
        return s.status === 'SHUTOFF' ? true : undefined;
      },
      stepWaitOptions(run, run.settings.timings.serverTimeoutMs),
    );
  },
};

function safetyName(run: RestoreRun, n: number | 'image') {
  return `restore-${run.jobId8}-safety-${n}`;
}

export const safetySnapshot: StepHandler = {
  inDryRun: 'simulate',
  async simulate(run) {
    const os = run.admin;
    const attachments = (
      await os.compute.listVolumeAttachments(run.job.server_id)
    ).items;
    return [
      ...attachments.map((a, i) => ({
        method: 'POST' as const,
        service: 'block-storage' as const,
        path: '/snapshots',
        body: {
          snapshot: {
            volume_id: a.volumeId,
            name: safetyName(run, i + 1),
            force: true,
            metadata: { ...jobMetadata(run), purpose: 'safety' },
          },
        },
      })),
      ...(run.details.bootMode === 'image'
        ? [
            {
              method: 'POST' as const,
              service: 'compute' as const,
              path: `/servers/${run.job.server_id}/action`,
              body: { createImage: { name: safetyName(run, 'image') } },
            },
          ]
        : []),
    ];
  },
  async run(run) {
    const os = await run.scoped();
    const metadata = { ...jobMetadata(run), purpose: 'safety' };
    const attachments = (
      await os.compute.listVolumeAttachments(run.job.server_id)
    ).items.sort((a, b) => String(a.device).localeCompare(String(b.device)));
    const ids: string[] = [];
    for (const [i, a] of attachments.entries()) {
      const name = safetyName(run, i + 1);
      const found = (
        await os.blockStorage.listSnapshots({ query: { name } })
      ).items.find(
        s =>
          s.name === name &&
          s.metadata?.restore_job_id === run.job.id &&
          !['error', 'deleting', 'error_deleting'].includes(s.status),
      );
      const snapshot =
        found ??
        (await os.blockStorage.createSnapshot({
          volume_id: a.volumeId,
          name,
          force: true,
          metadata,
        }));
      await run.record({
        kind: 'snapshot',
        resourceId: snapshot.id,
        name,
        createdByJob: true,
        step: 'SAFETY_SNAPSHOT',
      });
      ids.push(snapshot.id);
    }
    if (run.details.bootMode === 'image') {
      const name = safetyName(run, 'image');
      const found = (await os.image.listImages({ query: { name } })).items.find(
        i => i.name === name && i.restore_job_id === run.job.id,
      );
      const imageId =
        found?.id ??
        (await os.compute.createServerImage(run.job.server_id, name, metadata));
      await run.record({
        kind: 'image',
        resourceId: imageId,
        name,
        createdByJob: true,
        step: 'SAFETY_SNAPSHOT',
      });
      ids.push(imageId);
    }
    await run.store.setResult(run.job.id, { safetySnapshotIds: ids });
    run.detail.safetySnapshotIds = ids;
  },
};

export const waitSafetySnapshot: StepHandler = {
  inDryRun: 'simulate',
  simulate: () => [],
  async run(run) {
    const os = await run.scoped();
    const ledger = await run.ledger();
    for (const entry of ledger.filter(
      e => e.step === 'SAFETY_SNAPSHOT' && e.state !== 'deleted',
    )) {
      await waitFor(
        `safety ${entry.kind} ${entry.resourceId}`,
        async () => {
          const status =
            entry.kind === 'image'
              ? (await os.image.getImage(entry.resourceId)).status
              : (await os.blockStorage.getSnapshot(entry.resourceId)).status;
          if (['error', 'killed', 'deleted'].includes(status)) {
            throw new RestoreStepError(
              `safety ${entry.kind} ${entry.resourceId} is ${status}`,
            );
          }
          return ['available', 'active'].includes(status) ? true : undefined;
        },
        stepWaitOptions(run, run.settings.timings.snapshotTimeoutMs),
      );
    }
  },
};

export const protectOriginalVolumes: StepHandler = {
  inDryRun: 'simulate',
  async simulate(run) {
    const attachments = (
      await run.admin.compute.listVolumeAttachments(run.job.server_id)
    ).items;
    return attachments
      .filter(a => a.delete_on_termination === true)
      .map(a => ({
        method: 'PUT' as const,
        service: 'compute' as const,
        path: `/servers/${run.job.server_id}/os-volume_attachments/${a.volumeId}`,
        body: {
          volumeAttachment: {
            volumeId: a.volumeId,
            delete_on_termination: false,
          },
        },
      }));
  },
  async run(run) {
    const os = await run.scoped();
    const id = run.job.server_id;
    const mv = await os.microversion('compute');
    const canUpdate = microversionAtLeast(mv.serverMax ?? null, '2.85');
    const attachments = (await os.compute.listVolumeAttachments(id)).items;
    const switched: string[] = [];
    for (const a of attachments.filter(x => x.delete_on_termination === true)) {
      if (!canUpdate) {
        await run.warn({
          code: 'VOLUMES_NOT_PROTECTED',
          message:
            'Nova is older than 2.85: deleting the original also deletes its volumes; the safety snapshots are the only fallback',
        });
        break;
      }
      await run.record({
        kind: 'volume',
        resourceId: a.volumeId,
        createdByJob: false,
        state: 'kept',
        step: 'PROTECT_ORIGINAL_VOLUMES',
      });
      await os.compute.updateVolumeAttachment(id, a.volumeId, false);
      switched.push(a.volumeId);
    }
    run.detail.protectedVolumes = switched;
  },
};

export const deleteOriginal: StepHandler = {
  inDryRun: 'simulate',
  simulate: run => [
    {
      method: 'DELETE',
      service: 'compute',
      path: `/servers/${run.job.server_id}`,
    },
  ],
  async run(run) {
    const os = await run.scoped();
    try {
      await os.compute.deleteServer(run.job.server_id);
    } catch (e) {
      if (!(e instanceof OpenStackNotFoundError)) throw e;
    }
    await run.record({
      kind: 'original_server',
      resourceId: run.job.server_id,
      name: run.job.server_name,
      createdByJob: false,
      state: 'deleted',
      step: 'DELETE_ORIGINAL',
    });
  },
};

export const waitOriginalDeleted: StepHandler = {
  inDryRun: 'simulate',
  simulate: () => [],
  async run(run) {
    const os = await run.scoped();
    await waitFor(
      'deleting the original server',
      async () => {
        try {
          await os.compute.getServer(run.job.server_id);
          return undefined;
        } catch (e) {
          // a 404 means deleted; any other error fails the step (RST-12 step 9)
          if (e instanceof OpenStackNotFoundError) return true;
          throw e;
        }
      },
      stepWaitOptions(run, run.settings.timings.deleteTimeoutMs),
    );
  },
};

export const releasePorts: StepHandler = {
  inDryRun: 'simulate',
  simulate: run =>
    run.details.mode === 'replace' && run.details.ipStrategy === 'NEW_IPS'
      ? run.details.ports
          .filter(p => p.originalPortId)
          .map(p => ({
            method: 'DELETE' as const,
            service: 'network' as const,
            path: `/v2.0/ports/${p.originalPortId}`,
          }))
      : [],
  async run(run) {
    const os = await run.scoped();
    const reuse = run.details.ipStrategy !== 'NEW_IPS';
    const kept: string[] = [];
    for (const p of run.details.ports.filter(x => x.originalPortId)) {
      const port = await orNull(os.network.getPort(p.originalPortId!));
      // only planned ports that survived the deletion unbound are touched
      if (!port || port.device_id) continue;
      if (reuse) {
        await run.record({
          kind: 'port',
          resourceId: port.id,
          name: port.name ?? null,
          createdByJob: false,
          state: 'kept',
          step: 'RELEASE_PORTS',
        });
        kept.push(port.id);
      } else {
        await orNull(os.network.deletePort(port.id));
      }
    }
    run.detail.reusedPorts = kept;
  },
};
