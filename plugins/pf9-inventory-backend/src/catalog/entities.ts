import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  ANNOTATION_VIEW_URL,
  Entity,
} from '@backstage/catalog-model';

/** The part of a stored resource (GET /api/pf9/inventory/resources/:type) that the catalog needs. */
export interface CatalogSourceResource {
  cloudId: string;
  type: string;
  id: string;
  name: string | null;
  projectId: string | null;
  domainId: string | null;
  status?: string | null;
  fields: Record<string, unknown>;
  derived: Record<string, unknown>;
}

export interface OwnerMapping {
  domainId?: string;
  projectId?: string;
  group: string;
}

export interface CatalogMappingOptions {
  /** Owner refs by project or domain; project entries win over domain entries. */
  owners: OwnerMapping[];
  defaultOwner: string;
  /** Base URL of the cloud's dashboard; links are left out without it. */
  dashboardUrl?: string;
}

export const ANNOTATION_PF9_CLOUD = 'pf9.io/cloud-id';
export const ANNOTATION_PF9_TYPE = 'pf9.io/resource-type';

/** Dashboard paths per type, as Horizon / the Platform9 UI name them. */
const DASHBOARD_PATHS: Record<string, string> = {
  server: 'project/instances',
  volume: 'project/volumes',
  network: 'project/networks',
  project: 'identity',
  domain: 'identity/domains',
};

function ownerOf(
  resource: CatalogSourceResource,
  options: CatalogMappingOptions,
) {
  const byProject = options.owners.find(
    o => o.projectId && o.projectId === resource.projectId,
  );
  const byDomain = options.owners.find(
    o => o.domainId && o.domainId === resource.domainId,
  );
  return (byProject ?? byDomain)?.group ?? options.defaultOwner;
}

function metadataOf(
  resource: CatalogSourceResource,
  options: CatalogMappingOptions,
) {
  const location = `pf9:${resource.cloudId}`;
  const path = DASHBOARD_PATHS[resource.type];
  return {
    name: resource.id,
    namespace: resource.cloudId,
    title: resource.name || resource.id,
    annotations: {
      [ANNOTATION_LOCATION]: location,
      [ANNOTATION_ORIGIN_LOCATION]: location,
      [ANNOTATION_PF9_CLOUD]: resource.cloudId,
      [ANNOTATION_PF9_TYPE]: resource.type,
      ...(options.dashboardUrl && path
        ? {
            [ANNOTATION_VIEW_URL]: `${options.dashboardUrl.replace(
              /\/$/,
              '',
            )}/${path}/${resource.id}/`,
          }
        : {}),
    },
  };
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : [];

/** What a resource depends on, as entity refs in its cloud's namespace (server → volumes, networks). */
function dependsOnOf(resource: CatalogSourceResource): string[] {
  const ns = resource.cloudId;
  if (resource.type === 'server') {
    return [
      ...list(resource.derived.attached_volume_ids),
      ...list(resource.derived.network_ids),
    ].map(id => `resource:${ns}/${id}`);
  }
  return [];
}

/**
 * The entity of one stored resource (SPEC INV-23): domains become Domain entities, projects System
 * entities, other types Resource entities of type `openstack-<type>`, all named by id in the cloud's namespace.
 */
export function toEntity(
  resource: CatalogSourceResource,
  options: CatalogMappingOptions,
): Entity {
  const metadata = metadataOf(resource, options);
  const owner = ownerOf(resource, options);
  const ns = resource.cloudId;
  if (resource.type === 'domain') {
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Domain',
      metadata,
      spec: { owner },
    };
  }
  if (resource.type === 'project') {
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata,
      spec: {
        owner,
        ...(resource.domainId
          ? { domain: `domain:${ns}/${resource.domainId}` }
          : {}),
      },
    };
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata,
    spec: {
      type: `openstack-${resource.type}`,
      owner,
      ...(resource.projectId
        ? { system: `system:${ns}/${resource.projectId}` }
        : {}),
      dependsOn: dependsOnOf(resource),
    },
  };
}

const ENTITY_KINDS: Record<string, string> = {
  domain: 'domain',
  project: 'system',
};

/** The ref of the entity a resource maps to, for delta removals. */
export function entityRefOf(
  resource: Pick<CatalogSourceResource, 'cloudId' | 'type' | 'id'>,
): string {
  const kind = ENTITY_KINDS[resource.type] ?? 'resource';
  return `${kind}:${resource.cloudId}/${resource.id}`;
}
