/**
 * The checking steps of RST-12: VALIDATE (RST-7 live), PREPARE_CREDENTIALS, QUOTA_CHECK (RST-10 again
 * at execute time), VERIFY, FINALIZE and CLEANUP_OLD_STORAGE.
 */
import { OpenStackNotFoundError } from '../../openstack';
import {
  createdId,
  createdServerId,
  presentCreated,
  RestoreStepError,
} from '../context';
import { getFlavor, getNetwork, orNull, readServer } from '../live';
import { addCinderNeed, checkQuota, QuotaNeeds } from '../quota';
import { volumesToCreate } from './volumes';
import { StepHandler } from './types';

export const validate: StepHandler = {
  inDryRun: 'run',
  simulate: () => [],
  async run(run) {
    const os = run.admin;
    const { job, details } = run;
    const project = await orNull(os.identity.getProject(job.project_id));
    if (!project || project.enabled === false) {
      throw new RestoreStepError(
        `project ${job.project_id} is missing or disabled`,
      );
    }
    if (details.originalExists) {
      const read = await readServer(os, job.server_id);
      if (!read)
        throw new RestoreStepError('the original server no longer exists');
      if (read.server.locked === true) {
        throw new RestoreStepError('the original server is locked');
      }
    }
    if (details.restorePointKind === 'volume_snapshot') {
      const snap = await orNull(
        os.blockStorage.getSnapshot(job.restore_point_id),
      );
      if (snap?.status !== 'available') {
        throw new RestoreStepError(
          `restore point ${job.restore_point_id} is ${snap?.status ?? 'gone'}`,
        );
      }
    } else {
      const image = await orNull(os.image.getImage(job.restore_point_id));
      if (image?.status !== 'active') {
        throw new RestoreStepError(
          `restore point ${job.restore_point_id} is ${image?.status ?? 'gone'}`,
        );
      }
    }
    if (!(await getFlavor(os, details.flavorId))) {
      throw new RestoreStepError(`flavor ${details.flavorId} does not exist`);
    }
    for (const networkId of new Set(details.ports.map(p => p.networkId))) {
      if (!(await getNetwork(os, networkId))) {
        throw new RestoreStepError(`network ${networkId} does not exist`);
      }
    }
  },
};

export const prepareCredentials: StepHandler = {
  inDryRun: 'run',
  simulate: () => [],
  async run(run) {
    const os = await run.scoped();
    const token = await os.session.token();
    run.detail.projectId = token.projectId;
  },
};

export const quotaCheck: StepHandler = {
  inDryRun: 'run',
  simulate: () => [],
  async run(run) {
    const os = await run.scoped();
    const d = run.details;
    const needs: QuotaNeeds = { compute: {}, blockStorage: {}, network: {} };
    if (d.mode === 'side_by_side') {
      const flavor = await getFlavor(os, d.flavorId);
      if (!flavor)
        throw new RestoreStepError(`flavor ${d.flavorId} does not exist`);
      needs.compute = { instances: 1, cores: flavor.vcpus, ram: flavor.ram };
    } else if (d.originalExists) {
      for (const v of [d.bootVolume, ...d.dataVolumes]) {
        if (v?.volumeId)
          addCinderNeed(
            needs.blockStorage,
            'snapshots',
            v.sizeGb,
            v.volumeType,
          );
      }
    }
    for (const v of volumesToCreate(run)) {
      addCinderNeed(needs.blockStorage, 'volumes', v.sizeGb, v.volumeType);
    }
    needs.network = { port: d.ports.filter(p => !p.reusePortId).length };
    const entries = await checkQuota(os, run.job.project_id, needs);
    run.detail.quota = entries;
    const short = entries.filter(e => !e.ok);
    if (short.length) {
      throw new RestoreStepError(
        `quota exceeded: ${short
          .map(
            e =>
              `${e.resource} needs ${e.need}, ${
                e.limit - e.inUse - e.reserved
              } left`,
          )
          .join('; ')}`,
      );
    }
  },
};

export const verify: StepHandler = {
  inDryRun: 'simulate',
  simulate: () => [],
  async run(run) {
    const os = await run.scoped();
    const ledger = await run.ledger();
    const serverId = createdServerId(ledger);
    const server = await os.compute.getServer(serverId);
    if (server.status !== 'ACTIVE') {
      throw new RestoreStepError(`the restored server is ${server.status}`);
    }
    const steps = await run.store.steps(run.job.id);
    const fallbacks =
      (steps.find(s => s.name === 'CREATE_PORTS')?.detail?.fallbacks as
        | Record<string, string>
        | undefined) ?? {};
    const addresses: Record<string, string[]> = {};
    for (const p of run.details.ports) {
      const id =
        createdId(ledger, 'port', p.newName) ??
        ledger.find(e => e.kind === 'port' && e.resourceId === p.reusePortId)
          ?.resourceId;
      const port = id ? await orNull(os.network.getPort(id)) : null;
      if (!port || port.device_id !== serverId) {
        throw new RestoreStepError(
          `port ${p.newName} is not bound to the restored server`,
        );
      }
      const ips = (port.fixed_ips ?? []).map(f => f.ip_address);
      addresses[p.networkId] = ips;
      if (
        p.requestedIp &&
        !ips.includes(p.requestedIp) &&
        !fallbacks[p.newName]
      ) {
        throw new RestoreStepError(
          `port ${p.newName} has ${ips.join(', ')}, planned ${p.requestedIp}`,
        );
      }
    }
    const attached = new Set(
      (await os.compute.listVolumeAttachments(serverId)).items.map(
        a => a.volumeId,
      ),
    );
    const expected = presentCreated(ledger, 'volume')
      .filter(e => e.step === 'CREATE_VOLUMES')
      .map(e => e.resourceId);
    const missing = expected.filter(id => !attached.has(id));
    if (missing.length) {
      throw new RestoreStepError(`volumes not attached: ${missing.join(', ')}`);
    }
    run.detail.addresses = addresses;
  },
};

export const finalize: StepHandler = {
  inDryRun: 'simulate',
  simulate: run =>
    run.details.keyName
      ? [
          {
            method: 'DELETE',
            service: 'compute',
            path: `/os-keypairs/restore-${run.jobId8}-${run.details.keyName}`,
          },
        ]
      : [],
  async run(run) {
    const os = await run.scoped();
    const ledger = await run.ledger();
    for (const key of presentCreated(ledger, 'keypair')) {
      try {
        await os.compute.deleteKeypair(key.resourceId);
        await run.store.setLedgerState(
          run.job.id,
          'keypair',
          key.resourceId,
          'deleted',
        );
      } catch (e) {
        if (e instanceof OpenStackNotFoundError) {
          await run.store.setLedgerState(
            run.job.id,
            'keypair',
            key.resourceId,
            'deleted',
          );
          continue;
        }
        await run.warn({
          code: 'KEYPAIR_NOT_REMOVED',
          message: `temporary keypair ${
            key.resourceId
          } could not be deleted: ${String(e)}`,
        });
      }
    }
    const serverId = createdServerId(ledger);
    await run.store.setResult(run.job.id, { result_server_id: serverId });
    run.detail.resultServerId = serverId;
  },
};

export const cleanupOldStorage: StepHandler = {
  inDryRun: 'simulate',
  simulate: run =>
    run.details.bootVolume?.volumeId
      ? [
          {
            method: 'DELETE',
            service: 'block-storage',
            path: `/volumes/${run.details.bootVolume.volumeId}`,
          },
        ]
      : [],
  async run(run) {
    const os = await run.scoped();
    const oldId = run.details.bootVolume?.volumeId;
    if (!oldId) return;
    try {
      const volume = await orNull(os.blockStorage.getVolume(oldId));
      if (!volume) return;
      if ((volume.attachments ?? []).length || volume.status !== 'available') {
        await run.warn({
          code: 'OLD_STORAGE_KEPT',
          message: `old boot volume ${oldId} is ${volume.status} with attachments; it was kept`,
        });
        return;
      }
      await os.blockStorage.deleteVolume(oldId);
      run.detail.deletedVolumes = [oldId];
    } catch (e) {
      await run.warn({
        code: 'OLD_STORAGE_KEPT',
        message: `old boot volume ${oldId} could not be deleted: ${String(e)}`,
      });
    }
  },
};
