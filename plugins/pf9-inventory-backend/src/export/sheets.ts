/**
 * The sheets of the RVTools-style export (SPEC EXP-3, EXP-4): fixed columns per sheet, never taken from the
 * data. Each column says how it is masked (EXP-8); `buildResourceSheets` turns point-in-time records into
 * rows. Every resource sheet ends with the common tail Project, Project ID, Domain, Domain ID, Cloud, Region.
 */
import {
  INVENTORY_EXPORT_SHEETS,
  type InventoryExportSheet,
} from '@internal/plugin-pf9-common';
import type { StateRecord } from '../inventory/query';
import type { InventoryType } from '../inventory/types';
import type { ColumnKind } from './cells';
import { IdKind, MaskClass } from './masking';
import { Content, Owner, displayName, ownerOf } from './records';

/** The sheet order of EXP-3, shared with the export dialog. */
export const SHEET_ORDER = INVENTORY_EXPORT_SHEETS;
export type SheetName = InventoryExportSheet;

/** EXP-8: left out of masked exports altogether. */
export const INFRASTRUCTURE_SHEETS: SheetName[] = [
  'Hypervisors',
  'ComputeServices',
  'Aggregates',
  'StoragePools',
];

/** The inventory types whose ids are masked, and the kind their references use (EXP-8). */
export const TYPE_ID_KIND: Partial<Record<InventoryType, IdKind>> = {
  project: 'project',
  domain: 'domain',
  server: 'server',
  volume: 'volume',
  volume_snapshot: 'snapshot',
  volume_backup: 'backup',
  image: 'image',
  port: 'port',
  network: 'network',
  subnet: 'subnet',
  router: 'router',
  floating_ip: 'floating_ip',
  security_group: 'security_group',
  network_ip_availability: 'network',
};

/** One row of a resource sheet: the record it comes from, its content, its owner, and sheet extras. */
export interface SheetRow {
  id: string;
  c: Content;
  owner: Owner;
  x?: Record<string, unknown>;
}

export interface Column {
  header: string;
  kind: ColumnKind;
  get: (row: SheetRow, ctx: SheetContext) => unknown;
  mask?: MaskClass | ((row: SheetRow) => MaskClass);
}

export interface ResourceSheet {
  name: SheetName;
  /** the inventory type the sheet's rows come from (the Summary lists types, not sheets) */
  columns: Column[];
  rows: (ctx: SheetContext) => SheetRow[];
}

export interface SheetContext {
  cloudId: string;
  region: string | null;
  /** records per type at the export's run, already filtered to the scope */
  states: Map<InventoryType, StateRecord[]>;
  /** INV-7 current values of rows last seen in the export's run, per type */
  measurements: Map<InventoryType, Map<string, Record<string, unknown>>>;
}

// ---------------------------------------------------------------------------------------------------
// value helpers

const f =
  (key: string) =>
  (row: SheetRow): unknown =>
    row.c[key];

const x =
  (key: string) =>
  (row: SheetRow): unknown =>
    row.x?.[key];

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** An OpenStack timestamp as a Date; values without a zone are UTC (Nova's launched_at); junk stays text. */
export function timestamp(v: unknown): Date | string | null {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return v;
  const text = String(v);
  const withZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? text : date;
}

const col = (
  header: string,
  kind: ColumnKind,
  get: Column['get'],
  mask?: Column['mask'],
): Column => ({ header, kind, get, mask });
const text = (header: string, get: Column['get'], mask?: Column['mask']) =>
  col(header, 'text', get, mask);
const num = (header: string, get: Column['get']) => col(header, 'number', get);
const bool = (header: string, get: Column['get']) =>
  col(header, 'boolean', get);
const time = (header: string, key: string) =>
  col(header, 'timestamp', row => timestamp(row.c[key]));
const list = (header: string, get: Column['get'], mask?: Column['mask']) =>
  col(header, 'list', get, mask);
const json = (header: string, get: Column['get'], mask?: Column['mask']) =>
  col(header, 'json', get, mask);
const id = (kind: IdKind): MaskClass => ({ id: kind });

/** The common tail of every resource sheet (EXP-4). */
export function tail(): Column[] {
  return [
    text('Project', row => row.owner.projectName, 'name'),
    text('Project ID', row => row.owner.projectId, id('project')),
    text('Domain', row => row.owner.domainName, 'name'),
    text('Domain ID', row => row.owner.domainId, id('domain')),
    text('Cloud', (_row, ctx) => ctx.cloudId),
    text('Region', (_row, ctx) => ctx.region),
  ];
}

const POWER_STATES: Record<number, string> = {
  0: 'NOSTATE',
  1: 'RUNNING',
  3: 'PAUSED',
  4: 'SHUTDOWN',
  6: 'CRASHED',
  7: 'SUSPENDED',
};

/** SNAP-5: policy names separated by commas or semicolons, trimmed, lower-cased, de-duplicated. */
function policiesOf(metadata: Record<string, unknown>): string[] {
  const raw = String(
    metadata.snapshot_policies || metadata.snapshot_policy || '',
  );
  return [
    ...new Set(
      raw
        .split(/[,;]/)
        .map(p => p.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/** SNAP-6 owner-set lookup: retention_<p>, snapshot_retention_<p>, retention. */
function retentionOf(metadata: Record<string, unknown>): string | null {
  const parts = policiesOf(metadata)
    .map(p => {
      const value =
        metadata[`retention_${p}`] ??
        metadata[`snapshot_retention_${p}`] ??
        metadata.retention;
      return value === undefined || value === null ? null : `${p}=${value}`;
    })
    .filter(Boolean);
  return parts.length ? parts.join('; ') : null;
}

/** From the volume metadata only (SNAP-8 sources 3 and 4); stored assignments come with the snapshots area. */
function protectionSourceOf(metadata: Record<string, unknown>): string | null {
  if (metadata.snapshot_managed_by) return 'rule';
  if (metadata.auto_snapshot !== undefined) return 'metadata';
  return null;
}

const meta = (row: SheetRow): Record<string, unknown> =>
  (row.c.metadata as Record<string, unknown> | undefined) ?? {};

/** Device ids point at servers, routers or DHCP agents: mask them as what they point at. */
function deviceMask(row: SheetRow): MaskClass {
  const owner = String(row.c.device_owner ?? '');
  if (owner.startsWith('compute:')) return id('server');
  if (owner.startsWith('network:router')) return id('router');
  return 'infra';
}

function scopeIdMask(row: SheetRow): MaskClass {
  if (row.c.scope_type === 'project') return id('project');
  if (row.c.scope_type === 'domain') return id('domain');
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// rows

function recordRows(
  ctx: SheetContext,
  type: InventoryType,
  extra?: (r: StateRecord) => Record<string, unknown>,
): SheetRow[] {
  const measured = ctx.measurements.get(type);
  return (ctx.states.get(type) ?? []).map(r => ({
    id: r.id,
    c: r.content,
    owner: ownerOf(type, r),
    x: {
      ...(measured?.get(r.id) ? { now: measured.get(r.id) } : {}),
      ...(extra ? extra(r) : {}),
    },
  }));
}

function byId(ctx: SheetContext, type: InventoryType) {
  return new Map((ctx.states.get(type) ?? []).map(r => [r.id, r] as const));
}

/** A volatile (INV-7) value measured in the export's run, from the stored current row. */
const now =
  (...path: string[]) =>
  (row: SheetRow): unknown => {
    let v: unknown = row.x?.now;
    for (const p of path) {
      if (v === null || v === undefined || typeof v !== 'object') return null;
      v = (v as Record<string, unknown>)[p];
    }
    return v ?? null;
  };

function serverNicRows(ctx: SheetContext): SheetRow[] {
  const servers = byId(ctx, 'server');
  const networks = byId(ctx, 'network');
  const groups = byId(ctx, 'security_group');
  const fips = ctx.states.get('floating_ip') ?? [];
  const rows: SheetRow[] = [];
  const ports = (ctx.states.get('port') ?? []).filter(p =>
    String(p.content.device_owner ?? '').startsWith('compute:'),
  );
  for (const port of ports) {
    const server = servers.get(String(port.content.device_id));
    if (!server) continue;
    const owner = ownerOf('server', server);
    for (const fixed of asList(port.content.fixed_ips) as Content[]) {
      const ip = String(fixed.ip_address ?? '');
      const fip = fips.find(
        fl =>
          fl.content.port_id === port.id &&
          (!fl.content.fixed_ip_address || fl.content.fixed_ip_address === ip),
      );
      rows.push({
        id: `${server.id}/${port.id}/${ip}`,
        c: port.content,
        owner,
        x: {
          serverId: server.id,
          server: server.content.name,
          network: networks.get(String(port.content.network_id))?.content.name,
          subnetId: fixed.subnet_id,
          ip,
          version: ip.includes(':') ? 6 : 4,
          fip: fip?.content.floating_ip_address ?? null,
          groups: asList(port.content.security_group_ids).map(
            g => groups.get(String(g))?.content.name ?? g,
          ),
        },
      });
    }
  }
  return rows.sort((a, b) => cmp(a.id, b.id));
}

function serverVolumeRows(ctx: SheetContext): SheetRow[] {
  const servers = byId(ctx, 'server');
  const rows: SheetRow[] = [];
  for (const volume of ctx.states.get('volume') ?? []) {
    for (const a of asList(volume.content.attachments) as Content[]) {
      const server = servers.get(String(a.server_id));
      if (!server) continue;
      const device = (a.device as string | null) ?? null;
      const root = server.content.root_device_name as string | undefined;
      const boot = root
        ? device === root
        : server.content.boot_source === 'volume' &&
          /^\/dev\/[sv]da$/.test(device ?? '');
      rows.push({
        id: `${server.id}/${volume.id}`,
        c: volume.content,
        owner: ownerOf('server', server),
        x: {
          serverId: server.id,
          server: server.content.name,
          device,
          boot: boot ? 'yes' : 'no',
        },
      });
    }
  }
  return rows.sort((a, b) => cmp(a.id, b.id));
}

function cmp(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

function hostMatches(hosts: unknown[], hostname: unknown): boolean {
  const name = String(hostname ?? '');
  const short = name.split('.')[0];
  return hosts.some(h => h === name || h === short);
}

// ---------------------------------------------------------------------------------------------------
// the sheets

const SHEETS: ResourceSheet[] = [
  {
    name: 'Servers',
    rows: ctx => recordRows(ctx, 'server'),
    columns: [
      text('Server ID', r => r.id, id('server')),
      text('Name', f('name'), 'name'),
      text('Status', f('status')),
      text('VM State', f('vm_state')),
      text('Power State', r =>
        typeof r.c.power_state === 'number'
          ? POWER_STATES[r.c.power_state] ?? String(r.c.power_state)
          : r.c.power_state,
      ),
      time('Created', 'created_at'),
      time('Launched', 'launched_at'),
      text('Flavor', f('flavor_name')),
      text('Flavor ID', f('flavor_id')),
      num('vCPUs', f('vcpus')),
      num('RAM (MB)', f('ram_mb')),
      num('Root Disk (GB)', f('disk_gb')),
      num('Ephemeral (GB)', f('ephemeral_gb')),
      num('Swap (MB)', f('swap_mb')),
      text('Boot Source', f('boot_source')),
      text('Image', f('image_name')),
      text('Image ID', f('image_id'), id('image')),
      text('Key Pair', f('key_name')),
      text('Availability Zone', f('availability_zone')),
      text('Hypervisor', f('hypervisor_hostname'), 'infra'),
      text('Host ID', f('host_id'), 'infra'),
      text('Instance Name', f('instance_name'), 'infra'),
      list('Fixed IPs', f('fixed_ips'), 'ip'),
      list('Floating IPs', f('floating_ips'), 'ip'),
      list('Networks', f('network_names'), 'name'),
      list('Security Groups', f('security_group_names'), 'name'),
      list('Attached Volumes', f('attached_volume_ids'), id('volume')),
      num('Volume Count', f('volume_count')),
      num('Volume GB', f('volume_gb')),
      list('Server Groups', f('server_group_ids')),
      bool('Locked', f('locked')),
      list('Tags', f('tags')),
      json('Metadata', f('metadata'), 'omit'),
      text('User ID', f('user_id')),
      json('Fault', f('fault'), 'omit'),
    ],
  },
  {
    name: 'ServerNICs',
    rows: serverNicRows,
    columns: [
      text('Server ID', x('serverId'), id('server')),
      text('Server', x('server'), 'name'),
      text('Port ID', f('id'), id('port')),
      text('Network', x('network'), 'name'),
      text('Network ID', f('network_id'), id('network')),
      text('Subnet ID', x('subnetId'), id('subnet')),
      text('IP Address', x('ip'), 'ip'),
      num('IP Version', x('version')),
      text('MAC', f('mac_address')),
      text('Floating IP', x('fip'), 'ip'),
      list('Security Groups', x('groups'), 'name'),
      text('Port Status', f('status')),
    ],
  },
  {
    name: 'ServerVolumes',
    rows: serverVolumeRows,
    columns: [
      text('Server ID', x('serverId'), id('server')),
      text('Server', x('server'), 'name'),
      text('Volume ID', f('id'), id('volume')),
      text('Volume', f('name'), 'name'),
      text('Device', x('device')),
      text('Boot Volume', x('boot')),
      num('Size (GB)', f('size_gb')),
      text('Volume Type', f('volume_type')),
      text('Status', f('status')),
    ],
  },
  {
    name: 'Volumes',
    rows: ctx => recordRows(ctx, 'volume'),
    columns: [
      text('Volume ID', r => r.id, id('volume')),
      text('Name', f('name'), 'name'),
      text('Status', f('status')),
      num('Size (GB)', f('size_gb')),
      text('Volume Type', f('volume_type')),
      bool('Bootable', f('bootable')),
      bool('Encrypted', f('encrypted')),
      bool('Multiattach', f('multiattach')),
      text('Availability Zone', f('availability_zone')),
      list('Attached To', f('attached_server_names'), 'name'),
      list('Attached Server IDs', f('attached_server_ids'), id('server')),
      list('Device', r =>
        (asList(r.c.attachments) as Content[])
          .map(a => a.device)
          .filter(Boolean),
      ),
      text('Source Snapshot ID', f('snapshot_id'), id('snapshot')),
      text('Source Volume ID', f('source_volid'), id('volume')),
      text('Image ID', f('image_id'), id('image')),
      text('Backend Host', f('backend_host'), 'infra'),
      text('auto_snapshot', r => meta(r).auto_snapshot ?? null),
      list('snapshot_policies', r => policiesOf(meta(r))),
      text('Retention', r => retentionOf(meta(r))),
      text('Protection Source', r => protectionSourceOf(meta(r))),
      time('Created', 'created_at'),
      json('Metadata', f('metadata'), 'omit'),
    ],
  },
  {
    name: 'Snapshots',
    rows: ctx => {
      const volumes = byId(ctx, 'volume');
      return recordRows(ctx, 'volume_snapshot', r => {
        const v = volumes.get(String(r.content.volume_id));
        return {
          volume: v?.content.name ?? null,
          server: v ? asList(v.content.attached_server_names) : [],
        };
      });
    },
    columns: [
      text('Snapshot ID', r => r.id, id('snapshot')),
      text('Name', f('name'), 'name'),
      text('Description', f('description')),
      text('Status', f('status')),
      num('Size (GB)', f('size_gb')),
      text('Volume ID', f('volume_id'), id('volume')),
      text('Volume', x('volume'), 'name'),
      list('Server', x('server'), 'name'),
      time('Created', 'created_at'),
      bool('Managed', f('managed')),
      text('Policy', f('policy')),
      text('Period', f('period')),
      json('Metadata', f('metadata'), 'omit'),
    ],
  },
  {
    name: 'Backups',
    rows: ctx => recordRows(ctx, 'volume_backup'),
    columns: [
      text('Backup ID', r => r.id, id('backup')),
      text('Name', f('name'), 'name'),
      text('Volume ID', f('volume_id'), id('volume')),
      text('Snapshot ID', f('snapshot_id'), id('snapshot')),
      num('Size (GB)', f('size_gb')),
      text('Status', f('status')),
      bool('Incremental', f('is_incremental')),
      bool('Has Dependent Backups', f('has_dependent_backups')),
      text('Container', f('container')),
      text('Availability Zone', f('availability_zone')),
      time('Created', 'created_at'),
      time('Data Timestamp', 'data_timestamp'),
    ],
  },
  {
    name: 'Images',
    rows: ctx => recordRows(ctx, 'image'),
    columns: [
      text('Image ID', r => r.id, id('image')),
      text('Name', f('name'), 'name'),
      text('Status', f('status')),
      text('Visibility', f('visibility')),
      bool('Protected', f('protected')),
      num('Size (bytes)', f('size_bytes')),
      text('Disk Format', f('disk_format')),
      text('Container Format', f('container_format')),
      num('Min Disk (GB)', f('min_disk')),
      num('Min RAM (MB)', f('min_ram')),
      text('OS Distro', f('os_distro')),
      text('OS Version', f('os_version')),
      text('Image Type', f('image_type')),
      text('Instance UUID', f('instance_uuid'), id('server')),
      bool('Block Device Mapping', f('block_device_mapping')),
      text('Checksum (os_hash_value)', f('os_hash_value')),
      time('Created', 'created_at'),
      list('Tags', f('tags')),
      num('Servers', f('server_count')),
    ],
  },
  {
    name: 'Flavors',
    rows: ctx => recordRows(ctx, 'flavor'),
    columns: [
      text('Flavor ID', r => r.id),
      text('Name', f('name')),
      num('vCPUs', f('vcpus')),
      num('RAM (MB)', f('ram_mb')),
      num('Root Disk (GB)', f('disk_gb')),
      num('Ephemeral (GB)', f('ephemeral_gb')),
      num('Swap (MB)', f('swap_mb')),
      bool('Public', f('is_public')),
      json('Extra Specs', f('extra_specs')),
      num('Servers', f('server_count')),
    ],
  },
  {
    name: 'Keypairs',
    rows: ctx => recordRows(ctx, 'keypair'),
    columns: [
      text('Name', f('name'), 'name'),
      text('User ID', f('user_id')),
      text('User', f('user_name'), 'name'),
      text('Type', f('type')),
      text('Fingerprint', f('fingerprint')),
      time('Created', 'created_at'),
      num('Servers', f('server_count')),
    ],
  },
  {
    name: 'ServerGroups',
    rows: ctx => recordRows(ctx, 'server_group'),
    columns: [
      text('Server Group ID', r => r.id),
      text('Name', f('name'), 'name'),
      text('User ID', f('user_id')),
      text('Policy', f('policy')),
      json('Rules', f('rules')),
      list('Members', f('members'), id('server')),
    ],
  },
  {
    name: 'Hypervisors',
    rows: ctx => {
      const servers = ctx.states.get('server') ?? [];
      const aggregates = ctx.states.get('aggregate') ?? [];
      const zones = (ctx.states.get('availability_zone') ?? []).filter(
        z => z.content.service === 'compute',
      );
      return recordRows(ctx, 'hypervisor', r => {
        const mine = aggregates.filter(a =>
          hostMatches(asList(a.content.hosts), r.content.hostname),
        );
        return {
          runningVms: servers.filter(
            s => s.content.hypervisor_hostname === r.content.hostname,
          ).length,
          aggregates: mine.map(a => a.content.name),
          zone:
            mine.find(a => a.content.availability_zone)?.content
              .availability_zone ??
            zones.find(z =>
              hostMatches(asList(z.content.hosts), r.content.hostname),
            )?.content.name ??
            null,
        };
      });
    },
    columns: [
      text('Hypervisor ID', r => r.id),
      text('Hostname', f('hostname'), 'infra'),
      text('Host IP', f('host_ip'), 'infra'),
      text('Type', f('hypervisor_type')),
      text('Version', f('version')),
      text('State', f('state')),
      text('Status', f('status')),
      text('Disabled Reason', f('disabled_reason')),
      num('vCPUs', now('capacity', 'VCPU', 'total')),
      num('vCPUs Used', now('capacity', 'VCPU', 'used')),
      num('vCPU Ratio', now('capacity', 'VCPU', 'allocation_ratio')),
      num('RAM (MB)', now('capacity', 'MEMORY_MB', 'total')),
      num('RAM Used (MB)', now('capacity', 'MEMORY_MB', 'used')),
      num('RAM Ratio', now('capacity', 'MEMORY_MB', 'allocation_ratio')),
      num('Disk (GB)', now('capacity', 'DISK_GB', 'total')),
      num('Disk Used (GB)', now('capacity', 'DISK_GB', 'used')),
      num('Running VMs', x('runningVms')),
      list('Aggregates', x('aggregates')),
      text('Availability Zone', x('zone')),
    ],
  },
  {
    name: 'ComputeServices',
    rows: ctx => recordRows(ctx, 'compute_service'),
    columns: [
      text('Service ID', r => r.id),
      text('Binary', f('binary')),
      text('Host', f('host'), 'infra'),
      text('Zone', f('zone')),
      text('Status', f('status')),
      text('State', f('state')),
      text('Disabled Reason', f('disabled_reason')),
      bool('Forced Down', f('forced_down')),
      col('Updated', 'timestamp', r => timestamp(now('updated_at')(r))),
    ],
  },
  {
    name: 'Aggregates',
    rows: ctx => recordRows(ctx, 'aggregate'),
    columns: [
      text('Aggregate ID', r => r.id),
      text('UUID', f('uuid')),
      text('Name', f('name')),
      text('Availability Zone', f('availability_zone')),
      list('Hosts', f('hosts'), 'infra'),
      json('Metadata', f('metadata'), 'omit'),
    ],
  },
  {
    name: 'AvailabilityZones',
    rows: ctx => recordRows(ctx, 'availability_zone'),
    columns: [
      text('Name', f('name')),
      text('Service', f('service')),
      bool('Available', f('available')),
      list('Hosts', f('hosts'), 'infra'),
    ],
  },
  {
    name: 'VolumeTypes',
    rows: ctx => recordRows(ctx, 'volume_type'),
    columns: [
      text('Volume Type ID', r => r.id),
      text('Name', f('name')),
      text('Description', f('description')),
      bool('Public', f('is_public')),
      json('Extra Specs', f('extra_specs')),
      text('QoS Specs ID', f('qos_specs_id')),
    ],
  },
  {
    name: 'StoragePools',
    rows: ctx => recordRows(ctx, 'storage_pool'),
    columns: [
      text('Name', f('name'), 'infra'),
      text('Backend', f('backend')),
      num('Total (GB)', now('total_capacity_gb')),
      num('Free (GB)', now('free_capacity_gb')),
      num('Allocated (GB)', now('allocated_capacity_gb')),
      num('Provisioned (GB)', now('provisioned_capacity_gb')),
      num('Max Over-subscription Ratio', f('max_over_subscription_ratio')),
      num('Reserved %', f('reserved_percentage')),
      bool('Thin Provisioning', f('thin_provisioning_support')),
    ],
  },
  {
    name: 'Networks',
    rows: ctx => recordRows(ctx, 'network'),
    columns: [
      text('Network ID', r => r.id, id('network')),
      text('Name', f('name'), 'name'),
      text('Status', f('status')),
      bool('Admin State Up', f('admin_state_up')),
      bool('Shared', f('is_shared')),
      bool('External', f('is_external')),
      text('Network Type', f('network_type')),
      text('Physical Network', f('physical_network'), 'infra'),
      num('Segmentation ID', f('segmentation_id')),
      num('MTU', f('mtu')),
      list('Subnet IDs', f('subnet_ids'), id('subnet')),
      bool('Port Security', f('port_security_enabled')),
    ],
  },
  {
    name: 'Subnets',
    rows: ctx => {
      const networks = byId(ctx, 'network');
      return recordRows(ctx, 'subnet', r => ({
        network:
          networks.get(String(r.content.network_id))?.content.name ?? null,
      }));
    },
    columns: [
      text('Subnet ID', r => r.id, id('subnet')),
      text('Name', f('name'), 'name'),
      text('Network ID', f('network_id'), id('network')),
      text('Network', x('network'), 'name'),
      text('CIDR', f('cidr'), 'ip'),
      num('IP Version', f('ip_version')),
      text('Gateway IP', f('gateway_ip'), 'ip'),
      bool('DHCP', f('enable_dhcp')),
      json('Allocation Pools', f('allocation_pools'), 'ip'),
      list('DNS Nameservers', f('dns_nameservers')),
      json('Host Routes', f('host_routes'), 'ip'),
    ],
  },
  {
    name: 'IPAvailability',
    rows: ctx => {
      const networks = byId(ctx, 'network');
      return recordRows(ctx, 'network_ip_availability', r => ({
        network: networks.get(r.id)?.content.name ?? null,
      }));
    },
    columns: [
      text('Network ID', f('network_id'), id('network')),
      text('Network', x('network'), 'name'),
      num('Total IPs', now('total_ips')),
      num('Used IPs', now('used_ips')),
      json('Subnets', now('subnets'), id('subnet')),
    ],
  },
  {
    name: 'Ports',
    rows: ctx => {
      const networks = byId(ctx, 'network');
      return recordRows(ctx, 'port', r => ({
        network:
          networks.get(String(r.content.network_id))?.content.name ?? null,
      }));
    },
    columns: [
      text('Port ID', r => r.id, id('port')),
      text('Name', f('name'), 'name'),
      text('Network ID', f('network_id'), id('network')),
      text('Network', x('network'), 'name'),
      text('Device ID', f('device_id'), deviceMask),
      text('Device Owner', f('device_owner')),
      text('Status', f('status')),
      bool('Admin State Up', f('admin_state_up')),
      text('MAC', f('mac_address')),
      list(
        'Fixed IPs',
        r => (asList(r.c.fixed_ips) as Content[]).map(i => i.ip_address),
        'ip',
      ),
      list(
        'Subnet IDs',
        r => (asList(r.c.fixed_ips) as Content[]).map(i => i.subnet_id),
        id('subnet'),
      ),
      list('Security Group IDs', f('security_group_ids'), id('security_group')),
      text('Binding Host', f('binding_host'), 'infra'),
      bool('Port Security', f('port_security_enabled')),
      json('Allowed Address Pairs', f('allowed_address_pairs'), 'ip'),
    ],
  },
  {
    name: 'Routers',
    rows: ctx => recordRows(ctx, 'router'),
    columns: [
      text('Router ID', r => r.id, id('router')),
      text('Name', f('name'), 'name'),
      text('Status', f('status')),
      bool('Admin State Up', f('admin_state_up')),
      text('External Network ID', f('external_network_id'), id('network')),
      list(
        'External Fixed IPs',
        r =>
          (asList(r.c.external_fixed_ips) as Content[]).map(i => i.ip_address),
        'ip',
      ),
      list(
        'External Subnet IDs',
        r =>
          (asList(r.c.external_fixed_ips) as Content[]).map(i => i.subnet_id),
        id('subnet'),
      ),
      bool('SNAT', f('enable_snat')),
      list('Interface Subnet IDs', f('interface_subnet_ids'), id('subnet')),
    ],
  },
  {
    name: 'FloatingIPs',
    rows: ctx => recordRows(ctx, 'floating_ip'),
    columns: [
      text('Floating IP ID', r => r.id, id('floating_ip')),
      text('Floating IP Address', f('floating_ip_address'), 'ip'),
      text('Floating Network ID', f('floating_network_id'), id('network')),
      text('Fixed IP Address', f('fixed_ip_address'), 'ip'),
      text('Port ID', f('port_id'), id('port')),
      text('Router ID', f('router_id'), id('router')),
      text('Status', f('status')),
      text('Description', f('description')),
      text('Server ID', f('server_id'), id('server')),
      text('Server', f('server_name'), 'name'),
    ],
  },
  {
    name: 'SecurityGroups',
    rows: ctx => recordRows(ctx, 'security_group'),
    columns: [
      text('Security Group ID', r => r.id, id('security_group')),
      text('Name', f('name'), 'name'),
      text('Description', f('description')),
      bool('Stateful', f('stateful')),
      bool('Default', f('is_default')),
      list('Tags', f('tags')),
      num('Ingress Rules', f('ingress_rule_count')),
      num('Egress Rules', f('egress_rule_count')),
      num('Total Rules', f('total_rule_count')),
      num('Attached Servers', f('attached_server_count')),
      list('Attached Server IDs', f('attached_server_ids'), id('server')),
      list('Attached Networks', f('attached_network_names'), 'name'),
    ],
  },
  {
    name: 'SecurityGroupRules',
    rows: ctx => {
      const groups = byId(ctx, 'security_group');
      return recordRows(ctx, 'security_group_rule', r => ({
        group:
          groups.get(String(r.content.security_group_id))?.content.name ?? null,
      }));
    },
    columns: [
      text('Rule ID', r => r.id),
      text('Security Group ID', f('security_group_id'), id('security_group')),
      text('Security Group', x('group'), 'name'),
      text('Direction', f('direction')),
      text('Ethertype', f('ethertype')),
      text('Protocol', f('protocol')),
      num('Port Min', f('port_range_min')),
      num('Port Max', f('port_range_max')),
      text('Remote IP Prefix', f('remote_ip_prefix'), 'ip'),
      text('Remote Group ID', f('remote_group_id'), id('security_group')),
      text('Remote Address Group ID', f('remote_address_group_id')),
      text('Description', f('description')),
    ],
  },
  {
    name: 'Domains',
    rows: ctx => recordRows(ctx, 'domain'),
    columns: [
      text('Domain ID', r => r.id, id('domain')),
      text('Name', f('name'), 'name'),
      text('Description', f('description')),
      bool('Enabled', f('enabled')),
    ],
  },
  {
    name: 'Projects',
    rows: ctx => recordRows(ctx, 'project'),
    columns: [
      text('Project ID', r => r.id, id('project')),
      text('Name', f('name'), 'name'),
      text('Parent ID', f('parent_id'), r =>
        r.c.parent_id === r.c.domain_id ? id('domain') : id('project'),
      ),
      bool('Is Domain', f('is_domain')),
      bool('Enabled', f('enabled')),
      text('Description', f('description')),
      list('Tags', f('tags')),
    ],
  },
  {
    name: 'ProjectQuotas',
    rows: ctx => recordRows(ctx, 'project_quota'),
    columns: [
      text('Project', r => r.owner.projectName, 'name'),
      text('Project ID', f('project_id'), id('project')),
      text('Service', f('service')),
      text('Resource', f('resource')),
      num('Limit', f('limit')),
      num('In Use', now('in_use')),
      num('Reserved', now('reserved')),
      num('Utilisation %', r => {
        const limit = Number(r.c.limit);
        const used = now('in_use')(r);
        if (!Number.isFinite(limit) || limit <= 0) return null;
        if (used === null || used === undefined) return null;
        return Math.round((Number(used) / limit) * 1000) / 10;
      }),
    ],
  },
  {
    name: 'Users',
    rows: ctx => recordRows(ctx, 'user'),
    columns: [
      text('User ID', r => r.id),
      text('Name', f('name'), 'name'),
      text('Email', f('email'), 'name'),
      bool('Enabled', f('enabled')),
      text('Description', f('description')),
      text('Default Project ID', f('default_project_id'), id('project')),
      time('Password Expires', 'password_expires_at'),
      json('Options', f('options')),
      bool('Federated', f('federated')),
      text('Source', f('source')),
      list('Effective Roles', f('effective_roles')),
    ],
  },
  {
    name: 'Groups',
    rows: ctx => recordRows(ctx, 'group'),
    columns: [
      text('Group ID', r => r.id),
      text('Name', f('name'), 'name'),
      text('Description', f('description')),
      list('Member User IDs', f('member_user_ids')),
    ],
  },
  {
    name: 'Roles',
    rows: ctx => recordRows(ctx, 'role'),
    columns: [
      text('Role ID', r => r.id),
      text('Name', f('name')),
      text('Domain ID', f('domain_id'), id('domain')),
      text('Description', f('description')),
    ],
  },
  {
    name: 'RoleAssignments',
    rows: ctx => recordRows(ctx, 'role_assignment'),
    columns: [
      text('Actor Type', f('actor_type')),
      text('Actor', f('actor_name'), 'name'),
      text('Actor ID', f('actor_id')),
      text('Actor Domain', f('actor_domain_name'), 'name'),
      text('Role', f('role_name')),
      text('Role ID', f('role_id')),
      text('Scope Type', f('scope_type')),
      text('Scope', f('scope_name'), 'name'),
      text('Scope ID', f('scope_id'), scopeIdMask),
      bool('Inherited', f('inherited')),
      bool('Effective', f('effective')),
    ],
  },
];

/** Every resource sheet, with the common tail appended. */
export const RESOURCE_SHEETS: ResourceSheet[] = SHEETS.map(sheet => ({
  ...sheet,
  columns: [...sheet.columns, ...tail()],
}));

/** The inventory type behind each resource sheet, for the Summary and the scope rules. */
export const SHEET_TYPE: Partial<Record<SheetName, InventoryType>> = {
  Servers: 'server',
  Volumes: 'volume',
  Snapshots: 'volume_snapshot',
  Backups: 'volume_backup',
  Images: 'image',
  Flavors: 'flavor',
  Keypairs: 'keypair',
  ServerGroups: 'server_group',
  Hypervisors: 'hypervisor',
  ComputeServices: 'compute_service',
  Aggregates: 'aggregate',
  AvailabilityZones: 'availability_zone',
  VolumeTypes: 'volume_type',
  StoragePools: 'storage_pool',
  Networks: 'network',
  Subnets: 'subnet',
  IPAvailability: 'network_ip_availability',
  Ports: 'port',
  Routers: 'router',
  FloatingIPs: 'floating_ip',
  SecurityGroups: 'security_group',
  SecurityGroupRules: 'security_group_rule',
  Domains: 'domain',
  Projects: 'project',
  ProjectQuotas: 'project_quota',
  Users: 'user',
  Groups: 'group',
  Roles: 'role',
  RoleAssignments: 'role_assignment',
};

export { displayName };
