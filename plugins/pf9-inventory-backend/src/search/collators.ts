import { Readable } from 'node:stream';
import {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import {
  pf9Permissions,
  RestoreConfig,
  RestoreJobSummary,
  SnapshotRun,
} from '@internal/plugin-pf9-common';
import { entityRefOf, CatalogSourceResource } from '../catalog/entities';
import { Pf9Reader } from '../catalog/pf9Reader';
import { scopedResourceRefOf } from '../inventory/scopedResources';

export const PF9_RESOURCE_DOCUMENT_TYPE = 'pf9-resource';
export const PF9_SYNC_RUN_DOCUMENT_TYPE = 'pf9-sync-run';
export const PF9_SNAPSHOT_RUN_DOCUMENT_TYPE = 'pf9-snapshot-run';
export const PF9_RESTORE_JOB_DOCUMENT_TYPE = 'pf9-restore-job';

/** How many of the newest runs and jobs per cloud are indexed. */
const RECENT = 200;

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

/** Documents for the newest `RECENT` items of a pf9 list endpoint, per cloud. */
abstract class RecentItemsCollatorFactory<T>
  implements DocumentCollatorFactory
{
  abstract readonly type: string;
  abstract readonly visibilityPermission: DocumentCollatorFactory['visibilityPermission'];
  protected abstract readonly path: string;
  protected abstract toDocument(item: T): IndexableDocument;

  constructor(
    protected readonly options: { reader: Pf9Reader; cloudIds: string[] },
  ) {}

  /** false when the area is switched off and its list would answer 503 */
  protected async available(): Promise<boolean> {
    return true;
  }

  async getCollator(): Promise<Readable> {
    return Readable.from(this.documents());
  }

  private async *documents(): AsyncGenerator<IndexableDocument> {
    if (!(await this.available())) return;
    const { reader, cloudIds } = this.options;
    for (const cloudId of cloudIds) {
      const { items } = await reader.get<{ items: T[] }>(this.path, {
        cloudId,
        page: 1,
        pageSize: RECENT,
      });
      for (const item of items) yield this.toDocument(item);
    }
  }
}

/** Search documents for recent sync runs, so "failed sync" and a type name find them. */
export class Pf9SyncRunCollatorFactory extends RecentItemsCollatorFactory<SyncRun> {
  readonly type = PF9_SYNC_RUN_DOCUMENT_TYPE;
  readonly visibilityPermission = pf9Permissions.inventoryRead;
  protected readonly path = '/inventory/runs';

  protected toDocument(run: SyncRun): IndexableDocument {
    const notComplete = run.types.filter(t => t.status !== 'complete');
    return {
      title: `Inventory sync of ${run.cloudId} at ${run.startedAt}: ${run.status}`,
      text: [
        run.status,
        run.trigger,
        run.triggeredBy,
        ...notComplete.map(t => `${t.type} ${t.status} ${t.error ?? ''}`),
      ].join(' '),
      location: `/pf9/runs?run=${encodeURIComponent(run.id)}`,
    };
  }
}

/** Search documents for recent snapshot cycles, so "failed snapshot run" or a policy name finds them. */
export class Pf9SnapshotRunCollatorFactory extends RecentItemsCollatorFactory<SnapshotRun> {
  readonly type = PF9_SNAPSHOT_RUN_DOCUMENT_TYPE;
  readonly visibilityPermission = pf9Permissions.snapshotsRead;
  protected readonly path = '/snapshots/runs';

  protected toDocument(run: SnapshotRun): IndexableDocument {
    const { counts } = run;
    return {
      title: `Snapshot cycle of ${run.cloudId} at ${run.startedAt}: ${run.status}`,
      text: [
        run.status,
        run.trigger,
        run.triggeredBy,
        run.dryRun ? 'dry-run' : '',
        ...(run.policies ?? []),
        `created ${counts.created} deleted ${counts.deleted} failed ${counts.failed}`,
        run.errorSummary ?? '',
      ].join(' '),
      location: `/pf9/snapshots?run=${encodeURIComponent(run.id)}`,
    };
  }
}

/** Search documents for restore jobs, found by server name or id, status, mode and the people involved. */
export class Pf9RestoreJobCollatorFactory extends RecentItemsCollatorFactory<RestoreJobSummary> {
  readonly type = PF9_RESTORE_JOB_DOCUMENT_TYPE;
  readonly visibilityPermission = pf9Permissions.restoreRead;
  protected readonly path = '/restore/jobs';

  // every restore route but /config answers 503 while restore is off (RST-1)
  protected async available(): Promise<boolean> {
    const config = await this.options.reader.get<RestoreConfig>(
      '/restore/config',
    );
    return config.enabled;
  }

  protected toDocument(job: RestoreJobSummary): IndexableDocument {
    return {
      title: `Restore of ${job.serverName} (${job.mode}): ${job.status}`,
      text: [
        job.serverName,
        job.serverId,
        job.status,
        job.mode,
        job.ipStrategy,
        job.dryRun ? 'dry-run' : '',
        job.createdBy,
        job.executedBy ?? '',
        job.canceledBy ?? '',
        job.resultServerId ?? '',
        job.error ?? '',
      ].join(' '),
      location: `/pf9-restore/jobs/${encodeURIComponent(job.id)}`,
    };
  }
}
