/**
 * The snapshot cycle (SPEC SNAP-12 – SNAP-17, SNAP-20 – SNAP-22, SNAP-24, SNAP-25, SNAP-27).
 *
 * One run per cloud: read volumes and snapshots live, follow up earlier creates, decide per protected
 * (volume, policy) pair whether its period needs a snapshot, check quota, create in the volume's own
 * project with a token scoped to it, then apply retention to our own snapshots only. A dry-run uses
 * the client's read-only mode and writes only its run record and `simulated_*` records (COM-8).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import type { CloudConfig, SnapshotCredentialsConfig } from '../config';
import {
  CinderSnapshot,
  CinderVolume,
  createOpenStackClient,
  mapWithConcurrency,
  OpenStackClient,
  OpenStackError,
  quotaHeadroom,
  ResolvedCloud,
} from '../openstack';
import {
  ObservedSnapshot,
  recordObservedSnapshots,
  snapshotRunRef,
} from '../inventory/observed';
import { replaceAssignments, StoredPair } from './assignments';
import {
  createdAtMs,
  CREATED_BY,
  isManaged,
  LiveCloud,
  ManagedSnapshotIndex,
  MANAGED_BY,
  newestFirst,
  readLiveCloud,
  volumeProjectId,
  volumeFacts,
  volumeServerId,
  VolumeListingError,
} from './live';
import { AssignmentStore } from './assignmentStore';
import { PairAssignment } from './metadata';
import { resolveAssignment } from './resolve';
import { listOrphans } from './orphans';
import type { Scope } from '../inventory/query';
import { snapshotName } from './naming';
import { PolicyStore, SnapshotPolicy } from './policies';
import {
  listGrants,
  ProjectCredentials,
  revokeGrants,
  revokeUnusedGrants,
  RoleGrant,
} from './credentials';
import {
  attemptKey,
  RecordInput,
  RunCounts,
  RunStatus,
  RunTrigger,
  SnapshotRun,
  SnapshotRunStore,
} from './runs';
import { latestStartedPeriod, openWindow, Period } from './schedule';

export interface SnapshotCycleSettings {
  /** a run still running after twice this is failed as interrupted (SNAP-24) */
  timeoutMs: number;
  /** SNAP-16: further pairs are deferred */
  maxNewPerRun: number;
  /** SNAP-16: larger volumes are skipped (size_limit) */
  maxVolumeSizeGb?: number;
  /** SNAP-16: creates in flight */
  createConcurrency: number;
  /** SNAP-10: unmarked owner metadata counts as rule-managed */
  adoptUnmarkedMetadata: boolean;
  /** SNAP-18 */
  credentials: SnapshotCredentialsConfig;
  /** SNAP-23: volumes per batch and the pause between batches */
  batchSize: number;
  batchDelayMs: number;
  /** SNAP-22: delete the oldest of a full pair's snapshots when quota blocks its create */
  rotateBeforeCreateWhenQuotaBlocked: boolean;
}

export const DEFAULT_CYCLE_SETTINGS: SnapshotCycleSettings = {
  timeoutMs: 30 * 60_000,
  maxNewPerRun: 200,
  createConcurrency: 4,
  adoptUnmarkedMetadata: false,
  credentials: { mode: 'projectScopedAdmin' },
  batchSize: 20,
  batchDelayMs: 5000,
  rotateBeforeCreateWhenQuotaBlocked: false,
};

export interface CycleRequest {
  dryRun?: boolean;
  /** limit the run to these policies */
  policies?: string[];
  /** on demand: also create for a period whose window already closed (SNAP-3) */
  catchUp?: boolean;
}

export interface SnapshotCycleOptions {
  db: Knex;
  clouds: CloudConfig[];
  logger: LoggerService;
  settings?: Partial<SnapshotCycleSettings>;
  /** builds the admin client (a CloudConfig) and project-scoped ones (a ResolvedCloud) */
  clientFactory?: (
    cloud: CloudConfig | ResolvedCloud,
    options: { readOnly: boolean },
  ) => OpenStackClient;
  /** called after every finished run that was not a dry-run (the compliance evaluation) */
  onFinished?: (run: SnapshotRun) => Promise<void>;
  now?: () => Date;
}

/** A snapshot still `creating` this long after its create raises a warning (SNAP-15). */
const CREATING_WARN_MS = 6 * 3600_000;
/** Managed snapshots in `error` are deleted after this long (SNAP-15 zombie cleanup). */
const ZOMBIE_AFTER_MS = 3600_000;
const MAX_ATTEMPTS = 3;
const QUOTA_READS_IN_FLIGHT = 8;
const MAX_DELETE_FAILURES = 3;
/** records stored by one insert when they pile up between two bookkeeping points */
const RECORDS_PER_INSERT = 1000;
/** SNAP-24: a create (without a pause between batches) or a cleanup starts on a cancel read at most this old */
const CANCEL_READ_MAX_AGE_MS = 1000;
/** SNAP-23: without a pause between batches, records and progress are written at most this often */
const BOOKKEEPING_EVERY_MS = 1000;
/**
 * SNAP-25: observed snapshots go to the inventory with the run's bookkeeping (after each batch with a
 * pause, at most once a second without one), or as soon as this many wait; one transaction each time
 */
const OBSERVED_PER_UPSERT = 1000;
const TRANSITIONAL_OR_FAILED = new Set(['error', 'deleting', 'error_deleting']);

interface PairContext {
  volume: CinderVolume;
  policy: SnapshotPolicy;
  pair: PairAssignment;
  owner: Omit<RecordInput, 'action'>;
  ours: CinderSnapshot[];
  period?: Period;
}

export { projectScopedCloud } from './credentials';

/** `keep=true` protects a managed snapshot from retention, zombie cleanup and rotation. */
function isKept(s: CinderSnapshot): boolean {
  return String(s.metadata?.keep ?? '').toLowerCase() === 'true';
}

interface Admitted {
  p: PairContext;
  quotaUnknown: boolean;
}

interface Batchable {
  p: { volume: { id: string }; owner: { projectId?: string | null } };
}

/**
 * SNAP-23: projects smallest first (by volume count), packed into batches of at most `size` volumes;
 * a project is split only when it alone is larger than `size`, and then gets batches of its own.
 */
export function packBatches<T extends Batchable>(
  items: T[],
  size: number,
): T[][] {
  const byProject = new Map<string, T[]>();
  for (const item of items) {
    const key = item.p.owner.projectId ?? '';
    const list = byProject.get(key);
    if (list) list.push(item);
    else byProject.set(key, [item]);
  }
  const volumes = (list: T[]) => new Set(list.map(i => i.p.volume.id)).size;
  const projects = [...byProject.entries()].sort(
    ([ka, a], [kb, b]) => volumes(a) - volumes(b) || (ka < kb ? -1 : 1),
  );
  const batches: T[][] = [];
  let open: T[] = [];
  for (const [, list] of projects) {
    const n = volumes(list);
    if (n > size) {
      if (open.length) batches.push(open);
      open = [];
      for (let i = 0; i < list.length; i += size) {
        batches.push(list.slice(i, i + size));
      }
      continue;
    }
    if (open.length && volumes(open) + n > size) {
      batches.push(open);
      open = [];
    }
    open = open.concat(list);
  }
  if (open.length) batches.push(open);
  return batches;
}

/** SNAP-16: the admitted volumes of one batch, grouped by server (a server's volumes go back to back). */
function serverGroups(batch: Admitted[]): Admitted[][] {
  const byServer = new Map<string, Admitted[]>();
  for (const a of batch) {
    const key = a.p.owner.serverId ?? `volume:${a.p.volume.id}`;
    const group = byServer.get(key);
    if (group) group.push(a);
    else byServer.set(key, [a]);
  }
  return [...byServer.values()];
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What one run needs from its engine. */
interface CycleDeps {
  db: Knex;
  logger: LoggerService;
  settings: SnapshotCycleSettings;
  policies: PolicyStore;
  runs: SnapshotRunStore;
  now: () => Date;
  client: (
    cloud: CloudConfig | ResolvedCloud,
    readOnly: boolean,
  ) => OpenStackClient;
}

/** One run's work; lives only for that run. */
class Cycle {
  private observations: Promise<void> = Promise.resolve();
  /** observed creates and delete requests not handed to the inventory yet (SNAP-25) */
  private observed: ObservedSnapshot[] = [];
  private credentials!: ProjectCredentials;
  private live!: LiveCloud;
  /** records not stored yet; flushed with the bookkeeping, when RECORDS_PER_INSERT wait, and at the end */
  private pending: RecordInput[] = [];
  /** the record inserts in order (flush) */
  private recordWrites: Promise<void> = Promise.resolve();
  private admin!: OpenStackClient;
  private readonly startedAt: Date;
  /** SNAP-24: set once a cancel request was seen; nothing further is created or deleted */
  canceled = false;
  private cancelRead?: { at: number; answer: Promise<boolean> };
  /** when the batch records and progress were last written (performance.now) */
  private bookkeptAt = 0;

  constructor(
    private readonly x: CycleDeps,
    private readonly cloud: CloudConfig,
    private readonly run: SnapshotRun,
    private readonly counts: RunCounts,
    private readonly errors: string[],
  ) {
    this.startedAt = this.x.now();
  }

  private async record(input: RecordInput): Promise<void> {
    switch (input.action) {
      case 'created':
      case 'simulated_create':
        this.counts.created++;
        break;
      case 'deleted':
      case 'already_absent':
      case 'simulated_delete':
        this.counts.deleted++;
        break;
      case 'skipped':
        this.counts.skipped++;
        break;
      case 'deferred':
        this.counts.deferred++;
        break;
      case 'quota_blocked':
        this.counts.quotaBlocked++;
        break;
      default:
        this.counts.failed++;
        this.errors.push(
          `${input.action} ${input.volumeId}/${input.policy ?? '-'}: ${
            input.reason ?? ''
          }`,
        );
    }
    // COM-8: a dry-run persists only what it would have done
    if (
      this.run.dryRun &&
      input.action !== 'simulated_create' &&
      input.action !== 'simulated_delete'
    ) {
      return;
    }
    this.pending.push(input);
    // written behind the creates: a create slot never waits for the records' insert
    if (this.pending.length >= RECORDS_PER_INSERT) void this.flush();
  }

  /**
   * Hands the pending records to the writes in order and resolves when every record handed so far is
   * stored; the first failed insert fails every later flush, and so the run.
   */
  private flush(): Promise<void> {
    const records = this.pending;
    this.pending = [];
    if (records.length) {
      this.recordWrites = this.recordWrites.then(() =>
        this.x.runs.addRecords(this.run, records),
      );
      // a failure is reported to whoever awaits a later flush (at the latest the end of the run)
      this.recordWrites.catch(() => {});
    }
    return this.recordWrites;
  }

  async execute(): Promise<{ anyWindow: boolean }> {
    try {
      return await this.executeSteps();
    } finally {
      await this.flush();
      this.observePending();
      await this.observations;
    }
  }

  private async executeSteps(): Promise<{ anyWindow: boolean }> {
    this.admin = this.x.client(this.cloud, this.run.dryRun);
    this.credentials = new ProjectCredentials({
      db: this.x.db,
      cloud: this.cloud,
      config: this.x.settings.credentials,
      admin: this.admin,
      client: c => this.x.client(c, false),
      runId: this.run.id,
      now: this.x.now,
    });
    // a missing service user fails the run before anything happens (SNAP-18)
    await this.credentials.prepare();
    const all = await this.x.policies.list();
    const policyMap = new Map(all.map(p => [p.name, p]));
    const selected = this.run.policies ? new Set(this.run.policies) : null;
    // SNAP-8: rules, manual assignments and exclusions as stored now, the metadata as listed now
    const sources = await new AssignmentStore(this.x.db).sources(
      this.run.cloudId,
      { adoptUnmarkedMetadata: this.x.settings.adoptUnmarkedMetadata },
    );
    try {
      this.live = await readLiveCloud(this.admin);
    } catch (e) {
      if (e instanceof VolumeListingError) throw e;
      throw new VolumeListingError(String(e));
    }
    if (!this.run.dryRun && this.live.snapshotsComplete) {
      await this.followUp();
    }

    const now = this.startedAt;
    const pairs: PairContext[] = [];
    const periods = new Map<string, Period | undefined>();
    const managed = new ManagedSnapshotIndex(this.live.snapshots);
    const stored: StoredPair[] = [];
    let anyWindow = false;
    for (const volume of this.live.volumes) {
      const assignment = resolveAssignment(
        volumeFacts(volume, this.live),
        sources,
        policyMap,
        now,
      );
      if (!assignment.enabled) continue;
      const owner = this.ownerOf(volume);
      if (assignment.misconfigured) {
        await this.record({
          ...owner,
          action: 'skipped',
          reason: `misconfigured:${assignment.misconfigured}`,
        });
        continue;
      }
      for (const pair of assignment.pairs) {
        const policy = policyMap.get(pair.policy);
        if (policy) {
          stored.push({
            volumeId: volume.id,
            policy: policy.name,
            source: assignment.source,
            projectId: owner.projectId ?? null,
            domainId: owner.domainId ?? null,
          });
        }
        if (selected && !selected.has(pair.policy)) continue;
        if (
          !policy ||
          pair.misconfigured === 'unknown_policy' ||
          pair.misconfigured === 'policy_disabled'
        ) {
          await this.record({
            ...owner,
            policy: pair.policy,
            action: 'skipped',
            reason: `misconfigured:${pair.misconfigured}`,
          });
          continue;
        }
        // one window per policy: every pair of a policy shares `now`
        if (!periods.has(policy.name)) {
          periods.set(
            policy.name,
            openWindow(policy, now) ??
              (this.run.catchUp ? latestStartedPeriod(policy, now) : undefined),
          );
        }
        const period = periods.get(policy.name);
        if (period) anyWindow = true;
        pairs.push({
          volume,
          policy,
          pair,
          owner: { ...owner, policy: policy.name, retention: pair.retention },
          ours: managed.of(volume.id, policy.name),
          period,
        });
      }
    }
    // the stored pairs and the grant housekeeping touch nothing the creates read: written beside them
    const housekeeping = (
      this.run.dryRun
        ? Promise.resolve()
        : replaceAssignments(this.x.db, this.run.cloudId, stored, now).then(
            () => this.revokeUnusedGrants(stored),
          )
    ).then(
      () => undefined,
      (e: unknown) => e ?? new Error('storing the assignments failed'),
    );

    const created = await this.createStep(pairs.filter(p => p.period)).then(
      () => undefined,
      (e: unknown) => e ?? new Error('the create step failed'),
    );
    const housekept = await housekeeping;
    // a failed create step is the error reported, else a failed housekeeping
    if (created !== undefined) throw created;
    if (housekept !== undefined) throw housekept;
    await this.cleanupStep(pairs);
    return { anyWindow };
  }

  /** SNAP-19: our grants on projects without a protected volume for `revokeUnusedAfterDays` go. */
  private async revokeUnusedGrants(stored: StoredPair[]): Promise<void> {
    const config = this.x.settings.credentials;
    if (config.mode !== 'serviceUser' || !config.revokeUnusedAfterDays) return;
    const protectedProjects = new Set(
      stored.flatMap(p => (p.projectId ? [p.projectId] : [])),
    );
    try {
      const { revoked, failed } = await revokeUnusedGrants(
        this.x.db,
        this.admin,
        this.run.cloudId,
        protectedProjects,
        this.startedAt,
        config.revokeUnusedAfterDays,
      );
      for (const g of revoked)
        this.x.logger.info(
          `snapshots: revoked unused role ${g.roleName} on project ${g.projectId}`,
        );
      for (const f of failed)
        this.x.logger.warn(
          `snapshots: revoking role on project ${f.grant.projectId} failed: ${f.error}`,
        );
    } catch (e) {
      // a failed revoke never fails the snapshots of the run
      this.x.logger.warn(`snapshots: unused grant revoke failed: ${String(e)}`);
    }
  }

  /**
   * SNAP-24: reads the run's cancel request (stored, so any instance may receive it), or answers from
   * a read at most `maxAgeMs` old; concurrent callers share one read.
   */
  private stopRequested(maxAgeMs = 0): Promise<boolean> {
    if (this.canceled) return Promise.resolve(true);
    const now = performance.now();
    if (!this.cancelRead || now - this.cancelRead.at > maxAgeMs) {
      this.cancelRead = {
        at: now,
        answer: this.x.runs.cancelRequested(this.run.id).then(requested => {
          this.canceled ||= requested;
          return this.canceled;
        }),
      };
    }
    return this.cancelRead.answer;
  }

  private ownerOf(volume: CinderVolume): Omit<RecordInput, 'action'> {
    const projectId = volumeProjectId(volume);
    const project = projectId ? this.live.projects.get(projectId) : undefined;
    const domainId = project?.domainId ?? null;
    const serverId = volumeServerId(volume);
    return {
      volumeId: volume.id,
      volumeName: volume.name,
      projectId,
      projectName: project?.name ?? null,
      domainId,
      domainName: domainId ? this.live.domains.get(domainId) ?? null : null,
      serverId,
      serverName: serverId ? this.live.servers.get(serverId) ?? null : null,
    };
  }

  /** SNAP-15: creates of earlier runs still `creating` take their current status. */
  private async followUp(): Promise<void> {
    const pendingCreates = await this.x.runs.pendingCreates(this.run.cloudId);
    if (!pendingCreates.length) return;
    const byId = new Map(this.live.snapshots.map(s => [s.id, s]));
    const settled = new Map<number, string>();
    for (const pending of pendingCreates) {
      const snapshot = byId.get(pending.snapshotId);
      const status = snapshot ? snapshot.status : 'absent';
      if (status !== 'creating') {
        settled.set(pending.id, status);
      } else if (
        this.startedAt.getTime() - pending.recordedAt.getTime() >
        CREATING_WARN_MS
      ) {
        this.x.logger.warn(
          `snapshots: snapshot ${pending.snapshotId} is still creating after 6 hours`,
        );
      }
    }
    await this.x.runs.setSnapshotStatuses(settled);
  }

  /** Is the pair's period already served by one of our snapshots (SNAP-3, SNAP-12)? */
  private satisfied(p: PairContext, period: Period): boolean {
    return p.ours.some(s => {
      if (TRANSITIONAL_OR_FAILED.has(s.status)) return false;
      if (s.metadata?.period) return s.metadata.period === period.key;
      // a legacy managed snapshot without a period key: created inside the period
      const created = createdAtMs(s);
      return (
        created >= period.periodStart.getTime() &&
        created < period.periodEnd.getTime()
      );
    });
  }

  private async createStep(inWindow: PairContext[]): Promise<void> {
    const candidates: PairContext[] = [];
    const attempts = this.run.dryRun
      ? new Map<string, number>()
      : await this.x.runs.attemptCounts(this.run.cloudId, [
          ...new Set(inWindow.map(p => p.period!.key)),
        ]);
    for (const p of inWindow) {
      const period = p.period!;
      this.counts.considered++;
      const base = { ...p.owner, period: period.key };
      if (!this.live.snapshotsComplete) {
        await this.record({
          ...base,
          action: 'skipped',
          reason: `listing_failed: ${this.live.snapshotsReason ?? ''}`,
        });
        continue;
      }
      if (this.satisfied(p, period)) continue;
      if (!['available', 'in-use'].includes(p.volume.status)) {
        await this.record({
          ...base,
          action: 'skipped',
          reason: `volume_state:${p.volume.status}`,
        });
        continue;
      }
      const max = this.x.settings.maxVolumeSizeGb;
      if (max !== undefined && Number(p.volume.size) > max) {
        await this.record({ ...base, action: 'skipped', reason: 'size_limit' });
        continue;
      }
      if (
        (attempts.get(attemptKey(p.volume.id, p.policy.name, period.key)) ??
          0) >= MAX_ATTEMPTS
      ) {
        await this.record({
          ...base,
          action: 'skipped',
          reason: 'max_attempts',
        });
        continue;
      }
      candidates.push(p);
    }

    // SNAP-17: never snapshotted first, then oldest last snapshot, then smaller, then volume id
    const lastAt = new Map(
      candidates.map(p => [
        p,
        p.ours.length ? Math.max(...p.ours.map(createdAtMs)) : -Infinity,
      ]),
    );
    candidates.sort(
      (a, b) =>
        lastAt.get(a)! - lastAt.get(b)! ||
        Number(a.volume.size) - Number(b.volume.size) ||
        a.volume.id.localeCompare(b.volume.id),
    );

    const admitted: Admitted[] = [];
    // SNAP-22: every project's quota read up front, a few at a time
    const headroom = new Map<string, Record<string, number> | null>();
    await mapWithConcurrency(
      [...new Set(candidates.map(p => p.owner.projectId ?? ''))],
      QUOTA_READS_IN_FLIGHT,
      async projectId => {
        headroom.set(projectId, await this.quotaHeadroom(projectId));
      },
    );
    const blockedProjects = new Set<string>();
    for (const p of candidates) {
      const room = headroom.get(p.owner.projectId ?? '') ?? null;
      let blocked = room ? this.takeQuota(room, p.volume) : undefined;
      if (blocked && room && (await this.rotateForQuota(p, room))) {
        blocked = this.takeQuota(room, p.volume);
      }
      if (blocked) {
        blockedProjects.add(p.owner.projectName ?? p.owner.projectId ?? '-');
        await this.record({
          ...p.owner,
          period: p.period!.key,
          action: 'quota_blocked',
          reason: blocked,
        });
        continue;
      }
      if (admitted.length >= this.x.settings.maxNewPerRun) {
        await this.record({
          ...p.owner,
          period: p.period!.key,
          action: 'deferred',
          reason: 'max_new_per_run',
        });
        continue;
      }
      admitted.push({ p, quotaUnknown: room === null });
    }

    if (blockedProjects.size) {
      // SNAP-22: one event per run naming the affected projects
      this.x.logger.warn(
        `snapshot_quota_blocked: run ${
          this.run.id
        }: quota blocks snapshots in ${[...blockedProjects].sort().join(', ')}`,
      );
    }
    await this.createInBatches(admitted);
  }

  /**
   * SNAP-23: batches of whole projects, smallest first, pausing between batches; SNAP-16: within a
   * batch the volumes of one server go back to back, at most N creates in flight. With a pause, a
   * batch starts once the one before is done, its records and progress are written and the pause is
   * over (then the cancel request is read afresh). Without one, the batches' server groups follow each
   * other through the same N slots, so the cloud never waits for a batch's slowest create, and records
   * and progress are written at most once a second.
   */
  private async createInBatches(admitted: Admitted[]): Promise<void> {
    const batches = packBatches(admitted, this.x.settings.batchSize);
    const pauseMs = this.x.settings.batchDelayMs;
    const started = this.x.now().getTime();
    let completed = 0;
    const progress = async () => {
      const elapsed = this.x.now().getTime() - started;
      await this.x.runs.setProgress(this.run.id, {
        totalBatches: batches.length,
        completedBatches: completed,
        currentBatch: Math.min(completed + 1, batches.length),
        estimatedFinishAt:
          completed > 0
            ? new Date(started + (elapsed / completed) * batches.length)
            : null,
      });
    };
    const bookkeeping = async (always: boolean) => {
      if (!always && performance.now() - this.bookkeptAt < BOOKKEEPING_EVERY_MS)
        return;
      this.bookkeptAt = performance.now();
      this.observePending();
      // the records and the progress are independent statements: one round trip, not two
      await Promise.all([this.flush(), progress()]);
    };
    await progress();

    let failure: unknown;
    const sessions = this.openSessionsAhead(
      batches,
      () => this.canceled || failure !== undefined,
    );
    const groups = batches.map(serverGroups);
    const left = groups.map(g => g.length);
    const done = groups.map(() => signal());
    const starts = groups.map((_, i) =>
      i === 0 || pauseMs === 0
        ? Promise.resolve()
        : done[i - 1].promise
            .then(() => new Promise(r => setTimeout(r, pauseMs)))
            .then(() => this.stopRequested()),
    );
    // a failure stops the groups not started yet; every group settles, so no batch waits forever
    const incomplete = groups.map(() => false);
    await mapWithConcurrency(
      groups.flatMap((batch, index) => batch.map(group => ({ index, group }))),
      this.x.settings.createConcurrency,
      async ({ index, group }) => {
        let ran = false;
        try {
          await starts[index];
          if (
            failure === undefined &&
            !(await this.stopRequested(CANCEL_READ_MAX_AGE_MS))
          ) {
            for (const a of group) await this.create(a.p, a.quotaUnknown);
            ran = true;
          }
        } catch (e) {
          failure ??= e;
        }
        if (!ran) incomplete[index] = true;
        if (--left[index] > 0) return;
        try {
          if (!incomplete[index]) {
            completed++;
            await bookkeeping(pauseMs > 0);
          }
        } catch (e) {
          failure ??= e;
        }
        done[index].resolve();
      },
    );
    await sessions;
    if (failure !== undefined) throw failure;
    await bookkeeping(true);
  }

  /**
   * The projects' sessions (token, SNAP-19 grant) opened ahead of their creates, in batch order and a
   * few at a time, so a create slot never waits for a token; none once the run stops. A failure is the
   * create's to record (`no_project_scope`).
   */
  private async openSessionsAhead(
    batches: Admitted[][],
    stopped: () => boolean,
  ): Promise<void> {
    if (this.run.dryRun) return;
    const projects = new Set(batches.flat().map(a => a.p.owner.projectId));
    await mapWithConcurrency(
      [...projects].filter((p): p is string => !!p),
      QUOTA_READS_IN_FLIGHT,
      async projectId => {
        if (stopped()) return;
        await this.credentials.scopedClient(projectId).catch(() => {});
      },
    );
  }

  /** SNAP-22: `limit − in_use − reserved` per key; −1 unlimited; null when the quota call failed. */
  private async quotaHeadroom(
    projectId: string,
  ): Promise<Record<string, number> | null> {
    if (!projectId) return null;
    try {
      const quota = await this.admin.blockStorage.getQuotaUsage(projectId);
      const room: Record<string, number> = {};
      for (const [key, value] of Object.entries(quota)) {
        if (!/^(snapshots|gigabytes)(_.+)?$/.test(key)) continue;
        if (typeof value !== 'object' || value === null) continue;
        const v = value as {
          limit: number;
          in_use?: number;
          reserved?: number;
        };
        room[key] = quotaHeadroom({
          limit: Number(v.limit),
          inUse: Number(v.in_use ?? 0),
          reserved: Number(v.reserved ?? 0),
        });
      }
      return room;
    } catch (e) {
      this.x.logger.warn(
        `snapshots: quota of project ${projectId} unknown: ${String(e)}`,
      );
      return null;
    }
  }

  /**
   * SNAP-22 rotate: a quota-blocked pair that holds its full retention count gives up its oldest
   * snapshot (ours, available, not `keep`, never the newest) first; true when that freed quota.
   */
  private async rotateForQuota(
    p: PairContext,
    room: Record<string, number>,
  ): Promise<boolean> {
    if (!this.x.settings.rotateBeforeCreateWhenQuotaBlocked) return false;
    const retention = p.pair.retention;
    if (p.pair.misconfigured || retention === null) return false;
    if (!this.live.snapshotsComplete) return false;
    const held = p.ours
      .filter(s => s.status === 'available' && !isKept(s))
      .sort(newestFirst);
    if (held.length < Math.max(2, retention)) return false;
    const oldest = held[held.length - 1];
    const deletedBefore = this.counts.deleted;
    await this.remove(p, oldest, `rotate: quota blocked, keep ${retention}`);
    // deleted, already absent or (dry-run) simulated: the quota it held is free
    if (this.counts.deleted === deletedBefore) return false;
    p.ours = p.ours.filter(s => s !== oldest);
    this.giveBackQuota(room, p.volume, Number(oldest.size));
    return true;
  }

  private giveBackQuota(
    room: Record<string, number>,
    volume: CinderVolume,
    sizeGb: number,
  ): void {
    const type = volume.volume_type ? String(volume.volume_type) : undefined;
    for (const k of ['snapshots', ...(type ? [`snapshots_${type}`] : [])])
      if (k in room) room[k] += 1;
    for (const k of ['gigabytes', ...(type ? [`gigabytes_${type}`] : [])])
      if (k in room) room[k] += sizeGb;
  }

  /** Takes one snapshot's worth of quota, or says which limit blocks it. */
  private takeQuota(
    room: Record<string, number>,
    volume: CinderVolume,
  ): string | undefined {
    const type = volume.volume_type ? String(volume.volume_type) : undefined;
    const size = Number(volume.size);
    const countKeys = ['snapshots', ...(type ? [`snapshots_${type}`] : [])];
    const sizeKeys = ['gigabytes', ...(type ? [`gigabytes_${type}`] : [])];
    if (countKeys.some(k => k in room && room[k] < 1))
      return 'snapshots_exceeded';
    if (sizeKeys.some(k => k in room && room[k] < size))
      return 'gigabytes_exceeded';
    for (const k of countKeys) if (k in room) room[k] -= 1;
    for (const k of sizeKeys) if (k in room) room[k] -= size;
    return undefined;
  }

  private async create(p: PairContext, quotaUnknown: boolean): Promise<void> {
    const period = p.period!;
    const at = this.x.now();
    const name = snapshotName({
      projectName: p.owner.projectName,
      policy: p.policy.name,
      serverName: p.owner.serverId
        ? p.owner.serverName || p.owner.serverId
        : null,
      volumeName: p.volume.name,
      volumeId: p.volume.id,
      at,
    });
    const metadata: Record<string, string> = {
      created_by: CREATED_BY,
      managed_by: MANAGED_BY,
      policy: p.policy.name,
      period: period.key,
      run_id: this.run.id,
      original_project_id: p.owner.projectId ?? '',
      original_volume_id: p.volume.id,
      ...(p.owner.serverId ? { server_id: p.owner.serverId } : {}),
    };
    const notes = [
      quotaUnknown ? 'quota_unknown' : null,
      p.pair.misconfigured === 'invalid_retention'
        ? `misconfigured:invalid_retention (${p.pair.retentionSource}); nothing will be deleted`
        : null,
    ].filter(Boolean);
    const base = {
      ...p.owner,
      period: period.key,
      snapshotName: name,
      reason: notes.length ? notes.join('; ') : null,
    };
    if (p.pair.misconfigured === 'invalid_retention') {
      this.x.logger.warn(
        `snapshots: volume ${p.volume.id} has an invalid ${p.pair.retentionSource}; retention of ${p.policy.name} is off`,
      );
    }
    if (this.run.dryRun) {
      await this.record({ ...base, action: 'simulated_create' });
      return;
    }
    if (!p.owner.projectId) {
      await this.record({
        ...base,
        action: 'failed',
        reason: 'no_project_scope: the volume has no project',
      });
      return;
    }
    let client: OpenStackClient;
    try {
      client = await this.credentials.scopedClient(p.owner.projectId);
    } catch (e) {
      await this.record({
        ...base,
        action: 'failed',
        reason: `no_project_scope: ${String(e)}`,
      });
      return;
    }
    try {
      const snapshot = await client.blockStorage.createSnapshot({
        volume_id: p.volume.id,
        force: true,
        name,
        description: `Automatic snapshot, policy ${p.policy.name}, period ${period.key}`,
        metadata,
      });
      await this.record({
        ...base,
        action: 'created',
        snapshotId: snapshot.id,
        snapshotStatus: snapshot.status ?? 'creating',
        snapshot,
      });
      this.observeSoon(snapshot, 'created', p.owner.projectId);
    } catch (e) {
      const status = e instanceof OpenStackError ? e.status : undefined;
      await this.record({
        ...base,
        action: status === 413 ? 'quota_blocked' : 'failed',
        reason: status === 413 ? 'quota_exceeded (413)' : String(e),
      });
    }
  }

  /**
   * SNAP-20, SNAP-15: retention and zombie cleanup of every pair, on our snapshots only; the deletes
   * go out as many at a time as creates do (SNAP-16), each on a cancel read at most a second old.
   */
  private async cleanupStep(pairs: PairContext[]): Promise<void> {
    if (!this.live.snapshotsComplete) return;
    const removals = pairs.flatMap(p =>
      this.removals(p).map(r => ({ p, ...r })),
    );
    const failures = this.run.dryRun
      ? new Map<string, number>()
      : await this.x.runs.deleteFailureCounts(
          this.run.cloudId,
          removals.map(r => r.snapshot.id),
        );
    await mapWithConcurrency(
      removals,
      this.x.settings.createConcurrency,
      async ({ p, snapshot, why }) => {
        if (await this.stopRequested(CANCEL_READ_MAX_AGE_MS)) return;
        await this.remove(p, snapshot, why, failures.get(snapshot.id) ?? 0);
      },
    );
  }

  /** A pair's zombies, then its snapshots beyond the retention count (never the newest). */
  private removals(
    p: PairContext,
  ): { snapshot: CinderSnapshot; why: string }[] {
    const ageMs = (s: CinderSnapshot) =>
      this.startedAt.getTime() - createdAtMs(s);
    const zombies = p.ours
      .filter(
        s => s.status === 'error' && !isKept(s) && ageMs(s) > ZOMBIE_AFTER_MS,
      )
      .map(snapshot => ({ snapshot, why: 'zombie' }));
    if (p.pair.misconfigured || p.pair.retention === null) return zombies;
    const candidates = p.ours
      .filter(s => s.status === 'available' && !isKept(s))
      .sort(newestFirst);
    // the newest available snapshot is always kept (retention is at least 1)
    const surplus = candidates
      .slice(Math.max(1, p.pair.retention))
      .map(snapshot => ({
        snapshot,
        why: `retention: keep ${p.pair.retention}`,
      }));
    return [...zombies, ...surplus];
  }

  /**
   * SNAP-25: the inventory learns of our creates and delete requests at once — with the bookkeeping or
   * when OBSERVED_PER_UPSERT wait, in one transaction, beside the creates rather than inside them; the
   * run waits for them before it finishes. A failed upsert never fails a pair.
   */
  private observeSoon(
    snapshot: CinderSnapshot,
    event: 'created' | 'deleted',
    projectId: string | null | undefined,
  ): void {
    this.observed.push({ snapshot, event, projectId });
    if (this.observed.length >= OBSERVED_PER_UPSERT) this.observePending();
  }

  private observePending(): void {
    const batch = this.observed;
    if (!batch.length) return;
    this.observed = [];
    this.observations = this.observations.then(() => this.observe(batch));
  }

  private async observe(batch: ObservedSnapshot[]): Promise<void> {
    try {
      await recordObservedSnapshots(
        this.x.db,
        { cloudId: this.run.cloudId, runRef: snapshotRunRef(this.run.id) },
        batch,
      );
    } catch (e) {
      this.x.logger.warn(
        `snapshots: inventory upsert of ${batch.length} snapshots (from ${
          batch[0].snapshot.id
        }) failed: ${String(e)}`,
      );
    }
  }

  private async remove(
    p: PairContext,
    snapshot: CinderSnapshot,
    why: string,
    /** its consecutive failed deletions, when already read */
    failures?: number,
  ): Promise<void> {
    if (!isManaged(snapshot)) return; // never: candidates are ours by construction
    const base = {
      ...p.owner,
      period: snapshot.metadata?.period ?? null,
      snapshotId: snapshot.id,
      snapshotName: snapshot.name,
      snapshotStatus: snapshot.status,
      snapshot,
    };
    if (this.run.dryRun) {
      await this.record({ ...base, action: 'simulated_delete', reason: why });
      return;
    }
    const failed =
      failures ??
      (
        await this.x.runs.deleteFailureCounts(this.run.cloudId, [snapshot.id])
      ).get(snapshot.id) ??
      0;
    if (failed >= MAX_DELETE_FAILURES) {
      this.x.logger.warn(
        `snapshots: snapshot ${snapshot.id} is stuck after ${MAX_DELETE_FAILURES} failed deletions; left alone`,
      );
      return;
    }
    const projectId =
      (snapshot['os-extended-snapshot-attributes:project_id'] as string) ??
      p.owner.projectId;
    try {
      const client = await this.credentials.scopedClient(String(projectId));
      await client.blockStorage.deleteSnapshot(snapshot.id);
      await this.record({ ...base, action: 'deleted', reason: why });
      this.observeSoon(snapshot, 'deleted', String(projectId));
    } catch (e) {
      const status = e instanceof OpenStackError ? e.status : undefined;
      await this.record({
        ...base,
        action: status === 404 ? 'already_absent' : 'delete_failed',
        reason: status === 404 ? why : `${why}: ${String(e)}`,
      });
    }
  }
}

export class SnapshotCycleEngine {
  readonly runs: SnapshotRunStore;
  private readonly policies: PolicyStore;
  private readonly settings: SnapshotCycleSettings;
  private readonly now: () => Date;

  constructor(private readonly options: SnapshotCycleOptions) {
    this.runs = new SnapshotRunStore(options.db);
    this.policies = new PolicyStore(options.db);
    this.settings = { ...DEFAULT_CYCLE_SETTINGS, ...options.settings };
    this.now = options.now ?? (() => new Date());
  }

  private deps(): CycleDeps {
    return {
      db: this.options.db,
      logger: this.options.logger,
      settings: this.settings,
      policies: this.policies,
      runs: this.runs,
      now: this.now,
      client: (c, readOnly) => this.client(c, readOnly),
    };
  }

  cloudIds(): string[] {
    return this.options.clouds.map(c => c.id);
  }

  private cloudOf(cloudId: string): CloudConfig {
    const cloud = this.options.clouds.find(c => c.id === cloudId);
    if (!cloud) throw new Error(`unknown cloud '${cloudId}'`);
    return cloud;
  }

  /** SNAP-20: our snapshots of pairs no longer assigned or of deleted volumes (read-only). */
  orphans(cloudId: string, scope: Scope) {
    const admin = this.client(this.cloudOf(cloudId), true);
    return listOrphans(this.options.db, admin, cloudId, scope);
  }

  /** SNAP-19: the role grants we made for the service user. */
  grants(cloudId: string): Promise<RoleGrant[]> {
    return listGrants(this.options.db, cloudId);
  }

  /** SNAP-19: revokes only grants we recorded. */
  revokeGrants(
    cloudId: string,
    selection: { projectIds?: string[]; all?: boolean },
  ) {
    const admin = this.client(this.cloudOf(cloudId), false);
    return revokeGrants(this.options.db, admin, cloudId, selection);
  }

  private client(cloud: CloudConfig | ResolvedCloud, readOnly: boolean) {
    return this.options.clientFactory
      ? this.options.clientFactory(cloud, { readOnly })
      : createOpenStackClient(cloud, {
          readOnly,
          logger: {
            debug: m => this.options.logger.debug(m),
            info: m => this.options.logger.info(m),
            warn: m => this.options.logger.warn(m),
            error: m => this.options.logger.error(m),
          },
        });
  }

  /** Claims the cloud and starts the cycle; 409 (CycleAlreadyRunningError) while one runs. */
  async start(
    cloudId: string,
    trigger: RunTrigger,
    triggeredBy: string,
    request: CycleRequest = {},
  ): Promise<{ runId: string; done: Promise<SnapshotRun> }> {
    const cloud = this.options.clouds.find(c => c.id === cloudId);
    if (!cloud) throw new Error(`unknown cloud '${cloudId}'`);
    const run = await this.runs.claim({
      cloudId,
      trigger,
      triggeredBy,
      dryRun: request.dryRun ?? false,
      catchUp: request.catchUp ?? false,
      policies: request.policies?.length ? request.policies : null,
      timeoutMs: this.settings.timeoutMs,
    });
    const done = this.execute(cloud, run);
    return { runId: run.id, done };
  }

  async run(
    cloudId: string,
    trigger: RunTrigger,
    triggeredBy: string,
    request: CycleRequest = {},
  ): Promise<SnapshotRun> {
    return (await this.start(cloudId, trigger, triggeredBy, request)).done;
  }

  private async execute(
    cloud: CloudConfig,
    run: SnapshotRun,
  ): Promise<SnapshotRun> {
    const counts: RunCounts = {
      considered: 0,
      created: 0,
      deleted: 0,
      skipped: 0,
      deferred: 0,
      quotaBlocked: 0,
      failed: 0,
    };
    const errors: string[] = [];
    let status: Exclude<RunStatus, 'running'>;
    try {
      const cycle = new Cycle(this.deps(), cloud, run, counts, errors);
      const outcome = await cycle.execute();
      // PIT-19: a cancel asked for while the run was finishing still wins over success
      if (cycle.canceled || (await this.runs.cancelRequested(run.id)))
        status = 'canceled';
      else if (counts.failed > 0) status = 'completed_with_errors';
      else if (!outcome.anyWindow && counts.considered === 0)
        status = 'skipped';
      else status = 'completed';
    } catch (e) {
      status = 'failed';
      errors.unshift(e instanceof Error ? e.message : String(e));
      this.options.logger.error(
        `snapshots: run ${run.id} of cloud ${run.cloudId} failed: ${String(e)}`,
      );
    }
    await this.runs.finish(
      run.id,
      status,
      counts,
      errors.length ? errors.slice(0, 10).join('; ').slice(0, 4000) : null,
    );
    const finished = (await this.runs.get(run.id))!;
    if (!run.dryRun && this.options.onFinished) {
      await this.options
        .onFinished(finished)
        .catch(e =>
          this.options.logger.error(
            `snapshots: after run ${run.id}: ${String(e)}`,
          ),
        );
    }
    return finished;
  }
}
