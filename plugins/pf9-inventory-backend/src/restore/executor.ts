/**
 * The restore executor: `createRestoreJobControl()` registers the `restore` job handler with the one job
 * runner and returns the RestoreJobControl the routes call (execute, cancel, cleanup, cleanup-storage).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { RestoreStepName } from '@internal/plugin-pf9-common';
import { Knex } from 'knex';
import type { CloudConfig, SnapshotCredentialsConfig } from '../config';
import { JobRunner } from '../jobs/runner';
import { createOpenStackClient, OpenStackNotFoundError } from '../openstack';
import { AuditLog } from '../store/audit';
import { ClientFactory, RestoreSettings } from './context';
import { RestoreConflictError, RestoreJobControl } from './contracts';
import { ExecutionDeps, lockJobRow, RestoreExecution } from './execution';
import { RestoreJobRow, RestoreJobStore } from './jobStore';
import { orNull } from './live';
import { deleteCreated } from './rollback';
import { UserDataCipher } from './secrets';
import { openProjectSession } from './session';
import { DEFAULT_TIMINGS, RestoreTimings } from './waits';

export const RESTORE_JOB_KIND = 'restore';

export interface RestoreJobControlOptions {
  db: Knex;
  runner: JobRunner;
  clouds: CloudConfig[];
  logger: LoggerService;
  audit: AuditLog;
  /** RST-15 */
  maxConcurrentJobs: number;
  maxJobsPerProject: number;
  stopOriginal: boolean;
  keepVolumesOnFailure: boolean;
  /** decrypts user_data for the create (RST-9); without it no user_data is passed */
  cipher?: UserDataCipher;
  timings?: Partial<RestoreTimings>;
  clientFactory?: ClientFactory;
  /** SNAP-18/19 credential mode (pf9.snapshots.credentials); default projectScopedAdmin */
  credentials?: SnapshotCredentialsConfig;
  onStepStart?: (jobId: string, step: RestoreStepName) => Promise<void>;
  now?: () => Date;
}

const defaultClientFactory: ClientFactory = (cloud, { readOnly }) =>
  createOpenStackClient(cloud, { readOnly });

export function createRestoreJobControl(
  options: RestoreJobControlOptions,
): RestoreJobControl {
  const now = options.now ?? (() => new Date());
  const store = new RestoreJobStore(options.db, now);
  const settings: RestoreSettings = {
    stopOriginal: options.stopOriginal,
    keepVolumesOnFailure: options.keepVolumesOnFailure,
    timings: { ...DEFAULT_TIMINGS, ...(options.timings ?? {}) },
  };
  const deps: ExecutionDeps = {
    db: options.db,
    credentials: options.credentials ?? { mode: 'projectScopedAdmin' },
    store,
    clouds: options.clouds,
    logger: options.logger,
    audit: options.audit,
    settings,
    clientFactory: options.clientFactory ?? defaultClientFactory,
    cipher: options.cipher,
    onStepStart: options.onStepStart,
  };
  options.runner.register(
    RESTORE_JOB_KIND,
    async ctx => {
      const job = await store.get(ctx.job.id);
      if (!job) return;
      await new RestoreExecution(deps, job, ctx).execute();
    },
    {
      maxConcurrent: options.maxConcurrentJobs,
      maxPerGroup: options.maxJobsPerProject,
    },
  );

  const load = async (jobId: string): Promise<RestoreJobRow> => {
    const job = await store.get(jobId);
    if (!job) throw new NotFoundError(`restore job ${jobId} not found`);
    return job;
  };

  /** A project-scoped client for cleanup work outside a job run. */
  const scopedClient = (job: RestoreJobRow) => {
    const cloud = options.clouds.find(c => c.id === job.cloud_id);
    if (!cloud)
      throw new NotFoundError(`cloud '${job.cloud_id}' is not configured`);
    return openProjectSession(deps, {
      cloud,
      projectId: job.project_id,
      jobId: job.id,
      readOnly: false,
    });
  };

  return {
    async execute({ jobId, dryRun, actor }) {
      const job = await load(jobId);
      if (job.status !== 'PLANNED') {
        throw new RestoreConflictError(
          'PLAN_NOT_EXECUTABLE',
          `the plan is ${job.status}, not PLANNED`,
          { status: job.status },
        );
      }
      if (new Date(job.expires_at as string).getTime() <= now().getTime()) {
        await store.transition(jobId, 'PLANNED', 'EXPIRED');
        throw new RestoreConflictError(
          'PLAN_EXPIRED',
          'the plan has expired; make a new one',
        );
      }
      if (!job.eligible) {
        throw new RestoreConflictError(
          'PLAN_NOT_ELIGIBLE',
          'the plan has blockers',
        );
      }
      const moved = await options.db
        .transaction(async trx => {
          const ok = await store.transition(
            jobId,
            'PLANNED',
            'PENDING',
            { dry_run: dryRun, executed_by: actor },
            trx,
          );
          if (ok) {
            await options.runner.jobs.enqueue(
              {
                id: jobId,
                kind: RESTORE_JOB_KIND,
                groupKey: `${job.cloud_id}/${job.project_id}`,
              },
              trx,
            );
          }
          return ok;
        })
        .catch(async e => {
          if (
            !(e instanceof RestoreConflictError) ||
            e.code !== 'RESTORE_ALREADY_ACTIVE'
          )
            throw e;
          const activeJobId = await store.activeJobOf(jobId);
          throw new RestoreConflictError(
            'RESTORE_ALREADY_ACTIVE',
            `another restore job is active for this server (${activeJobId})`,
            { activeJobId },
          );
        });
      if (!moved) {
        throw new RestoreConflictError(
          'PLAN_NOT_EXECUTABLE',
          'the plan was executed or canceled meanwhile',
        );
      }
      options.runner.wake();
      return { jobId, status: 'PENDING' };
    },

    async cancel({ jobId, actor, reason }) {
      await load(jobId);
      const patch = { canceled_by: actor, cancel_reason: reason ?? null };
      return options.db.transaction(async trx => {
        const job = (await lockJobRow(trx, jobId))!;
        switch (job.status) {
          case 'PLANNED':
          case 'PENDING':
            if (
              !(await store.transition(
                jobId,
                job.status,
                'CANCELED',
                patch,
                trx,
              ))
            )
              break;
            await options.runner.jobs.discardQueued(jobId, trx);
            return { status: 'CANCELED' as const };
          case 'RUNNING': {
            const deleteStep = await trx('restore_steps')
              .where({ job_id: jobId, name: 'DELETE_ORIGINAL' })
              .first();
            if (
              job.mode === 'replace' &&
              !job.dry_run &&
              deleteStep &&
              !['PENDING', 'SKIPPED'].includes(deleteStep.status)
            ) {
              throw new RestoreConflictError(
                'PAST_POINT_OF_NO_RETURN',
                'the original server is being deleted; the restore can no longer be canceled',
              );
            }
            if (
              !(await store.transition(
                jobId,
                'RUNNING',
                'CANCEL_REQUESTED',
                patch,
                trx,
              ))
            )
              break;
            return { status: 'CANCEL_REQUESTED' as const };
          }
          case 'CANCEL_REQUESTED':
            return { status: job.status };
          default:
        }
        throw new RestoreConflictError(
          'JOB_NOT_CANCELABLE',
          `a ${job.status} job cannot be canceled`,
          { status: job.status },
        );
      });
    },

    async cleanup({ jobId }) {
      const job = await load(jobId);
      if (!['FAILED', 'ROLLBACK_FAILED', 'CANCELED'].includes(job.status)) {
        throw new RestoreConflictError(
          'JOB_NOT_CLEANABLE',
          `a ${job.status} job has nothing to clean up`,
          { status: job.status },
        );
      }
      const failures = await deleteCreated(
        await scopedClient(job),
        store,
        jobId,
        {
          timings: settings.timings,
          keepVolumes: false,
          keepSafetySnapshots: true,
          includeKept: true,
          check: async () => undefined,
        },
      );
      if (failures.length) {
        await store.addWarning(jobId, {
          code: 'CLEANUP_INCOMPLETE',
          message: failures.join('; '),
        });
      }
    },

    async cleanupStorage({
      jobId,
      deleteOldVolume,
      deleteSourceSnapshot,
      deleteSafetySnapshots,
    }) {
      const job = await load(jobId);
      if (job.status !== 'SUCCEEDED') {
        throw new RestoreConflictError(
          'JOB_NOT_SUCCEEDED',
          'storage is cleaned up only after a SUCCEEDED restore',
          { status: job.status },
        );
      }
      const details = store.details(job);
      const os = await scopedClient(job);
      const warnings: string[] = [];
      const attempt = async (what: string, call: () => Promise<void>) => {
        try {
          await call();
        } catch (e) {
          if (!(e instanceof OpenStackNotFoundError))
            warnings.push(`${what}: ${String((e as Error).message ?? e)}`);
        }
      };
      if (deleteOldVolume && details.bootVolume?.volumeId) {
        const oldId = details.bootVolume.volumeId;
        await attempt(`old volume ${oldId}`, async () => {
          const v = await orNull(os.blockStorage.getVolume(oldId));
          if (!v) return;
          if (v.status !== 'available' || (v.attachments ?? []).length) {
            warnings.push(
              `old volume ${oldId} is ${v.status} and attached; kept`,
            );
            return;
          }
          await os.blockStorage.deleteVolume(oldId);
        });
      }
      if (
        deleteSourceSnapshot &&
        details.restorePointKind === 'volume_snapshot'
      ) {
        await attempt(`source snapshot ${job.restore_point_id}`, () =>
          os.blockStorage.deleteSnapshot(job.restore_point_id),
        );
      }
      if (deleteSafetySnapshots) {
        for (const e of (await store.ledger(jobId)).filter(
          x => x.step === 'SAFETY_SNAPSHOT' && x.state !== 'deleted',
        )) {
          await attempt(`safety ${e.kind} ${e.resourceId}`, async () => {
            await (e.kind === 'image'
              ? os.image.deleteImage(e.resourceId)
              : os.blockStorage.deleteSnapshot(e.resourceId));
          });
          await store.setLedgerState(jobId, e.kind, e.resourceId, 'deleted');
        }
      }
      return { warnings };
    },
  };
}
