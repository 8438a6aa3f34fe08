/**
 * The snapshot routes under /api/pf9/snapshots (SPEC SNAP-1, SNAP-27). Every route checks its
 * permission first (ACL-6), then validates its input (400 InputError), and every change is audited.
 */
import { InputError, NotFoundError } from '@backstage/errors';
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
import { AuditLog } from '../store/audit';
import { cloudResolver, pagingParams, parseInput } from './validation';

export interface SnapshotRouterOptions {
  engine: SnapshotCycleEngine;
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
