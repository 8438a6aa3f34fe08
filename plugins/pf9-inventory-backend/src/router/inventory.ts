/**
 * The inventory routes under /api/pf9/inventory (SPEC §1.1, §1.12, INV-17). Every route checks its
 * permission first (ACL-6), then validates its input with zod (400 InputError naming what was wrong).
 */
import { InputError, NotFoundError } from '@backstage/errors';
import { pf9Permissions } from '@internal/plugin-pf9-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { InventorySyncEngine } from '../inventory/engine';
import { GuardedBatches } from '../inventory/guardedBatches';
import { InventoryHistory } from '../inventory/history';
import {
  InventoryQueries,
  RESOURCE_SORT_KEYS,
  ResourceSortKey,
} from '../inventory/query';
import { SyncAlreadyRunningError } from '../inventory/runs';
import { INVENTORY_TYPES, InventoryType } from '../inventory/types';
import { RouteAuthorizer } from '../permissions/authorizer';
import { cloudResolver, pagingParams, parseInput } from './validation';
import { AuditLog } from '../store/audit';

export interface InventoryRouterOptions {
  engine: InventorySyncEngine;
  queries: InventoryQueries;
  history: InventoryHistory;
  guardedBatches: GuardedBatches;
  authorizer: RouteAuthorizer;
  audit: AuditLog;
}

const typeSchema = z.enum(
  INVENTORY_TYPES as unknown as [InventoryType, ...InventoryType[]],
);
const booleanParam = z
  .enum(['true', 'false', '1', '0'])
  .transform(v => v === 'true' || v === '1');

export function createInventoryRouter(
  options: InventoryRouterOptions,
): express.Router {
  const { engine, queries, history, guardedBatches, authorizer, audit } =
    options;
  const router = Router();
  const cloudIds = engine.cloudIds();

  const resolveCloud = cloudResolver(cloudIds);
  const cloudOf = (cloudId: string | undefined) =>
    resolveCloud(cloudId, 'query');

  router.post('/runs', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.inventorySync,
    );
    const body = parseInput(
      z.object({ cloudId: z.string().min(1) }).strict(),
      req.body ?? {},
      'body',
    );
    if (!cloudIds.includes(body.cloudId)) {
      throw new InputError(
        `Invalid body: cloudId: unknown cloud '${
          body.cloudId
        }'; configured: ${cloudIds.join(', ')}`,
      );
    }
    try {
      const { runId } = await engine.start(body.cloudId, 'on_demand', actor);
      await audit.record({
        eventId: 'inventory.sync.trigger',
        actor,
        severity: 'low',
        target: { type: 'inventory_run', id: runId },
        request: req,
        outcome: 'success',
        details: { cloudId: body.cloudId, runId },
      });
      res.status(202).json({ runId });
    } catch (e) {
      if (e instanceof SyncAlreadyRunningError) {
        await audit.record({
          eventId: 'inventory.sync.trigger',
          actor,
          severity: 'low',
          target: { type: 'inventory_run', id: e.runId },
          request: req,
          outcome: 'fail',
          error: e,
          details: { cloudId: body.cloudId, runningRunId: e.runId },
        });
      }
      throw e;
    }
  });

  router.get('/runs', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.inventoryRead);
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        status: z
          .enum(['running', 'succeeded', 'partial', 'failed', 'interrupted'])
          .optional(),
        ...pagingParams,
      }),
      req.query,
      'query',
    );
    if (query.cloudId) cloudOf(query.cloudId);
    const { items, total } = await engine.runs.list(query);
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });

  // INV-21: an admin approves or rejects a batch the mass-deletion guard held back
  router.post(
    '/runs/:runId/deletions/:type/:decision(approve|reject)',
    async (req, res) => {
      const { actor } = await authorizer.authorize(
        req,
        pf9Permissions.inventoryDeletionsApprove,
      );
      const type = parseInput(typeSchema, req.params.type, 'type');
      const decision =
        req.params.decision === 'approve' ? 'approved' : 'rejected';
      const result = await audit.around(
        {
          eventId: 'inventory.deletions.approve',
          actor,
          severity: 'high',
          target: { type: 'inventory_run', id: req.params.runId },
          request: req,
          details: { runId: req.params.runId, type, decision },
        },
        async () => {
          const decided = await guardedBatches.decide({
            runId: req.params.runId,
            type,
            decision,
            actor,
          });
          return { result: decided, details: { ...decided } };
        },
      );
      res.json(result);
    },
  );

  router.get('/runs/:id', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.inventoryRead);
    const run = await engine.runs.get(req.params.id);
    if (!run) throw new NotFoundError(`No inventory run '${req.params.id}'`);
    res.json(run);
  });

  router.get('/runs/:id/changes', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const query = parseInput(
      z.object({
        types: z
          .string()
          .transform(value => value.split(','))
          .pipe(z.array(typeSchema).min(1)),
        ...pagingParams,
      }),
      req.query,
      'query',
    );
    const run = await engine.runs.get(req.params.id);
    if (!run) throw new NotFoundError(`No inventory run '${req.params.id}'`);
    const { items, total } = await queries.changesInRun(
      { ...query, cloudId: run.cloudId, runId: run.id },
      scope,
    );
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });

  router.get('/resources/:type', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const type = parseInput(typeSchema, req.params.type, 'type');
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        name: z.string().min(1).max(255).optional(),
        projectId: z.string().min(1).max(64).optional(),
        domainId: z.string().min(1).max(64).optional(),
        status: z.string().min(1).max(64).optional(),
        q: z.string().min(1).max(255).optional(),
        includeDeleted: booleanParam.optional(),
        sort: z
          .enum(
            Object.keys(RESOURCE_SORT_KEYS) as [
              ResourceSortKey,
              ...ResourceSortKey[],
            ],
          )
          .default('name'),
        order: z.enum(['asc', 'desc']).default('asc'),
        ...pagingParams,
      }),
      req.query,
      'query',
    );
    res.json(
      await queries.listResources(
        { ...query, type, cloudId: cloudOf(query.cloudId) },
        scope,
      ),
    );
  });

  router.get('/resources/:type/:id', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const type = parseInput(typeSchema, req.params.type, 'type');
    const query = parseInput(
      z.object({ cloudId: z.string().min(1).optional() }),
      req.query,
      'query',
    );
    const resource = await queries.getResource(
      cloudOf(query.cloudId),
      type,
      req.params.id,
      scope,
    );
    if (!resource) throw new NotFoundError(`No ${type} '${req.params.id}'`);
    res.json(resource);
  });

  router.get('/history/recent', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        hours: z.coerce.number().int().min(1).max(168).default(24),
        type: typeSchema.optional(),
        domainId: z.string().min(1).optional(),
        projectId: z.string().min(1).optional(),
        ...pagingParams,
      }),
      req.query,
      'query',
    );
    res.json(
      await history.recent(
        { ...query, cloudId: cloudOf(query.cloudId) },
        scope,
      ),
    );
  });

  router.get('/history/most-changed', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        days: z.coerce.number().int().min(1).max(400).default(7),
        type: typeSchema.optional(),
        limit: z.coerce.number().int().min(1).max(500).default(20),
      }),
      req.query,
      'query',
    );
    res.json(
      await history.mostChanged(
        { ...query, cloudId: cloudOf(query.cloudId) },
        scope,
      ),
    );
  });

  router.get('/history/:type/:id/compare', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const type = parseInput(typeSchema, req.params.type, 'type');
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        from: z.coerce.number().int().min(1),
        to: z.coerce.number().int().min(1),
      }),
      req.query,
      'query',
    );
    const cloudId = cloudOf(query.cloudId);
    if (!(await queries.getResource(cloudId, type, req.params.id, scope))) {
      throw new NotFoundError(`No ${type} '${req.params.id}'`);
    }
    const diff = await history.compare(
      cloudId,
      type,
      req.params.id,
      query.from,
      query.to,
    );
    if (!diff) {
      throw new NotFoundError(
        `${type} '${req.params.id}' has no version ${query.from} or ${query.to}`,
      );
    }
    res.json(diff);
  });

  router.get('/history/:type/:id', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const type = parseInput(typeSchema, req.params.type, 'type');
    const query = parseInput(
      z.object({ cloudId: z.string().min(1).optional(), ...pagingParams }),
      req.query,
      'query',
    );
    const cloudId = cloudOf(query.cloudId);
    // the resource itself must be inside the caller's scope
    if (!(await queries.getResource(cloudId, type, req.params.id, scope))) {
      throw new NotFoundError(`No ${type} '${req.params.id}'`);
    }
    res.json(
      await queries.history(
        cloudId,
        type,
        req.params.id,
        query.page,
        query.pageSize,
      ),
    );
  });

  router.get('/deletions', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        type: typeSchema.optional(),
        since: z.iso.datetime().optional(),
        runId: z.string().min(1).optional(),
        ...pagingParams,
      }),
      req.query,
      'query',
    );
    res.json(
      await queries.deletions(
        {
          ...query,
          cloudId: cloudOf(query.cloudId),
          since: query.since ? new Date(query.since) : undefined,
        },
        scope,
      ),
    );
  });

  return router;
}
