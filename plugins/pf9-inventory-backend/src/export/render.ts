/**
 * Renders one export file (SPEC EXP-2 … EXP-8) through the one table writer. Everything comes from the
 * store as of the export's run; masking happens here, on cell values, and nowhere else.
 */
import { Knex } from 'knex';
import { Writable } from 'node:stream';
import { Scope, currentValuesSeenIn, runsUpTo } from '../inventory/query';
import {
  INVENTORY_TYPES,
  InventoryRun,
  InventoryType,
} from '../inventory/types';
import type { SheetSpec } from './cells';
import { Delta, computeDelta } from './delta';
import { HEALTH_COLUMNS, healthRows } from './health';
import { createTableWriter } from './index';
import { IdKind, MaskClass, Masker } from './masking';
import {
  Column,
  INFRASTRUCTURE_SHEETS,
  RESOURCE_SHEETS,
  SHEET_ORDER,
  SheetContext,
  SheetName,
  SheetRow,
  TYPE_ID_KIND,
  tail,
} from './sheets';
import { States, loadStates } from './states';

export interface RenderOptions {
  exportId: string;
  generatedAt: Date;
  generatedBy: string;
  productVersion: string;
  cloudId: string;
  region: string | null;
  format: 'xlsx' | 'csv';
  csvBom?: boolean;
  run: InventoryRun;
  /** the explicit compareToRunId: adds the Delta sheet */
  compareRun?: InventoryRun;
  /** the Summary's base: compareRun, else the previous complete run (may be absent) */
  summaryBase?: InventoryRun;
  masker: Masker;
  maskNames: boolean;
  maskIps: boolean;
  /** the requested scope, as asked (shown in the Summary and Metadata) */
  requestedScope?: { domainIds?: string[]; projectIds?: string[] };
  /** the effective scope: requested scope AND the caller's permission scope */
  scope: Scope;
  sheets?: SheetName[];
}

/** Types whose rows are infrastructure: left out of masked files with their sheets (EXP-8). */
const INFRASTRUCTURE_TYPES: InventoryType[] = [
  'hypervisor',
  'compute_service',
  'aggregate',
  'storage_pool',
];

/** Human labels for the Summary's Type column. */
const TYPE_LABELS: Record<InventoryType, string> = {
  domain: 'Domains',
  project: 'Projects',
  user: 'Users',
  group: 'Groups',
  role: 'Roles',
  role_assignment: 'Role assignments',
  server: 'Servers',
  flavor: 'Flavors',
  hypervisor: 'Hypervisors',
  compute_service: 'Compute services',
  aggregate: 'Aggregates',
  availability_zone: 'Availability zones',
  keypair: 'Keypairs',
  server_group: 'Server groups',
  image: 'Images',
  volume: 'Volumes',
  volume_snapshot: 'Snapshots',
  volume_backup: 'Backups',
  volume_type: 'Volume types',
  storage_pool: 'Storage pools',
  network: 'Networks',
  subnet: 'Subnets',
  port: 'Ports',
  router: 'Routers',
  floating_ip: 'Floating IPs',
  security_group: 'Security groups',
  security_group_rule: 'Security group rules',
  network_ip_availability: 'IP availability',
  project_quota: 'Project quotas',
};

/** The sheets a file holds, in EXP-3 order. */
export function sheetsOf(options: {
  sheets?: readonly string[];
  compare: boolean;
  masked: boolean;
}): SheetName[] {
  return SHEET_ORDER.filter(
    name =>
      (!options.sheets || options.sheets.includes(name)) &&
      (name !== 'Delta' || options.compare) &&
      !(options.masked && INFRASTRUCTURE_SHEETS.includes(name)),
  );
}

const ID_FIELD_KINDS: Record<string, IdKind> = {
  project_id: 'project',
  default_project_id: 'project',
  domain_id: 'domain',
  server_id: 'server',
  attached_server_ids: 'server',
  instance_uuid: 'server',
  members: 'server',
  volume_id: 'volume',
  attached_volume_ids: 'volume',
  source_volid: 'volume',
  snapshot_id: 'snapshot',
  image_id: 'image',
  port_id: 'port',
  port_ids: 'port',
  network_id: 'network',
  network_ids: 'network',
  floating_network_id: 'network',
  external_network_id: 'network',
  attached_network_ids: 'network',
  subnet_id: 'subnet',
  subnet_ids: 'subnet',
  interface_subnet_ids: 'subnet',
  router_id: 'router',
  security_group_id: 'security_group',
  security_group_ids: 'security_group',
  remote_group_id: 'security_group',
  server_group_ids: 'server',
};
const INFRA_FIELDS = new Set([
  'hypervisor_hostname',
  'host_id',
  'instance_name',
  'backend_host',
  'binding_host',
  'host_ip',
  'host',
  'hosts',
  'hostname',
  'physical_network',
]);
const IP_FIELDS = new Set([
  'fixed_ips',
  'floating_ips',
  'floating_ip_address',
  'fixed_ip_address',
  'cidr',
  'gateway_ip',
  'allocation_pools',
  'host_routes',
  'external_fixed_ips',
  'allowed_address_pairs',
  'remote_ip_prefix',
]);
const OMIT_FIELDS = new Set(['metadata', 'fault', 'raw', 'extra_specs']);

/** How a changed field's old and new values are masked on the Delta sheet. */
export function fieldMask(type: InventoryType, field: string): MaskClass {
  if (OMIT_FIELDS.has(field)) return 'omit';
  if (field === 'id') {
    const kind = TYPE_ID_KIND[type];
    return kind ? { id: kind } : undefined;
  }
  if (type === 'server_group' && field === 'members') return { id: 'server' };
  if (ID_FIELD_KINDS[field] && field !== 'members') {
    return { id: ID_FIELD_KINDS[field] };
  }
  if (INFRA_FIELDS.has(field)) return 'infra';
  if (IP_FIELDS.has(field)) return 'ip';
  if (
    field === 'name' ||
    field === 'email' ||
    field.endsWith('_name') ||
    field.endsWith('_names')
  ) {
    return 'name';
  }
  return undefined;
}

const valueText = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
};

function deltaRows(delta: Delta, masker: Masker): SheetRow[] {
  const rows: SheetRow[] = [];
  const push = (
    change: string,
    type: InventoryType,
    item: Delta['types'][number]['added'][number],
    field?: { field: string; old: unknown; new: unknown },
  ) => {
    let oldValue: unknown = field ? valueText(field.old) : null;
    let newValue: unknown = field ? valueText(field.new) : null;
    if (field) {
      const mask = fieldMask(type, field.field);
      if (masker.masked && mask === 'omit') {
        oldValue = '(omitted)';
        newValue = '(omitted)';
      } else {
        oldValue = masker.apply(mask, field.old === null ? null : oldValue);
        newValue = masker.apply(mask, field.new === null ? null : newValue);
      }
    }
    rows.push({
      id: item.id,
      c: {},
      owner: {
        projectName: item.projectName,
        projectId: item.projectId,
        domainName: item.domainName,
        domainId: item.domainId,
      },
      x: {
        change,
        type,
        name: item.name,
        field: field?.field ?? null,
        old: oldValue,
        new: newValue,
      },
    });
  };
  for (const t of delta.types) {
    for (const item of t.added) push('Added', t.type, item);
    for (const item of t.removed) push('Removed', t.type, item);
    for (const item of t.changed) {
      for (const change of item.changedFields)
        push('Changed', t.type, item, change);
    }
  }
  return rows;
}

const DELTA_COLUMNS: Column[] = [
  { header: 'Change', kind: 'text', get: r => r.x?.change },
  { header: 'Type', kind: 'text', get: r => r.x?.type },
  {
    header: 'ID',
    kind: 'text',
    get: r => r.id,
    mask: r => {
      const kind = TYPE_ID_KIND[r.x?.type as InventoryType];
      return kind ? { id: kind } : undefined;
    },
  },
  {
    header: 'Name',
    kind: 'text',
    get: r => r.x?.name,
    mask: r => (r.x?.type === 'floating_ip' ? 'ip' : 'name'),
  },
  { header: 'Field', kind: 'text', get: r => r.x?.field },
  // already masked per field in deltaRows
  { header: 'Old Value', kind: 'text', get: r => r.x?.old },
  { header: 'New Value', kind: 'text', get: r => r.x?.new },
  ...tail(),
];

/** Cells of one sheet: columns the masking keeps, values masked by their column's class. */
function materialise(
  name: string,
  columns: Column[],
  rows: SheetRow[],
  ctx: SheetContext,
  masker: Masker,
): { spec: SheetSpec; rows: unknown[][] } {
  const kept = columns.filter(c =>
    typeof c.mask === 'function' ? true : masker.keeps(c.mask),
  );
  return {
    spec: {
      name,
      columns: kept.map(c => ({ header: c.header, kind: c.kind })),
    },
    rows: rows.map(row =>
      kept.map(c => {
        const mask = typeof c.mask === 'function' ? c.mask(row) : c.mask;
        return masker.apply(mask, c.get(row, ctx));
      }),
    ),
  };
}

/** The INV-7 measurements each sheet shows: current values, never versioned. */
const MEASURED: Partial<Record<InventoryType, string[]>> = {
  hypervisor: ['capacity'],
  storage_pool: [
    'total_capacity_gb',
    'free_capacity_gb',
    'allocated_capacity_gb',
    'provisioned_capacity_gb',
  ],
  compute_service: ['updated_at'],
  network_ip_availability: ['total_ips', 'used_ips', 'subnets'],
  project_quota: ['in_use', 'reserved'],
};

async function loadMeasurements(
  db: Knex,
  cloudId: string,
  runId: string,
  states: States,
) {
  const measurements = new Map<
    InventoryType,
    Map<string, Record<string, unknown>>
  >();
  for (const [type, fields] of Object.entries(MEASURED) as Array<
    [InventoryType, string[]]
  >) {
    if (!states.get(type)?.length) continue;
    const current = await currentValuesSeenIn(db, cloudId, type, runId);
    const picked = new Map<string, Record<string, unknown>>();
    for (const [id, key] of current) {
      picked.set(
        id,
        Object.fromEntries(fields.map(k => [k, key[k] ?? null] as const)),
      );
    }
    measurements.set(type, picked);
  }
  return measurements;
}

/** The finish time of the latest run at or before R whose listing of each type was complete. */
async function dataAsOf(db: Knex, cloudId: string, run: InventoryRun) {
  const runs = await runsUpTo(db, cloudId, run.id);
  const asOf = new Map<InventoryType, string | null>();
  for (const type of INVENTORY_TYPES) {
    const source = runs.find(r =>
      r.types.some(
        t =>
          t.type === type &&
          (t.status === 'complete' || t.status === 'complete_guarded'),
      ),
    );
    asOf.set(type, source ? source.finishedAt ?? source.startedAt : null);
  }
  return asOf;
}

function scopeText(
  masker: Masker,
  scope: RenderOptions['requestedScope'],
): string {
  const domains = (scope?.domainIds ?? []).map(v =>
    String(masker.apply({ id: 'domain' }, v)),
  );
  const projects = (scope?.projectIds ?? []).map(v =>
    String(masker.apply({ id: 'project' }, v)),
  );
  if (!domains.length && !projects.length) return 'whole cloud';
  return [
    domains.length ? `domains: ${domains.join(', ')}` : '',
    projects.length ? `projects: ${projects.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** Renders the export into `output` and resolves when the file is complete. */
export async function renderExport(
  db: Knex,
  options: RenderOptions,
  output: Writable,
): Promise<{ sheets: string[] }> {
  const { cloudId, run, masker } = options;
  const masked = masker.masked;
  const names = sheetsOf({
    sheets: options.sheets,
    compare: !!options.compareRun,
    masked,
  });
  const states = await loadStates(db, cloudId, run.id, options.scope);
  if (masked) for (const t of INFRASTRUCTURE_TYPES) states.delete(t);
  const ctx: SheetContext = {
    cloudId,
    region: options.region,
    states,
    measurements: await loadMeasurements(db, cloudId, run.id, states),
  };
  const summaryTypes = INVENTORY_TYPES.filter(
    t => !(masked && INFRASTRUCTURE_TYPES.includes(t)),
  );
  const summaryDelta = options.summaryBase
    ? await computeDelta(db, {
        cloudId,
        from: options.summaryBase,
        to: run,
        types: summaryTypes,
        scope: options.scope,
        toStates: states,
      })
    : undefined;
  const sheetDelta =
    options.compareRun && options.compareRun.id === options.summaryBase?.id
      ? summaryDelta
      : undefined;

  const writer = createTableWriter(options.format, output, {
    csvBom: options.csvBom,
  });
  const written: string[] = [];
  const write = async (sheet: { spec: SheetSpec; rows: unknown[][] }) => {
    await writer.writeSheet(sheet.spec, () => sheet.rows);
    written.push(sheet.spec.name);
  };

  for (const name of names) {
    if (name === 'Summary') {
      const asOf = await dataAsOf(db, cloudId, run);
      const counts = new Map(summaryDelta?.types.map(t => [t.type, t.counts]));
      await write({
        spec: {
          name,
          preamble: [
            ['Generated At', options.generatedAt.toISOString()],
            ['Cloud', cloudId],
            ['Region', options.region],
            ['Run ID', run.id],
            ['Run Started At', run.startedAt],
            ['Compared With Run ID', options.summaryBase?.id ?? null],
            ['Scope', scopeText(masker, options.requestedScope)],
            ['Masking', options.masker.mode],
          ],
          columns: [
            { header: 'Type', kind: 'text' },
            { header: 'Count', kind: 'number' },
            { header: 'Added', kind: 'number' },
            { header: 'Removed', kind: 'number' },
            { header: 'Changed', kind: 'number' },
            { header: 'Listing Status', kind: 'text' },
            { header: 'Data As Of', kind: 'timestamp' },
          ],
        },
        rows: summaryTypes.map(type => [
          TYPE_LABELS[type],
          states.get(type)?.length ?? 0,
          counts.get(type)?.added ?? null,
          counts.get(type)?.removed ?? null,
          counts.get(type)?.changed ?? null,
          run.types.find(t => t.type === type)?.status ?? 'skipped',
          asOf.get(type) ?? null,
        ]),
      });
      continue;
    }
    if (name === 'Health') {
      await write(
        materialise(
          name,
          HEALTH_COLUMNS,
          healthRows(ctx, { masked }),
          ctx,
          masker,
        ),
      );
      continue;
    }
    if (name === 'Delta') {
      const delta =
        sheetDelta ??
        (await computeDelta(db, {
          cloudId,
          from: options.compareRun!,
          to: run,
          types: summaryTypes,
          scope: options.scope,
          toStates: states,
        }));
      await write(
        materialise(name, DELTA_COLUMNS, deltaRows(delta, masker), ctx, masker),
      );
      continue;
    }
    if (name === 'Metadata') {
      await write({
        spec: {
          name,
          columns: [
            { header: 'Field', kind: 'text' },
            { header: 'Value', kind: 'text' },
          ],
        },
        rows: [
          ['Product Version', options.productVersion],
          ['Export ID', options.exportId],
          ['Generated At', options.generatedAt.toISOString()],
          ['Generated By', options.generatedBy],
          ['Cloud', cloudId],
          ['Region', options.region],
          ['Run ID', run.id],
          ['Run Started At', run.startedAt],
          ['Compare Run ID', options.compareRun?.id ?? null],
          ['Format', options.format],
          ['Masking Mode', masker.mode],
          ['Mask Names', String(options.maskNames)],
          ['Mask IPs', String(options.maskIps)],
          ['Scope', scopeText(masker, options.requestedScope)],
          ['Sheets', names.join(', ')],
        ],
      });
      continue;
    }
    const sheet = RESOURCE_SHEETS.find(s => s.name === name)!;
    await write(materialise(name, sheet.columns, sheet.rows(ctx), ctx, masker));
  }
  await writer.finish();
  return { sheets: written };
}
