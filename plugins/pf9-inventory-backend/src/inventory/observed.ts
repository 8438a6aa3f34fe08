/**
 * Snapshots the snapshot engine created or asked Cinder to delete, written into the inventory at once
 * (SNAP-25) as versions whose run is the snapshot run's reference. The row is built exactly as a sync
 * builds it (collectors.ts, enrich.ts, writer.ts), so the next sync finds the same content hash and
 * writes no version of its own. A delete request is not a deletion: it is an `updated` version with
 * status `deleting`; deletion records come only from a sync's complete listing (INV-19 … INV-22).
 */
import { Knex } from 'knex';
import type { CinderSnapshot } from '../openstack';
import { volumeSnapshotResource } from './collectors';
import { StoredOwner, enrich } from './enrich';
import { changedFields, hashedForm, normalisedForm } from './normalise';
import { isUniqueViolation } from '../store/errors';
import { BulkValue, bulkInsert } from './bulkInsert';
import { VERSION_COLUMNS, loadDetails, parseMap } from './storedRows';
import { CollectedResource, InventoryType } from './types';
import { RESOURCE_COLUMNS, rowContent, rowHash } from './writer';

const TYPE: InventoryType = 'volume_snapshot';

/** Where observations come from: one cloud, one snapshot run. */
export interface ObservationSource {
  cloudId: string;
  /** the snapshot run, as a version's run id: `snapshot_run:<id>` */
  runRef: string;
  now?: Date;
}

export interface ObservedSnapshot {
  snapshot: CinderSnapshot;
  /** the volume's project, for a payload that does not carry the snapshot's own */
  projectId?: string | null;
  event: 'created' | 'deleted';
}

export type ObservedOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';

export const snapshotRunRef = (runId: string) => `snapshot_run:${runId}`;

/** The owners a sync would resolve from its listings, read from the stored projects and their domains. */
async function storedOwners(db: Knex, cloudId: string, projectIds: string[]) {
  const owners = (rows: any[]) =>
    new Map<string, StoredOwner>(
      rows.map(r => [
        r.id,
        { name: r.name, domainId: r.domain_id, deleted: !!r.deleted },
      ]),
    );
  const read = (type: string, ids: string[]) =>
    ids.length
      ? db('inventory_resources')
          .where({ cloud_id: cloudId, type })
          .whereIn('id', ids)
          .select('id', 'name', 'domain_id', 'deleted')
      : Promise.resolve([]);
  const storedProjects = owners(await read('project', projectIds));
  const domainIds = [...storedProjects.values()]
    .map(p => p.domainId)
    .filter((d): d is string => !!d);
  const storedDomains = owners(await read('domain', [...new Set(domainIds)]));
  return { storedProjects, storedDomains };
}

/** The rows a sync would build for these snapshots, enriched together. */
async function observedResources(
  db: Knex,
  cloudId: string,
  observations: ObservedSnapshot[],
): Promise<CollectedResource[]> {
  const projectKey = 'os-extended-snapshot-attributes:project_id';
  const resources = observations.map(o =>
    volumeSnapshotResource({
      ...o.snapshot,
      ...(o.snapshot[projectKey] || !o.projectId
        ? {}
        : { [projectKey]: o.projectId }),
      ...(o.event === 'deleted' ? { status: 'deleting' } : {}),
    }),
  );
  const projectIds = [
    ...new Set(resources.map(r => r.projectId).filter((p): p is string => !!p)),
  ];
  enrich({
    types: new Map([
      [
        TYPE,
        {
          type: TYPE,
          complete: false,
          failed: false,
          resources,
          pages: 0,
          durationMs: 0,
        },
      ],
    ]),
    effectiveAssignments: null,
    ...(await storedOwners(db, cloudId, projectIds)),
    storedUsers: new Map(),
    only: new Set([TYPE]),
  });
  return resources;
}

/**
 * Upserts the observed snapshots and writes a version for each whose content changed, in one
 * transaction (a batch of the cycle's creates costs a few statements, not a few per snapshot). A row
 * the inventory holds as deleted is left alone (only a sync records or reverts deletions). A snapshot
 * observed twice is written in order: each observation sees the one before.
 */
export async function recordObservedSnapshots(
  db: Knex,
  source: ObservationSource,
  observations: ObservedSnapshot[],
): Promise<ObservedOutcome[]> {
  const outcomes: ObservedOutcome[] = [];
  for (const round of uniqueRounds(observations)) {
    outcomes.push(...(await recordRoundOrEach(db, source, round)));
  }
  return outcomes;
}

/**
 * A snapshot we just created is new to the inventory unless a sync listed it meanwhile: a round of
 * creates is inserted without reading the stored rows first, and the key catches that race. A sync may
 * also insert one between our read and our insert. Either way the round's insert fails on the key and
 * nothing of it is written; each observation is then written on its own after reading its row, so the
 * race costs one snapshot's upsert, not the round's.
 */
async function recordRoundOrEach(
  db: Knex,
  source: ObservationSource,
  round: ObservedSnapshot[],
): Promise<ObservedOutcome[]> {
  const assumeNew = round.every(o => o.event === 'created');
  try {
    return await recordRound(db, source, round, assumeNew);
  } catch (e) {
    if (!isUniqueViolation(e) || (round.length === 1 && !assumeNew)) throw e;
  }
  const outcomes: ObservedOutcome[] = [];
  for (const o of round) {
    outcomes.push(...(await recordRound(db, source, [o], false)));
  }
  return outcomes;
}

/** Consecutive runs of observations with distinct snapshot ids. */
function uniqueRounds(observations: ObservedSnapshot[]): ObservedSnapshot[][] {
  const rounds: ObservedSnapshot[][] = [];
  let ids = new Set<string>();
  for (const o of observations) {
    if (!rounds.length || ids.has(o.snapshot.id)) {
      rounds.push([]);
      ids = new Set();
    }
    rounds[rounds.length - 1].push(o);
    ids.add(o.snapshot.id);
  }
  return rounds;
}

async function recordRound(
  db: Knex,
  source: ObservationSource,
  observations: ObservedSnapshot[],
  /** no stored row is read: every snapshot is inserted as new */
  assumeNew: boolean,
): Promise<ObservedOutcome[]> {
  const { cloudId, runRef } = source;
  const resources = await observedResources(db, cloudId, observations);
  const now = source.now ?? new Date();
  return db.transaction(async tx => {
    const ids = resources.map(r => r.id);
    const stored = new Map<string, any>(
      assumeNew
        ? []
        : (
            await tx('inventory_resources')
              .where({ cloud_id: cloudId, type: TYPE })
              .whereIn('id', ids)
              .select('id', 'version_no', 'content_hash', 'deleted')
          ).map(row => [row.id, row]),
    );
    const changedIds = resources
      .filter(r => stored.get(r.id) && !stored.get(r.id).deleted)
      .map(r => r.id);
    const previous = await loadDetails(tx, cloudId, TYPE, changedIds, [
      'key_fields',
      'derived',
    ]);
    const inserts: BulkValue[][] = [];
    const versions: BulkValue[][] = [];
    const outcomes: ObservedOutcome[] = [];
    for (const r of resources) {
      const row = stored.get(r.id);
      if (row?.deleted) {
        outcomes.push('skipped');
        continue;
      }
      const form = hashedForm(TYPE, r.key, r.derived);
      const content = rowContent(r);
      const values = {
        ...content,
        last_seen_run: runRef,
        last_seen_at: now,
        seen_in_sweep: false,
        row_hash: rowHash(content),
        content_hash: form.hash,
        updated_at: now,
      };
      const where = { cloud_id: cloudId, type: TYPE, id: r.id };
      if (row && row.content_hash === form.hash) {
        await tx('inventory_resources').where(where).update(values);
        outcomes.push('unchanged');
        continue;
      }
      const versionNo = row ? Number(row.version_no) + 1 : 1;
      if (row) {
        await tx('inventory_resources')
          .where(where)
          .update({ ...values, version_no: versionNo });
      } else {
        const inserted: Record<(typeof RESOURCE_COLUMNS)[number], BulkValue> = {
          ...where,
          ...values,
          version_no: 1,
          deleted: false,
          first_seen_run: runRef,
        };
        inserts.push(RESOURCE_COLUMNS.map(c => inserted[c]));
      }
      const before = previous.get(r.id);
      const version: Record<(typeof VERSION_COLUMNS)[number], BulkValue> = {
        cloud_id: cloudId,
        type: TYPE,
        resource_id: r.id,
        version_no: versionNo,
        run_id: runRef,
        change_type: row ? 'updated' : 'created',
        recorded_at: now,
        content_hash: form.hash,
        content: form.json,
        changed_fields: JSON.stringify(
          changedFields(
            before
              ? normalisedForm(
                  TYPE,
                  parseMap(before.key_fields),
                  parseMap(before.derived),
                )
              : undefined,
            form.normalised,
          ),
        ),
        project_id: content.project_id,
        domain_id: content.domain_id,
      };
      versions.push(VERSION_COLUMNS.map(c => version[c]));
      outcomes.push(row ? 'updated' : 'created');
    }
    await bulkInsert(tx, 'inventory_resources', RESOURCE_COLUMNS, inserts);
    await bulkInsert(tx, 'inventory_versions', VERSION_COLUMNS, versions);
    return outcomes;
  });
}
