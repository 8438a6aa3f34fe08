import type { Pf9PageQuery } from './api';

/** `GET /restore/config` (RST-1): the one restore endpoint that answers while restore is disabled. */
export interface RestoreConfig {
  enabled: boolean;
  serviceUserConfigured: boolean;
  planTtlMinutes: number;
  maxConcurrentJobs: number;
}

export type RestoreMode = 'side_by_side' | 'replace';

export type RestoreIpStrategy =
  | 'NEW_IPS'
  | 'TRY_SAME_IPS'
  | 'SAME_IPS_OR_FAIL'
  | 'MANUAL_IP';

export const RESTORE_IP_STRATEGIES: readonly RestoreIpStrategy[] = [
  'NEW_IPS',
  'TRY_SAME_IPS',
  'SAME_IPS_OR_FAIL',
  'MANUAL_IP',
];

export type RestoreDataVolumes =
  | 'restore_from_snapshots'
  | 'reattach_existing'
  | 'skip';

export type RestorePointKind =
  | 'volume_snapshot'
  | 'server_image'
  | 'server_image_volume_backed';

/** One restore point of a server (RST-3), newest first in the list. */
export interface RestorePoint {
  id: string;
  kind: RestorePointKind;
  name: string | null;
  /** the volume a Cinder snapshot was taken of; null for server images */
  volumeId: string | null;
  /** true when our snapshot cycle made it */
  managed: boolean;
  policy: string | null;
  createdAt: string;
  sizeGb: number | null;
  status: string;
}

/** `GET /restore/servers/{id}/restore-points`. */
export interface RestorePointList {
  serverId: string;
  serverName: string | null;
  bootMode: 'volume' | 'image';
  /** true when the server is gone and the points come from its deletion record (RST-5) */
  fromHistory: boolean;
  items: RestorePoint[];
}

/** The body of `POST /restore/plans` (RST-6). Legacy modes `NEW`/`REPLACE` are accepted by the server. */
export interface RestorePlanRequest {
  cloudId?: string;
  serverId: string;
  restorePointId: string;
  mode: RestoreMode;
  newName?: string;
  ipStrategy: RestoreIpStrategy;
  manualIps?: Record<string, string>;
  dataVolumes?: RestoreDataVolumes;
  flavorId?: string;
  availabilityZone?: string;
  cleanupOldStorage?: boolean;
}

export interface RestoreIssue {
  code: string;
  message: string;
}

/** One ordered step of the plan and of the job (RST-12). */
export type RestoreStepName =
  | 'VALIDATE'
  | 'PREPARE_CREDENTIALS'
  | 'QUOTA_CHECK'
  | 'STOP_ORIGINAL'
  | 'SAFETY_SNAPSHOT'
  | 'WAIT_SAFETY_SNAPSHOT'
  | 'PROTECT_ORIGINAL_VOLUMES'
  | 'DELETE_ORIGINAL'
  | 'WAIT_ORIGINAL_DELETED'
  | 'RELEASE_PORTS'
  | 'CREATE_VOLUMES'
  | 'WAIT_VOLUMES'
  | 'PREPARE_KEYPAIR'
  | 'CREATE_PORTS'
  | 'CREATE_SERVER'
  | 'WAIT_SERVER_ACTIVE'
  | 'ATTACH_DATA_VOLUMES'
  | 'VERIFY'
  | 'FINALIZE'
  | 'CLEANUP_OLD_STORAGE';

export interface RestorePlanAction {
  step: RestoreStepName;
  description: string;
  /** what the step creates or deletes, e.g. `{kind: 'volume', name: 'restore-1a2b3c4d-1'}` */
  resource?: {
    kind: string;
    id?: string;
    name?: string;
    operation: 'create' | 'delete' | 'update';
  };
}

/** The address plan for one original (or new) NIC (RST-8). */
export interface RestoreNetworkPlanEntry {
  networkId: string;
  networkName: string | null;
  subnetId: string | null;
  originalIp: string | null;
  /** the address that will be requested; null when Neutron assigns one */
  requestedIp: string | null;
  /** `new`, `reuse_port`, `request_ip` */
  action: 'new' | 'reuse_port' | 'request_ip';
  reusePortId: string | null;
  securityGroups: string[];
  note: string | null;
}

export interface RestoreQuotaEntry {
  resource: string;
  need: number;
  limit: number;
  inUse: number;
  reserved: number;
  ok: boolean;
}

export interface RestoreCarryOver {
  name: string;
  flavorId: string;
  availabilityZone: string | null;
  metadata: Record<string, string>;
  tags: string[];
  description: string | null;
  serverGroupId: string | null;
  keyName: string | null;
  userData: { present: boolean; sizeBytes: number };
}

export type RestoreJobStatus =
  | 'PLANNED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'CANCEL_REQUESTED'
  | 'ROLLING_BACK'
  | 'CANCELED'
  | 'FAILED'
  | 'ROLLBACK_FAILED'
  | 'EXPIRED'
  | 'DRY_RUN_COMPLETED';

export const RESTORE_JOB_STATUSES: readonly RestoreJobStatus[] = [
  'PLANNED',
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'CANCEL_REQUESTED',
  'ROLLING_BACK',
  'CANCELED',
  'FAILED',
  'ROLLBACK_FAILED',
  'EXPIRED',
  'DRY_RUN_COMPLETED',
];

export const RESTORE_TERMINAL_STATUSES: readonly RestoreJobStatus[] = [
  'SUCCEEDED',
  'CANCELED',
  'FAILED',
  'ROLLBACK_FAILED',
  'EXPIRED',
  'DRY_RUN_COMPLETED',
];

/** The reply of `POST /restore/plans`: the plan is a job in `PLANNED` state. */
export interface RestorePlan {
  planId: string;
  cloudId: string;
  serverId: string;
  serverName: string;
  projectId: string;
  mode: RestoreMode;
  ipStrategy: RestoreIpStrategy;
  restorePoint: RestorePoint;
  eligible: boolean;
  blockers: RestoreIssue[];
  warnings: RestoreIssue[];
  actions: RestorePlanAction[];
  networkPlan: RestoreNetworkPlanEntry[];
  quota: RestoreQuotaEntry[];
  carryOver: RestoreCarryOver;
  expiresAt: string;
  /** for `replace`: the text `confirm` must equal (RST-11) */
  confirmationText: string | null;
}

export type RestoreStepStatus =
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'SKIPPED'
  | 'SIMULATED'
  | 'ROLLED_BACK';

export interface RestoreJobStep {
  name: RestoreStepName;
  status: RestoreStepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** for SIMULATED steps: the request it would have sent */
  detail: Record<string, unknown> | null;
}

/** One resource the job created or touched (RST-17). */
export interface RestoreLedgerEntry {
  kind:
    | 'server'
    | 'volume'
    | 'port'
    | 'keypair'
    | 'snapshot'
    | 'image'
    | 'original_server';
  resourceId: string;
  name: string | null;
  /** `present`, `deleted`, `kept` */
  state: string;
  createdByJob: boolean;
  /** the step that recorded it; `ROLLBACK` for the recovery server of a failed replace (RST-17) */
  step: RestoreStepName | 'ROLLBACK';
  recordedAt: string;
}

export interface RestoreJobProgress {
  totalSteps: number;
  doneSteps: number;
  currentStep: RestoreStepName | null;
  percent: number;
}

/** A restore job as listed (`GET /restore/jobs`). */
export interface RestoreJobSummary {
  id: string;
  cloudId: string;
  serverId: string;
  serverName: string;
  projectId: string;
  mode: RestoreMode;
  ipStrategy: RestoreIpStrategy;
  restorePointId: string;
  status: RestoreJobStatus;
  dryRun: boolean;
  createdBy: string;
  executedBy: string | null;
  canceledBy: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  resultServerId: string | null;
  recoveredServerId: string | null;
  retryOf: string | null;
  queuePosition: number | null;
  error: string | null;
}

/** `GET /restore/jobs/{id}` (RST-14). */
export interface RestoreJob extends RestoreJobSummary {
  plan: RestorePlan;
  steps: RestoreJobStep[];
  ledger: RestoreLedgerEntry[];
  progress: RestoreJobProgress;
  cancelReason: string | null;
  safetySnapshotIds: string[];
  warnings: RestoreIssue[];
}

export interface RestoreJobQuery extends Pf9PageQuery {
  cloudId?: string;
  projectId?: string;
  status?: RestoreJobStatus;
  mode?: RestoreMode;
  createdBy?: string;
  q?: string;
  from?: string;
  to?: string;
}

export interface RestoreExecuteRequest {
  confirm?: string;
  dryRun?: boolean;
}

export interface RestoreRetryRequest {
  ipStrategy?: RestoreIpStrategy;
  confirm?: string;
}

export interface RestoreCleanupStorageRequest {
  deleteOldVolume?: boolean;
  deleteSourceSnapshot?: boolean;
  deleteSafetySnapshots?: boolean;
  confirm: string;
}

/** One restore audit event (`GET /restore/audit`, RST-22). */
export interface RestoreAuditEvent {
  id: number;
  eventId: string;
  actor: string;
  outcome: 'success' | 'fail';
  jobId: string | null;
  serverId: string | null;
  projectId: string | null;
  details: Record<string, unknown> | null;
  error: string | null;
  createdAt: string;
}

export interface RestoreAuditQuery extends Pf9PageQuery {
  jobId?: string;
  serverId?: string;
}
