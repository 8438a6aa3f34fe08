import type { RestoreStepName } from '@internal/plugin-pf9-common';
import { createPorts } from './ports';
import { createServer, prepareKeypair, waitServerActive } from './server';
import { attachDataVolumes, createVolumes, waitVolumes } from './volumes';
import {
  cleanupOldStorage,
  finalize,
  prepareCredentials,
  quotaCheck,
  validate,
  verify,
} from './checks';
import {
  deleteOriginal,
  protectOriginalVolumes,
  releasePorts,
  safetySnapshot,
  stopOriginal,
  waitOriginalDeleted,
  waitSafetySnapshot,
} from './original';
import { StepHandler } from './types';

export type { StepHandler, SimulatedRequest } from './types';

/** RST-12: one handler per step. */
export const STEP_HANDLERS: Record<RestoreStepName, StepHandler> = {
  VALIDATE: validate,
  PREPARE_CREDENTIALS: prepareCredentials,
  QUOTA_CHECK: quotaCheck,
  STOP_ORIGINAL: stopOriginal,
  SAFETY_SNAPSHOT: safetySnapshot,
  WAIT_SAFETY_SNAPSHOT: waitSafetySnapshot,
  PROTECT_ORIGINAL_VOLUMES: protectOriginalVolumes,
  DELETE_ORIGINAL: deleteOriginal,
  WAIT_ORIGINAL_DELETED: waitOriginalDeleted,
  RELEASE_PORTS: releasePorts,
  CREATE_VOLUMES: createVolumes,
  WAIT_VOLUMES: waitVolumes,
  PREPARE_KEYPAIR: prepareKeypair,
  CREATE_PORTS: createPorts,
  CREATE_SERVER: createServer,
  WAIT_SERVER_ACTIVE: waitServerActive,
  ATTACH_DATA_VOLUMES: attachDataVolumes,
  VERIFY: verify,
  FINALIZE: finalize,
  CLEANUP_OLD_STORAGE: cleanupOldStorage,
};
