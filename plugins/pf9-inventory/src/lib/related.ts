import {
  INVENTORY_FAMILIES,
  INVENTORY_TYPES_BY_FAMILY,
  InventoryFamily,
  InventoryResource,
  InventoryType,
  isInventoryType,
} from '@internal/plugin-pf9-common';

/** The catalog annotations the pf9 catalog module puts on every entity it emits (SPEC INV-23). */
export const ANNOTATION_PF9_CLOUD = 'pf9.io/cloud-id';
export const ANNOTATION_PF9_TYPE = 'pf9.io/resource-type';

/** The fields (key or derived) that hold ids of other resources, and the type those ids name. */
export const RELATED_FIELDS: Record<string, InventoryType> = {
  domain_id: 'domain',
  project_id: 'project',
  default_project_id: 'project',
  server_id: 'server',
  attached_server_ids: 'server',
  volume_id: 'volume',
  attached_volume_ids: 'volume',
  snapshot_id: 'volume_snapshot',
  image_id: 'image',
  flavor_id: 'flavor',
  server_group_ids: 'server_group',
  network_id: 'network',
  network_ids: 'network',
  attached_network_ids: 'network',
  floating_network_id: 'network',
  external_network_id: 'network',
  subnet_id: 'subnet',
  subnet_ids: 'subnet',
  interface_subnet_ids: 'subnet',
  port_id: 'port',
  port_ids: 'port',
  router_id: 'router',
  security_group_id: 'security_group',
  security_group_ids: 'security_group',
  remote_group_id: 'security_group',
  user_id: 'user',
  member_user_ids: 'user',
};

/** One resource another resource refers to, and the field that names it. */
export interface RelatedResource {
  type: InventoryType;
  id: string;
  /** the fields naming it, e.g. `attached_volume_ids` */
  via: string[];
}

function idsOf(value: unknown): string[] {
  if (typeof value === 'string' && value) return [value];
  if (Array.isArray(value)) {
    return value.filter(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
  }
  return [];
}

/**
 * The resources a resource names in its key and derived fields (attached volumes, networks, ports, its
 * project and domain, …), grouped by type and id; the resource itself is left out.
 */
export function relatedResourcesOf(
  resource: Pick<
    InventoryResource,
    'type' | 'id' | 'projectId' | 'domainId' | 'fields' | 'derived'
  >,
): RelatedResource[] {
  const found = new Map<string, RelatedResource>();
  const add = (type: InventoryType, id: string, via: string) => {
    if (type === resource.type && id === resource.id) return;
    const key = `${type}/${id}`;
    const entry = found.get(key) ?? { type, id, via: [] };
    if (!entry.via.includes(via)) entry.via.push(via);
    found.set(key, entry);
  };
  if (resource.projectId) add('project', resource.projectId, 'project_id');
  if (resource.domainId) add('domain', resource.domainId, 'domain_id');
  for (const values of [resource.fields, resource.derived]) {
    for (const [field, value] of Object.entries(values ?? {})) {
      const type = RELATED_FIELDS[field];
      if (!type) continue;
      for (const id of idsOf(value)) add(type, id, field);
    }
  }
  return [...found.values()];
}

const ENTITY_KINDS: Partial<Record<InventoryType, string>> = {
  domain: 'domain',
  project: 'system',
};

/** The catalog entity ref a resource would have: domains are Domains, projects Systems, the rest Resources. */
export function entityRefOf(
  cloudId: string,
  resource: { type: InventoryType; id: string },
): string {
  const kind = ENTITY_KINDS[resource.type] ?? 'resource';
  return `${kind}:${cloudId}/${resource.id}`;
}

/** The inventory family tab that lists a type. */
export function familyOf(type: InventoryType): InventoryFamily {
  return (
    INVENTORY_FAMILIES.find(f => INVENTORY_TYPES_BY_FAMILY[f].includes(type)) ??
    'compute'
  );
}

/** The path, under the PF9 Ops page, of the inventory tab with the resource's drawer open. */
export function inventoryPathOf(resource: {
  type: InventoryType;
  id: string;
}): string {
  return `${familyOf(resource.type)}?${new URLSearchParams({
    type: resource.type,
    id: resource.id,
  })}`;
}

/** The OpenStack resource an entity of the pf9 catalog module stands for: its cloud, type and id. */
export function openStackRefOf(entity: {
  metadata: { name: string; annotations?: Record<string, string> };
}): { cloudId: string; type: InventoryType; id: string } | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const cloudId = annotations[ANNOTATION_PF9_CLOUD];
  const type = annotations[ANNOTATION_PF9_TYPE];
  if (!cloudId || !type || !isInventoryType(type)) return undefined;
  return { cloudId, type, id: entity.metadata.name };
}

/** Entities the pf9 catalog module emits carry the resource-type annotation. */
export function isOpenStackEntity(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  return !!entity.metadata.annotations?.[ANNOTATION_PF9_TYPE];
}
