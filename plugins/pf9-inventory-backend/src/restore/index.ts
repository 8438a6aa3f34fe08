/** The restore area's parts for the plugin's wiring: the planner (GET-only) and the executor's control. */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import type {
  CloudConfig,
  RestoreConfig,
  SnapshotCredentialsConfig,
} from '../config';
import { JobRunner } from '../jobs/runner';
import { createOpenStackClient } from '../openstack';
import { AuditLog } from '../store/audit';
import { RestoreJobControl } from './contracts';
import { createRestoreJobControl } from './executor';
import { RestorePlanner } from './planner';
import { UserDataCipher } from './secrets';

export interface RestoreArea {
  planner: RestorePlanner;
  control: RestoreJobControl;
}

export function createRestoreArea(options: {
  db: Knex;
  runner: JobRunner;
  clouds: CloudConfig[];
  config: RestoreConfig;
  /** SNAP-18/19: restores act in a project the way snapshot creates do */
  credentials: SnapshotCredentialsConfig;
  logger: LoggerService;
  audit: AuditLog;
}): RestoreArea {
  const { db, runner, clouds, config, logger, audit } = options;
  // config.ts guarantees a valid key whenever restore is enabled
  const cipher = config.userDataKey
    ? new UserDataCipher(config.userDataKey)
    : null;
  const planner = new RestorePlanner({
    db,
    clouds,
    cipher,
    settings: {
      planTtlMinutes: config.planTtlMinutes,
      stopOriginal: config.stopOriginal,
    },
    clientFactory: (cloud, { readOnly }) =>
      createOpenStackClient(cloud, { readOnly }),
  });
  const control = createRestoreJobControl({
    db,
    runner,
    clouds,
    logger,
    audit,
    maxConcurrentJobs: config.maxConcurrentJobs,
    maxJobsPerProject: config.maxJobsPerProject,
    stopOriginal: config.stopOriginal,
    keepVolumesOnFailure: config.keepVolumesOnFailure,
    cipher: cipher ?? undefined,
    credentials: options.credentials,
  });
  return { planner, control };
}
