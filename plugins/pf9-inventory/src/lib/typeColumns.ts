import type { InventoryType } from '@internal/plugin-pf9-common';

/** A key or derived field shown as an extra column for one type. */
export interface TypeColumn {
  title: string;
  field: string;
  source: 'fields' | 'derived';
}

const f = (title: string, field: string): TypeColumn => ({
  title,
  field,
  source: 'fields',
});
const d = (title: string, field: string): TypeColumn => ({
  title,
  field,
  source: 'derived',
});

/** The few most telling fields of some types (SPEC §1.2, §1.3), shown beside the common columns. */
export const TYPE_COLUMNS: Partial<Record<InventoryType, TypeColumn[]>> = {
  server: [
    f('Flavor', 'flavor_name'),
    f('vCPUs', 'vcpus'),
    f('RAM (MB)', 'ram_mb'),
    d('Fixed IPs', 'fixed_ips'),
    f('Hypervisor', 'hypervisor_hostname'),
  ],
  flavor: [f('vCPUs', 'vcpus'), f('RAM (MB)', 'ram_mb'), f('Disk', 'disk_gb')],
  hypervisor: [f('Hostname', 'hostname'), f('State', 'state')],
  compute_service: [f('Binary', 'binary'), f('Host', 'host')],
  image: [f('Visibility', 'visibility'), f('Disk format', 'disk_format')],
  volume: [
    f('Size (GB)', 'size_gb'),
    f('Type', 'volume_type'),
    d('Attached to', 'attached_server_names'),
  ],
  volume_snapshot: [f('Size (GB)', 'size_gb'), f('Volume', 'volume_id')],
  volume_backup: [f('Size (GB)', 'size_gb'), f('Volume', 'volume_id')],
  subnet: [f('CIDR', 'cidr'), f('IP version', 'ip_version')],
  port: [f('MAC', 'mac_address'), f('Device owner', 'device_owner')],
  floating_ip: [
    f('Address', 'floating_ip_address'),
    f('Fixed IP', 'fixed_ip_address'),
    d('Server', 'server_name'),
  ],
  security_group_rule: [
    f('Direction', 'direction'),
    f('Protocol', 'protocol'),
    f('Remote prefix', 'remote_ip_prefix'),
  ],
  role_assignment: [
    f('Actor', 'actor_name'),
    f('Role', 'role_name'),
    f('Scope', 'scope_name'),
  ],
  project_quota: [
    f('Service', 'service'),
    f('Resource', 'resource'),
    f('Limit', 'limit'),
    f('In use', 'in_use'),
  ],
};
