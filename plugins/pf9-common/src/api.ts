import type { InventoryType } from './inventory';

/** `GET /api/pf9/health`: what an operator or a load balancer may know, never a secret. */
export interface Pf9Health {
  status: 'ok';
  version: string;
  clouds: string[];
  database: 'sqlite' | 'postgres' | 'mysql';
}

/** `GET /api/pf9/access/me`: the caller's role and the permissions the default matrix gives it. */
export interface Pf9AccessMe {
  principal: string;
  role: string | null;
  permissions: string[];
}

/** One page of a list endpoint of the pf9 API. `page` is 1-based. */
export interface Pf9Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

/** Paging parameters of the list endpoints: `page` is 1-based, `pageSize` at most 1000 (default 50). */
export interface Pf9PageQuery {
  page?: number;
  pageSize?: number;
}

/** The columns `GET /inventory/resources/{type}` can sort by. */
export type InventoryResourceSortKey =
  | 'name'
  | 'id'
  | 'status'
  | 'project_id'
  | 'domain_id'
  | 'updated_at'
  | 'last_seen_at';

/** Filters of `GET /inventory/resources/{type}`; every one is applied in the database. */
export interface InventoryResourceQuery extends Pf9PageQuery {
  /** required when several clouds are configured */
  cloudId?: string;
  /** substring of the name, case-insensitive */
  name?: string;
  projectId?: string;
  domainId?: string;
  /** exact status, case-insensitive */
  status?: string;
  /** free text: name, id, IP addresses and other searchable values */
  q?: string;
  includeDeleted?: boolean;
  sort?: InventoryResourceSortKey;
  order?: 'asc' | 'desc';
}

/** One stored resource, as listed (SPEC §1.2, §1.3). */
export interface InventoryResource {
  cloudId: string;
  type: InventoryType;
  id: string;
  name: string | null;
  projectId: string | null;
  domainId: string | null;
  status: string | null;
  deleted: boolean;
  versionNo: number;
  contentHash: string;
  firstSeenRunId: string;
  lastSeenRunId: string;
  lastSeenAt: string | null;
  updatedAt: string | null;
  /** the typed key fields of §1.2 */
  fields: Record<string, unknown> | null;
  /** the derived fields of §1.3 (project_name, domain_name, owner_state, …) */
  derived: Record<string, unknown> | null;
}

/** `GET /inventory/resources/{type}/{id}`: the listed form plus the latest raw payload. */
export interface InventoryResourceDetail extends InventoryResource {
  raw: Record<string, unknown> | null;
}

export type InventoryChangeType =
  | 'discovered'
  | 'created'
  | 'updated'
  | 'deleted'
  | 'reappeared';

/** One version of a resource (INV-16), newest first in `GET /inventory/history/{type}/{id}`. */
export interface InventoryVersion {
  versionNo: number;
  runId: string;
  changeType: InventoryChangeType;
  recordedAt: string | null;
  hash: string;
  /** the top-level fields that differ from the previous version (every field for a first sighting) */
  changedFields: string[];
  /** the normalised form: key plus derived fields, no raw payload, null values dropped */
  normalised: Record<string, unknown> | null;
}

/** `GET /inventory/history/{type}/{id}/compare?from=&to=` (INV-17): the field-level diff of two versions. */
export interface InventoryVersionComparison {
  type: InventoryType;
  id: string;
  from: { versionNo: number; recordedAt: string };
  to: { versionNo: number; recordedAt: string };
  changes: Array<{
    field: string;
    change: 'added' | 'removed' | 'changed';
    from: unknown;
    to: unknown;
  }>;
}

/** One entry of `GET /inventory/history/recent` (INV-17), newest first. */
export interface InventoryRecentChange {
  type: InventoryType;
  id: string;
  name: string | null;
  versionNo: number;
  runId: string;
  changeType: InventoryChangeType;
  recordedAt: string;
  changedFields: string[];
  projectId: string | null;
  domainId: string | null;
}

export interface InventoryRecentChangeQuery extends Pf9PageQuery {
  cloudId?: string;
  /** 1..168, default 24 */
  hours?: number;
  type?: InventoryType;
  domainId?: string;
  projectId?: string;
}

/** `GET /inventory/history/most-changed?days=` (INV-17): resources ranked by version count. */
export interface InventoryMostChanged {
  days: number;
  items: Array<{
    type: InventoryType;
    id: string;
    name: string | null;
    versions: number;
    lastChangedAt: string;
  }>;
}

/** The reply of `POST /inventory/runs/{runId}/deletions/{type}/approve|reject` (INV-21). */
export interface InventoryGuardDecision {
  runId: string;
  type: InventoryType;
  decision: 'approved' | 'rejected';
  candidates: number;
  recorded: number;
  kept: number;
}

export type InventoryTypeStatus =
  | 'complete'
  | 'incomplete'
  | 'failed'
  | 'skipped'
  | 'complete_guarded';

/** The outcome of one partition of a partitioned type (users and groups per domain, INV-11). */
export interface InventoryPartitionOutcome {
  partition: string;
  status: 'ok' | 'access_denied' | 'not_supported' | 'error' | 'truncated';
  count: number;
  error?: string;
}

/** One type's line in a run record (INV-2). */
export interface InventoryTypeOutcome {
  type: InventoryType;
  status: InventoryTypeStatus;
  count: number;
  pages: number;
  durationMs: number;
  error?: string;
  partitions?: InventoryPartitionOutcome[];
  written?: { created: number; updated: number; unchanged: number };
  deletions?: {
    recorded: number;
    candidates: number;
    verifiedByGet: number;
    keptAfterGet: number;
    guarded?: { threshold: number; candidateIds: string[] };
  };
  reappeared?: number;
}

export type InventoryRunStatus =
  | 'running'
  | 'succeeded'
  | 'partial'
  | 'failed'
  | 'interrupted';

export type InventoryRunTrigger = 'scheduled' | 'on_demand' | 'pipeline';

/** A sync run record (INV-2). */
export interface InventoryRun {
  id: string;
  cloudId: string;
  trigger: InventoryRunTrigger;
  triggeredBy: string;
  status: InventoryRunStatus;
  startedAt: string;
  finishedAt: string | null;
  types: InventoryTypeOutcome[];
  deletionStats: {
    recorded: number;
    verifiedByGet: number;
    guardedTypes: string[];
  } | null;
  error: string | null;
}

/** Filters of `GET /inventory/runs`. */
export interface InventoryRunQuery extends Pf9PageQuery {
  cloudId?: string;
  status?: InventoryRunStatus;
}

/** A deletion record (INV-20). */
export interface InventoryDeletion {
  type: InventoryType;
  id: string;
  name: string | null;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
  lastSeenAt: string | null;
  lastSeenRunId: string | null;
  detectedInRunId: string;
  detectedAt: string | null;
  reason: string;
  verifiedByGet: boolean;
  /** the final normalised form */
  lastKnown: Record<string, unknown> | null;
  reverted: boolean;
  revertedInRunId: string | null;
}

/** Filters of `GET /inventory/deletions`. */
export interface InventoryDeletionQuery extends Pf9PageQuery {
  cloudId?: string;
  type?: InventoryType;
  /** ISO-8601 date-time: deletions detected at or after it */
  since?: string;
  runId?: string;
}

/** The sheets of an inventory export, in file order (SPEC EXP-3); `sheets` of an export request picks from them. */
export const INVENTORY_EXPORT_SHEETS = [
  'Summary',
  'Servers',
  'ServerNICs',
  'ServerVolumes',
  'Volumes',
  'Snapshots',
  'Backups',
  'Images',
  'Flavors',
  'Keypairs',
  'ServerGroups',
  'Hypervisors',
  'ComputeServices',
  'Aggregates',
  'AvailabilityZones',
  'VolumeTypes',
  'StoragePools',
  'Networks',
  'Subnets',
  'IPAvailability',
  'Ports',
  'Routers',
  'FloatingIPs',
  'SecurityGroups',
  'SecurityGroupRules',
  'Domains',
  'Projects',
  'ProjectQuotas',
  'Users',
  'Groups',
  'Roles',
  'RoleAssignments',
  'Health',
  'Delta',
  'Metadata',
] as const;

export type InventoryExportSheet = (typeof INVENTORY_EXPORT_SHEETS)[number];

export type InventoryExportFormat = 'xlsx' | 'csv';

/** EXP-8: `none` needs `pf9.inventory.export.unmasked`; the masked modes need a non-empty scope. */
export type InventoryExportMasking = 'none' | 'partial' | 'pseudonym';

/** The body of `POST /inventory/exports` (SPEC EXP-1, EXP-8). */
export interface InventoryExportRequest {
  /** required when several clouds are configured */
  cloudId?: string;
  format: InventoryExportFormat;
  /** default: the latest succeeded or partial run */
  runId?: string;
  compareToRunId?: string;
  scope?: { domainIds?: string[]; projectIds?: string[] };
  masking: InventoryExportMasking;
  maskNames?: boolean;
  maskIps?: boolean;
  /** default: every sheet */
  sheets?: InventoryExportSheet[];
  /** CSV only: start every file with a UTF-8 byte order mark */
  csvBom?: boolean;
}

export type InventoryExportStatus = 'queued' | 'running' | 'done' | 'failed';

/** `GET /inventory/exports/{id}`: an export job and, once `done`, its file's name and size. */
export interface InventoryExport {
  exportId: string;
  cloudId: string;
  status: InventoryExportStatus;
  trigger: 'on_demand' | 'scheduled';
  format: InventoryExportFormat;
  masking: InventoryExportMasking;
  runId: string;
  compareToRunId: string | null;
  requestedBy: string;
  /** the validated request, with the run pinned */
  request: InventoryExportRequest;
  fileName: string;
  sizeBytes: number | null;
  sha256: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string;
  error: string | null;
}

/** A downloaded export file. */
export interface InventoryExportFile {
  blob: Blob;
  /** from the server's Content-Disposition, else the record's name */
  fileName: string;
}

/** CMP-1: the status of a (volume, policy) pair, or `unprotected` for a volume without protection. */
export type ComplianceStatus =
  | 'compliant'
  | 'pending'
  | 'missing'
  | 'quota_blocked'
  | 'misconfigured'
  | 'unprotected';

export type CompliancePairStatus = Exclude<ComplianceStatus, 'unprotected'>;

export const COMPLIANCE_STATUSES: ComplianceStatus[] = [
  'compliant',
  'pending',
  'missing',
  'quota_blocked',
  'misconfigured',
  'unprotected',
];

/** CMP-2 roll-up of some rows: pair counts, the pair percentage and volume counts. */
export interface ComplianceRollUp {
  key: string;
  name: string | null;
  pairs: Record<CompliancePairStatus, number>;
  /** 100 × compliant / (compliant + non-compliant), 1 decimal; null when the denominator is 0 */
  compliancePct: number | null;
  volumes: {
    compliant: number;
    nonCompliant: number;
    pending: number;
    unprotected: number;
  };
}

export type ComplianceGroupBy = 'project' | 'domain' | 'policy';

/** One row of an evaluation: a (volume, policy) pair, or an unprotected / policy-less volume. */
export interface ComplianceRow {
  volumeId: string;
  volumeName: string | null;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
  serverId: string | null;
  serverName: string | null;
  policy: string | null;
  retention: number | null;
  period: string | null;
  snapshotCount: number;
  lastSnapshotAt: string | null;
  status: ComplianceStatus;
  reason: string | null;
  slaDays: string | null;
}

/** The filters of `GET /compliance` and `GET /compliance/export`. */
export interface ComplianceRowFilter {
  cloudId?: string;
  domainId?: string;
  projectId?: string;
  policy?: string;
  status?: ComplianceStatus;
}

export interface ComplianceRowQuery extends ComplianceRowFilter, Pf9PageQuery {}

/** `GET /compliance`: one page of rows of the latest evaluation; `evaluatedAt` null before any. */
export interface ComplianceRowPage extends Pf9Page<ComplianceRow> {
  evaluatedAt: string | null;
  summary: ComplianceRollUp | null;
}

/** `GET /compliance/summary`. */
export interface ComplianceSummary {
  evaluatedAt: string | null;
  groupBy: ComplianceGroupBy;
  overall: ComplianceRollUp | null;
  groups: ComplianceRollUp[];
}

/** `POST /compliance/evaluations`. */
export interface ComplianceEvaluationResult {
  id: string;
  evaluatedAt: string;
  overall: ComplianceRollUp;
}

/** A snapshot policy (`/snapshots/policies`). */
export interface SnapshotPolicy {
  name: string;
  frequency: 'daily' | 'weekly' | 'monthly';
  /** ISO 1 (Monday) – 7 (Sunday); weekly only */
  dayOfWeek: number | null;
  /** 1–31; monthly only */
  dayOfMonth: number | null;
  /** local `HH:MM` */
  windowStart: string;
  windowHours: number;
  timezone: string;
  defaultRetention: number;
  enabled: boolean;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export type SnapshotRunStatus =
  | 'running'
  | 'completed'
  | 'completed_with_errors'
  | 'failed'
  | 'skipped'
  | 'canceled';

export interface SnapshotRunCounts {
  considered: number;
  created: number;
  deleted: number;
  skipped: number;
  deferred: number;
  quotaBlocked: number;
  failed: number;
}

/** A snapshot cycle run (`/snapshots/runs`). */
export interface SnapshotRun {
  id: string;
  cloudId: string;
  trigger: 'scheduled' | 'on_demand' | 'api';
  triggeredBy: string;
  dryRun: boolean;
  catchUp: boolean;
  policies: string[] | null;
  status: SnapshotRunStatus;
  startedAt: string;
  finishedAt: string | null;
  counts: SnapshotRunCounts;
  errorSummary: string | null;
  /** SNAP-23 batching progress; null before the create step */
  progress?: {
    totalBatches: number;
    completedBatches: number;
    currentBatch: number;
    progressPct: number;
    estimatedFinishAt: string | null;
  } | null;
  /** SNAP-24: the user who asked the run to stop; it ends `canceled` after the batch in hand */
  cancelRequestedBy?: string | null;
}

export interface SnapshotRunQuery extends Pf9PageQuery {
  cloudId?: string;
  status?: SnapshotRunStatus;
}

/** The body of `POST /snapshots/runs`. */
export interface SnapshotRunRequest {
  cloudId?: string;
  dryRun?: boolean;
  policies?: string[];
  catchUp?: boolean;
}

/** The match keys of an assignment rule (SNAP-9); every present key must hold. */
export interface SnapshotRuleMatch {
  domain_id?: string | string[];
  domain_name?: string | string[];
  project_id?: string | string[];
  project_name?: string | string[];
  tenant_name?: string | string[];
  project_name_glob?: string;
  volume_name_prefix?: string;
  volume_name_contains?: string;
  volume_type?: string;
  availability_zone?: string;
  bootable?: boolean;
  attached?: boolean;
  min_size_gb?: number;
  max_size_gb?: number;
  metadata_equals?: Record<string, string>;
  metadata_contains?: Record<string, string | string[]>;
}

/** An assignment rule as written (`POST /snapshots/rules`, draft rules of a preview). */
export interface SnapshotRuleInput {
  name: string;
  priority?: number;
  action: 'include' | 'exclude';
  enabled?: boolean;
  match?: SnapshotRuleMatch;
  policies?: string[];
  retention?: Record<string, number>;
  description?: string | null;
}

/** A stored assignment rule (`/snapshots/rules`). */
export interface SnapshotRule extends Required<SnapshotRuleInput> {
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
  /** e.g. for an exclude catch-all */
  warnings: string[];
}

/** A volume's assignment as the preview shows it (SNAP-8 source). */
export interface SnapshotAssignmentView {
  source: string;
  matchedRule: string | null;
  enabled: boolean;
  misconfigured: string | null;
  policies: Array<{
    policy: string;
    retention: number | null;
    misconfigured: string | null;
  }>;
}

/** One volume of an assignment preview (SNAP-11). */
export interface SnapshotAssignmentPreviewRow {
  volumeId: string;
  volumeName: string | null;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
  current: SnapshotAssignmentView | null;
  proposed: SnapshotAssignmentView;
  metadataChanges: { set: Record<string, string>; remove: string[] };
  ownerEdited: boolean;
}

export interface SnapshotAssignmentPreview
  extends Pf9Page<SnapshotAssignmentPreviewRow> {
  summary: {
    volumes: number;
    protectedVolumes: number;
    changed: number;
    metadataWrites: number;
    bySource: Record<string, number>;
  };
  warnings: string[];
}

export interface SnapshotAssignmentPreviewRequest {
  cloudId?: string;
  /** replaces the stored rules for the preview */
  rules?: SnapshotRuleInput[];
  changedOnly?: boolean;
  page?: number;
  pageSize?: number;
}

/** One per-pair record of a snapshot run (`/snapshots/runs/:id/records`). */
export interface SnapshotRecord {
  id: number;
  runId: string;
  cloudId: string;
  recordedAt: string;
  volumeId: string;
  volumeName: string | null;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
  serverId: string | null;
  serverName: string | null;
  policy: string | null;
  period: string | null;
  retention: number | null;
  action: string;
  reason: string | null;
  snapshotId: string | null;
  snapshotName: string | null;
  snapshotStatus: string | null;
}

/** Why a managed snapshot is orphaned (SNAP-20). */
export type SnapshotOrphanReason = 'volume_deleted' | 'pair_unassigned';

/** A managed snapshot that cleanup keeps because its pair is no longer assigned or its volume is gone (SNAP-20). */
export interface SnapshotOrphan {
  snapshotId: string;
  snapshotName: string | null;
  status: string;
  createdAt: string | null;
  sizeGb: number | null;
  volumeId: string;
  policy: string | null;
  period: string | null;
  keep: boolean;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
  reason: SnapshotOrphanReason;
}

/** `GET /snapshots/orphans`: a live, unpaged read of one cloud. */
export interface SnapshotOrphanListing {
  items: SnapshotOrphan[];
  /** false when the snapshot listing failed or stopped early: the list may miss some */
  complete: boolean;
  reason?: string;
}

export interface SnapshotOrphanQuery {
  cloudId?: string;
}
