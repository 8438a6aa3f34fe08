/** The scheduled compliance evaluation (CMP-3): one global task per cloud. */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import type { SnapshotsConfig } from '../config';
import { ComplianceService } from './service';

export async function scheduleCompliance(options: {
  scheduler: SchedulerService;
  compliance: ComplianceService;
  config: SnapshotsConfig;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, compliance, config, logger } = options;
  if (!config.enabled) return;
  for (const cloudId of compliance.cloudIds()) {
    const id = `pf9-compliance-${cloudId}`;
    await scheduler.scheduleTask({
      id,
      scope: 'global',
      frequency: { minutes: config.complianceIntervalMinutes },
      timeout: { minutes: 10 },
      initialDelay: { minutes: 3 },
      fn: async () => {
        const evaluation = await compliance.evaluate(cloudId, `system:${id}`);
        logger.info(
          `compliance: cloud ${cloudId} evaluated, ${
            evaluation.rollups.overall.compliancePct ?? 'n/a'
          } % compliant`,
        );
      },
    });
  }
}
