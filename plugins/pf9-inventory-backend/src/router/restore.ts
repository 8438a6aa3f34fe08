/**
 * The restore routes under /api/pf9/restore (SPEC §3). GET /config always answers; everything else is
 * 503 RESTORE_DISABLED while restore is off (RST-1). Each route checks its permission first, validates
 * its input (400 naming the field), and every mutating route records a `restore.*` event naming the user
 * (RST-22). State changes after PLANNED go through the executor's RestoreJobControl.
 */
import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import {
  pf9Permissions,
  RestoreAuditEvent,
  RestoreConfig as RestoreConfigBody,
  RestoreJobStatus,
  RestorePlan,
} from '@internal/plugin-pf9-common';
import express, { NextFunction, Request, Response } from 'express';
import Router from 'express-promise-router';
import { Knex } from 'knex';
import { z } from 'zod';
import type { RestoreConfig } from '../config';
import { applyScope, matchesScope, Scope } from '../inventory/query';
import { RouteAuthorizer } from '../permissions/authorizer';
import { RestoreConflictError, RestoreJobControl } from '../restore/contracts';
import { JobHead } from '../restore/planStore';
import { RestorePlanner } from '../restore/planner';
import { AuditLog, readAuditEvents } from '../store/audit';
import { cloudResolver, pagingParams, parseInput } from './validation';
import { id, ipStrategy, jobQuery, planBody, requestOf } from './restoreInput';

export interface RestoreRouterOptions {
  config: RestoreConfig;
  db: Knex;
  planner: RestorePlanner;
  control: RestoreJobControl;
  authorizer: RouteAuthorizer;
  audit: AuditLog;
}

export const RESTORE_DISABLED = 'RESTORE_DISABLED';

class RestoreDisabledError extends ServiceUnavailableError {
  readonly details = { code: RESTORE_DISABLED };
  constructor() {
    super('Restore is disabled (pf9.restore.enabled is false)');
  }
}

const RETRYABLE: RestoreJobStatus[] = ['FAILED', 'CANCELED', 'ROLLBACK_FAILED'];

function confirmationMismatch(expected: string): RestoreConflictError {
  return new RestoreConflictError(
    'CONFIRMATION_MISMATCH',
    `confirm must be exactly '${expected}'`,
  );
}

export function createRestoreRouter(
  options: RestoreRouterOptions,
): express.Router {
  const { config, db, planner, control, authorizer, audit } = options;
  const router = Router();
  const cloudOf = cloudResolver(planner.cloudIds());
  const store = planner.store;

  router.get('/config', async (req, res) => {
    await authorizer.identify(req);
    const body: RestoreConfigBody = {
      enabled: config.enabled,
      serviceUserConfigured: planner.cloudIds().length > 0,
      planTtlMinutes: config.planTtlMinutes,
      maxConcurrentJobs: config.maxConcurrentJobs,
    };
    res.json(body);
  });

  // RST-1: nothing below answers while restore is off
  router.use((_req: Request, _res: Response, next: NextFunction) => {
    if (!config.enabled) throw new RestoreDisabledError();
    next();
  });

  const record = async (
    req: Request,
    actor: string,
    eventId: string,
    subject: {
      jobId?: string | null;
      serverId?: string;
      serverName?: string;
      projectId?: string | null;
      domainId?: string | null;
      mode?: string;
      ipStrategy?: string;
    },
    outcome: 'success' | 'fail',
    extra: Record<string, unknown> = {},
    error?: Error,
  ) =>
    audit.record({
      eventId,
      actor,
      severity: subject.mode === 'replace' ? 'high' : 'medium',
      target: {
        type: 'restore_job',
        id: subject.jobId ?? undefined,
        name: subject.serverName,
        projectId: subject.projectId ?? undefined,
        domainId: subject.domainId ?? undefined,
      },
      request: req,
      outcome,
      error,
      details: {
        jobId: subject.jobId ?? null,
        serverId: subject.serverId ?? null,
        projectId: subject.projectId ?? null,
        mode: subject.mode ?? null,
        ipStrategy: subject.ipStrategy ?? null,
        outcome,
        ...(extra as Record<string, any>),
      },
    });

  /** The job if the caller may see it; a job outside the scope is as absent as a missing one. */
  const jobInScope = async (jobId: string, scope: Scope): Promise<JobHead> => {
    const head = await store.head(jobId);
    if (!head || !matchesScope(scope, head))
      throw new NotFoundError(`No restore job ${jobId}`);
    return head;
  };

  const jobParam = (req: Request) =>
    parseInput(z.object({ id }), req.params, 'path').id;

  const serverInScope = async (
    cloudId: string,
    serverId: string,
    scope: Scope,
  ) => {
    if (!scope) return;
    const owner = await planner.ownerOf(cloudId, serverId);
    if (!owner || !matchesScope(scope, owner))
      throw new NotFoundError(`No server ${serverId} in your scope`);
  };

  router.get('/servers/:id/restore-points', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.restoreRead,
    );
    const serverId = parseInput(z.object({ id }), req.params, 'path').id;
    const query = parseInput(
      z.object({ cloudId: z.string().min(1).optional() }).strict(),
      req.query,
      'query',
    );
    const cloudId = cloudOf(query.cloudId, 'query');
    await serverInScope(cloudId, serverId, scope);
    res.json(await planner.points(cloudId, serverId));
  });

  router.post('/plans', async (req, res) => {
    const { actor, scope } = await authorizer.authorize(
      req,
      pf9Permissions.restorePlan,
    );
    const body = parseInput(planBody, req.body ?? {}, 'body');
    const cloudId = cloudOf(body.cloudId, 'body');
    await serverInScope(cloudId, body.serverId, scope);
    const subject = {
      serverId: body.serverId,
      mode: body.mode,
      ipStrategy: body.ipStrategy,
    };
    let plan: RestorePlan;
    try {
      plan = await planner.plan({ ...body, cloudId }, actor);
    } catch (e) {
      await record(
        req,
        actor,
        'restore.plan.create',
        subject,
        'fail',
        {},
        e as Error,
      );
      throw e;
    }
    await record(
      req,
      actor,
      'restore.plan.create',
      {
        ...subject,
        jobId: plan.planId,
        serverName: plan.serverName,
        projectId: plan.projectId,
      },
      'success',
      { eligible: plan.eligible, blockers: plan.blockers.map(b => b.code) },
    );
    res.status(201).json(plan);
  });

  router.post('/plans/:id/execute', async (req, res) => {
    const { actor, scope } = await authorizer.authorize(
      req,
      pf9Permissions.restoreExecuteSideBySide,
    );
    const jobId = jobParam(req);
    const body = parseInput(
      z
        .object({
          confirm: z.string().optional(),
          dryRun: z.boolean().default(false),
        })
        .strict(),
      req.body ?? {},
      'body',
    );
    const head = await jobInScope(jobId, scope);
    const subject = { ...head, jobId };
    try {
      if (head.mode === 'replace' && !body.dryRun) {
        await authorizer.authorize(req, pf9Permissions.restoreExecuteReplace);
        const expected = head.plan.confirmationText ?? '';
        if (body.confirm !== expected) throw confirmationMismatch(expected);
      }
      const result = await control.execute({
        jobId,
        dryRun: body.dryRun,
        actor,
      });
      await record(req, actor, 'restore.execute', subject, 'success', {
        dryRun: body.dryRun,
      });
      res.status(202).json({ jobId: result.jobId, status: result.status });
    } catch (e) {
      await record(
        req,
        actor,
        'restore.execute',
        subject,
        'fail',
        { dryRun: body.dryRun },
        e as Error,
      );
      throw e;
    }
  });

  router.get('/jobs', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.restoreRead,
    );
    const query = parseInput(jobQuery, req.query, 'query');
    if (query.cloudId) cloudOf(query.cloudId, 'query');
    const { items, total } = await store.list(query, scope);
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });

  router.get('/jobs/:id', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.restoreRead,
    );
    const jobId = jobParam(req);
    const job = await store.get(jobId, scope);
    if (!job) throw new NotFoundError(`No restore job ${jobId}`);
    res.json(job);
  });

  router.post('/jobs/:id/cancel', async (req, res) => {
    const { actor, scope } = await authorizer.authorize(
      req,
      pf9Permissions.restoreExecuteSideBySide,
    );
    const jobId = jobParam(req);
    const body = parseInput(
      z.object({ reason: z.string().max(1000).optional() }).strict(),
      req.body ?? {},
      'body',
    );
    const head = await jobInScope(jobId, scope);
    const subject = { ...head, jobId };
    try {
      const { status } = await control.cancel({
        jobId,
        actor,
        reason: body.reason,
      });
      await record(req, actor, 'restore.cancel', subject, 'success', {
        reason: body.reason ?? null,
        status,
      });
    } catch (e) {
      await record(
        req,
        actor,
        'restore.cancel',
        subject,
        'fail',
        {},
        e as Error,
      );
      throw e;
    }
    res.json(await store.get(jobId));
  });

  router.post('/jobs/:id/retry', async (req, res) => {
    const { actor, scope } = await authorizer.authorize(
      req,
      pf9Permissions.restoreRetry,
    );
    const jobId = jobParam(req);
    const body = parseInput(
      z
        .object({
          ipStrategy: ipStrategy.optional(),
          confirm: z.string().optional(),
        })
        .strict(),
      req.body ?? {},
      'body',
    );
    const head = await jobInScope(jobId, scope);
    const subject = {
      ...head,
      jobId,
      ipStrategy: body.ipStrategy ?? head.ipStrategy,
    };
    let plan: RestorePlan;
    try {
      if (!RETRYABLE.includes(head.status))
        throw new RestoreConflictError(
          'JOB_NOT_RETRYABLE',
          `a ${head.status} job cannot be retried; only ${RETRYABLE.join(
            ', ',
          )}`,
        );
      if (head.mode === 'replace') {
        await authorizer.authorize(req, pf9Permissions.restoreExecuteReplace);
        const expected = `DELETE AND RESTORE ${head.serverName}`;
        if (body.confirm !== expected) throw confirmationMismatch(expected);
      }
      plan = await planner.plan(requestOf(head, body.ipStrategy), actor, {
        retryOf: jobId,
      });
    } catch (e) {
      await record(
        req,
        actor,
        'restore.retry',
        subject,
        'fail',
        {},
        e as Error,
      );
      throw e;
    }
    await record(req, actor, 'restore.retry', subject, 'success', {
      newJobId: plan.planId,
      eligible: plan.eligible,
    });
    res.status(201).json(plan);
  });

  router.post('/jobs/:id/cleanup', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.restoreCleanup,
    );
    const jobId = jobParam(req);
    const head = await jobInScope(jobId, undefined);
    const subject = { ...head, jobId };
    try {
      await control.cleanup({ jobId, actor });
      await record(req, actor, 'restore.cleanup', subject, 'success');
    } catch (e) {
      await record(
        req,
        actor,
        'restore.cleanup',
        subject,
        'fail',
        {},
        e as Error,
      );
      throw e;
    }
    res.json(await store.get(jobId));
  });

  router.post('/jobs/:id/cleanup-storage', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.restoreCleanupStorage,
    );
    const jobId = jobParam(req);
    const body = parseInput(
      z
        .object({
          deleteOldVolume: z.boolean().default(false),
          deleteSourceSnapshot: z.boolean().default(false),
          deleteSafetySnapshots: z.boolean().default(false),
          confirm: z.string({ error: 'is required: the server name' }),
        })
        .strict(),
      req.body ?? {},
      'body',
    );
    const head = await jobInScope(jobId, undefined);
    const subject = { ...head, jobId };
    const asked = {
      deleteOldVolume: body.deleteOldVolume,
      deleteSourceSnapshot: body.deleteSourceSnapshot,
      deleteSafetySnapshots: body.deleteSafetySnapshots,
    };
    try {
      if (body.confirm !== head.serverName)
        throw confirmationMismatch(head.serverName);
      if (head.status !== 'SUCCEEDED')
        throw new RestoreConflictError(
          'JOB_NOT_SUCCEEDED',
          `storage is cleaned up only after SUCCEEDED; the job is ${head.status}`,
        );
      const { warnings } = await control.cleanupStorage({
        jobId,
        actor,
        ...asked,
      });
      await record(req, actor, 'restore.cleanup_storage', subject, 'success', {
        ...asked,
        warnings,
      });
    } catch (e) {
      await record(
        req,
        actor,
        'restore.cleanup_storage',
        subject,
        'fail',
        asked,
        e as Error,
      );
      throw e;
    }
    res.json(await store.get(jobId));
  });

  router.get('/audit', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.restoreRead,
    );
    const query = parseInput(
      z
        .object({
          jobId: id.optional(),
          serverId: id.optional(),
          ...pagingParams,
        })
        .strict(),
      req.query,
      'query',
    );
    const { items, total } = await readAuditEvents(db, {
      // restore.* (requests) and restore_completed / restore_failed (outcomes, RST-22)
      eventPrefix: 'restore',
      page: query.page,
      pageSize: query.pageSize,
      where: q => {
        if (query.jobId) q.where('target_id', query.jobId);
        if (query.serverId)
          q.where(
            'details',
            'like',
            `%"serverId":${JSON.stringify(query.serverId)}%`,
          );
        applyScope(q, scope);
      },
    });
    const events: RestoreAuditEvent[] = items.map(e => ({
      id: e.id,
      eventId: e.eventId,
      actor: e.actor,
      outcome: e.outcome,
      jobId: e.targetId,
      serverId: (e.details?.serverId as string | undefined) ?? null,
      projectId: e.projectId,
      details: e.details,
      error: e.error,
      createdAt: e.createdAt,
    }));
    res.json({
      items: events,
      page: query.page,
      pageSize: query.pageSize,
      total,
    });
  });

  return router;
}
