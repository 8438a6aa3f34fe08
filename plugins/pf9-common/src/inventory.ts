/**
 * The 29 inventory resource types of SPEC §1.2, in collection order (INV-3), and their grouping into the
 * families the inventory page shows as tabs. The backend's collectors follow this list.
 */
export const INVENTORY_TYPES = [
  // Keystone first
  'domain',
  'project',
  'user',
  'group',
  'role',
  'role_assignment',
  // Nova
  'server',
  'flavor',
  'hypervisor',
  'compute_service',
  'aggregate',
  'availability_zone',
  'keypair',
  'server_group',
  // Glance
  'image',
  // Cinder
  'volume',
  'volume_snapshot',
  'volume_backup',
  'volume_type',
  'storage_pool',
  // Neutron
  'network',
  'subnet',
  'port',
  'router',
  'floating_ip',
  'security_group',
  'security_group_rule',
  'network_ip_availability',
  // quotas last
  'project_quota',
] as const;

export type InventoryType = (typeof INVENTORY_TYPES)[number];

export function isInventoryType(value: string): value is InventoryType {
  return (INVENTORY_TYPES as readonly string[]).includes(value);
}

export const INVENTORY_FAMILIES = [
  'compute',
  'storage',
  'network',
  'identity',
] as const;

export type InventoryFamily = (typeof INVENTORY_FAMILIES)[number];

/** Every type in exactly one family; the first type of a family is the one a page opens with. */
export const INVENTORY_TYPES_BY_FAMILY: Record<
  InventoryFamily,
  readonly InventoryType[]
> = {
  compute: [
    'server',
    'flavor',
    'hypervisor',
    'compute_service',
    'aggregate',
    'availability_zone',
    'keypair',
    'server_group',
    'image',
  ],
  storage: [
    'volume',
    'volume_snapshot',
    'volume_backup',
    'volume_type',
    'storage_pool',
  ],
  network: [
    'network',
    'subnet',
    'port',
    'router',
    'floating_ip',
    'security_group',
    'security_group_rule',
    'network_ip_availability',
  ],
  identity: [
    'domain',
    'project',
    'user',
    'group',
    'role',
    'role_assignment',
    'project_quota',
  ],
};

/** The family a type belongs to. */
export function inventoryFamilyOf(type: InventoryType): InventoryFamily {
  return INVENTORY_FAMILIES.find(family =>
    INVENTORY_TYPES_BY_FAMILY[family].includes(type),
  )!;
}
