import { AuditorService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';
import { Knex } from 'knex';

export interface AuditTarget {
  type: string;
  id?: string;
  name?: string;
  projectId?: string;
  domainId?: string;
}

export interface AuditEventInput {
  eventId: string;
  /** The user entity ref, `service:<subject>`, or `system:<taskId>` (COM-9). */
  actor: string;
  severity?: 'low' | 'medium' | 'high' | 'critical';
  target?: AuditTarget;
  request?: Request;
  outcome: 'success' | 'fail';
  error?: Error;
  details?: JsonObject;
}

/** Writes audit events to the append-only table and to Backstage's auditor (SPEC ACL-7). */
export class AuditLog {
  constructor(
    private readonly db: Knex,
    private readonly auditor: AuditorService,
  ) {}

  /**
   * Runs a change and records its outcome: success with the details the change returns, or failure with
   * its error (rethrown). `details` on the event are the failure's details.
   */
  async around<T>(
    event: Omit<AuditEventInput, 'outcome' | 'error'>,
    change: () => Promise<{ result: T; details: JsonObject }>,
  ): Promise<T> {
    try {
      const { result, details } = await change();
      await this.record({ ...event, outcome: 'success', details });
      return result;
    } catch (e) {
      await this.record({ ...event, outcome: 'fail', error: e as Error });
      throw e;
    }
  }

  async record(input: AuditEventInput): Promise<void> {
    const severity = input.severity ?? 'medium';
    await this.db('audit_events').insert({
      event_id: input.eventId,
      severity,
      actor: input.actor,
      target_type: input.target?.type ?? null,
      target_id: input.target?.id ?? null,
      target_name: input.target?.name ?? null,
      project_id: input.target?.projectId ?? null,
      domain_id: input.target?.domainId ?? null,
      method: input.request?.method ?? null,
      route: input.request?.originalUrl ?? null,
      // req.ip follows the backend's trust-proxy setting; a raw X-Forwarded-For is never read.
      client_ip: input.request?.ip ?? null,
      outcome: input.outcome,
      error: input.error ? `${input.error.name}: ${input.error.message}` : null,
      details: input.details ? JSON.stringify(input.details) : null,
      created_at: new Date(),
    });
    const event = await this.auditor.createEvent({
      eventId: input.eventId,
      severityLevel: severity,
      request: input.request,
      meta: { actor: input.actor, ...(input.details ?? {}) },
    });
    if (input.outcome === 'success') {
      await event.success();
    } else {
      await event.fail({ error: input.error ?? new Error(input.eventId) });
    }
  }
}

export interface AuditEventRow {
  id: number;
  eventId: string;
  severity: string;
  actor: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  projectId: string | null;
  domainId: string | null;
  outcome: 'success' | 'fail';
  error: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
}

/**
 * Reads audit events whose id starts with a prefix (e.g. `restore.`), newest first. Read-only; `where`
 * lets an area add its own filters (scope, target).
 */
export async function readAuditEvents(
  db: Knex,
  filter: {
    eventPrefix: string;
    page: number;
    pageSize: number;
    where?: (q: Knex.QueryBuilder) => void;
  },
): Promise<{ items: AuditEventRow[]; total: number }> {
  const base = db('audit_events')
    .whereRaw("event_id like ? escape '\\'", [
      `${filter.eventPrefix.replace(/[\\%_]/g, m => `\\${m}`)}%`,
    ])
    .modify(q => filter.where?.(q));
  const [{ n }] = await base.clone().count({ n: '*' });
  const rows = await base
    .clone()
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize);
  return {
    total: Number(n),
    items: rows.map((r: any) => ({
      id: Number(r.id),
      eventId: r.event_id,
      severity: r.severity,
      actor: r.actor,
      targetType: r.target_type ?? null,
      targetId: r.target_id ?? null,
      targetName: r.target_name ?? null,
      projectId: r.project_id ?? null,
      domainId: r.domain_id ?? null,
      outcome: r.outcome,
      error: r.error ?? null,
      details: r.details ? JSON.parse(r.details) : null,
      createdAt: (r.created_at instanceof Date
        ? r.created_at
        : new Date(r.created_at)
      ).toISOString(),
    })),
  };
}
