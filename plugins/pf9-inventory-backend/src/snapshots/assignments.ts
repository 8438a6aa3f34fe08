/**
 * The stored protection of (volume, policy) pairs (SPEC SNAP-10 storage): source and
 * `firstProtectedAt`, replaced by every assignment job and every complete live cycle (SNAP-8 sources).
 */
import { Knex } from 'knex';
import { BulkValue, bulkInsert } from '../inventory/bulkInsert';

export interface StoredPair {
  volumeId: string;
  policy: string;
  source: string;
  projectId: string | null;
  domainId: string | null;
}

/** The map key of a (volume, policy) pair. */
export function pairKey(volumeId: string, policy: string): string {
  return `${volumeId}\u0000${policy}`;
}

/** `firstProtectedAt` per pair of the cloud, keyed by volume id and policy. */
export async function firstProtectedAt(
  db: Knex,
  cloudId: string,
): Promise<Map<string, Date>> {
  const rows = await db('snapshot_assignments')
    .where({ cloud_id: cloudId })
    .select('volume_id', 'policy', 'first_protected_at');
  return new Map(
    rows.map(r => [
      pairKey(r.volume_id, r.policy),
      new Date(r.first_protected_at),
    ]),
  );
}

const CHUNK = 500;
const INSERT_COLUMNS = [
  'cloud_id',
  'volume_id',
  'policy',
  'first_protected_at',
  'evaluated_at',
  'source',
  'project_id',
  'domain_id',
] as const;

/**
 * Replaces the cloud's stored pairs with the current ones: new pairs get `firstProtectedAt = now`,
 * kept pairs keep theirs, pairs that are no longer assigned are removed. Set-wise, so that a cloud
 * of many thousand pairs costs a few statements, not one per pair.
 */
export async function replaceAssignments(
  db: Knex,
  cloudId: string,
  pairs: StoredPair[],
  now: Date,
): Promise<void> {
  await db.transaction(async tx => {
    const existing = new Map(
      (
        await tx('snapshot_assignments')
          .where({ cloud_id: cloudId })
          .select('volume_id', 'policy', 'source', 'project_id', 'domain_id')
      ).map(r => [pairKey(r.volume_id, r.policy), r]),
    );
    const current = new Set(pairs.map(p => pairKey(p.volumeId, p.policy)));
    const goneByPolicy = new Map<string, string[]>();
    for (const [key, row] of existing) {
      if (current.has(key)) continue;
      goneByPolicy.set(row.policy, [
        ...(goneByPolicy.get(row.policy) ?? []),
        row.volume_id,
      ]);
    }
    for (const [policy, volumeIds] of goneByPolicy) {
      for (let i = 0; i < volumeIds.length; i += CHUNK) {
        await tx('snapshot_assignments')
          .where({ cloud_id: cloudId, policy })
          .whereIn('volume_id', volumeIds.slice(i, i + CHUNK))
          .delete();
      }
    }
    const inserts: BulkValue[][] = [];
    for (const p of pairs) {
      const before = existing.get(pairKey(p.volumeId, p.policy));
      const row = {
        source: p.source,
        project_id: p.projectId,
        domain_id: p.domainId,
      };
      if (!before) {
        inserts.push([
          cloudId,
          p.volumeId,
          p.policy,
          now,
          now,
          p.source,
          p.projectId,
          p.domainId,
        ]);
      } else if (
        before.source !== row.source ||
        before.project_id !== row.project_id ||
        before.domain_id !== row.domain_id
      ) {
        await tx('snapshot_assignments')
          .where({ cloud_id: cloudId, volume_id: p.volumeId, policy: p.policy })
          .update(row);
      }
    }
    await bulkInsert(tx, 'snapshot_assignments', INSERT_COLUMNS, inserts);
    await tx('snapshot_assignments')
      .where({ cloud_id: cloudId })
      .update({ evaluated_at: now });
  });
}
