/**
 * The stored protection of (volume, policy) pairs (SPEC SNAP-10 storage): source and
 * `firstProtectedAt`, replaced by every complete live cycle. Only the `metadata` source exists so far;
 * rules, manual assignments and exclusions are not built yet.
 */
import { Knex } from 'knex';

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

/**
 * Replaces the cloud's stored pairs with the current ones: new pairs get `firstProtectedAt = now`,
 * kept pairs keep theirs, pairs that are no longer assigned are removed.
 */
export async function replaceAssignments(
  db: Knex,
  cloudId: string,
  pairs: StoredPair[],
  now: Date,
): Promise<void> {
  await db.transaction(async tx => {
    const existing = new Set(
      (
        await tx('snapshot_assignments')
          .where({ cloud_id: cloudId })
          .select('volume_id', 'policy')
      ).map(r => pairKey(r.volume_id, r.policy)),
    );
    const current = new Set(pairs.map(p => pairKey(p.volumeId, p.policy)));
    for (const gone of [...existing].filter(k => !current.has(k))) {
      const [volumeId, policy] = gone.split('\u0000');
      await tx('snapshot_assignments')
        .where({ cloud_id: cloudId, volume_id: volumeId, policy })
        .delete();
    }
    for (const p of pairs) {
      const row = {
        source: p.source,
        project_id: p.projectId,
        domain_id: p.domainId,
        evaluated_at: now,
      };
      if (existing.has(pairKey(p.volumeId, p.policy))) {
        await tx('snapshot_assignments')
          .where({ cloud_id: cloudId, volume_id: p.volumeId, policy: p.policy })
          .update(row);
      } else {
        await tx('snapshot_assignments').insert({
          cloud_id: cloudId,
          volume_id: p.volumeId,
          policy: p.policy,
          first_protected_at: now,
          ...row,
        });
      }
    }
  });
}
