/**
 * Deletion records (SPEC INV-20): the row stays, flagged deleted, with a `deleted` version and a record of
 * when it was last seen. The only code that records deletions: the writer calls it for a run's verified
 * candidates, and an admin's approval of a guarded batch (INV-21) for that batch.
 */
import { Knex } from 'knex';
import { BulkValue, bulkInsert } from './bulkInsert';
import { normalisedForm } from './normalise';
import { VERSION_COLUMNS, loadDetails, parseMap } from './storedRows';
import { InventoryType } from './types';

export interface DeletionCandidate {
  row: {
    id: string;
    name: string | null;
    project_id: string | null;
    domain_id: string | null;
    content_hash: string;
    version_no: number;
  };
  /** INV-19 rule 4 held: a direct GET answered 404 */
  verified: boolean;
  lastSeen: { run: string; at: unknown };
}

/** Records the deletions inside the caller's transaction; returns how many were recorded. */
export async function recordDeletions(
  tx: Knex.Transaction,
  at: { cloudId: string; type: InventoryType; runId: string; now: Date },
  candidates: DeletionCandidate[],
): Promise<number> {
  if (!candidates.length) return 0;
  const { cloudId, type, runId, now } = at;
  const stored = await loadDetails(
    tx,
    cloudId,
    type,
    candidates.map(c => c.row.id),
    ['key_fields', 'derived'],
  );
  const versions: BulkValue[][] = [];
  for (const { row, verified, lastSeen } of candidates) {
    const derived = parseMap(stored.get(row.id)?.derived);
    const content = JSON.stringify(
      normalisedForm(type, parseMap(stored.get(row.id)?.key_fields), derived),
    );
    const versionNo = row.version_no + 1;
    await tx('inventory_resources')
      .where({ cloud_id: cloudId, type, id: row.id, deleted: false })
      .update({ deleted: true, version_no: versionNo, updated_at: now });
    versions.push([
      cloudId,
      type,
      row.id,
      versionNo,
      runId,
      'deleted',
      now,
      row.content_hash,
      content,
      '[]',
      row.project_id,
      row.domain_id,
    ]);
    await tx('inventory_deletions').insert({
      cloud_id: cloudId,
      type,
      resource_id: row.id,
      name: row.name,
      project_id: row.project_id,
      project_name: (derived.project_name as string | undefined) ?? null,
      domain_id: row.domain_id,
      domain_name: (derived.domain_name as string | undefined) ?? null,
      last_seen_run_id: lastSeen.run,
      last_seen_at: new Date(lastSeen.at as string),
      detected_in_run_id: runId,
      detected_at: now,
      reason: 'absent_from_complete_listing',
      verified_by_get: verified,
      content,
      reverted: false,
    });
  }
  await bulkInsert(tx, 'inventory_versions', VERSION_COLUMNS, versions);
  return candidates.length;
}
