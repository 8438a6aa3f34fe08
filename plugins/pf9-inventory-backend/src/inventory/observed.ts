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
import { VERSION_COLUMNS, parseMap } from './storedRows';
import { CollectedResource, InventoryType } from './types';
import { rowContent, rowHash } from './writer';

const TYPE: InventoryType = 'volume_snapshot';

export interface ObservedSnapshot {
  cloudId: string;
  /** the snapshot run, as a version's run id: `snapshot_run:<id>` */
  runRef: string;
  snapshot: CinderSnapshot;
  /** the volume's project, for a payload that does not carry the snapshot's own */
  projectId?: string | null;
  event: 'created' | 'deleted';
  now?: Date;
}

export type ObservedOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';

export const snapshotRunRef = (runId: string) => `snapshot_run:${runId}`;

/** The owners a sync would resolve from its listings, read from the stored project and its domain. */
async function storedOwners(db: Knex, cloudId: string, projectId: string) {
  const owner = (r: any): StoredOwner => ({
    name: r.name,
    domainId: r.domain_id,
    deleted: !!r.deleted,
  });
  const storedProjects = new Map<string, StoredOwner>();
  const storedDomains = new Map<string, StoredOwner>();
  const project = await db('inventory_resources')
    .where({ cloud_id: cloudId, type: 'project', id: projectId })
    .first('id', 'name', 'domain_id', 'deleted');
  if (project) storedProjects.set(project.id, owner(project));
  if (project?.domain_id) {
    const domain = await db('inventory_resources')
      .where({ cloud_id: cloudId, type: 'domain', id: project.domain_id })
      .first('id', 'name', 'domain_id', 'deleted');
    if (domain) storedDomains.set(domain.id, owner(domain));
  }
  return { storedProjects, storedDomains };
}

async function observedResource(
  db: Knex,
  o: ObservedSnapshot,
): Promise<CollectedResource> {
  const projectKey = 'os-extended-snapshot-attributes:project_id';
  const snapshot: CinderSnapshot = {
    ...o.snapshot,
    ...(o.snapshot[projectKey] || !o.projectId
      ? {}
      : { [projectKey]: o.projectId }),
    ...(o.event === 'deleted' ? { status: 'deleting' } : {}),
  };
  const r = volumeSnapshotResource(snapshot);
  const owners = r.projectId
    ? await storedOwners(db, o.cloudId, r.projectId)
    : { storedProjects: new Map(), storedDomains: new Map() };
  enrich({
    types: new Map([
      [
        TYPE,
        {
          type: TYPE,
          complete: false,
          failed: false,
          resources: [r],
          pages: 0,
          durationMs: 0,
        },
      ],
    ]),
    effectiveAssignments: null,
    ...owners,
    storedUsers: new Map(),
    only: new Set([TYPE]),
  });
  return r;
}

/**
 * Upserts one snapshot and writes a version when its content changed. A row the inventory holds as
 * deleted is left alone (only a sync records or reverts deletions).
 */
export async function recordObservedSnapshot(
  db: Knex,
  o: ObservedSnapshot,
): Promise<ObservedOutcome> {
  const r = await observedResource(db, o);
  const now = o.now ?? new Date();
  const form = hashedForm(TYPE, r.key, r.derived);
  const content = rowContent(r);
  const lastSeen = {
    last_seen_run: o.runRef,
    last_seen_at: now,
    seen_in_sweep: false,
  };
  return db.transaction(async tx => {
    const where = { cloud_id: o.cloudId, type: TYPE, id: r.id };
    const row = await tx('inventory_resources')
      .where(where)
      .first('version_no', 'content_hash', 'deleted', 'key_fields', 'derived');
    if (row?.deleted) return 'skipped';
    const values = {
      ...content,
      ...lastSeen,
      row_hash: rowHash(content),
      content_hash: form.hash,
      updated_at: now,
    };
    if (row && row.content_hash === form.hash) {
      await tx('inventory_resources').where(where).update(values);
      return 'unchanged';
    }
    const versionNo = row ? Number(row.version_no) + 1 : 1;
    if (row) {
      await tx('inventory_resources')
        .where(where)
        .update({ ...values, version_no: versionNo });
    } else {
      await tx('inventory_resources').insert({
        ...where,
        ...values,
        version_no: 1,
        deleted: false,
        first_seen_run: o.runRef,
      });
    }
    const previous = row
      ? normalisedForm(TYPE, parseMap(row.key_fields), parseMap(row.derived))
      : undefined;
    const version: Record<(typeof VERSION_COLUMNS)[number], unknown> = {
      cloud_id: o.cloudId,
      type: TYPE,
      resource_id: r.id,
      version_no: versionNo,
      run_id: o.runRef,
      change_type: row ? 'updated' : 'created',
      recorded_at: now,
      content_hash: form.hash,
      content: form.json,
      changed_fields: JSON.stringify(changedFields(previous, form.normalised)),
      project_id: content.project_id,
      domain_id: content.domain_id,
    };
    await tx('inventory_versions').insert(version);
    return row ? 'updated' : 'created';
  });
}
