/**
 * RST-17 recovery after the point of no return: the original is gone, so a server of its name, flavor,
 * AZ and metadata is made again (TRY_SAME_IPS), booted from the original volumes when they are
 * `available`, else from the safety snapshots (or the safety image of an image-booted server).
 */
import { OpenStackClient, OpenStackConflictError } from '../openstack';
import { jobMetadata, RestoreRun, RestoreStepError } from './context';
import { LedgerRow } from './jobStore';
import { orNull } from './live';
import { findServer } from './stepHandlers/server';
import { waitFor } from './waits';

async function recoveryPorts(
  run: RestoreRun,
  os: OpenStackClient,
  ledger: LedgerRow[],
) {
  const ids: string[] = [];
  for (const [i, p] of run.details.ports.entries()) {
    const kept = ledger.find(
      e =>
        e.kind === 'port' &&
        !e.createdByJob &&
        e.state === 'kept' &&
        (e.resourceId === p.reusePortId || e.resourceId === p.originalPortId),
    );
    if (kept) {
      ids.push(kept.resourceId);
      continue;
    }
    const name = `restore-${run.jobId8}-r${i + 1}`;
    let port = (await os.network.listPorts({ query: { name } })).items.find(
      x => x.name === name,
    );
    if (!port) {
      const base = {
        network_id: p.networkId,
        name,
        security_groups: p.securityGroupIds,
      };
      const ip = p.originalIp;
      try {
        port = await os.network.createPort(
          ip
            ? {
                ...base,
                fixed_ips: [
                  {
                    ...(p.subnetId ? { subnet_id: p.subnetId } : {}),
                    ip_address: ip,
                  },
                ],
              }
            : base,
        );
      } catch (e) {
        // TRY_SAME_IPS: a lost address is replaced by a new one
        if (!(e instanceof OpenStackConflictError)) throw e;
        port = await os.network.createPort(base);
      }
    }
    await run.record({
      kind: 'port',
      resourceId: port.id,
      name,
      createdByJob: true,
      state: 'kept',
      step: 'ROLLBACK',
    });
    ids.push(port.id);
  }
  return ids;
}

/** Boot source of the recovery server: the original boot volume, else a volume from its safety snapshot. */
async function recoveryBoot(
  run: RestoreRun,
  os: OpenStackClient,
  ledger: LedgerRow[],
): Promise<Record<string, unknown>> {
  const safety = ledger.filter(e => e.step === 'SAFETY_SNAPSHOT');
  const d = run.details;
  if (d.bootMode === 'image') {
    const image = safety.find(e => e.kind === 'image');
    if (!image) throw new RestoreStepError('no safety image to recover from');
    return { imageRef: image.resourceId };
  }
  const original = d.bootVolume?.volumeId
    ? await orNull(os.blockStorage.getVolume(d.bootVolume.volumeId))
    : null;
  let volumeId = original?.status === 'available' ? original.id : undefined;
  if (!volumeId) {
    const name = `restore-${run.jobId8}-r-boot`;
    let volume = (
      await os.blockStorage.listVolumes({ query: { name } })
    ).items.find(
      v => v.name === name && v.metadata?.restore_job_id === run.job.id,
    );
    if (!volume) {
      let snapshotId: string | undefined;
      for (const e of safety.filter(x => x.kind === 'snapshot')) {
        const snap = await orNull(os.blockStorage.getSnapshot(e.resourceId));
        if (
          snap?.volume_id === d.bootVolume?.volumeId &&
          snap?.status === 'available'
        ) {
          snapshotId = snap.id;
        }
      }
      if (!snapshotId)
        throw new RestoreStepError(
          'neither the original boot volume nor its safety snapshot is available',
        );
      volume = await os.blockStorage.createVolume({
        size: d.bootVolume!.sizeGb,
        name,
        snapshot_id: snapshotId,
        metadata: jobMetadata(run),
      });
    }
    await run.record({
      kind: 'volume',
      resourceId: volume.id,
      name,
      createdByJob: true,
      state: 'kept',
      step: 'ROLLBACK',
    });
    const id = volume.id;
    await waitFor(
      `recovery volume ${name}`,
      async () => {
        const v = await os.blockStorage.getVolume(id);
        if (v.status.startsWith('error'))
          throw new RestoreStepError(`recovery volume is ${v.status}`);
        return v.status === 'available' ? true : undefined;
      },
      {
        timeoutMs: run.settings.timings.volumeTimeoutMs,
        pollMs: run.settings.timings.pollMs,
        check: () => run.checkpoint(),
      },
    );
    volumeId = id;
  }
  return {
    block_device_mapping_v2: [
      {
        boot_index: 0,
        uuid: volumeId,
        source_type: 'volume',
        destination_type: 'volume',
        delete_on_termination: false,
      },
    ],
  };
}

/**
 * RST-17 recovery after the point of no return: a server with the original name, flavor, AZ and
 * metadata, addresses per TRY_SAME_IPS. Returns its id; throws when it cannot be made ACTIVE.
 */
export async function recoverOriginal(
  run: RestoreRun,
  os: OpenStackClient,
): Promise<string> {
  const d = run.details;
  const name = run.job.server_name;
  const ledger = await run.ledger();
  let server = await findServer(os, run, name, true);
  if (!server) {
    const ports = await recoveryPorts(run, os, ledger);
    const boot = await recoveryBoot(run, os, ledger);
    const created = await os.compute.createServer({
      name,
      flavorRef: d.flavorId,
      ...(d.availabilityZone ? { availability_zone: d.availabilityZone } : {}),
      metadata: {
        ...d.metadata,
        ...jobMetadata(run),
        restore_recovery: 'true',
      },
      networks: ports.length ? ports.map(port => ({ port })) : 'none',
      ...boot,
    });
    server = { id: created.id, name, status: 'BUILD' };
  }
  await run.record({
    kind: 'server',
    resourceId: server.id,
    name,
    createdByJob: true,
    state: 'kept',
    step: 'ROLLBACK',
  });
  const id = server.id;
  await waitFor(
    'the recovery server',
    async () => {
      const s = await os.compute.getServer(id);
      if (s.status === 'ERROR')
        throw new RestoreStepError('the recovery server went to ERROR');
      return s.status === 'ACTIVE' ? true : undefined;
    },
    {
      timeoutMs: run.settings.timings.serverTimeoutMs,
      pollMs: run.settings.timings.pollMs,
      check: () => run.checkpoint(),
    },
  );
  for (const v of d.dataVolumes.filter(x => x.volumeId)) {
    const volume = await orNull(os.blockStorage.getVolume(v.volumeId!));
    if (volume?.status !== 'available') continue;
    try {
      await os.compute.attachVolume(id, volume.id);
    } catch (e) {
      await run.warn({
        code: 'RECOVERY_VOLUME_NOT_ATTACHED',
        message: `data volume ${volume.id}: ${String(e)}`,
      });
    }
  }
  return id;
}
