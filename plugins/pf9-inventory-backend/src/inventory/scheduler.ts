/**
 * The scheduled sync (INV-1, COM-3): one task per cloud with `scope: 'global'`, so one backend
 * instance runs it at a time; the run claim in the database still guards against overlap with an
 * on-demand sync.
 */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import type { InventoryConfig } from '../config';
import { InventorySyncEngine } from './engine';
import { SyncAlreadyRunningError } from './runs';

export function inventoryTaskId(cloudId: string): string {
  return `pf9-inventory-sync-${cloudId}`;
}

export async function scheduleInventorySync(options: {
  scheduler: SchedulerService;
  engine: InventorySyncEngine;
  config: InventoryConfig;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, engine, config, logger } = options;
  for (const cloudId of engine.cloudIds()) {
    const id = inventoryTaskId(cloudId);
    await scheduler.scheduleTask({
      id,
      scope: 'global',
      frequency: config.schedule.frequency,
      timeout: config.schedule.timeout,
      initialDelay: config.schedule.initialDelay,
      fn: async () => {
        try {
          const run = await engine.run(cloudId, 'scheduled', `system:${id}`);
          logger.info(
            `inventory: run ${run.id} of cloud ${cloudId} finished ${run.status}`,
          );
        } catch (e) {
          if (e instanceof SyncAlreadyRunningError) {
            logger.info(
              `inventory: cloud ${cloudId} is already syncing (run ${e.runId}); scheduled run skipped`,
            );
            return;
          }
          throw e;
        }
      },
    });
  }
}
