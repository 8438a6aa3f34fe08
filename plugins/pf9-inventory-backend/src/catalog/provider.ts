import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  CatalogMappingOptions,
  CatalogSourceResource,
  entityRefOf,
  toEntity,
} from './entities';
import { Pf9Reader } from './pf9Reader';

interface RunSummary {
  id: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  types: Array<{ type: string; status: string }>;
}

type RunChange =
  | { change: 'upserted'; resource: CatalogSourceResource }
  | { change: 'deleted'; type: string; id: string };

/** How many recent runs are read to find the ones not applied yet. */
const RECENT_RUNS = 50;

/**
 * Mirrors one cloud's domains, projects and configured resource types into the catalog (SPEC INV-23).
 * A full mutation is sent only from a run in which every emitted type was complete; after that, each
 * finished run is applied as a delta of what it changed, so a run that changed nothing sends nothing.
 */
export class Pf9EntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  /** The last run applied; without one (a fresh start, or another replica) the next refresh is full. */
  private appliedRun?: RunSummary;

  constructor(
    private readonly options: {
      cloudId: string;
      /** Emitted types besides domain and project. */
      types: string[];
      mapping: CatalogMappingOptions;
      reader: Pf9Reader;
      logger: LoggerService;
    },
  ) {}

  getProviderName(): string {
    return `pf9-${this.options.cloudId}`;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
  }

  private get emittedTypes(): string[] {
    return ['domain', 'project', ...this.options.types];
  }

  /** Applies what is new since the last refresh; returns the mutation sent, if any, for logging and tests. */
  async refresh(): Promise<'full' | 'delta' | 'none'> {
    if (!this.connection) {
      throw new Error(`${this.getProviderName()} is not connected`);
    }
    const runs = await this.finishedRunsNewestFirst();
    if (!this.appliedRun) {
      return this.applyFull(runs);
    }
    const pending = runs
      .filter(run => run.startedAt > this.appliedRun!.startedAt)
      .reverse();
    let sent: 'delta' | 'none' = 'none';
    for (const run of pending) {
      if (await this.applyDelta(run)) sent = 'delta';
      this.appliedRun = run;
    }
    return sent;
  }

  private async finishedRunsNewestFirst(): Promise<RunSummary[]> {
    const page = await this.options.reader.get<{ items: RunSummary[] }>(
      '/inventory/runs',
      {
        cloudId: this.options.cloudId,
        page: 1,
        pageSize: RECENT_RUNS,
      },
    );
    return page.items.filter(run => run.finishedAt !== null);
  }

  private async applyFull(runs: RunSummary[]): Promise<'full' | 'none'> {
    const complete = runs.find(run =>
      this.emittedTypes.every(type =>
        run.types.some(
          outcome => outcome.type === type && outcome.status === 'complete',
        ),
      ),
    );
    if (!complete) {
      this.options.logger.info(
        `No run of cloud ${this.options.cloudId} listed every catalog type completely; catalog left as it is`,
      );
      return 'none';
    }
    const entities: Entity[] = [];
    for (const type of this.emittedTypes) {
      for await (const resource of this.options.reader.all<CatalogSourceResource>(
        `/inventory/resources/${type}`,
        { cloudId: this.options.cloudId, sort: 'id' },
      )) {
        entities.push(toEntity(resource, this.options.mapping));
      }
    }
    await this.connection!.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: this.getProviderName(),
      })),
    });
    // Runs after the complete one are applied as deltas by the next refresh.
    this.appliedRun = complete;
    return 'full';
  }

  private async applyDelta(run: RunSummary): Promise<boolean> {
    const added: Entity[] = [];
    const removed: string[] = [];
    for await (const change of this.options.reader.all<RunChange>(
      `/inventory/runs/${encodeURIComponent(run.id)}/changes`,
      { types: this.emittedTypes.join(',') },
    )) {
      if (change.change === 'upserted') {
        added.push(toEntity(change.resource, this.options.mapping));
      } else {
        removed.push(
          entityRefOf({
            cloudId: this.options.cloudId,
            type: change.type,
            id: change.id,
          }),
        );
      }
    }
    if (added.length === 0 && removed.length === 0) {
      return false;
    }
    await this.connection!.applyMutation({
      type: 'delta',
      added: added.map(entity => ({
        entity,
        locationKey: this.getProviderName(),
      })),
      removed: removed.map(entityRef => ({
        entityRef,
        locationKey: this.getProviderName(),
      })),
    });
    return true;
  }
}
