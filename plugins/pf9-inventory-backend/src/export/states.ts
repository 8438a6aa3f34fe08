/**
 * The records of every type at one run, inside a scope (EXP-2, EXP-8). One loader for the export and
 * the delta endpoint, so both see the same rows. Inside a scope, rows owned by it are kept, plus the
 * shared catalog a customer sees anyway: public flavors, volume types and images, global roles,
 * availability zones, and shared or external networks the scope's ports, floating IPs or routers use.
 */
import { Knex } from 'knex';
import {
  Scope,
  StateRecord,
  matchesScope,
  stateAtRun,
} from '../inventory/query';
import { INVENTORY_TYPES, InventoryType } from '../inventory/types';

const CATALOG_TYPES: InventoryType[] = [
  'flavor',
  'volume_type',
  'role',
  'availability_zone',
  'image',
  'network',
];

export type States = Map<InventoryType, StateRecord[]>;

export async function loadStates(
  db: Knex,
  cloudId: string,
  runId: string,
  scope: Scope,
  types: readonly InventoryType[] = INVENTORY_TYPES,
): Promise<States> {
  const states: States = new Map();
  const wanted = new Set(types);
  // the catalog rules look at servers, volumes, assignments, ports, floating IPs and routers in scope
  const needed = new Set<InventoryType>(types);
  if (scope && types.some(t => CATALOG_TYPES.includes(t))) {
    for (const t of [
      'server',
      'volume',
      'role_assignment',
      'port',
      'floating_ip',
      'router',
    ] as const)
      needed.add(t);
  }
  for (const type of INVENTORY_TYPES) {
    if (!needed.has(type)) continue;
    if (scope && CATALOG_TYPES.includes(type)) continue;
    states.set(type, await stateAtRun(db, cloudId, runId, type, scope));
  }
  for (const type of CATALOG_TYPES) {
    if (!needed.has(type)) continue;
    const all = await stateAtRun(db, cloudId, runId, type);
    states.set(
      type,
      scope ? all.filter(catalogRule(type, states, scope)) : all,
    );
  }
  for (const type of [...states.keys()]) {
    if (!wanted.has(type)) states.delete(type);
  }
  return states;
}

function catalogRule(
  type: InventoryType,
  states: States,
  scope: Scope,
): (r: StateRecord) => boolean {
  const values = (t: InventoryType, key: string) =>
    new Set(
      (states.get(t) ?? [])
        .map(r => r.content[key])
        .filter(v => v !== null && v !== undefined)
        .map(String),
    );
  const owned = (r: StateRecord) =>
    matchesScope(scope, { projectId: r.projectId, domainId: r.domainId });
  switch (type) {
    case 'flavor': {
      const used = values('server', 'flavor_name');
      return r =>
        r.content.is_public === true || used.has(String(r.content.name));
    }
    case 'volume_type': {
      const used = values('volume', 'volume_type');
      return r =>
        r.content.is_public === true || used.has(String(r.content.name));
    }
    case 'role': {
      const used = values('role_assignment', 'role_id');
      return r => !r.content.domain_id || used.has(r.id);
    }
    case 'availability_zone':
      return () => true;
    case 'image': {
      const used = new Set([
        ...values('server', 'image_id'),
        ...values('volume', 'image_id'),
      ]);
      return r =>
        owned(r) ||
        ['public', 'community'].includes(String(r.content.visibility)) ||
        used.has(r.id);
    }
    case 'network': {
      const used = new Set([
        ...values('port', 'network_id'),
        ...values('floating_ip', 'floating_network_id'),
        ...values('router', 'external_network_id'),
      ]);
      return r =>
        owned(r) ||
        ((r.content.is_shared === true || r.content.is_external === true) &&
          used.has(r.id));
    }
    default:
      return owned;
  }
}
