/**
 * The sync engine (SPEC §1.1): claims the cloud, collects every type, enriches, writes each type in its
 * own transaction, and always finalises the run record.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import type { CloudConfig } from '../config';
import {
  OpenStackClient,
  OpenStackClientOptions,
  OpenStackLogger,
  KeystoneRoleAssignment,
  OpenStackNotFoundError,
  createOpenStackClient,
} from '../openstack';
import type { AuditLog } from '../store/audit';
import { collectAll, describeError } from './collectors';
import { ENRICHMENT_SOURCES, StoredOwner, enrich } from './enrich';
import { RunStore } from './runs';
import {
  CollectedType,
  INVENTORY_TYPES,
  InventoryRun,
  InventoryType,
  RunStatus,
  RunTrigger,
  TypeOutcome,
} from './types';
import { WriteBacklog } from './writeBacklog';
import { VerifyResult, writeType } from './writer';

export interface InventoryEngineSettings {
  /** the task timeout; a run `running` for more than twice this is interrupted by the next run */
  timeoutMs: number;
  guard: { minCount: number; fraction: number };
  verifyLimit: number;
  /** types written at once, each in its own transaction on its own connection */
  writeConcurrency: number;
  /** resources of listed types waiting for the store above which the listing pauses (memory bound) */
  writeBacklogLimit: number;
}

export const DEFAULT_ENGINE_SETTINGS: InventoryEngineSettings = {
  timeoutMs: 30 * 60_000,
  guard: { minCount: 10, fraction: 0.2 },
  verifyLimit: 500,
  writeConcurrency: 2,
  writeBacklogLimit: 40_000,
};

export interface InventoryEngineOptions {
  db: Knex;
  clouds: CloudConfig[];
  logger: LoggerService;
  audit?: AuditLog;
  settings?: Partial<InventoryEngineSettings>;
  /** builds the per-run client (tests pass fast retries and short timeouts) */
  clientFactory?: (
    cloud: CloudConfig,
    options: Pick<OpenStackClientOptions, 'beforeSend'>,
  ) => OpenStackClient;
}

export class InventorySyncEngine {
  readonly runs: RunStore;
  readonly settings: InventoryEngineSettings;
  private readonly inFlight = new Map<string, Promise<InventoryRun>>();

  constructor(private readonly options: InventoryEngineOptions) {
    this.runs = new RunStore(options.db);
    this.settings = { ...DEFAULT_ENGINE_SETTINGS, ...(options.settings ?? {}) };
  }

  cloudIds(): string[] {
    return this.options.clouds.map(c => c.id);
  }

  private cloud(cloudId: string): CloudConfig {
    const cloud = this.options.clouds.find(c => c.id === cloudId);
    if (!cloud) throw new NotFoundError(`No cloud '${cloudId}' is configured`);
    return cloud;
  }

  /**
   * Claims the cloud (409 SyncAlreadyRunningError while another sync runs, in any instance) and runs
   * the sync in the background. `done` settles with the finalised run.
   */
  async start(
    cloudId: string,
    trigger: RunTrigger,
    triggeredBy: string,
  ): Promise<{ runId: string; done: Promise<InventoryRun> }> {
    const cloud = this.cloud(cloudId);
    const run = await this.runs.claim({
      cloudId,
      trigger,
      triggeredBy,
      timeoutMs: this.settings.timeoutMs,
    });
    const done = this.execute(cloud, run.id).finally(() =>
      this.inFlight.delete(run.id),
    );
    this.inFlight.set(run.id, done);
    return { runId: run.id, done };
  }

  /** Claims and runs to the end (the scheduler task). */
  async run(
    cloudId: string,
    trigger: RunTrigger,
    triggeredBy: string,
  ): Promise<InventoryRun> {
    return (await this.start(cloudId, trigger, triggeredBy)).done;
  }

  /** INV-19 rule 4 for a cloud, outside a run (approval of a guarded batch, INV-21). */
  verifier(
    cloudId: string,
  ): (type: InventoryType, id: string) => Promise<VerifyResult> {
    const client = this.client(this.cloud(cloudId), {});
    return (type, id) => verifyGone(client, type, id);
  }

  private client(
    cloud: CloudConfig,
    options: Pick<OpenStackClientOptions, 'beforeSend'>,
  ): OpenStackClient {
    return this.options.clientFactory
      ? this.options.clientFactory(cloud, options)
      : createOpenStackClient(cloud, {
          ...options,
          logger: openStackLogger(this.options.logger),
        });
  }

  /** Waits for the syncs this instance started (tests, shutdown). */
  async whenIdle(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async execute(
    cloud: CloudConfig,
    runId: string,
  ): Promise<InventoryRun> {
    const { db, logger } = this.options;
    const outcomes: TypeOutcome[] = [];
    let status: Exclude<RunStatus, 'running'> = 'failed';
    let error: string | null = null;
    try {
      const backlog = new WriteBacklog(this.settings.writeBacklogLimit);
      const client = this.client(cloud, { beforeSend: () => backlog.room() });
      // GET verification runs inside the writes the backlog waits for: never held back itself
      const verifier = this.client(cloud, {});
      // authentication and catalog first: their failure fails the run (INV-2)
      await client.isAdmin();

      const stored = await this.storedOwners(cloud.id);
      const knownKeypairUserIds = (
        await db('inventory_resources')
          .where({ cloud_id: cloud.id, type: 'keypair', deleted: false })
          .select('key_fields')
      ).map(r => String(JSON.parse(r.key_fields).user_id));
      const written = await this.collectAndWrite(
        { client, verifier, backlog },
        cloud.id,
        runId,
        { knownKeypairUserIds, stored },
      );
      outcomes.push(...written.outcomes);
      if (written.error) throw written.error;
      for (const o of outcomes.filter(x => x.status === 'complete_guarded')) {
        logger.error(
          `inventory_deletion_guard: ${o.type} of cloud ${cloud.id} would delete ${o.deletions?.candidates} (threshold ${o.deletions?.guarded?.threshold}); nothing deleted`,
        );
        await this.options.audit
          ?.record({
            eventId: 'inventory_deletion_guard',
            actor: 'system:pf9-inventory-sync',
            severity: 'critical',
            target: { type: o.type, id: runId },
            outcome: 'fail',
            error: new Error('mass-deletion guard tripped'),
            details: {
              cloudId: cloud.id,
              runId,
              type: o.type,
              threshold: o.deletions?.guarded?.threshold ?? 0,
              candidateIds: o.deletions?.guarded?.candidateIds ?? [],
            },
          })
          .catch(e =>
            logger.warn(`inventory: audit of the guard failed: ${e}`),
          );
      }
      const completeTypes = outcomes.filter(
        o => o.status === 'complete' || o.status === 'complete_guarded',
      );
      if (completeTypes.length === 0) status = 'failed';
      else if (completeTypes.length === outcomes.length) status = 'succeeded';
      else status = 'partial';
    } catch (e) {
      status = 'failed';
      error = describeError(e);
      logger.error(`inventory: sync of cloud ${cloud.id} failed: ${error}`);
    } finally {
      const deletionStats = {
        recorded: outcomes.reduce(
          (n, o) => n + (o.deletions?.recorded ?? 0),
          0,
        ),
        verifiedByGet: outcomes.reduce(
          (n, o) => n + (o.deletions?.verifiedByGet ?? 0),
          0,
        ),
        guardedTypes: outcomes
          .filter(o => o.status === 'complete_guarded')
          .map(o => o.type),
      };
      try {
        await this.runs.finish(runId, {
          status,
          types: outcomes,
          deletionStats,
          error,
        });
      } catch (e) {
        logger.error(
          `inventory: could not finalise run ${runId}: ${describeError(e)}`,
        );
      }
    }
    return (await this.runs.get(runId))!;
  }

  /**
   * Collects every type and writes each one as soon as it and the listings its enrichment reads are
   * collected (enrich.ts ENRICHMENT_SOURCES), a few types at a time (each in its own transaction), while
   * the other listings go on. A written type's resources are released once no type left to enrich
   * reads them. Outcomes keep INV-3 order and are saved after each type. If collecting throws, the
   * types already written keep their outcomes and the error is returned.
   */
  private async collectAndWrite(
    clients: {
      client: OpenStackClient;
      verifier: OpenStackClient;
      backlog: WriteBacklog;
    },
    cloudId: string,
    runId: string,
    known: {
      knownKeypairUserIds: string[];
      stored: Awaited<ReturnType<InventorySyncEngine['storedOwners']>>;
    },
  ): Promise<{ outcomes: TypeOutcome[]; error?: unknown }> {
    const { db, logger } = this.options;
    const { client, verifier, backlog } = clients;
    const types = new Map<InventoryType, CollectedType>();
    let effectiveAssignments: KeystoneRoleAssignment[] | null = null;
    /** types not enriched yet (including those not collected yet) */
    const toEnrich = new Set<InventoryType>(INVENTORY_TYPES);
    const released = new Set<InventoryType>();
    const written: Array<TypeOutcome | undefined> = INVENTORY_TYPES.map(
      () => undefined,
    );
    let saving = Promise.resolve();
    const save = () => {
      const snapshot = written.filter((o): o is TypeOutcome => !!o);
      saving = saving.then(() => this.runs.saveOutcomes(runId, snapshot));
      return saving;
    };
    const verify = (type: InventoryType, id: string) =>
      verifyGone(verifier, type, id);

    /** drops the resources of written types that no type left to enrich reads */
    const release = () => {
      for (const [type, t] of types) {
        if (released.has(type) || !written[INVENTORY_TYPES.indexOf(type)])
          continue;
        const read = [...toEnrich].some(other =>
          (ENRICHMENT_SOURCES[other] ?? []).includes(type),
        );
        if (read) continue;
        t.resources = [];
        released.add(type);
      }
    };

    const writeOne = async (type: InventoryType) => {
      const index = INVENTORY_TYPES.indexOf(type);
      const t = types.get(type)!;
      try {
        written[index] = await writeType(db, cloudId, runId, t, {
          guard: this.settings.guard,
          verifyLimit: this.settings.verifyLimit,
          verify,
        });
      } catch (e) {
        // one type's write failure never rolls back the others (INV-3, PIT-6)
        logger.error(
          `inventory: writing ${type} of cloud ${cloudId} failed: ${describeError(
            e,
          )}`,
        );
        written[index] = {
          type,
          status: 'failed',
          count: t.resources.length,
          pages: t.pages,
          durationMs: t.durationMs,
          error: `store: ${describeError(e)}`,
        };
      }
      for (const r of t.resources) r.raw = null;
      backlog.written(t.resources.length);
      release();
      await save();
    };
    const writes = boundedQueue(this.settings.writeConcurrency, writeOne);

    /** enriches and queues the collected types whose sources are collected (all of them at the end) */
    const schedule = (final: boolean) => {
      const ready = [...toEnrich].filter(
        type =>
          types.has(type) &&
          (final ||
            (ENRICHMENT_SOURCES[type] ?? []).every(source =>
              types.has(source),
            )),
      );
      if (!ready.length) return;
      for (const type of ready) toEnrich.delete(type);
      enrich({
        types,
        effectiveAssignments,
        ...known.stored,
        only: new Set(ready),
      });
      for (const type of ready) {
        backlog.added(types.get(type)!.resources.length);
        writes.push(type);
      }
    };

    let error: unknown;
    const started = Date.now();
    try {
      const collected = await collectAll(client, {
        knownKeypairUserIds: known.knownKeypairUserIds,
        onType: (t, effective) => {
          types.set(t.type, t);
          effectiveAssignments = effective;
          schedule(false);
        },
      });
      effectiveAssignments = collected.effectiveAssignments;
      logger.info(
        `inventory: cloud ${cloudId} listed in ${Date.now() - started} ms`,
      );
      schedule(true);
    } catch (e) {
      error = e;
    }
    // a failed save of the outcomes fails the run, after the writes in flight are done
    await writes.drained().catch(e => {
      error ??= e;
    });
    await saving.catch(e => {
      error ??= e;
    });
    // types never collected (their service is absent) are skipped
    for (const [index, type] of INVENTORY_TYPES.entries()) {
      if (written[index] || error) continue;
      written[index] = {
        type,
        status: 'skipped',
        count: 0,
        pages: 0,
        durationMs: 0,
      };
    }
    return {
      outcomes: written.filter((o): o is TypeOutcome => !!o),
      ...(error ? { error } : {}),
    };
  }

  private async storedOwners(cloudId: string) {
    const rows = await this.options
      .db('inventory_resources')
      .where({ cloud_id: cloudId })
      .whereIn('type', ['project', 'domain', 'user'])
      .select('type', 'id', 'name', 'domain_id', 'deleted');
    const maps = {
      storedProjects: new Map<string, StoredOwner>(),
      storedDomains: new Map<string, StoredOwner>(),
      storedUsers: new Map<string, StoredOwner>(),
    };
    for (const r of rows) {
      const owner = {
        name: r.name,
        domainId: r.domain_id,
        deleted: !!r.deleted,
      };
      if (r.type === 'project') maps.storedProjects.set(r.id, owner);
      else if (r.type === 'domain') maps.storedDomains.set(r.id, owner);
      else maps.storedUsers.set(r.id, owner);
    }
    return maps;
  }
}

/** The client's logger interface takes free-form meta; Backstage's takes JSON: pass messages only. */
function openStackLogger(logger: LoggerService): OpenStackLogger {
  return {
    debug: m => logger.debug(m),
    info: m => logger.info(m),
    warn: m => logger.warn(m),
    error: m => logger.error(m),
  };
}

/** INV-19 rule 4: only a 404 on a direct GET confirms a deletion; anything else keeps the resource. */
export async function verifyGone(
  client: OpenStackClient,
  type: InventoryType,
  id: string,
): Promise<VerifyResult> {
  try {
    switch (type) {
      case 'server':
        await client.compute.getServer(id);
        break;
      case 'volume':
        await client.blockStorage.getVolume(id);
        break;
      case 'volume_snapshot':
        await client.blockStorage.getSnapshot(id);
        break;
      case 'image':
        await client.image.getImage(id);
        break;
      case 'port':
        await client.network.getPort(id);
        break;
      case 'network':
        await client.network.getNetwork(id);
        break;
      default:
        return 'unknown';
    }
    return 'present';
  } catch (e) {
    return e instanceof OpenStackNotFoundError ? 'gone' : 'unknown';
  }
}

/**
 * Runs `work` for each pushed item, at most `limit` at a time. `drained()` waits for all of them and
 * throws the first error, if any (one failure does not stop the others).
 */
function boundedQueue<T>(limit: number, work: (item: T) => Promise<void>) {
  const waiting: T[] = [];
  const running = new Set<Promise<void>>();
  const failures: unknown[] = [];
  const recordFailure = (error: unknown) => {
    failures.push(error);
  };
  const pump = () => {
    while (running.size < limit && waiting.length) {
      const p: Promise<void> = work(waiting.shift()!)
        .catch(recordFailure)
        .finally(() => {
          running.delete(p);
          pump();
        });
      running.add(p);
    }
  };
  return {
    push(item: T) {
      waiting.push(item);
      pump();
    },
    async drained() {
      while (running.size) await Promise.all([...running]);
      if (failures.length) throw failures[0];
    },
  };
}
