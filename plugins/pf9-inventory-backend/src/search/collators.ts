import { Readable } from 'node:stream';
import {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import { pf9Permissions } from '@internal/plugin-pf9-common';
import { entityRefOf, CatalogSourceResource } from '../catalog/entities';
import { Pf9Reader } from '../catalog/pf9Reader';
import { scopedResourceRefOf } from '../inventory/scopedResources';

export const PF9_RESOURCE_DOCUMENT_TYPE = 'pf9-resource';
export const PF9_SYNC_RUN_DOCUMENT_TYPE = 'pf9-sync-run';

export interface Pf9ResourceDocument extends IndexableDocument {
  cloudId: string;
  resourceType: string;
  resourceId: string;
  projectName: string;
  domainName: string;
}

function words(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value ? [String(value)] : [];
}

/** A catalog entity page exists for every indexed resource: the catalog module emits the same types. */
function entityPage(resource: CatalogSourceResource): string {
  const [kind, rest] = entityRefOf(resource).split(':');
  const [namespace, name] = rest.split('/');
  return `/catalog/${namespace}/${kind}/${name}`;
}

export function toResourceDocument(
  resource: CatalogSourceResource,
): Pf9ResourceDocument {
  const derived = resource.derived ?? {};
  const projectName = words(derived.project_name).join(' ');
  const domainName = words(derived.domain_name).join(' ');
  return {
    title: `${resource.name || resource.id} (${resource.type})`,
    // What operators search by: name, id, addresses, project and domain.
    text: [
      resource.name,
      resource.id,
      resource.status,
      ...words(derived.fixed_ips),
      ...words(derived.floating_ips),
      projectName,
      domainName,
    ]
      .filter(Boolean)
      .join(' '),
    location: entityPage(resource),
    cloudId: resource.cloudId,
    resourceType: resource.type,
    resourceId: resource.id,
    projectName,
    domainName,
    authorization: { resourceRef: scopedResourceRefOf(resource) },
  };
}

/** Search documents for the stored resources of the given types, read through the pf9 API. */
export class Pf9ResourceCollatorFactory implements DocumentCollatorFactory {
  readonly type = PF9_RESOURCE_DOCUMENT_TYPE;
  readonly visibilityPermission = pf9Permissions.searchRead;

  constructor(
    private readonly options: {
      reader: Pf9Reader;
      cloudIds: string[];
      types: string[];
    },
  ) {}

  async getCollator(): Promise<Readable> {
    const { reader, cloudIds, types } = this.options;
    return Readable.from(
      (async function* documents() {
        for (const cloudId of cloudIds) {
          for (const type of types) {
            for await (const resource of reader.all<CatalogSourceResource>(
              `/inventory/resources/${type}`,
              { cloudId, sort: 'id' },
            )) {
              yield toResourceDocument(resource);
            }
          }
        }
      })(),
    );
  }
}

interface SyncRun {
  id: string;
  cloudId: string;
  status: string;
  trigger: string;
  triggeredBy: string;
  startedAt: string;
  types: Array<{ type: string; status: string; error?: string }>;
}

/** Search documents for recent sync runs, so "failed sync" and a type name find them. */
export class Pf9SyncRunCollatorFactory implements DocumentCollatorFactory {
  readonly type = PF9_SYNC_RUN_DOCUMENT_TYPE;
  readonly visibilityPermission = pf9Permissions.inventoryRead;

  constructor(
    private readonly options: { reader: Pf9Reader; cloudIds: string[] },
  ) {}

  async getCollator(): Promise<Readable> {
    const { reader, cloudIds } = this.options;
    return Readable.from(
      (async function* documents() {
        for (const cloudId of cloudIds) {
          const { items } = await reader.get<{ items: SyncRun[] }>(
            '/inventory/runs',
            {
              cloudId,
              page: 1,
              pageSize: 200,
            },
          );
          for (const run of items) {
            const notComplete = run.types.filter(t => t.status !== 'complete');
            yield {
              title: `Inventory sync of ${run.cloudId} at ${run.startedAt}: ${run.status}`,
              text: [
                run.status,
                run.trigger,
                run.triggeredBy,
                ...notComplete.map(
                  t => `${t.type} ${t.status} ${t.error ?? ''}`,
                ),
              ].join(' '),
              location: `/pf9/runs?run=${encodeURIComponent(run.id)}`,
            } satisfies IndexableDocument;
          }
        }
      })(),
    );
  }
}
