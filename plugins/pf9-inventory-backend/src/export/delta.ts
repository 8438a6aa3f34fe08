/**
 * The delta between two syncs (SPEC EXP-10): the one computation behind `GET /inventory/delta`, the
 * Summary sheet's Added/Removed/Changed counts and the Delta sheet. The state at a run is rebuilt from
 * versions (`stateAtRun`), so the answer does not depend on what happened after either run.
 */
import { Knex } from 'knex';
import { Scope, StateRecord } from '../inventory/query';
import { canonicalJson } from '../inventory/normalise';
import { InventoryRun, InventoryType } from '../inventory/types';
import { displayName, ownerOf } from './records';
import { States, loadStates } from './states';

export interface DeltaItem {
  id: string;
  name: string | null;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
}

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface ChangedItem extends DeltaItem {
  changedFields: FieldChange[];
}

export interface TypeDelta {
  type: InventoryType;
  /** `incomplete` unless the type's listing was complete in both runs */
  status: 'ok' | 'incomplete';
  added: DeltaItem[];
  removed: DeltaItem[];
  changed: ChangedItem[];
  counts: { added: number; removed: number; changed: number };
}

export interface Delta {
  cloudId: string;
  from: { runId: string; startedAt: string; status: string };
  to: { runId: string; startedAt: string; status: string };
  types: TypeDelta[];
}

function item(type: InventoryType, r: StateRecord): DeltaItem {
  const owner = ownerOf(type, r);
  return {
    id: r.id,
    name: displayName(type, r.content),
    projectId: owner.projectId,
    projectName: owner.projectName,
    domainId: owner.domainId,
    domainName: owner.domainName,
  };
}

/** Top-level fields whose canonical values differ, with both values. */
export function fieldChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): FieldChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter(k => canonicalJson(before[k]) !== canonicalJson(after[k]))
    .sort()
    .map(field => ({
      field,
      old: before[field] ?? null,
      new: after[field] ?? null,
    }));
}

function listingComplete(run: InventoryRun, type: InventoryType): boolean {
  return run.types.find(t => t.type === type)?.status === 'complete';
}

/** One type's delta from two states (each sorted by id). */
export function diffStates(
  type: InventoryType,
  from: StateRecord[],
  to: StateRecord[],
  complete: boolean,
): TypeDelta {
  const before = new Map(from.map(r => [r.id, r] as const));
  const after = new Map(to.map(r => [r.id, r] as const));
  const added = to.filter(r => !before.has(r.id)).map(r => item(type, r));
  const removed = from.filter(r => !after.has(r.id)).map(r => item(type, r));
  const changed: ChangedItem[] = [];
  for (const r of to) {
    const old = before.get(r.id);
    if (!old || old.hash === r.hash) continue;
    const changes = fieldChanges(old.content, r.content);
    if (changes.length)
      changed.push({ ...item(type, r), changedFields: changes });
  }
  return {
    type,
    status: complete ? 'ok' : 'incomplete',
    added,
    removed,
    changed,
    counts: {
      added: added.length,
      removed: removed.length,
      changed: changed.length,
    },
  };
}

/**
 * The delta of the given types between two runs of one cloud, inside the scope. A caller that already
 * loaded either state (the export) passes it in.
 */
export async function computeDelta(
  db: Knex,
  input: {
    cloudId: string;
    from: InventoryRun;
    to: InventoryRun;
    types: readonly InventoryType[];
    scope?: Scope;
    fromStates?: States;
    toStates?: States;
  },
): Promise<Delta> {
  const { cloudId, from, to, scope } = input;
  const before =
    input.fromStates ??
    (await loadStates(db, cloudId, from.id, scope, input.types));
  const after =
    input.toStates ??
    (await loadStates(db, cloudId, to.id, scope, input.types));
  const types = input.types.map(type =>
    diffStates(
      type,
      before.get(type) ?? [],
      after.get(type) ?? [],
      listingComplete(from, type) && listingComplete(to, type),
    ),
  );
  const ref = (r: InventoryRun) => ({
    runId: r.id,
    startedAt: r.startedAt,
    status: r.status,
  });
  return { cloudId, from: ref(from), to: ref(to), types };
}
