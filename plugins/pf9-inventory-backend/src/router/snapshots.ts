/**
 * The snapshot routes under /api/pf9/snapshots (SPEC SNAP-1, SNAP-27). Every route checks its
 * permission first (ACL-6), then validates its input (400 InputError), and every change is audited.
 */
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { pf9Permissions } from '@internal/plugin-pf9-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { RouteAuthorizer } from '../permissions/authorizer';
import { SnapshotCycleEngine } from '../snapshots/cycle';
import {
  createPolicySchema,
  POLICY_NAME,
  PolicyStore,
  updatePolicySchema,
} from '../snapshots/policies';
import { CycleAlreadyRunningError, SNAPSHOT_ACTIONS } from '../snapshots/runs';
import { AssignmentJob } from '../snapshots/assignmentJob';
import {
  PipelineAlreadyRunningError,
  SnapshotPipeline,
} from '../snapshots/pipeline';
import { runExportFileName, writeRunExport } from '../snapshots/runExport';
import { AuditLog } from '../store/audit';
import { setDownloadHeaders } from './download';
import { createAssignmentRouter } from './snapshotAssignments';
import { cloudResolver, pagingParams, parseInput } from './validation';

export interface SnapshotRouterOptions {
  engine: SnapshotCycleEngine;
  /** SNAP-8 – SNAP-11: rules, manual assignments, exclusions, job and preview */
  assignments?: AssignmentJob;
  /** SNAP-26: "Sync & Snapshot Now" */
  pipeline?: SnapshotPipeline;
  policies: PolicyStore;
  authorizer: RouteAuthorizer;
  audit: AuditLog;
}

export function createSnapshotRouter(
  options: SnapshotRouterOptions,
): express.Router {
  const { engine, policies, authorizer, audit } = options;
  const router = Router();
  const cloudOf = cloudResolver(engine.cloudIds());
  if (options.assignments) {
    router.use(
      createAssignmentRouter({
        assignments: options.assignments,
        cloudIds: engine.cloudIds(),
        authorizer,
        audit,
      }),
    );
  }

  const policyAudit = async (
    req: Request,
    actor: string,
    eventId: string,
    name: string,
    outcome: 'success' | 'fail',
    details: Record<string, any>,
    error?: Error,
  ) =>
    audit.record({
      eventId,
      actor,
      target: { type: 'snapshot_policy', id: name, name },
      request: req,
      outcome,
      error,
      details,
    });

  const nameParam = (req: Request) =>
    parseInput(
      z.object({ name: z.string().regex(POLICY_NAME) }),
      req.params,
      'path',
    ).name;

  router.get('/policies', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.snapshotsRead);
    res.json({ items: await policies.list() });
  });

  router.get('/policies/:name', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.snapshotsRead);
    const policy = await policies.get(nameParam(req));
    if (!policy) throw new NotFoundError(`No policy '${req.params.name}'`);
    res.json(policy);
  });

  router.post('/policies', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsPolicies,
    );
    const body = parseInput(createPolicySchema, req.body ?? {}, 'body');
    try {
      const policy = await policies.create(body);
      await policyAudit(
        req,
        actor,
        'snapshot.policy.create',
        policy.name,
        'success',
        {
          after: policy as any,
        },
      );
      res.status(201).json(policy);
    } catch (e) {
      await policyAudit(
        req,
        actor,
        'snapshot.policy.create',
        body.name,
        'fail',
        {},
        e as Error,
      );
      throw e;
    }
  });

  router.put('/policies/:name', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsPolicies,
    );
    const name = nameParam(req);
    const body = parseInput(updatePolicySchema, req.body ?? {}, 'body');
    try {
      const { before, after } = await policies.update(name, body);
      await policyAudit(req, actor, 'snapshot.policy.update', name, 'success', {
        before: before as any,
        after: after as any,
      });
      res.json(after);
    } catch (e) {
      await policyAudit(
        req,
        actor,
        'snapshot.policy.update',
        name,
        'fail',
        {},
        e as Error,
      );
      throw e;
    }
  });

  router.delete('/policies/:name', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsPolicies,
    );
    const name = nameParam(req);
    try {
      const deleted = await policies.delete(name);
      await policyAudit(req, actor, 'snapshot.policy.delete', name, 'success', {
        before: deleted as any,
      });
      res.status(204).end();
    } catch (e) {
      await policyAudit(
        req,
        actor,
        'snapshot.policy.delete',
        name,
        'fail',
        {},
        e as Error,
      );
      throw e;
    }
  });

  router.post('/runs', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRun,
    );
    const body = parseInput(
      z
        .object({
          cloudId: z.string().min(1).optional(),
          dryRun: z.boolean().optional(),
          policies: z.array(z.string().regex(POLICY_NAME)).optional(),
          catchUp: z.boolean().optional(),
        })
        .strict(),
      req.body ?? {},
      'body',
    );
    const cloudId = cloudOf(body.cloudId, 'body');
    if (body.policies) {
      const known = new Set((await policies.list()).map(p => p.name));
      const unknown = body.policies.filter(p => !known.has(p));
      if (unknown.length)
        throw new InputError(
          `Invalid body: policies: unknown ${unknown.join(', ')}`,
        );
    }
    const details = {
      cloudId,
      dryRun: body.dryRun ?? false,
      catchUp: body.catchUp ?? false,
      policies: body.policies ?? null,
    };
    try {
      const { runId } = await engine.start(cloudId, 'api', actor, body);
      await audit.record({
        eventId: 'snapshot.run.trigger',
        actor,
        target: { type: 'snapshot_run', id: runId },
        request: req,
        outcome: 'success',
        details: { ...details, runId },
      });
      res.status(202).json({ runId });
    } catch (e) {
      if (e instanceof CycleAlreadyRunningError) {
        await audit.record({
          eventId: 'snapshot.run.trigger',
          actor,
          target: { type: 'snapshot_run', id: e.runId },
          request: req,
          outcome: 'fail',
          error: e,
          details: { ...details, runningRunId: e.runId },
        });
      }
      throw e;
    }
  });

  const { pipeline } = options;
  if (pipeline) {
    router.post('/pipeline', async (req, res) => {
      const { actor } = await authorizer.authorize(
        req,
        pf9Permissions.snapshotsRun,
      );
      const body = parseInput(
        z.object({ cloudId: z.string().min(1).optional() }).strict(),
        req.body ?? {},
        'body',
      );
      const cloudId = cloudOf(body.cloudId, 'body');
      try {
        const { jobId } = await pipeline.start(cloudId, actor);
        await audit.record({
          eventId: 'snapshot.pipeline.start',
          actor,
          target: { type: 'snapshot_pipeline', id: jobId },
          request: req,
          outcome: 'success',
          details: { cloudId, jobId },
        });
        res.status(202).json({ jobId });
      } catch (e) {
        if (e instanceof PipelineAlreadyRunningError) {
          await audit.record({
            eventId: 'snapshot.pipeline.start',
            actor,
            target: { type: 'snapshot_pipeline', id: e.jobId },
            request: req,
            outcome: 'fail',
            error: e,
            details: { cloudId, runningJobId: e.jobId },
          });
        }
        throw e;
      }
    });

    router.get('/pipeline/:jobId', async (req, res) => {
      await authorizer.authorize(req, pf9Permissions.snapshotsRead);
      res.json(await pipeline.get(req.params.jobId));
    });
  }

  router.get('/service-user/grants', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.snapshotsRead);
    const query = parseInput(
      z.object({ cloudId: z.string().min(1).optional() }),
      req.query,
      'query',
    );
    res.json({ items: await engine.grants(cloudOf(query.cloudId, 'query')) });
  });

  router.post('/service-user/revoke', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsGrantsRevoke,
    );
    const body = parseInput(
      z
        .object({
          cloudId: z.string().min(1).optional(),
          projectIds: z.array(z.string().min(1)).min(1).optional(),
          all: z.literal(true).optional(),
        })
        .strict()
        .refine(b => Boolean(b.projectIds) !== Boolean(b.all), {
          message: 'needs exactly one of projectIds or all: true',
        }),
      req.body ?? {},
      'body',
    );
    const cloudId = cloudOf(body.cloudId, 'body');
    const result = await engine.revokeGrants(cloudId, body);
    await audit.record({
      eventId: 'snapshot.service_user.revoke',
      actor,
      target: { type: 'cloud', id: cloudId },
      request: req,
      outcome: result.failed.length ? 'fail' : 'success',
      details: {
        cloudId,
        revoked: result.revoked.map(g => `${g.projectId}:${g.roleName}`),
        failed: result.failed.map(f => `${f.grant.projectId}: ${f.error}`),
      },
    });
    res.json(result);
  });

  router.get('/runs', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.snapshotsRead);
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        status: z
          .enum([
            'running',
            'completed',
            'completed_with_errors',
            'failed',
            'skipped',
            'canceled',
          ])
          .optional(),
        ...pagingParams,
      }),
      req.query,
      'query',
    );
    const { items, total } = await engine.runs.list({
      ...query,
      cloudId: cloudOf(query.cloudId, 'query'),
    });
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });

  router.get('/runs/:runId', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.snapshotsRead);
    const run = await engine.runs.get(req.params.runId);
    if (!run) throw new NotFoundError(`No snapshot run ${req.params.runId}`);
    res.json(run);
  });

  // SNAP-20: kept managed snapshots of unassigned pairs and deleted volumes (a live read)
  router.get('/orphans', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRead,
    );
    const query = parseInput(
      z.object({ cloudId: z.string().min(1).optional() }).strict(),
      req.query,
      'query',
    );
    res.json(await engine.orphans(cloudOf(query.cloudId, 'query'), scope));
  });

  // SNAP-24: asks a running cycle to stop; it finishes the pair/batch in hand and ends `canceled`
  router.post('/runs/:runId/cancel', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRun,
    );
    const run = await engine.runs.get(req.params.runId);
    if (!run) throw new NotFoundError(`No snapshot run ${req.params.runId}`);
    const accepted = await engine.runs.requestCancel(run.id, actor);
    await audit.record({
      eventId: 'snapshot.run.cancel',
      actor,
      target: { type: 'snapshot_run', id: run.id },
      request: req,
      outcome: accepted ? 'success' : 'fail',
      details: { cloudId: run.cloudId, status: run.status },
    });
    if (!accepted)
      throw new ConflictError(`Snapshot run ${run.id} is not running`);
    res.status(202).json(await engine.runs.get(run.id));
  });

  router.get('/records', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRead,
    );
    const query = parseInput(
      z
        .object({
          cloudId: z.string().min(1).optional(),
          volumeId: z.string().min(1).optional(),
          policy: z.string().regex(POLICY_NAME).optional(),
          action: z.enum(SNAPSHOT_ACTIONS as [string, ...string[]]).optional(),
          since: z.string().datetime({ offset: true }).optional(),
          ...pagingParams,
        })
        .strict(),
      req.query,
      'query',
    );
    const { items, total } = await engine.runs.searchRecords({
      cloudId: cloudOf(query.cloudId, 'query'),
      volumeId: query.volumeId,
      policy: query.policy,
      action: query.action as any,
      since: query.since ? new Date(query.since) : undefined,
      scope,
      page: query.page,
      pageSize: query.pageSize,
    });
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });

  router.get('/runs/:runId/export', async (req, res) => {
    const { scope, actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRead,
    );
    const { format } = parseInput(
      z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') }).strict(),
      req.query,
      'query',
    );
    const run = await engine.runs.get(req.params.runId);
    if (!run) throw new NotFoundError(`No snapshot run ${req.params.runId}`);
    const records = await engine.runs.allRecords(run.id, scope);
    await audit.record({
      eventId: 'snapshot.run.export',
      actor,
      severity: 'low',
      target: { type: 'snapshot_run', id: run.id },
      request: req,
      outcome: 'success',
      details: { format, records: records.length, scoped: !!scope },
    });
    setDownloadHeaders(res, format, runExportFileName(run, format));
    await writeRunExport(res, { format, run, records, scoped: !!scope });
  });

  router.get('/runs/:runId/records', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRead,
    );
    const query = parseInput(
      z.object({
        action: z.enum(SNAPSHOT_ACTIONS as [string, ...string[]]).optional(),
        ...pagingParams,
      }),
      req.query,
      'query',
    );
    const run = await engine.runs.get(req.params.runId);
    if (!run) throw new NotFoundError(`No snapshot run ${req.params.runId}`);
    const { items, total } = await engine.runs.records({
      runId: run.id,
      action: query.action as any,
      scope,
      page: query.page,
      pageSize: query.pageSize,
    });
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });

  return router;
}
