/**
 * Export jobs (SPEC EXP-1): one durable row in `inventory_exports` per export. The instance that inserts a
 * row claims it at once (a conditional `queued → running` update, so only one instance can) and renders
 * the file in the background, with a heartbeat. The maintenance task fails rows whose heartbeat stopped,
 * runs queued rows nobody claimed, and deletes files and rows older than the retention.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { createHash, randomUUID } from 'crypto';
import { createReadStream, createWriteStream, promises as fs } from 'fs';
import { Knex } from 'knex';
import path from 'path';
import { pipeline } from 'stream/promises';
import { PassThrough } from 'stream';
import type { CloudConfig } from '../config';
import { previousCompleteRun, latestDataRun, Scope } from '../inventory/query';
import { toRun } from '../inventory/runs';
import { InventoryRun } from '../inventory/types';
import type { ScopeFilter } from '../permissions/rules';
import { exportFileExtension } from './index';
import { Masker, MaskingMode } from './masking';
import { renderExport } from './render';
import { SheetName } from './sheets';

export const EXPORT_NO_RUN_CODE = 'EXPORT_NO_RUN';

export interface ExportRequest {
  cloudId: string;
  format: 'xlsx' | 'csv';
  runId?: string;
  compareToRunId?: string;
  scope?: { domainIds?: string[]; projectIds?: string[] };
  masking: MaskingMode;
  maskNames?: boolean;
  maskIps?: boolean;
  sheets?: SheetName[];
  csvBom?: boolean;
}

export type ExportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ExportRecord {
  exportId: string;
  cloudId: string;
  status: ExportStatus;
  trigger: 'on_demand' | 'scheduled';
  format: 'xlsx' | 'csv';
  masking: MaskingMode;
  runId: string;
  compareToRunId: string | null;
  requestedBy: string;
  options: ExportRequest;
  fileName: string;
  sizeBytes: number | null;
  sha256: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string;
  error: string | null;
}

export interface ExportServiceOptions {
  db: Knex;
  logger: LoggerService;
  clouds: CloudConfig[];
  directory: string;
  retentionDays: number;
  productVersion: string;
  /** this backend instance, recorded as the claimer */
  instanceId?: string;
  heartbeatMs?: number;
  /** a running row whose heartbeat is older than this is failed by maintenance */
  staleAfterMs?: number;
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : (v instanceof Date ? v : new Date(v as string | number)).toISOString();

/** `pf9_inventory_<cloudId>_<YYYY-MM-DD_HHMMSSZ>.xlsx` (`.zip` for CSV), EXP-1. */
export function exportFileName(
  cloudId: string,
  at: Date,
  format: 'xlsx' | 'csv',
): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', '_')
    .replace(/:/g, '');
  return `pf9_inventory_${cloudId}_${stamp}.${exportFileExtension(format)}`;
}

/** The requested scope as criteria: any of its domains or projects. */
export function requestedScopeCriteria(
  scope: ExportRequest['scope'],
): PermissionCriteria<ScopeFilter> | undefined {
  const parts: PermissionCriteria<ScopeFilter>[] = [];
  if (scope?.domainIds?.length) parts.push({ domainIds: scope.domainIds });
  if (scope?.projectIds?.length) parts.push({ projectIds: scope.projectIds });
  if (!parts.length) return undefined;
  return parts.length === 1
    ? parts[0]
    : { anyOf: [parts[0], ...parts.slice(1)] };
}

/** Both scopes must hold: the caller's permission scope and the requested one. */
export function effectiveScope(
  permission: Scope,
  requested: ExportRequest['scope'],
): Scope {
  const asked = requestedScopeCriteria(requested);
  if (permission && asked) return { allOf: [permission, asked] };
  return permission ?? asked;
}

function toRecord(row: any): ExportRecord {
  return {
    exportId: row.id,
    cloudId: row.cloud_id,
    status: row.status,
    trigger: row.trigger,
    format: row.format,
    masking: row.masking,
    runId: row.run_id,
    compareToRunId: row.compare_run_id ?? null,
    requestedBy: row.requested_by,
    options: JSON.parse(row.options),
    fileName: row.file_name,
    sizeBytes:
      row.size_bytes === null || row.size_bytes === undefined
        ? null
        : Number(row.size_bytes),
    sha256: row.sha256 ?? null,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    expiresAt: iso(row.expires_at)!,
    error: row.error ?? null,
  };
}

export class ExportService {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly instanceId: string;

  constructor(private readonly options: ExportServiceOptions) {
    this.instanceId = options.instanceId ?? `pf9-${randomUUID()}`;
  }

  cloudIds(): string[] {
    return this.options.clouds.map(c => c.id);
  }

  private async run(id: string): Promise<InventoryRun | undefined> {
    const row = await this.options.db('inventory_runs').where({ id }).first();
    return row ? toRun(row) : undefined;
  }

  /** A run the export may be based on: of this cloud, finished, and one that wrote data. */
  private async usableRun(
    cloudId: string,
    runId: string,
    field: string,
  ): Promise<InventoryRun> {
    const run = await this.run(runId);
    if (!run || run.cloudId !== cloudId) {
      throw new InputError(
        `Invalid body: ${field}: no inventory run '${runId}' of cloud '${cloudId}'`,
      );
    }
    if (run.status !== 'succeeded' && run.status !== 'partial') {
      throw new InputError(
        `Invalid body: ${field}: run '${runId}' is ${run.status}; only succeeded or partial runs hold data`,
      );
    }
    return run;
  }

  /** Validates the request, stores the queued row and starts rendering it in the background. */
  async create(
    request: ExportRequest,
    by: {
      actor: string;
      permissionScope?: Scope;
      trigger?: 'on_demand' | 'scheduled';
    },
  ): Promise<{ record: ExportRecord; done: Promise<void> }> {
    const { db } = this.options;
    if (!this.cloudIds().includes(request.cloudId)) {
      throw new InputError(
        `Invalid body: cloudId: unknown cloud '${
          request.cloudId
        }'; configured: ${this.cloudIds().join(', ')}`,
      );
    }
    let run: InventoryRun | undefined;
    if (request.runId) {
      run = await this.usableRun(request.cloudId, request.runId, 'runId');
    } else {
      run = await latestDataRun(db, request.cloudId);
      if (!run) {
        const error = new ConflictError(
          `Cloud '${request.cloudId}' has no finished inventory run to export yet`,
        );
        (error as any).details = { code: EXPORT_NO_RUN_CODE };
        throw error;
      }
    }
    if (request.compareToRunId) {
      await this.usableRun(
        request.cloudId,
        request.compareToRunId,
        'compareToRunId',
      );
    }
    const options: ExportRequest = { ...request, runId: run.id };
    const id = randomUUID();
    const now = new Date();
    await db('inventory_exports').insert({
      id,
      cloud_id: request.cloudId,
      status: 'queued',
      trigger: by.trigger ?? 'on_demand',
      options: JSON.stringify(options),
      permission_scope: by.permissionScope
        ? JSON.stringify(by.permissionScope)
        : null,
      requested_by: by.actor,
      run_id: run.id,
      compare_run_id: request.compareToRunId ?? null,
      format: request.format,
      masking: request.masking,
      file_name: exportFileName(request.cloudId, now, request.format),
      created_at: now,
      expires_at: new Date(
        now.getTime() + this.options.retentionDays * 86_400_000,
      ),
    });
    const done = this.execute(id);
    return { record: (await this.get(id))!, done };
  }

  async get(id: string): Promise<ExportRecord | undefined> {
    const row = await this.options
      .db('inventory_exports')
      .where({ id })
      .first();
    return row ? toRecord(row) : undefined;
  }

  /** The stored file of a finished export, or undefined when it is gone. */
  async file(
    id: string,
  ): Promise<
    | { stream: NodeJS.ReadableStream; size: number; record: ExportRecord }
    | undefined
  > {
    const row = await this.options
      .db('inventory_exports')
      .where({ id, status: 'done' })
      .first();
    if (!row?.file_path) return undefined;
    try {
      const stat = await fs.stat(row.file_path);
      return {
        stream: createReadStream(row.file_path),
        size: stat.size,
        record: toRecord(row),
      };
    } catch {
      return undefined;
    }
  }

  /** Waits for the exports this instance is rendering (tests, shutdown). */
  async whenIdle(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Claims a queued row (only one instance can) and renders it; never throws. */
  execute(id: string): Promise<void> {
    const existing = this.inFlight.get(id);
    if (existing) return existing;
    const work = this.claimAndRender(id).finally(() =>
      this.inFlight.delete(id),
    );
    this.inFlight.set(id, work);
    return work;
  }

  private async claimAndRender(id: string): Promise<void> {
    const { db, logger } = this.options;
    const claimed = await db('inventory_exports')
      .where({ id, status: 'queued' })
      .update({
        status: 'running',
        claimed_by: this.instanceId,
        started_at: new Date(),
        heartbeat_at: new Date(),
      });
    if (claimed !== 1) return;
    const heartbeat = setInterval(() => {
      db('inventory_exports')
        .where({ id, status: 'running', claimed_by: this.instanceId })
        .update({ heartbeat_at: new Date() })
        .catch(() => undefined);
    }, this.options.heartbeatMs ?? 30_000);
    heartbeat.unref?.();
    const row = await db('inventory_exports').where({ id }).first();
    const record = toRecord(row);
    const ext = exportFileExtension(record.format);
    const finalPath = path.join(this.options.directory, `${id}.${ext}`);
    const partPath = `${finalPath}.part`;
    try {
      await fs.mkdir(this.options.directory, { recursive: true });
      const request = record.options;
      const run = (await this.run(record.runId))!;
      const compareRun = record.compareToRunId
        ? await this.run(record.compareToRunId)
        : undefined;
      const summaryBase =
        compareRun ?? (await previousCompleteRun(db, record.cloudId, run.id));
      const permissionScope: Scope = row.permission_scope
        ? JSON.parse(row.permission_scope)
        : undefined;
      const cloud = this.options.clouds.find(c => c.id === record.cloudId);
      const hash = createHash('sha256');
      const tee = new PassThrough();
      tee.on('data', chunk => hash.update(chunk));
      const written = pipeline(tee, createWriteStream(partPath));
      await renderExport(
        db,
        {
          exportId: id,
          generatedAt: new Date(record.createdAt),
          generatedBy: record.requestedBy,
          productVersion: this.options.productVersion,
          cloudId: record.cloudId,
          region: cloud?.region ?? null,
          format: record.format,
          csvBom: request.csvBom,
          run,
          compareRun,
          summaryBase,
          masker: new Masker({
            mode: record.masking,
            maskNames: request.maskNames,
            maskIps: request.maskIps,
          }),
          maskNames: !!request.maskNames,
          maskIps: !!request.maskIps,
          requestedScope: request.scope,
          scope: effectiveScope(permissionScope, request.scope),
          sheets: request.sheets,
        },
        tee,
      );
      if (!tee.writableEnded) tee.end();
      await written;
      await fs.rename(partPath, finalPath);
      const stat = await fs.stat(finalPath);
      await db('inventory_exports')
        .where({ id })
        .update({
          status: 'done',
          file_path: finalPath,
          size_bytes: stat.size,
          sha256: hash.digest('hex'),
          finished_at: new Date(),
        });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      logger.error(`export ${id} failed: ${message}`);
      await fs.rm(partPath, { force: true }).catch(() => undefined);
      await db('inventory_exports')
        .where({ id })
        .update({ status: 'failed', error: message, finished_at: new Date() })
        .catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * The maintenance pass: fails running rows whose heartbeat stopped (their instance died), renders
   * queued rows nobody claimed, deletes files and rows past their retention.
   */
  async maintain(
    now = new Date(),
  ): Promise<{ pruned: number; failed: number }> {
    const { db } = this.options;
    const staleBefore = new Date(
      now.getTime() - (this.options.staleAfterMs ?? 10 * 60_000),
    );
    const failed = await db('inventory_exports')
      .where({ status: 'running' })
      .where('heartbeat_at', '<', staleBefore)
      .update({
        status: 'failed',
        error: 'interrupted: the instance rendering it stopped',
        finished_at: now,
      });
    const orphans = await db('inventory_exports')
      .where({ status: 'queued' })
      .where('created_at', '<', staleBefore)
      .select('id');
    for (const o of orphans) await this.execute(o.id);

    const expired = await db('inventory_exports')
      .where('expires_at', '<', now)
      .whereNot({ status: 'running' })
      .select('id', 'file_path');
    for (const row of expired) {
      if (row.file_path) await fs.rm(row.file_path, { force: true });
      await db('inventory_exports').where({ id: row.id }).delete();
    }
    return { pruned: expired.length, failed };
  }
}
