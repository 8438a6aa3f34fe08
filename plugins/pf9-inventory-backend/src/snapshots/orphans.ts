/**
 * SNAP-20 `orphaned_managed`: our snapshots whose (volume, policy) pair is no longer assigned, or
 * whose volume was deleted. Cleanup never touches them (they may be the last restore points); this
 * read lists them from the live snapshot listing against the pairs stored by the last cycle or
 * assignment job (`snapshot_assignments`).
 */
import type {
  SnapshotOrphan,
  SnapshotOrphanListing,
  SnapshotOrphanReason,
} from '@internal/plugin-pf9-common';
import { Knex } from 'knex';
import type { CinderSnapshot, OpenStackClient } from '../openstack';
import { matchesScope, Scope } from '../inventory/query';
import { pairKey } from './assignments';
import { isManaged, readLiveCloud } from './live';

/** Lists the orphaned managed snapshots of a cloud that the scope allows (read-only client). */
export async function listOrphans(
  db: Knex,
  client: OpenStackClient,
  cloudId: string,
  scope: Scope,
): Promise<SnapshotOrphanListing> {
  const live = await readLiveCloud(client, { serverNames: false });
  const stored = await db('snapshot_assignments')
    .where({ cloud_id: cloudId })
    .select('volume_id', 'policy');
  const assigned = new Set(stored.map(r => pairKey(r.volume_id, r.policy)));
  // before a cycle or the assignment job stored any pair, "no longer assigned" cannot be told
  const pairsKnown = stored.length > 0;
  const volumes = new Set(live.volumes.map(v => v.id));
  const items: SnapshotOrphan[] = [];
  for (const s of live.snapshots) {
    if (!isManaged(s)) continue;
    const volumeId = String(s.metadata?.original_volume_id ?? s.volume_id);
    const policy = s.metadata?.policy ?? null;
    let reason: SnapshotOrphanReason;
    if (!volumes.has(volumeId)) reason = 'volume_deleted';
    else if (
      pairsKnown &&
      (!policy || !assigned.has(pairKey(volumeId, policy)))
    )
      reason = 'pair_unassigned';
    else continue;
    const projectId = snapshotProjectId(s);
    const project = projectId ? live.projects.get(projectId) : undefined;
    const domainId = project?.domainId ?? null;
    if (!matchesScope(scope, { projectId, domainId })) continue;
    items.push({
      snapshotId: s.id,
      snapshotName: s.name ?? null,
      status: s.status,
      createdAt: s.created_at ?? null,
      sizeGb: s.size === undefined ? null : Number(s.size),
      volumeId,
      policy,
      period: s.metadata?.period ?? null,
      keep: String(s.metadata?.keep ?? '').toLowerCase() === 'true',
      projectId,
      projectName: project?.name ?? null,
      domainId,
      domainName: domainId ? live.domains.get(domainId) ?? null : null,
      reason,
    });
  }
  items.sort(
    (a, b) =>
      a.volumeId.localeCompare(b.volumeId) ||
      (a.createdAt ?? '').localeCompare(b.createdAt ?? ''),
  );
  const reason = pairsKnown
    ? live.snapshotsReason
    : 'no assignments stored yet: unassigned pairs are known after the first cycle or assignment job';
  return {
    items,
    complete: live.snapshotsComplete && pairsKnown,
    ...(reason ? { reason } : {}),
  };
}

function snapshotProjectId(s: CinderSnapshot): string | null {
  const project =
    s['os-extended-snapshot-attributes:project_id'] ??
    s.metadata?.original_project_id;
  return project ? String(project) : null;
}
