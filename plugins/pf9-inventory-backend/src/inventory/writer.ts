/**
 * Writes one type of one run (INV-3, INV-4, INV-15, INV-16, INV-19 … INV-22): upserts what a complete
 * listing (or complete partition) returned, writes a version only on a real change, and records
 * deletions only under the safety rule. Everything of one type is one transaction; the GET
 * verification of deletion candidates happens before it (no network I/O inside a transaction).
 */
import { Knex } from 'knex';
import { loadSweep } from './lastSeen';
import { changedFields, contentHash, normalisedForm } from './normalise';
import {
  CollectedResource,
  CollectedType,
  InventoryType,
  JsonMap,
  TypeOutcome,
} from './types';

/** Types whose deletion candidates are confirmed by a direct GET answering 404 (INV-19 rule 4). */
export const VERIFIED_TYPES: InventoryType[] = [
  'server',
  'volume',
  'volume_snapshot',
  'image',
  'network',
  'port',
];

export type VerifyResult = 'gone' | 'present' | 'unknown';

export interface WriteOptions {
  /** INV-21: max(minCount, fraction × previous count) */
  guard: { minCount: number; fraction: number };
  /** INV-19: at most this many GET checks per type and run */
  verifyLimit: number;
  verify: (type: InventoryType, id: string) => Promise<VerifyResult>;
  now?: () => Date;
}

interface StoredRow {
  id: string;
  name: string | null;
  project_id: string | null;
  domain_id: string | null;
  partition_key: string | null;
  key_fields: string;
  raw: string | null;
  derived: string | null;
  content_hash: string;
  version_no: number;
  deleted: boolean | number;
  last_seen_run: string;
  last_seen_at: unknown;
  seen_in_sweep: boolean | number;
  status: string | null;
  search_text: string | null;
}

const parseMap = (v: string | null): JsonMap =>
  v ? (JSON.parse(v) as JsonMap) : {};

function searchText(r: CollectedResource): string {
  return [r.name ?? '', r.id, ...(r.searchExtra ?? [])]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

/**
 * Rows per multi-row INSERT. PostgreSQL takes up to 65,535 bind parameters per statement (19 columns ×
 * 1,000 rows fits); knex writes SQLite multi-row inserts as `UNION ALL` selects, limited to 500 terms.
 */
function chunkSize(db: Knex): number {
  return String(db.client.config.client).includes('sqlite') ? 50 : 1000;
}

function typeStatus(t: CollectedType): TypeOutcome['status'] {
  if (t.complete) return 'complete';
  return t.failed ? 'failed' : 'incomplete';
}

/** Decides, verifies and writes one type. Never throws for OpenStack reasons; a DB error propagates. */
export async function writeType(
  db: Knex,
  cloudId: string,
  runId: string,
  t: CollectedType,
  options: WriteOptions,
): Promise<TypeOutcome> {
  const now = options.now?.() ?? new Date();
  const okPartitions = new Set(
    (t.partitions ?? []).filter(p => p.status === 'ok').map(p => p.partition),
  );
  const listedPartitions = new Set((t.partitions ?? []).map(p => p.partition));
  const partitioned = t.partitions !== undefined;
  const partitionComplete = (key: string | null | undefined): boolean => {
    if (!partitioned) return t.complete;
    if (key && okPartitions.has(key)) return true;
    if (key && listedPartitions.has(key)) return false;
    return t.unlistedPartitionsComplete === true;
  };

  const rows: StoredRow[] = await db('inventory_resources')
    .where({ cloud_id: cloudId, type: t.type })
    .select();
  // last seen of rows seen in the type's sweep is the sweep's (lastSeen.ts)
  const sweep = await loadSweep(db, cloudId, t.type);
  const lastSeen = (row: StoredRow) =>
    row.seen_in_sweep && sweep
      ? { run: sweep.runId, at: sweep.seenAt }
      : { run: row.last_seen_run, at: row.last_seen_at };
  const existing = new Map(rows.map(r => [r.id, r] as const));
  const firstSighting = rows.length === 0;

  // ---- what this run may write (INV-4: nothing from an incomplete listing or partition)
  const seen = new Set<string>([
    ...t.resources.map(r => r.id),
    ...(t.presentIds ?? []),
  ]);
  // one row per id: a listing may repeat one (e.g. an effective role assignment reached via two groups)
  const unique = new Map<string, CollectedResource>();
  for (const r of t.resources) if (!unique.has(r.id)) unique.set(r.id, r);
  const toWrite = [...unique.values()].filter(r => {
    const row = existing.get(r.id);
    if (r.onlyIfAbsent) return !row;
    if (t.failed) return false;
    return partitionComplete(r.partition);
  });

  // ---- deletion candidates (INV-19 rules 1 and 2)
  const live = rows.filter(r => !r.deleted);
  const candidates = t.failed
    ? []
    : live.filter(r => !seen.has(r.id) && partitionComplete(r.partition_key));

  const outcome: TypeOutcome = {
    type: t.type,
    status: typeStatus(t),
    count: t.resources.length,
    pages: t.pages,
    durationMs: t.durationMs,
    ...(t.error ? { error: t.error } : {}),
    ...(t.partitions ? { partitions: t.partitions } : {}),
  };
  const deletions: NonNullable<TypeOutcome['deletions']> = {
    recorded: 0,
    candidates: candidates.length,
    verifiedByGet: 0,
    keptAfterGet: 0,
  };

  // ---- mass-deletion guard (INV-21)
  const threshold = Math.max(
    options.guard.minCount,
    Math.floor(options.guard.fraction * live.length),
  );
  const toDelete: Array<{ row: StoredRow; verified: boolean }> = [];
  if (candidates.length > threshold) {
    deletions.guarded = {
      threshold,
      candidateIds: candidates.map(c => c.id).sort(),
    };
    if (outcome.status === 'complete') outcome.status = 'complete_guarded';
  } else if (candidates.length) {
    // ---- GET verification (INV-19 rule 4)
    const verify = VERIFIED_TYPES.includes(t.type);
    for (const [i, row] of candidates.entries()) {
      if (!verify || i >= options.verifyLimit) {
        toDelete.push({ row, verified: false });
        continue;
      }
      const result = await options.verify(t.type, row.id);
      if (result === 'gone') {
        deletions.verifiedByGet++;
        toDelete.push({ row, verified: true });
      } else {
        deletions.keptAfterGet++;
      }
    }
  }

  const written = { created: 0, updated: 0, unchanged: 0 };
  let reappeared = 0;

  await db.transaction(async tx => {
    // rows and versions go out a chunk at a time, so a type of 40k resources is never all in memory twice
    const chunk = chunkSize(db);
    const newRows: any[] = [];
    const versions: any[] = [];
    const flush = async (all: boolean) => {
      if (newRows.length >= chunk || (all && newRows.length))
        await tx('inventory_resources').insert(newRows.splice(0));
      if (versions.length >= chunk || (all && versions.length))
        await tx('inventory_versions').insert(versions.splice(0));
    };
    const unchangedIds: string[] = [];

    for (const r of toWrite) {
      await flush(false);
      const row = existing.get(r.id);
      if (row && r.carry?.length) {
        const before = parseMap(row.derived);
        for (const k of r.carry) if (k in before) r.derived[k] = before[k];
      }
      const normalised = normalisedForm(t.type, r.key, r.derived);
      const hash = contentHash(normalised);
      const rawText =
        typeof r.raw === 'string' || r.raw === null
          ? r.raw
          : JSON.stringify(r.raw);
      const base = {
        name: r.name,
        project_id: r.projectId,
        domain_id: r.domainId,
        status: r.status,
        partition_key: r.partition ?? null,
        search_text: searchText(r),
        key_fields: JSON.stringify(r.key),
        raw: rawText,
        derived: JSON.stringify(r.derived),
        last_seen_run: runId,
        last_seen_at: now,
        seen_in_sweep: true,
      };
      const version = (
        versionNo: number,
        changeType: string,
        fields: string[],
      ) => ({
        cloud_id: cloudId,
        type: t.type,
        resource_id: r.id,
        version_no: versionNo,
        run_id: runId,
        change_type: changeType,
        recorded_at: now,
        content_hash: hash,
        content: JSON.stringify(normalised),
        changed_fields: JSON.stringify(fields),
        project_id: r.projectId,
        domain_id: r.domainId,
      });

      if (!row) {
        newRows.push({
          cloud_id: cloudId,
          type: t.type,
          id: r.id,
          ...base,
          content_hash: hash,
          version_no: 1,
          deleted: false,
          first_seen_run: runId,
          updated_at: now,
        });
        versions.push(
          version(
            1,
            firstSighting ? 'discovered' : 'created',
            Object.keys(normalised).sort(),
          ),
        );
        written.created++;
        continue;
      }
      const wasDeleted = !!row.deleted;
      if (wasDeleted || row.content_hash !== hash) {
        const previous = normalisedForm(
          t.type,
          parseMap(row.key_fields),
          parseMap(row.derived),
        );
        const versionNo = row.version_no + 1;
        await tx('inventory_resources')
          .where({ cloud_id: cloudId, type: t.type, id: r.id })
          .update({
            ...base,
            content_hash: hash,
            version_no: versionNo,
            deleted: false,
            updated_at: now,
          });
        versions.push(
          version(
            versionNo,
            wasDeleted ? 'reappeared' : 'updated',
            changedFields(previous, normalised),
          ),
        );
        if (wasDeleted) {
          reappeared++;
          await tx('inventory_deletions')
            .where({
              cloud_id: cloudId,
              type: t.type,
              resource_id: r.id,
              reverted: false,
            })
            .update({ reverted: true, reverted_in_run_id: runId });
        } else {
          written.updated++;
        }
        continue;
      }
      written.unchanged++;
      // same content: refresh what is not history (raw payload, volatile values, last seen)
      if (
        row.raw !== rawText ||
        row.derived !== base.derived ||
        row.key_fields !== base.key_fields ||
        row.status !== base.status ||
        row.search_text !== base.search_text ||
        row.partition_key !== base.partition_key
      ) {
        await tx('inventory_resources')
          .where({ cloud_id: cloudId, type: t.type, id: r.id })
          .update(base);
      } else if (!row.seen_in_sweep) {
        // a row seen in the sweep is seen in this run once the sweep moves: no update
        unchangedIds.push(r.id);
      }
    }
    for (let i = 0; i < unchangedIds.length; i += 500) {
      await tx('inventory_resources')
        .where({ cloud_id: cloudId, type: t.type })
        .whereIn('id', unchangedIds.slice(i, i + 500))
        .update({
          last_seen_run: runId,
          last_seen_at: now,
          seen_in_sweep: true,
        });
    }
    await flush(true);

    // ---- the sweep moves to this run (lastSeen.ts): rows of the old sweep this run did not see keep
    // the old sweep's values as their own first (incomplete partitions, deletion candidates, ...)
    if (toWrite.length) {
      const seenNow = new Set(toWrite.map(r => r.id));
      const notSeen = rows
        .filter(row => row.seen_in_sweep && !seenNow.has(row.id))
        .map(row => row.id);
      for (let i = 0; i < notSeen.length; i += 500) {
        await tx('inventory_resources')
          .where({ cloud_id: cloudId, type: t.type })
          .whereIn('id', notSeen.slice(i, i + 500))
          .update(
            sweep
              ? {
                  last_seen_run: sweep.runId,
                  last_seen_at: sweep.seenAt as Date,
                  seen_in_sweep: false,
                }
              : { seen_in_sweep: false },
          );
      }
      await tx('inventory_type_seen')
        .insert({
          cloud_id: cloudId,
          type: t.type,
          run_id: runId,
          seen_at: now,
        })
        .onConflict(['cloud_id', 'type'])
        .merge(['run_id', 'seen_at']);
    }

    // ---- deletion records (INV-20): the row stays, flagged deleted
    for (const { row, verified } of toDelete) {
      const key = parseMap(row.key_fields);
      const derived = parseMap(row.derived);
      const content = normalisedForm(t.type, key, derived);
      const versionNo = row.version_no + 1;
      await tx('inventory_resources')
        .where({ cloud_id: cloudId, type: t.type, id: row.id, deleted: false })
        .update({ deleted: true, version_no: versionNo, updated_at: now });
      versions.push({
        cloud_id: cloudId,
        type: t.type,
        resource_id: row.id,
        version_no: versionNo,
        run_id: runId,
        change_type: 'deleted',
        recorded_at: now,
        content_hash: row.content_hash,
        content: JSON.stringify(content),
        changed_fields: '[]',
        project_id: row.project_id,
        domain_id: row.domain_id,
      });
      await tx('inventory_deletions').insert({
        cloud_id: cloudId,
        type: t.type,
        resource_id: row.id,
        name: row.name,
        project_id: row.project_id,
        project_name: (derived.project_name as string | undefined) ?? null,
        domain_id: row.domain_id,
        domain_name: (derived.domain_name as string | undefined) ?? null,
        last_seen_run_id: lastSeen(row).run,
        last_seen_at: new Date(lastSeen(row).at as string),
        detected_in_run_id: runId,
        detected_at: now,
        reason: 'absent_from_complete_listing',
        verified_by_get: verified,
        content: JSON.stringify(content),
        reverted: false,
      });
      deletions.recorded++;
    }
    await flush(true);
  });

  outcome.written = written;
  outcome.deletions = deletions;
  if (reappeared) outcome.reappeared = reappeared;
  return outcome;
}
