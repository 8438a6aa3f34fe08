/**
 * Rollback from the ledger (RST-17): delete, newest first, only what the job created, and start the
 * original again if the job stopped it (recovery of a deleted original: `recovery.ts`).
 */
import {
  OpenStackClient,
  OpenStackConflictError,
  OpenStackNotFoundError,
} from '../openstack';
import { RestoreRun } from './context';
import { LedgerRow, RestoreJobStore } from './jobStore';
import { orNull } from './live';
import { RestoreTimings, waitFor } from './waits';

export interface DeleteOptions {
  timings: RestoreTimings;
  keepVolumes: boolean;
  /** safety snapshots stay after the point of no return (housekeeping removes them later) */
  keepSafetySnapshots: boolean;
  /** stops a wait when the job is no longer ours */
  check: () => Promise<void>;
  /** RST-21 cleanup: also what a rollback kept on purpose (keepVolumesOnFailure), never recovery or safety */
  includeKept?: boolean;
}

const ignoreNotFound = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (e) {
    if (!(e instanceof OpenStackNotFoundError)) throw e;
  }
};

async function waitGone(
  what: string,
  get: () => Promise<unknown>,
  options: DeleteOptions,
) {
  await waitFor(
    what,
    async () => ((await orNull(get())) === null ? true : undefined),
    {
      timeoutMs: options.timings.deleteTimeoutMs,
      pollMs: options.timings.pollMs,
      check: options.check,
    },
  );
}

/** A volume or snapshot can only be deleted once it has settled (not attached, not creating). */
async function waitSettled(
  what: string,
  status: () => Promise<string | null>,
  options: DeleteOptions,
) {
  await waitFor(
    what,
    async () => {
      const s = await status();
      return s === null ||
        ['available', 'error', 'error_restoring', 'error_extending'].includes(s)
        ? true
        : undefined;
    },
    {
      timeoutMs: options.timings.volumeTimeoutMs,
      pollMs: options.timings.pollMs,
      check: options.check,
    },
  );
}

async function deleteOne(os: OpenStackClient, e: LedgerRow, o: DeleteOptions) {
  switch (e.kind) {
    case 'server':
      await ignoreNotFound(os.compute.deleteServer(e.resourceId));
      await waitGone(
        `server ${e.resourceId}`,
        () => os.compute.getServer(e.resourceId),
        o,
      );
      return;
    case 'port':
      await ignoreNotFound(os.network.deletePort(e.resourceId));
      return;
    case 'keypair':
      await ignoreNotFound(os.compute.deleteKeypair(e.resourceId));
      return;
    case 'volume':
      await waitSettled(
        `volume ${e.resourceId}`,
        async () =>
          (await orNull(os.blockStorage.getVolume(e.resourceId)))?.status ??
          null,
        o,
      );
      await ignoreNotFound(os.blockStorage.deleteVolume(e.resourceId));
      await waitGone(
        `volume ${e.resourceId}`,
        () => os.blockStorage.getVolume(e.resourceId),
        o,
      );
      return;
    case 'snapshot':
      await waitSettled(
        `snapshot ${e.resourceId}`,
        async () =>
          (await orNull(os.blockStorage.getSnapshot(e.resourceId)))?.status ??
          null,
        o,
      );
      await ignoreNotFound(os.blockStorage.deleteSnapshot(e.resourceId));
      await waitGone(
        `snapshot ${e.resourceId}`,
        () => os.blockStorage.getSnapshot(e.resourceId),
        o,
      );
      return;
    case 'image':
      await ignoreNotFound(os.image.deleteImage(e.resourceId));
      return;
    default:
  }
}

/**
 * Deletes the job-created resources the ledger lists as present, newest first; returns what could not
 * be deleted. Idempotent: a resource that is already gone counts as deleted.
 */
export async function deleteCreated(
  os: OpenStackClient,
  store: RestoreJobStore,
  jobId: string,
  options: DeleteOptions,
): Promise<string[]> {
  const failures: string[] = [];
  const ledger = (await store.ledger(jobId)).filter(
    e =>
      e.createdByJob &&
      (e.state === 'present' ||
        (options.includeKept &&
          e.state === 'kept' &&
          !['ROLLBACK', 'SAFETY_SNAPSHOT'].includes(e.step))),
  );
  for (const e of ledger.reverse()) {
    const safety = e.step === 'SAFETY_SNAPSHOT';
    if (
      (safety && options.keepSafetySnapshots) ||
      (e.kind === 'volume' && options.keepVolumes)
    ) {
      await store.setLedgerState(jobId, e.kind, e.resourceId, 'kept');
      continue;
    }
    try {
      await deleteOne(os, e, options);
      await store.setLedgerState(jobId, e.kind, e.resourceId, 'deleted');
    } catch (err) {
      await options.check();
      failures.push(
        `${e.kind} ${e.resourceId}: ${String((err as Error).message ?? err)}`,
      );
    }
  }
  return failures;
}

/** Undoes what the job did to the original while it still exists: start it, re-arm its volumes. */
export async function restoreOriginal(
  run: RestoreRun,
  os: OpenStackClient,
): Promise<void> {
  const ledger = await run.ledger();
  const id = run.job.server_id;
  const server = await orNull(os.compute.getServer(id));
  if (!server) return;
  for (const e of ledger.filter(x => x.step === 'PROTECT_ORIGINAL_VOLUMES')) {
    try {
      await os.compute.updateVolumeAttachment(id, e.resourceId, true);
    } catch (err) {
      await run.warn({
        code: 'VOLUME_PROTECTION_NOT_REVERTED',
        message: `delete_on_termination of volume ${
          e.resourceId
        } stays false: ${String(err)}`,
      });
    }
  }
  const stopped = ledger.some(
    e =>
      e.kind === 'original_server' &&
      e.step === 'STOP_ORIGINAL' &&
      e.state === 'present',
  );
  if (!stopped || server.status !== 'SHUTOFF') return;
  try {
    await os.compute.startServer(id);
  } catch (err) {
    if (!(err instanceof OpenStackConflictError)) throw err;
  }
  await waitFor(
    'starting the original server',
    async () =>
      (await os.compute.getServer(id)).status === 'ACTIVE' ? true : undefined,
    {
      timeoutMs: run.settings.timings.serverTimeoutMs,
      pollMs: run.settings.timings.pollMs,
      check: () => run.checkpoint(),
    },
  );
}
