/**
 * Scheduled work of the export area (EXP-1, COM-3), each a `scope: 'global'` task: one scheduled export per
 * cloud (unmasked XLSX of the latest run, default daily 02:00 UTC) and one maintenance task (stale jobs,
 * unclaimed jobs, retention).
 */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { ExportConfig } from '../config';
import type { AuditLog } from '../store/audit';
import { ExportService } from './service';

export function exportTaskId(cloudId: string): string {
  return `pf9-inventory-export-${cloudId}`;
}

export const EXPORT_MAINTENANCE_TASK = 'pf9-inventory-export-maintenance';

export async function scheduleExports(options: {
  scheduler: SchedulerService;
  service: ExportService;
  config: ExportConfig;
  audit: AuditLog;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, service, config, audit, logger } = options;
  if (config.schedule.enabled) {
    for (const cloudId of service.cloudIds()) {
      const id = exportTaskId(cloudId);
      await scheduler.scheduleTask({
        id,
        scope: 'global',
        frequency: config.schedule.frequency,
        timeout: config.schedule.timeout,
        fn: async () => {
          const actor = `system:${id}`;
          try {
            const { record, done } = await service.create(
              { cloudId, format: 'xlsx', masking: 'none' },
              { actor, trigger: 'scheduled' },
            );
            await audit.record({
              eventId: 'inventory.export',
              actor,
              severity: 'low',
              target: { type: 'inventory_export', id: record.exportId },
              outcome: 'success',
              details: {
                action: 'create',
                cloudId,
                exportId: record.exportId,
                runId: record.runId,
                format: 'xlsx',
                masking: 'none',
              },
            });
            await done;
            const after = await service.get(record.exportId);
            logger.info(
              `export: scheduled export ${record.exportId} of cloud ${cloudId} ${after?.status}`,
            );
          } catch (e) {
            if (e instanceof ConflictError) {
              logger.info(`export: cloud ${cloudId}: ${e.message}; skipped`);
              return;
            }
            throw e;
          }
        },
      });
    }
  }
  await scheduler.scheduleTask({
    id: EXPORT_MAINTENANCE_TASK,
    scope: 'global',
    frequency: { hours: 1 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 5 },
    fn: async () => {
      const { pruned, failed } = await service.maintain();
      if (pruned || failed) {
        logger.info(
          `export: maintenance pruned ${pruned} expired export(s), failed ${failed} stale one(s)`,
        );
      }
    },
  });
}
