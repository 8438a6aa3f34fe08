/**
 * One execution of a restore job by a worker: walk the RST-12 steps from the first one not done, then
 * finish (SUCCEEDED / DRY_RUN_COMPLETED) or roll back (RST-17) and end CANCELED, FAILED or
 * ROLLBACK_FAILED. A resumed execution re-verifies the ledger first (RST-15).
 */
import type { RestoreStepName } from '@internal/plugin-pf9-common';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import type { CloudConfig } from '../config';
import { JobContext, JobOwnershipLost } from '../jobs/runner';
import { isPostgres } from '../jobs/store';
import { OpenStackClient } from '../openstack';
import { AuditLog } from '../store/audit';
import { RestoreCancelRequested, RestoreRun, RestoreSettings } from './context';
import { RestoreJobRow, RestoreJobStore } from './jobStore';
import { getKeypair, orNull } from './live';
import { recoverOriginal } from './recovery';
import { deleteCreated, restoreOriginal } from './rollback';
import { STEP_HANDLERS } from './stepHandlers';
import { RESTORE_STEP_ORDER } from './steps';
import { UserDataCipher } from './secrets';
import { openProjectSession, ProjectSessionDeps } from './session';

export interface ExecutionDeps extends ProjectSessionDeps {
  store: RestoreJobStore;
  clouds: CloudConfig[];
  logger: LoggerService;
  audit: AuditLog;
  settings: RestoreSettings;
  cipher?: UserDataCipher;
  /** observer called as a step starts (tests inject faults or cancel here) */
  onStepStart?: (jobId: string, step: RestoreStepName) => Promise<void>;
}

const DONE = new Set(['SUCCEEDED', 'SKIPPED', 'SIMULATED']);

function signalCheck(signal: AbortSignal) {
  if (signal.aborted) {
    throw signal.reason instanceof Error
      ? signal.reason
      : new JobOwnershipLost(String(signal.reason));
  }
}

/** Stops the step DELETE_ORIGINAL from starting after a cancel, and a cancel after it started (RST-16). */
export async function lockJobRow(
  trx: Knex.Transaction,
  jobId: string,
): Promise<RestoreJobRow | undefined> {
  const q = trx<RestoreJobRow>('restore_jobs').where({ id: jobId });
  return isPostgres(trx) ? q.forUpdate().first() : q.first();
}

export class RestoreExecution {
  private readonly run: RestoreRun;
  private scopedClient?: Promise<OpenStackClient>;

  constructor(
    private readonly deps: ExecutionDeps,
    private readonly job: RestoreJobRow,
    private readonly ctx: JobContext,
  ) {
    const cloud = deps.clouds.find(c => c.id === job.cloud_id);
    if (!cloud) throw new Error(`cloud '${job.cloud_id}' is not configured`);
    const dryRun = Boolean(job.dry_run);
    const admin = deps.clientFactory(cloud, { readOnly: dryRun });
    const store = deps.store;
    this.run = {
      job,
      details: store.details(job),
      jobId8: job.id.replace(/-/g, '').slice(0, 8),
      dryRun,
      store,
      settings: deps.settings,
      logger: deps.logger,
      admin,
      scoped: () => {
        // a failed attempt is not kept: the rollback asks again
        this.scopedClient ??= this.scope(cloud, dryRun).catch(e => {
          this.scopedClient = undefined;
          throw e;
        });
        return this.scopedClient;
      },
      checkpoint: () => this.checkpoint(),
      userData: () =>
        job.user_data_encrypted && deps.cipher
          ? deps.cipher.decrypt(job.user_data_encrypted)
          : null,
      // an instance that lost the job writes nothing more (its successor owns the ledger now)
      warn: async issue => {
        signalCheck(ctx.signal);
        await store.addWarning(job.id, issue);
      },
      record: async entry => {
        signalCheck(ctx.signal);
        await store.record(job.id, entry);
      },
      ledger: () => store.ledger(job.id),
      detail: {},
    };
  }

  /** SNAP-18: a session scoped to the server's project, never the admin project. */
  private scope(cloud: CloudConfig, readOnly: boolean) {
    return openProjectSession(this.deps, {
      cloud,
      projectId: this.job.project_id,
      jobId: this.job.id,
      readOnly,
    });
  }

  private async checkpoint(): Promise<void> {
    signalCheck(this.ctx.signal);
    const now = await this.deps.store.get(this.job.id);
    if (now?.status === 'CANCEL_REQUESTED') throw new RestoreCancelRequested();
  }

  async execute(): Promise<void> {
    const { store } = this.deps;
    const id = this.job.id;
    if (this.job.status === 'PENDING') {
      // the plan stored the steps; a job from elsewhere gets them here, all PENDING
      await store.initSteps(id, [...RESTORE_STEP_ORDER]);
      await store.transition(id, 'PENDING', 'RUNNING');
    } else if (this.ctx.job.resumed) {
      await this.reverifyLedger();
    }
    const current = (await store.get(id))!;
    if (
      current.status === 'ROLLING_BACK' ||
      current.status === 'CANCEL_REQUESTED'
    ) {
      await this.rollback(current.error ?? null);
      return;
    }
    if (current.status !== 'RUNNING') return;
    if (this.ctx.resumesExhausted) {
      await this.rollback('the job was resumed more than 3 times');
      return;
    }
    try {
      await this.walkSteps();
    } catch (e) {
      signalCheck(this.ctx.signal);
      if (e instanceof RestoreCancelRequested) {
        await this.rollback(null);
        return;
      }
      await this.rollback(String((e as Error).message ?? e));
      return;
    }
    await this.succeed();
  }

  /** RST-15: a resumed job first checks that what its ledger lists as present still exists. */
  private async reverifyLedger() {
    const os = await this.run.scoped().catch(() => this.run.admin);
    for (const e of await this.run.ledger()) {
      if (!e.createdByJob || e.state !== 'present') continue;
      const get: () => Promise<unknown> = {
        server: () => os.compute.getServer(e.resourceId),
        volume: () => os.blockStorage.getVolume(e.resourceId),
        port: () => os.network.getPort(e.resourceId),
        snapshot: () => os.blockStorage.getSnapshot(e.resourceId),
        image: () => os.image.getImage(e.resourceId),
        keypair: () => getKeypair(os, e.resourceId, null),
        original_server: () => os.compute.getServer(e.resourceId),
      }[e.kind];
      if ((await orNull(get())) === null) {
        await this.deps.store.setLedgerState(
          this.job.id,
          e.kind,
          e.resourceId,
          'deleted',
        );
      }
    }
  }

  private async walkSteps() {
    const { store } = this.deps;
    const id = this.job.id;
    for (const step of await store.steps(id)) {
      if (DONE.has(step.status)) continue;
      await this.checkpoint();
      const handler = STEP_HANDLERS[step.name];
      await this.startStep(step.name);
      await this.deps.onStepStart?.(id, step.name);
      this.run.detail = {};
      try {
        if (this.run.dryRun && handler.inDryRun === 'simulate') {
          const requests = await handler.simulate(this.run);
          await store.setStep(id, step.name, 'SIMULATED', {
            detail: { requests },
          });
          continue;
        }
        await handler.run(this.run);
      } catch (e) {
        signalCheck(this.ctx.signal);
        await store.setStep(id, step.name, 'FAILED', {
          error:
            e instanceof RestoreCancelRequested
              ? 'canceled'
              : String((e as Error).message ?? e),
        });
        throw e;
      }
      signalCheck(this.ctx.signal);
      await store.setStep(id, step.name, 'SUCCEEDED', {
        detail: this.run.detail,
      });
    }
  }

  private async startStep(name: RestoreStepName) {
    const { store } = this.deps;
    if (name !== 'DELETE_ORIGINAL') {
      await store.setStep(this.job.id, name, 'RUNNING');
      return;
    }
    await store.db.transaction(async trx => {
      const row = await lockJobRow(trx, this.job.id);
      if (row?.status !== 'RUNNING') throw new RestoreCancelRequested();
      await store.setStep(this.job.id, name, 'RUNNING', {}, trx);
    });
  }

  private async succeed() {
    const { store } = this.deps;
    const id = this.job.id;
    const to = this.run.dryRun ? 'DRY_RUN_COMPLETED' : 'SUCCEEDED';
    if (!(await store.transition(id, 'RUNNING', to))) {
      // RST-13: a cancel that arrived meanwhile wins over SUCCEEDED
      await this.rollback(null);
      return;
    }
    for (const e of await this.run.ledger()) {
      if (
        e.createdByJob &&
        e.state === 'present' &&
        e.kind !== 'keypair' &&
        e.step !== 'SAFETY_SNAPSHOT'
      ) {
        await store.setLedgerState(id, e.kind, e.resourceId, 'kept');
      }
    }
    await this.emit(to);
  }

  private async enterRollback(error: string | null) {
    const { store } = this.deps;
    const id = this.job.id;
    const patch = error ? { error } : {};
    for (const from of ['RUNNING', 'CANCEL_REQUESTED'] as const) {
      if (await store.transition(id, from, 'ROLLING_BACK', patch)) return;
    }
  }

  /** RST-17; `error` null means the rollback answers a cancel. */
  private async rollback(error: string | null) {
    await this.enterRollback(error);
    let outcome: { problems: string[]; recoveredServerId: string | null };
    try {
      // a job that touched nothing has nothing to undo: no session (whose failure may be why we are here)
      const untouched =
        !(await this.run.ledger()).length && !(await this.deleteStarted());
      if (untouched || this.run.dryRun) {
        outcome = { problems: [], recoveredServerId: null };
      } else {
        outcome = await this.undo(await this.run.scoped());
      }
    } catch (e) {
      signalCheck(this.ctx.signal);
      outcome = {
        problems: [`rollback: ${String((e as Error).message ?? e)}`],
        recoveredServerId: null,
      };
    }
    const { store } = this.deps;
    const id = this.job.id;
    for (const s of await store.steps(id)) {
      if (
        s.status === 'SUCCEEDED' &&
        STEP_HANDLERS[s.name].inDryRun === 'simulate'
      ) {
        await store.setStep(id, s.name, 'ROLLED_BACK');
      }
    }
    const job = (await store.get(id))!;
    const safetySnapshotIds = (await this.run.ledger())
      .filter(e => e.step === 'SAFETY_SNAPSHOT' && e.state !== 'deleted')
      .map(e => e.resourceId);
    const canceled = error === null && job.error === null;
    let to: 'ROLLBACK_FAILED' | 'CANCELED' | 'FAILED' = canceled
      ? 'CANCELED'
      : 'FAILED';
    if (outcome.problems.length) to = 'ROLLBACK_FAILED';
    const message =
      [job.error, ...outcome.problems].filter(Boolean).join('; ') || null;
    await store.transition(id, 'ROLLING_BACK', to, {
      error: message,
      recovered_server_id: outcome.recoveredServerId,
      safetySnapshotIds,
    });
    await this.emit(to);
  }

  private async deleteStarted(): Promise<boolean> {
    return (await this.deps.store.steps(this.job.id)).some(
      s =>
        s.name === 'DELETE_ORIGINAL' &&
        !['PENDING', 'SKIPPED', 'SIMULATED'].includes(s.status),
    );
  }

  /** Deletes what the job made, then restarts the original or, once it is gone, recovers it. */
  private async undo(
    os: OpenStackClient,
  ): Promise<{ problems: string[]; recoveredServerId: string | null }> {
    const { store } = this.deps;
    const id = this.job.id;
    const originalGone =
      (await this.deleteStarted()) &&
      (await orNull(os.compute.getServer(this.job.server_id))) === null;
    const problems = await deleteCreated(os, store, id, {
      timings: this.deps.settings.timings,
      keepVolumes: this.deps.settings.keepVolumesOnFailure,
      keepSafetySnapshots: originalGone,
      check: async () => signalCheck(this.ctx.signal),
    });
    let recoveredServerId: string | null = null;
    try {
      if (originalGone) recoveredServerId = await recoverOriginal(this.run, os);
      else await restoreOriginal(this.run, os);
    } catch (e) {
      signalCheck(this.ctx.signal);
      problems.push(`recovery: ${String((e as Error).message ?? e)}`);
    }
    return { problems, recoveredServerId };
  }

  private async emit(status: string) {
    const job = (await this.deps.store.get(this.job.id))!;
    const ok = status === 'SUCCEEDED' || status === 'DRY_RUN_COMPLETED';
    let severity: 'low' | 'medium' | 'critical' = 'medium';
    if (ok) severity = 'low';
    else if (status === 'ROLLBACK_FAILED') severity = 'critical';
    await this.deps.audit
      .record({
        eventId: ok ? 'restore_completed' : 'restore_failed',
        actor: job.executed_by ?? job.created_by,
        severity,
        // the job is the target, as for the restore.* events, so the audit view of a job shows its outcome
        target: {
          type: 'restore_job',
          id: job.id,
          name: job.server_name,
          projectId: job.project_id,
          domainId: job.domain_id ?? undefined,
        },
        outcome: ok ? 'success' : 'fail',
        error: ok || !job.error ? undefined : new Error(job.error),
        details: {
          jobId: job.id,
          serverId: job.server_id,
          status,
          mode: job.mode,
          ipStrategy: job.ip_strategy,
          dryRun: Boolean(job.dry_run),
          resultServerId: job.result_server_id,
          recoveredServerId: job.recovered_server_id,
          safetySnapshotIds: job.safety_snapshot_ids
            ? JSON.parse(job.safety_snapshot_ids)
            : [],
        },
      })
      .catch(e =>
        // the job's outcome stands; a lost audit row is logged, not retried
        this.deps.logger.error(
          `restore ${job.id}: audit event for ${status} not recorded: ${String(
            e,
          )}`,
        ),
      );
  }
}
