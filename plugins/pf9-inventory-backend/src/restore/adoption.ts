/**
 * RST-19: a retry may use what the failed job left behind, but only a resource its ledger lists as
 * `present` that a fresh GET shows usable (a volume available and unattached, a port without a device).
 * Entries in state `deleted` are never referenced.
 */
import type { RestoreIssue } from '@internal/plugin-pf9-common';
import { OpenStackClient } from '../openstack';
import { orNull } from './live';
import { RestorePlanStore } from './planStore';
import type { PlannedVolume, RestorePlanDetails } from './types';

export async function adoptFromLedger(
  os: OpenStackClient,
  store: RestorePlanStore,
  retryOf: string,
  details: RestorePlanDetails,
  warnings: RestoreIssue[],
): Promise<void> {
  const old = await store.head(retryOf);
  if (!old) return;
  const present = (await store.ledger(retryOf)).filter(
    e => e.state === 'present' && e.createdByJob,
  );
  const ledgerId = (kind: string, name: string | null) =>
    name
      ? present.find(e => e.kind === kind && e.name === name)?.resourceId
      : undefined;

  const adoptVolume = async (
    next: PlannedVolume | null,
    before: PlannedVolume | null | undefined,
  ) => {
    if (!next?.sourceSnapshotId || !before) return;
    if (before.sourceSnapshotId !== next.sourceSnapshotId) return;
    const id = ledgerId('volume', before.newName);
    if (!id) return;
    const volume = await orNull(os.blockStorage.getVolume(id));
    if (volume?.status === 'available' && !(volume.attachments ?? []).length) {
      next.adoptedId = id;
      warnings.push({
        code: 'ADOPTED_VOLUME',
        message: `volume ${id} of job ${retryOf} is used instead of a new one`,
      });
    }
  };
  await adoptVolume(details.bootVolume, old.details.bootVolume);
  for (const v of details.dataVolumes)
    await adoptVolume(
      v,
      old.details.dataVolumes?.find(o => o.volumeId === v.volumeId),
    );

  const usedPorts = new Set<string>();
  for (const port of details.ports) {
    if (port.reusePortId) continue;
    const before = old.details.ports?.find(
      o =>
        o.networkId === port.networkId &&
        o.originalPortId === port.originalPortId,
    );
    const id = ledgerId('port', before?.newName ?? null);
    if (!id || usedPorts.has(id)) continue;
    const live = await orNull(os.network.getPort(id));
    if (live && !live.device_id) {
      port.adoptedId = id;
      usedPorts.add(id);
      warnings.push({
        code: 'ADOPTED_PORT',
        message: `port ${id} of job ${retryOf} is used instead of a new one`,
      });
    }
  }
}
