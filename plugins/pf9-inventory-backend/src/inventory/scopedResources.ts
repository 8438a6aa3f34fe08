import { Knex } from 'knex';
import type { ScopedResource } from '../permissions/rules';

/** The permission-framework ref of a stored resource: `<cloudId>:<type>:<id>`. */
export function scopedResourceRefOf(resource: {
  cloudId: string;
  type: string;
  id: string;
}): string {
  return `${resource.cloudId}:${resource.type}:${resource.id}`;
}

/**
 * Loads the domain and project of resources by ref, so conditional decisions (IN_DOMAIN / IN_PROJECT) can be
 * applied to single resources, e.g. search results. Unknown refs give undefined.
 */
export async function loadScopedResources(
  db: Knex,
  refs: string[],
): Promise<Array<ScopedResource | undefined>> {
  const keys = refs.map(ref => {
    const [cloudId, type, ...rest] = ref.split(':');
    return { cloudId, type, id: rest.join(':') };
  });
  const rows = keys.length
    ? await db('inventory_resources')
        .where(q => {
          for (const key of keys) {
            q.orWhere({ cloud_id: key.cloudId, type: key.type, id: key.id });
          }
        })
        .select('cloud_id', 'type', 'id', 'project_id', 'domain_id')
    : [];
  const byRef = new Map(
    rows.map(row => [
      scopedResourceRefOf({
        cloudId: row.cloud_id,
        type: row.type,
        id: row.id,
      }),
      // A project or domain is in its own scope.
      {
        projectId:
          row.type === 'project' ? row.id : row.project_id ?? undefined,
        domainId: row.type === 'domain' ? row.id : row.domain_id ?? undefined,
      },
    ]),
  );
  return refs.map(ref => byRef.get(ref));
}
