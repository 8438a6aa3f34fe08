/**
 * RST-12 steps 13, 15 and 16: the temporary keypair, the server create (found by name and
 * `restore_job_id` first, RST-20) and the wait for ACTIVE.
 */
import { OpenStackClient } from '../../openstack';
import {
  createdId,
  createdServerId,
  jobMetadata,
  presentCreated,
  RestoreRun,
  RestoreStepError,
  stepWaitOptions,
} from '../context';
import { LedgerRow } from '../jobStore';
import { getKeypair } from '../live';
import { waitFor } from '../waits';
import { serverPortIds } from './ports';
import { SimulatedRequest, StepHandler } from './types';

export function temporaryKeyName(run: RestoreRun): string | null {
  const key = run.details.keyName;
  return key ? `restore-${run.jobId8}-${key}` : null;
}

export const prepareKeypair: StepHandler = {
  inDryRun: 'simulate',
  simulate: run => [
    {
      method: 'POST',
      service: 'compute',
      path: '/os-keypairs',
      body: {
        keypair: {
          name: temporaryKeyName(run),
          public_key: '<read from the owner>',
        },
      },
    },
  ],
  async run(run) {
    const name = temporaryKeyName(run)!;
    const original = run.details.keyName!;
    try {
      const os = await run.scoped();
      const existing = await getKeypair(os, name, null);
      if (!existing) {
        const owned = await getKeypair(
          os,
          original,
          run.details.keyOwnerUserId,
        );
        if (!owned?.public_key) {
          await run.warn({
            code: 'KEYPAIR_UNAVAILABLE',
            message: `keypair ${original} of its owner could not be read; the server is created without a keypair (the disk keeps its authorized keys)`,
          });
          return;
        }
        await os.compute.importKeypair(name, owned.public_key);
      }
      await run.record({
        kind: 'keypair',
        resourceId: name,
        name,
        createdByJob: true,
        step: 'PREPARE_KEYPAIR',
      });
    } catch (e) {
      // RST-9: a keypair problem is a warning; the restored disk keeps its existing keys
      await run.checkpoint();
      await run.warn({
        code: 'KEYPAIR_UNAVAILABLE',
        message: `temporary keypair ${name} could not be prepared: ${String(
          (e as Error).message ?? e,
        )}`,
      });
    }
  },
};

function serverBody(
  run: RestoreRun,
  ledger: LedgerRow[] | null,
): Record<string, unknown> {
  const d = run.details;
  const bootVolumeId =
    d.bootVolume?.sourceSnapshotId && ledger
      ? createdId(ledger, 'volume', d.bootVolume.newName)
      : `<volume ${d.bootVolume?.newName}>`;
  const ports = ledger
    ? serverPortIds(run, ledger)
    : d.ports.map(p => `<port ${p.newName}>`);
  const keyName =
    ledger === null
      ? temporaryKeyName(run)
      : presentCreated(ledger, 'keypair')[0]?.resourceId;
  return {
    name: d.newServerName,
    flavorRef: d.flavorId,
    ...(d.availabilityZone ? { availability_zone: d.availabilityZone } : {}),
    metadata: {
      ...d.metadata,
      restored_from_server: run.job.server_id,
      restored_from_point: run.job.restore_point_id,
      ...jobMetadata(run),
    },
    networks: ports.length ? ports.map(port => ({ port })) : 'none',
    ...(keyName ? { key_name: keyName } : {}),
    ...(d.description ? { description: d.description } : {}),
    ...(d.tags.length ? { tags: d.tags } : {}),
    ...(d.bootVolume?.sourceSnapshotId
      ? {
          block_device_mapping_v2: [
            {
              boot_index: 0,
              uuid: bootVolumeId,
              source_type: 'volume',
              destination_type: 'volume',
              delete_on_termination: false,
            },
          ],
        }
      : { imageRef: d.imageRef }),
  };
}

function schedulerHints(run: RestoreRun): Record<string, unknown> {
  const group = run.details.serverGroupId;
  return group ? { 'os:scheduler_hints': { group } } : {};
}

/** A server this job created, found by name and `restore_job_id` (RST-20). */
export async function findServer(
  os: OpenStackClient,
  run: RestoreRun,
  name: string,
  recovery: boolean,
) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const listing = await os.compute.listServers({
    query: { name: `^${escaped}$` },
  });
  return listing.items.find(
    s =>
      s.name === name &&
      s.metadata?.restore_job_id === run.job.id &&
      (s.metadata?.restore_recovery === 'true') === recovery,
  );
}

export const createServer: StepHandler = {
  inDryRun: 'simulate',
  simulate(run): SimulatedRequest[] {
    const userData = run.job.user_data_encrypted
      ? '<encrypted user_data>'
      : undefined;
    return [
      {
        method: 'POST',
        service: 'compute',
        path: '/servers',
        body: {
          server: {
            ...serverBody(run, null),
            ...(userData ? { user_data: userData } : {}),
          },
          ...schedulerHints(run),
        },
      },
    ];
  },
  async run(run) {
    const os = await run.scoped();
    const ledger = await run.ledger();
    const found = await findServer(os, run, run.details.newServerName, false);
    let id = found?.id;
    if (!id) {
      const userData = run.userData();
      const created = await os.compute.createServer(
        {
          ...serverBody(run, ledger),
          ...(userData ? { user_data: userData } : {}),
        },
        schedulerHints(run),
      );
      id = created.id;
    }
    await run.record({
      kind: 'server',
      resourceId: id,
      name: run.details.newServerName,
      createdByJob: true,
      step: 'CREATE_SERVER',
    });
  },
};

export const waitServerActive: StepHandler = {
  inDryRun: 'simulate',
  simulate: () => [],
  async run(run) {
    const os = await run.scoped();
    const ledger = await run.ledger();
    const id = createdServerId(ledger);
    await waitFor(
      `server ${run.details.newServerName}`,
      async () => {
        const s = await os.compute.getServer(id);
        if (s.status === 'ERROR') {
          const fault = (s.fault as { message?: string } | undefined)?.message;
          throw new RestoreStepError(
            `the restored server went to ERROR${fault ? `: ${fault}` : ''}`,
          );
        }
        return s.status === 'ACTIVE' ? true : undefined;
      },
      stepWaitOptions(run, run.settings.timings.serverTimeoutMs),
    );
    if (run.details.restorePointKind === 'server_image_volume_backed') {
      // Nova built these volumes from the image's mapping for this job
      const known = new Set(ledger.map(e => e.resourceId));
      for (const a of (await os.compute.listVolumeAttachments(id)).items) {
        if (known.has(a.volumeId)) continue;
        await run.record({
          kind: 'volume',
          resourceId: a.volumeId,
          createdByJob: true,
          step: 'WAIT_SERVER_ACTIVE',
        });
      }
    }
  },
};
