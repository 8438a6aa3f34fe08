/**
 * History retention (SPEC INV-18): versions and deletion records older than the retention period are
 * pruned daily, but a resource's latest version is never removed, so its current state stays explained.
 */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

export const HISTORY_PRUNING_TASK = 'pf9-inventory-history-pruning';

export interface PruneResult {
  versions: number;
  deletions: number;
}

export async function pruneHistory(
  db: Knex,
  retentionDays: number,
  now = new Date(),
): Promise<PruneResult> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const prunable = db('inventory_versions as old')
    .where('old.recorded_at', '<', cutoff)
    .whereExists(
      db('inventory_versions as newer')
        .whereRaw('newer.cloud_id = old.cloud_id')
        .whereRaw('newer.type = old.type')
        .whereRaw('newer.resource_id = old.resource_id')
        .whereRaw('newer.version_no > old.version_no')
        .select(db.raw('1')),
    )
    .select('old.seq');
  const versions = await db('inventory_versions')
    .whereIn('seq', prunable)
    .delete();
  const deletions = await db('inventory_deletions')
    .where('detected_at', '<', cutoff)
    .delete();
  return { versions, deletions };
}

export async function scheduleHistoryPruning(options: {
  scheduler: SchedulerService;
  db: Knex;
  retentionDays: number;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, db, retentionDays, logger } = options;
  await scheduler.scheduleTask({
    id: HISTORY_PRUNING_TASK,
    scope: 'global',
    frequency: { hours: 24 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 10 },
    fn: async () => {
      const pruned = await pruneHistory(db, retentionDays);
      logger.info(
        `inventory: pruned ${pruned.versions} versions and ${pruned.deletions} deletion records older than ${retentionDays} days`,
      );
    },
  });
}
