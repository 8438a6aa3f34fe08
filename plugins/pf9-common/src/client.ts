import {
  ComplianceEvaluationResult,
  ComplianceGroupBy,
  ComplianceRowFilter,
  ComplianceRowPage,
  ComplianceRowQuery,
  ComplianceSummary,
  InventoryDeletion,
  InventoryGuardDecision,
  InventoryMostChanged,
  InventoryRecentChange,
  InventoryRecentChangeQuery,
  InventoryVersionComparison,
  InventoryDeletionQuery,
  InventoryExport,
  InventoryExportFile,
  InventoryExportRequest,
  InventoryResource,
  InventoryResourceDetail,
  InventoryResourceQuery,
  InventoryRun,
  InventoryRunQuery,
  InventoryVersion,
  Pf9AccessMe,
  Pf9Health,
  Pf9Page,
  Pf9PageQuery,
  SnapshotAssignmentPreview,
  SnapshotAssignmentPreviewRequest,
  SnapshotOrphanListing,
  SnapshotOrphanQuery,
  SnapshotPolicy,
  SnapshotRecord,
  SnapshotRule,
  SnapshotRuleInput,
  SnapshotRun,
  SnapshotRunQuery,
  SnapshotRunRequest,
} from './api';
import type { InventoryType } from './inventory';
import type {
  RestoreAuditEvent,
  RestoreAuditQuery,
  RestoreCleanupStorageRequest,
  RestoreConfig,
  RestoreExecuteRequest,
  RestoreJob,
  RestoreJobQuery,
  RestoreJobSummary,
  RestorePlan,
  RestorePlanRequest,
  RestorePointList,
  RestoreRetryRequest,
} from './restore';

/** The parts of Backstage's discoveryApi and fetchApi the client needs; both frontend APIs satisfy them. */
export interface Pf9ClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
}

/** An error response of the pf9 API, carrying the status and the server's error name and message. */
export class Pf9ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
    /** the server's serialised error, with any extra properties (e.g. the running `runId` of a 409) */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'Pf9ApiError';
  }
}

type QueryValue = string | number | boolean | undefined | null;

/** `?a=1&b=x`, leaving out undefined, null and empty values. */
function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as [string, QueryValue][]) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const segment = encodeURIComponent;

/** Typed client of the pf9 REST API, shared by both frontend plugins. */
export class Pf9Client {
  constructor(private readonly options: Pf9ClientOptions) {}

  getHealth(): Promise<Pf9Health> {
    return this.get('/health');
  }

  getAccessMe(): Promise<Pf9AccessMe> {
    return this.get('/access/me');
  }

  /** One page of stored resources of a type; filters, sort and paging run on the server. */
  listResources(
    type: InventoryType,
    query: InventoryResourceQuery = {},
  ): Promise<Pf9Page<InventoryResource>> {
    return this.get(
      `/inventory/resources/${segment(type)}${queryString(query)}`,
    );
  }

  /** One resource with its key fields, derived fields and raw payload. */
  getResource(
    type: InventoryType,
    id: string,
    query: { cloudId?: string } = {},
  ): Promise<InventoryResourceDetail> {
    return this.get(
      `/inventory/resources/${segment(type)}/${segment(id)}${queryString(
        query,
      )}`,
    );
  }

  /** One page of a resource's versions, newest first. */
  getHistory(
    type: InventoryType,
    id: string,
    query: { cloudId?: string } & Pf9PageQuery = {},
  ): Promise<Pf9Page<InventoryVersion>> {
    return this.get(
      `/inventory/history/${segment(type)}/${segment(id)}${queryString(query)}`,
    );
  }

  /** The field-level diff of two versions of a resource. */
  compareVersions(
    type: InventoryType,
    id: string,
    query: { from: number; to: number; cloudId?: string },
  ): Promise<InventoryVersionComparison> {
    return this.get(
      `/inventory/history/${segment(type)}/${segment(id)}/compare${queryString(
        query,
      )}`,
    );
  }

  /** One page of the versions recorded in the last hours, newest first. */
  listRecentChanges(
    query: InventoryRecentChangeQuery = {},
  ): Promise<Pf9Page<InventoryRecentChange>> {
    return this.get(`/inventory/history/recent${queryString(query)}`);
  }

  /** Resources ranked by how many versions they had in the last days. */
  getMostChanged(
    query: {
      cloudId?: string;
      days?: number;
      type?: InventoryType;
      limit?: number;
    } = {},
  ): Promise<InventoryMostChanged> {
    return this.get(`/inventory/history/most-changed${queryString(query)}`);
  }

  /** One page of sync runs, newest first. */
  listRuns(query: InventoryRunQuery = {}): Promise<Pf9Page<InventoryRun>> {
    return this.get(`/inventory/runs${queryString(query)}`);
  }

  /** One run with its per-type outcomes. */
  getRun(id: string): Promise<InventoryRun> {
    return this.get(`/inventory/runs/${segment(id)}`);
  }

  /**
   * Starts an on-demand sync of a cloud. Rejects with a {@link Pf9ApiError} of status 409 when a sync of
   * that cloud is already running (its `details.runId` names the running run).
   */
  triggerSync(cloudId: string): Promise<{ runId: string }> {
    return this.request('/inventory/runs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ cloudId }),
    });
  }

  /**
   * INV-21: approves (records the deletions still confirmed gone) or rejects a batch the mass-deletion
   * guard held back in a run. 409 when already decided or superseded by a later complete listing.
   */
  decideGuardedDeletions(
    runId: string,
    type: InventoryType,
    decision: 'approve' | 'reject',
  ): Promise<InventoryGuardDecision> {
    return this.request(
      `/inventory/runs/${segment(runId)}/deletions/${segment(
        type,
      )}/${decision}`,
      { method: 'POST' },
    );
  }

  /** One page of deletion records, newest first. */
  listDeletions(
    query: InventoryDeletionQuery = {},
  ): Promise<Pf9Page<InventoryDeletion>> {
    return this.get(`/inventory/deletions${queryString(query)}`);
  }

  /**
   * Starts an export job (SPEC EXP-1). Rejects with a {@link Pf9ApiError}: 400 for invalid options (a masked
   * export without a scope, an unknown run), 403 without the needed permission, 409 when there is no run yet.
   */
  createExport(request: InventoryExportRequest): Promise<{ exportId: string }> {
    return this.request('/inventory/exports', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  /** An export job's status; its file is ready once `status` is `done`. */
  getExport(exportId: string): Promise<InventoryExport> {
    return this.get(`/inventory/exports/${segment(exportId)}`);
  }

  /**
   * Downloads a finished export's file through fetchApi, so the request carries the Backstage token (a plain
   * link would not). `fallbackName` is used when the response names no file.
   */
  async downloadExport(
    exportId: string,
    fallbackName = `${exportId}.xlsx`,
  ): Promise<InventoryExportFile> {
    const response = await this.send(
      `/inventory/exports/${segment(exportId)}/file`,
    );
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const match = /filename="?([^";]+)"?/i.exec(disposition);
    return {
      blob: await response.blob(),
      fileName: match?.[1] ?? fallbackName,
    };
  }

  /** One page of rows of the latest compliance evaluation, filtered and paged on the server. */
  listComplianceRows(
    query: ComplianceRowQuery = {},
  ): Promise<ComplianceRowPage> {
    return this.get(`/compliance${queryString(query)}`);
  }

  /** The roll-ups of the latest compliance evaluation, overall and per group. */
  getComplianceSummary(
    query: { cloudId?: string; groupBy?: ComplianceGroupBy } = {},
  ): Promise<ComplianceSummary> {
    return this.get(`/compliance/summary${queryString(query)}`);
  }

  /** Evaluates a cloud's compliance now (`pf9.snapshots.run`). */
  evaluateCompliance(cloudId?: string): Promise<ComplianceEvaluationResult> {
    return this.request('/compliance/evaluations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(cloudId ? { cloudId } : {}),
    });
  }

  /**
   * Downloads the compliance rows (the filters of {@link Pf9Client.listComplianceRows}, every page) as XLSX
   * or a ZIP of CSV files, through fetchApi so the Backstage token goes along.
   */
  async downloadComplianceExport(
    query: ComplianceRowFilter & { format: 'xlsx' | 'csv' },
  ): Promise<InventoryExportFile> {
    const response = await this.send(`/compliance/export${queryString(query)}`);
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const match = /filename="?([^";]+)"?/i.exec(disposition);
    return {
      blob: await response.blob(),
      fileName:
        match?.[1] ??
        `pf9-compliance.${query.format === 'xlsx' ? 'xlsx' : 'zip'}`,
    };
  }

  /** The snapshot policies. */
  listSnapshotPolicies(): Promise<{ items: SnapshotPolicy[] }> {
    return this.get('/snapshots/policies');
  }

  /** One page of snapshot cycle runs, newest first. */
  listSnapshotRuns(
    query: SnapshotRunQuery = {},
  ): Promise<Pf9Page<SnapshotRun>> {
    return this.get(`/snapshots/runs${queryString(query)}`);
  }

  getSnapshotRun(id: string): Promise<SnapshotRun> {
    return this.get(`/snapshots/runs/${segment(id)}`);
  }

  /** One page of a snapshot run's per-pair records. */
  listSnapshotRunRecords(
    runId: string,
    query: { action?: string } & Pf9PageQuery = {},
  ): Promise<Pf9Page<SnapshotRecord>> {
    return this.get(
      `/snapshots/runs/${segment(runId)}/records${queryString(query)}`,
    );
  }

  /**
   * Starts a snapshot cycle (`pf9.snapshots.run`); rejects with a {@link Pf9ApiError} of status 409 when one
   * is already running.
   */
  startSnapshotRun(
    request: SnapshotRunRequest = {},
  ): Promise<{ runId: string }> {
    return this.request('/snapshots/runs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  /**
   * SNAP-24: asks a running cycle to stop (`pf9.snapshots.run`); 202 with the run, still `running` until
   * it ends `canceled`. Rejects with a {@link Pf9ApiError} of status 409 when the run is not running.
   */
  cancelSnapshotRun(runId: string): Promise<SnapshotRun> {
    return this.post(`/snapshots/runs/${segment(runId)}/cancel`, {});
  }

  /** SNAP-20: the orphaned managed snapshots of a cloud (a live read, not paged). */
  listSnapshotOrphans(
    query: SnapshotOrphanQuery = {},
  ): Promise<SnapshotOrphanListing> {
    return this.get(`/snapshots/orphans${queryString(query)}`);
  }

  /** The snapshot assignment rules, in evaluation order. */
  listSnapshotRules(): Promise<{ items: SnapshotRule[] }> {
    return this.get('/snapshots/rules');
  }

  /** Creates a rule (`pf9.snapshots.rules`); 400 names the field that was wrong. */
  createSnapshotRule(rule: SnapshotRuleInput): Promise<SnapshotRule> {
    return this.post('/snapshots/rules', rule);
  }

  async deleteSnapshotRule(name: string): Promise<void> {
    await this.send(`/snapshots/rules/${segment(name)}`, { method: 'DELETE' });
  }

  /** SNAP-11: what the assignment job would do (only GETs to OpenStack, nothing stored). */
  previewSnapshotAssignments(
    request: SnapshotAssignmentPreviewRequest = {},
  ): Promise<SnapshotAssignmentPreview> {
    return this.post('/snapshots/assignments/preview', request);
  }

  /** RST-1: answers even while restore is disabled. */
  getRestoreConfig(): Promise<RestoreConfig> {
    return this.get('/restore/config');
  }

  /** RST-3: stored and live restore points of a server, newest first. */
  listRestorePoints(
    serverId: string,
    query: { cloudId?: string } = {},
  ): Promise<RestorePointList> {
    return this.get(
      `/restore/servers/${segment(serverId)}/restore-points${queryString(
        query,
      )}`,
    );
  }

  /** RST-6: a plan (GET-only against OpenStack), stored as a job in `PLANNED` state. */
  createRestorePlan(request: RestorePlanRequest): Promise<RestorePlan> {
    return this.post('/restore/plans', request);
  }

  /** RST-11: 202 `{jobId, status}`; 409 with a code in `details.code` when refused. */
  executeRestorePlan(
    planId: string,
    request: RestoreExecuteRequest = {},
  ): Promise<{ jobId: string; status: string }> {
    return this.post(`/restore/plans/${segment(planId)}/execute`, request);
  }

  listRestoreJobs(
    query: RestoreJobQuery = {},
  ): Promise<Pf9Page<RestoreJobSummary>> {
    return this.get(`/restore/jobs${queryString(query)}`);
  }

  getRestoreJob(jobId: string): Promise<RestoreJob> {
    return this.get(`/restore/jobs/${segment(jobId)}`);
  }

  cancelRestoreJob(jobId: string, reason?: string): Promise<RestoreJobSummary> {
    return this.post(`/restore/jobs/${segment(jobId)}/cancel`, { reason });
  }

  /** RST-19: a new plan linked by `retryOf`. */
  retryRestoreJob(
    jobId: string,
    request: RestoreRetryRequest = {},
  ): Promise<RestorePlan> {
    return this.post(`/restore/jobs/${segment(jobId)}/retry`, request);
  }

  cleanupRestoreJob(jobId: string): Promise<RestoreJob> {
    return this.post(`/restore/jobs/${segment(jobId)}/cleanup`, {});
  }

  cleanupRestoreStorage(
    jobId: string,
    request: RestoreCleanupStorageRequest,
  ): Promise<RestoreJob> {
    return this.post(
      `/restore/jobs/${segment(jobId)}/cleanup-storage`,
      request,
    );
  }

  /** The restore audit events (`restore.*`), newest first. */
  listRestoreAudit(
    query: RestoreAuditQuery = {},
  ): Promise<Pf9Page<RestoreAuditEvent>> {
    return this.get(`/restore/audit${queryString(query)}`);
  }

  private post<T>(path: string, body: object): Promise<T> {
    return this.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private get<T>(path: string): Promise<T> {
    return this.request(path);
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.send(path, init);
    return (await response.json()) as T;
  }

  /** The response of a successful request; any other status rejects with a {@link Pf9ApiError}. */
  private async send(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('pf9');
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}${path}`,
      init,
    );
    if (!response.ok) {
      const body = await response.json().catch(() => undefined);
      throw new Pf9ApiError(
        response.status,
        body?.error?.name ?? 'Error',
        body?.error?.message ?? `${response.status} ${response.statusText}`,
        body?.error && typeof body.error === 'object' ? body.error : {},
      );
    }
    return response;
  }
}
