/**
 * RST-17 housekeeping: safety snapshots (and safety images) outlive their job by
 * `safetySnapshotRetentionDays`, then go. Those of a ROLLBACK_FAILED job stay until an operator cleans
 * up (RST-21): they may be the only copy of the server that was lost.
 */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import type { CloudConfig } from '../config';
import {
  createOpenStackClient,
  OpenStackNotFoundError,
  resolveCloud,
} from '../openstack';
import { projectScopedCloud } from '../snapshots/cycle';
import { ClientFactory } from './context';
import { RestoreJobStore } from './jobStore';

export interface SafetyPruneOptions {
  db: Knex;
  clouds: CloudConfig[];
  retentionDays: number;
  logger: LoggerService;
  clientFactory?: ClientFactory;
  now?: () => Date;
}

const PRUNED_AFTER: readonly string[] = ['SUCCEEDED', 'FAILED', 'CANCELED'];

/** Deletes expired safety copies; returns the ids deleted and those that failed (retried next run). */
export async function pruneSafetySnapshots(
  options: SafetyPruneOptions,
): Promise<{ deleted: string[]; failed: string[] }> {
  const { db, logger } = options;
  const now = options.now?.() ?? new Date();
  const before = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const factory =
    options.clientFactory ??
    ((cloud, { readOnly }) => createOpenStackClient(cloud, { readOnly }));
  const store = new RestoreJobStore(db);
  const rows: Array<{
    job_id: string;
    kind: 'snapshot' | 'image';
    resource_id: string;
    cloud_id: string;
    project_id: string;
  }> = await db('restore_ledger as l')
    .join('restore_jobs as j', 'j.id', 'l.job_id')
    .where('l.step', 'SAFETY_SNAPSHOT')
    .whereNot('l.state', 'deleted')
    .whereIn('j.status', PRUNED_AFTER as string[])
    .andWhere('j.finished_at', '<', before)
    .select(
      'l.job_id',
      'l.kind',
      'l.resource_id',
      'j.cloud_id',
      'j.project_id',
    );
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const row of rows) {
    const cloud = options.clouds.find(c => c.id === row.cloud_id);
    if (!cloud) continue;
    try {
      const os = factory(
        projectScopedCloud(resolveCloud(cloud), row.project_id),
        {
          readOnly: false,
        },
      );
      await (row.kind === 'image'
        ? os.image.deleteImage(row.resource_id)
        : os.blockStorage.deleteSnapshot(row.resource_id)
      ).catch(e => {
        if (!(e instanceof OpenStackNotFoundError)) throw e;
      });
      await store.setLedgerState(
        row.job_id,
        row.kind,
        row.resource_id,
        'deleted',
      );
      deleted.push(row.resource_id);
    } catch (e) {
      failed.push(row.resource_id);
      logger.warn(
        `restore: safety ${row.kind} ${row.resource_id} of job ${
          row.job_id
        } not deleted: ${String(e)}`,
      );
    }
  }
  return { deleted, failed };
}

/** One global task every 6 hours (COM-3). */
export async function scheduleSafetySnapshotPruning(
  scheduler: SchedulerService,
  options: SafetyPruneOptions,
): Promise<void> {
  await scheduler.scheduleTask({
    id: 'pf9-restore-safety-snapshot-pruning',
    scope: 'global',
    frequency: { hours: 6 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 5 },
    fn: async () => {
      const result = await pruneSafetySnapshots(options);
      options.logger.info(
        `restore: ${result.deleted.length} expired safety snapshots deleted, ${result.failed.length} failed`,
      );
    },
  });
}
