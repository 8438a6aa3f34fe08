/**
 * The scheduled cycle (SNAP-4, COM-3): one task per cloud with `scope: 'global'`; the run claim in the
 * database still guards against overlap with an on-demand run.
 */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import type { SnapshotsConfig } from '../config';
import { AssignmentJob } from './assignmentJob';
import { SnapshotCycleEngine } from './cycle';
import { CycleAlreadyRunningError } from './runs';

export function snapshotTaskId(cloudId: string): string {
  return `pf9-snapshot-cycle-${cloudId}`;
}

export async function scheduleSnapshotCycles(options: {
  scheduler: SchedulerService;
  engine: SnapshotCycleEngine;
  config: SnapshotsConfig;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, engine, config, logger } = options;
  if (!config.enabled) return;
  for (const cloudId of engine.cloudIds()) {
    const id = snapshotTaskId(cloudId);
    await scheduler.scheduleTask({
      id,
      scope: 'global',
      frequency: { minutes: config.intervalMinutes },
      timeout: config.timeout,
      initialDelay: { minutes: 2 },
      fn: async () => {
        try {
          const run = await engine.run(cloudId, 'scheduled', `system:${id}`);
          logger.info(
            `snapshots: run ${run.id} of cloud ${cloudId} finished ${run.status}`,
          );
        } catch (e) {
          if (e instanceof CycleAlreadyRunningError) {
            logger.info(
              `snapshots: cloud ${cloudId} already runs a cycle (${e.runId}); scheduled run skipped`,
            );
            return;
          }
          throw e;
        }
      },
    });
  }
}

/** The assignment job (SNAP-10): one global task per cloud, hourly by default. */
export async function scheduleAssignmentJobs(options: {
  scheduler: SchedulerService;
  job: AssignmentJob;
  cloudIds: string[];
  config: SnapshotsConfig;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, job, config, logger } = options;
  if (!config.enabled) return;
  for (const cloudId of options.cloudIds) {
    await scheduler.scheduleTask({
      id: `pf9-snapshot-assignments-${cloudId}`,
      scope: 'global',
      frequency: { minutes: config.assignments.intervalMinutes },
      timeout: config.timeout,
      initialDelay: { minutes: 1 },
      fn: async () => {
        const result = await job.run(cloudId);
        logger.info(
          `snapshots: assignments of cloud ${cloudId}: ${result.protectedVolumes}/${result.volumes} volumes protected, ${result.metadataWritten} metadata written`,
        );
      },
    });
  }
}
