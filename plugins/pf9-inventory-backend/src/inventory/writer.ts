/**
 * Writes one type of one run (INV-3, INV-4, INV-15, INV-16, INV-19 … INV-22): upserts what a complete
 * listing (or complete partition) returned, writes a version only on a real change, and records
 * deletions only under the safety rule. Everything of one type is one transaction; the GET
 * verification of deletion candidates happens before it (no network I/O inside a transaction).
 */
import { createHash } from 'crypto';
import { Knex } from 'knex';
import { BulkValue, bulkInsert } from './bulkInsert';
import { recordDeletions } from './deletions';
import { loadSweep } from './lastSeen';
import {
  DETAIL_BATCH,
  VERSION_COLUMNS,
  loadDetails,
  parseMap,
} from './storedRows';
import { changedFields, hashedForm, normalisedForm } from './normalise';
import {
  CollectedResource,
  CollectedType,
  InventoryType,
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

/** What the writer reads of every stored row of the type: no payloads (a re-sync compares hashes). */
interface StoredRow {
  id: string;
  name: string | null;
  project_id: string | null;
  domain_id: string | null;
  partition_key: string | null;
  content_hash: string;
  row_hash: string | null;
  version_no: number;
  deleted: boolean | number;
  last_seen_run: string;
  last_seen_at: unknown;
  seen_in_sweep: boolean | number;
}

const STORED_COLUMNS = [
  'id',
  'name',
  'project_id',
  'domain_id',
  'partition_key',
  'content_hash',
  'row_hash',
  'version_no',
  'deleted',
  'last_seen_run',
  'last_seen_at',
  'seen_in_sweep',
];

/** The columns of a new `inventory_resources` row, in COPY order (also observed.ts). */
export const RESOURCE_COLUMNS = [
  'cloud_id',
  'type',
  'id',
  'name',
  'project_id',
  'domain_id',
  'status',
  'partition_key',
  'search_text',
  'key_fields',
  'raw',
  'derived',
  'row_hash',
  'content_hash',
  'version_no',
  'deleted',
  'first_seen_run',
  'last_seen_run',
  'last_seen_at',
  'seen_in_sweep',
  'updated_at',
] as const;

/** Rows (and versions) per bulk insert: bounds what one type holds in serialised form at once. */
const ROWS_PER_BATCH = 1000;

function searchText(r: CollectedResource): string {
  return [r.name ?? '', r.id, ...(r.searchExtra ?? [])]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

/** The columns of a row a sync writes, except "last seen". */
export interface RowContent {
  name: string | null;
  project_id: string | null;
  domain_id: string | null;
  status: string | null;
  partition_key: string | null;
  search_text: string;
  key_fields: string;
  raw: string | null;
  derived: string;
}

/** Hash of a row's content (`row_hash`): an unchanged row is recognised without reading it back. */
export function rowHash(c: RowContent): string {
  // a separator that JSON text and names never contain, and a distinct mark for null; one update
  // of the joined text (a native call per value cost more than the hashing at 150k rows)
  let text = '';
  for (const v of [
    c.name,
    c.project_id,
    c.domain_id,
    c.status,
    c.partition_key,
    c.search_text,
    c.key_fields,
    c.raw,
    c.derived,
  ]) {
    text += `${v === null ? '\u0001' : v}\u0000`;
  }
  return createHash('sha1').update(text).digest('hex');
}

export function rowContent(r: CollectedResource): RowContent {
  return {
    name: r.name,
    project_id: r.projectId,
    domain_id: r.domainId,
    status: r.status,
    partition_key: r.partition ?? null,
    search_text: searchText(r),
    key_fields: JSON.stringify(r.key),
    raw:
      typeof r.raw === 'string' || r.raw === null
        ? r.raw
        : JSON.stringify(r.raw),
    derived: JSON.stringify(r.derived),
  };
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
    .select(STORED_COLUMNS);
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

  // stored derived fields of rows whose derived fields are carried over (enrich.ts), read before hashing
  const carried = await loadDetails(
    db,
    cloudId,
    t.type,
    toWrite.filter(r => r.carry?.length && existing.has(r.id)).map(r => r.id),
    ['derived'],
  );

  const written = { created: 0, updated: 0, unchanged: 0 };
  let reappeared = 0;

  await db.transaction(async tx => {
    // new rows and versions go out a batch at a time, so a type of 40k resources is never all
    // serialised at once
    const newRows: BulkValue[][] = [];
    const versions: BulkValue[][] = [];
    const flush = async (all: boolean) => {
      if (newRows.length >= ROWS_PER_BATCH || (all && newRows.length))
        await bulkInsert(
          tx,
          'inventory_resources',
          RESOURCE_COLUMNS,
          newRows.splice(0),
        );
      if (versions.length >= ROWS_PER_BATCH || (all && versions.length))
        await bulkInsert(
          tx,
          'inventory_versions',
          VERSION_COLUMNS,
          versions.splice(0),
        );
    };
    const version = (
      v: {
        id: string;
        versionNo: number;
        changeType: string;
        hash: string;
        content: string;
        fields: string[];
      },
      owner: { project_id: string | null; domain_id: string | null },
    ): BulkValue[] => [
      cloudId,
      t.type,
      v.id,
      v.versionNo,
      runId,
      v.changeType,
      now,
      v.hash,
      v.content,
      JSON.stringify(v.fields),
      owner.project_id,
      owner.domain_id,
    ];
    const seenNowValues = {
      last_seen_run: runId,
      last_seen_at: now,
      seen_in_sweep: true,
    };

    // ---- changed and reappeared resources: the previous form is read back for the changed fields
    type Changed = {
      row: StoredRow;
      content: RowContent;
      hashOfRow: string;
      form: ReturnType<typeof hashedForm>;
    };
    const changed: Changed[] = [];
    const writeChanged = async () => {
      const batch = changed.splice(0);
      const stored = await loadDetails(
        tx,
        cloudId,
        t.type,
        batch.map(c => c.row.id),
        ['key_fields', 'derived'],
      );
      for (const { row, content, hashOfRow, form } of batch) {
        const previous = normalisedForm(
          t.type,
          parseMap(stored.get(row.id)?.key_fields),
          parseMap(stored.get(row.id)?.derived),
        );
        const wasDeleted = !!row.deleted;
        const versionNo = row.version_no + 1;
        await tx('inventory_resources')
          .where({ cloud_id: cloudId, type: t.type, id: row.id })
          .update({
            ...content,
            ...seenNowValues,
            row_hash: hashOfRow,
            content_hash: form.hash,
            version_no: versionNo,
            deleted: false,
            updated_at: now,
          });
        versions.push(
          version(
            {
              id: row.id,
              versionNo,
              changeType: wasDeleted ? 'reappeared' : 'updated',
              hash: form.hash,
              content: form.json,
              fields: changedFields(previous, form.normalised),
            },
            content,
          ),
        );
        if (wasDeleted) {
          reappeared++;
          await tx('inventory_deletions')
            .where({
              cloud_id: cloudId,
              type: t.type,
              resource_id: row.id,
              reverted: false,
            })
            .update({ reverted: true, reverted_in_run_id: runId });
        } else {
          written.updated++;
        }
      }
    };

    const unchangedIds: string[] = [];
    for (const r of toWrite) {
      await flush(false);
      if (changed.length >= DETAIL_BATCH) await writeChanged();
      const row = existing.get(r.id);
      if (row && r.carry?.length) {
        const before = parseMap(carried.get(r.id)?.derived);
        for (const k of r.carry) if (k in before) r.derived[k] = before[k];
      }
      const form = hashedForm(t.type, r.key, r.derived);
      const content = rowContent(r);
      const hashOfRow = rowHash(content);

      if (!row) {
        const values: Record<(typeof RESOURCE_COLUMNS)[number], BulkValue> = {
          cloud_id: cloudId,
          type: t.type,
          id: r.id,
          ...content,
          ...seenNowValues,
          row_hash: hashOfRow,
          content_hash: form.hash,
          version_no: 1,
          deleted: false,
          first_seen_run: runId,
          updated_at: now,
        };
        newRows.push(RESOURCE_COLUMNS.map(c => values[c]));
        versions.push(
          version(
            {
              id: r.id,
              versionNo: 1,
              changeType: firstSighting ? 'discovered' : 'created',
              hash: form.hash,
              content: form.json,
              fields: Object.keys(form.normalised).sort(),
            },
            content,
          ),
        );
        written.created++;
        continue;
      }
      if (row.deleted || row.content_hash !== form.hash) {
        changed.push({ row, content, hashOfRow, form });
        continue;
      }
      written.unchanged++;
      // same content: refresh what is not history (raw payload, volatile values, last seen)
      if (row.row_hash !== hashOfRow) {
        await tx('inventory_resources')
          .where({ cloud_id: cloudId, type: t.type, id: r.id })
          .update({ ...content, ...seenNowValues, row_hash: hashOfRow });
      } else if (!row.seen_in_sweep) {
        // a row seen in the sweep is seen in this run once the sweep moves: no update
        unchangedIds.push(r.id);
      }
    }
    await writeChanged();
    for (let i = 0; i < unchangedIds.length; i += 500) {
      await tx('inventory_resources')
        .where({ cloud_id: cloudId, type: t.type })
        .whereIn('id', unchangedIds.slice(i, i + 500))
        .update(seenNowValues);
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
    await flush(true);
    deletions.recorded = await recordDeletions(
      tx,
      { cloudId, type: t.type, runId, now },
      toDelete.map(({ row, verified }) => ({
        row,
        verified,
        lastSeen: lastSeen(row),
      })),
    );
    await flush(true);
  });

  outcome.written = written;
  outcome.deletions = deletions;
  if (reappeared) outcome.reappeared = reappeared;
  return outcome;
}
