/**
 * Assignment routes under /api/pf9/snapshots (SPEC SNAP-9 – SNAP-11): rules, manual assignments,
 * exclusions, the assignment job and its dry-run preview. Permission first, then input validation
 * (400 naming the field, nothing changes), and every change is audited with the real user.
 */
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { pf9Permissions } from '@internal/plugin-pf9-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { matchesScope, Scope } from '../inventory/query';
import { RouteAuthorizer } from '../permissions/authorizer';
import { AssignmentJob } from '../snapshots/assignmentJob';
import {
  exclusionInputSchema,
  manualInputSchema,
} from '../snapshots/assignmentStore';
import {
  RULE_NAME,
  ruleInputSchema,
  ruleUpdateSchema,
  ruleWarnings,
} from '../snapshots/rules';
import { AuditLog } from '../store/audit';
import { cloudResolver, pagingParams, parseInput } from './validation';

export interface AssignmentRouterOptions {
  assignments: AssignmentJob;
  cloudIds: string[];
  authorizer: RouteAuthorizer;
  audit: AuditLog;
}

const cloudField = { cloudId: z.string().min(1).optional() };

export function createAssignmentRouter(
  options: AssignmentRouterOptions,
): express.Router {
  const { assignments, authorizer, audit } = options;
  const store = assignments.store;
  const router = Router();
  const cloudOf = cloudResolver(options.cloudIds);

  /** Runs a change and records its audit event, success or failure. */
  const audited = <T>(
    req: Request,
    actor: string,
    eventId: string,
    target: { type: string; id: string },
    change: () => Promise<{ result: T; details: Record<string, any> }>,
  ): Promise<T> =>
    audit.around({ eventId, actor, target, request: req, details: {} }, change);

  /** A scoped user may only assign volumes inside the scope (as last evaluated). */
  const checkVolumeScope = async (
    scope: Scope,
    cloudId: string,
    volumeId: string,
  ) => {
    if (!scope) return;
    const owner = await assignments.volumeOwner(cloudId, volumeId);
    if (!owner || !matchesScope(scope, owner)) {
      throw new NotAllowedError(`volume ${volumeId} is outside your scope`);
    }
  };

  const ruleName = (req: Request) =>
    parseInput(
      z.object({ name: z.string().regex(RULE_NAME) }),
      req.params,
      'path',
    ).name;

  router.get('/rules', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.snapshotsRead);
    const items = await store.listRules();
    res.json({
      items: items.map(rule => ({ ...rule, warnings: ruleWarnings(rule) })),
    });
  });

  router.get('/rules/:name', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.snapshotsRead);
    const rule = await store.getRule(ruleName(req));
    if (!rule) throw new NotFoundError(`No rule '${req.params.name}'`);
    res.json({ ...rule, warnings: ruleWarnings(rule) });
  });

  router.post('/rules', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRules,
    );
    const body = parseInput(ruleInputSchema, req.body ?? {}, 'body');
    const rule = await audited(
      req,
      actor,
      'snapshot.rule.create',
      { type: 'snapshot_rule', id: body.name },
      async () => {
        const created = await store.createRule(body, actor);
        return { result: created, details: { after: created } };
      },
    );
    res.status(201).json({ ...rule, warnings: ruleWarnings(rule) });
  });

  router.put('/rules/:name', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRules,
    );
    const name = ruleName(req);
    const body = parseInput(ruleUpdateSchema, req.body ?? {}, 'body');
    const rule = await audited(
      req,
      actor,
      'snapshot.rule.update',
      { type: 'snapshot_rule', id: name },
      async () => {
        const { before, after } = await store.updateRule(name, body, actor);
        return { result: after, details: { before, after } };
      },
    );
    res.json({ ...rule, warnings: ruleWarnings(rule) });
  });

  router.delete('/rules/:name', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRules,
    );
    const name = ruleName(req);
    await audited(
      req,
      actor,
      'snapshot.rule.delete',
      { type: 'snapshot_rule', id: name },
      async () => {
        const before = await store.deleteRule(name);
        return { result: before, details: { before } };
      },
    );
    res.status(204).end();
  });

  const listQuery = z.object(cloudField);

  /** list, put and delete of one kind of per-volume entry (manual entries, exclusions; SNAP-8) */
  function volumeEntryRoutes<Input extends { volumeId: string }, Entry>(kind: {
    path: string;
    event: string;
    schema: z.ZodType<Input>;
    list: (cloudId: string) => Promise<Array<Entry & { volumeId: string }>>;
    put: (
      cloudId: string,
      input: Input,
      actor: string,
    ) => Promise<{ before?: Entry; after: Entry }>;
    remove: (cloudId: string, volumeId: string) => Promise<Entry>;
  }) {
    router.get(kind.path, async (req, res) => {
      const { scope } = await authorizer.authorize(
        req,
        pf9Permissions.snapshotsRead,
      );
      const query = parseInput(listQuery, req.query, 'query');
      const cloudId = cloudOf(query.cloudId, 'query');
      const items = await assignments.inScope(
        cloudId,
        scope,
        await kind.list(cloudId),
      );
      res.json({ items });
    });

    router.put(kind.path, async (req, res) => {
      const { actor, scope } = await authorizer.authorize(
        req,
        pf9Permissions.snapshotsAssign,
      );
      const { cloudId: given, ...rest } = req.body ?? {};
      const body = parseInput(kind.schema, rest, 'body');
      const cloudId = cloudOf(
        parseInput(z.object(cloudField), { cloudId: given }, 'body').cloudId,
        'body',
      );
      await checkVolumeScope(scope, cloudId, body.volumeId);
      const saved = await audited(
        req,
        actor,
        `${kind.event}.put`,
        { type: 'volume', id: body.volumeId },
        async () => {
          const { before, after } = await kind.put(cloudId, body, actor);
          return { result: after, details: { cloudId, before, after } };
        },
      );
      res.json(saved);
    });

    router.delete(`${kind.path}/:volumeId`, async (req, res) => {
      const { actor, scope } = await authorizer.authorize(
        req,
        pf9Permissions.snapshotsAssign,
      );
      const query = parseInput(listQuery, req.query, 'query');
      const cloudId = cloudOf(query.cloudId, 'query');
      const volumeId = req.params.volumeId;
      await checkVolumeScope(scope, cloudId, volumeId);
      await audited(
        req,
        actor,
        `${kind.event}.delete`,
        { type: 'volume', id: volumeId },
        async () => {
          const before = await kind.remove(cloudId, volumeId);
          return { result: before, details: { cloudId, before } };
        },
      );
      res.status(204).end();
    });
  }

  volumeEntryRoutes({
    path: '/assignments/manual',
    event: 'snapshot.assignment.manual',
    schema: manualInputSchema,
    list: cloudId => store.listManual(cloudId),
    put: (cloudId, input, actor) => store.putManual(cloudId, input, actor),
    remove: (cloudId, volumeId) => store.deleteManual(cloudId, volumeId),
  });
  volumeEntryRoutes({
    path: '/exclusions',
    event: 'snapshot.exclusion',
    schema: exclusionInputSchema,
    list: cloudId => store.listExclusions(cloudId),
    put: (cloudId, input, actor) => store.putExclusion(cloudId, input, actor),
    remove: (cloudId, volumeId) => store.deleteExclusion(cloudId, volumeId),
  });

  router.post('/assignments/run', async (req, res) => {
    const { actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRun,
    );
    const body = parseInput(
      z.object(cloudField).strict(),
      req.body ?? {},
      'body',
    );
    const cloudId = cloudOf(body.cloudId, 'body');
    const result = await audited(
      req,
      actor,
      'snapshot.assignment.run',
      { type: 'cloud', id: cloudId },
      async () => {
        const done = await assignments.run(cloudId);
        return { result: done, details: { ...done, ownerEdited: undefined } };
      },
    );
    res.json(result);
  });

  router.post('/assignments/preview', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsPreview,
    );
    const body = parseInput(
      z
        .object({
          ...cloudField,
          /** a draft rule set that replaces the stored rules for the preview */
          rules: z.array(ruleInputSchema).optional(),
          changedOnly: z.boolean().default(false),
          ...pagingParams,
        })
        .strict(),
      req.body ?? {},
      'body',
    );
    const cloudId = cloudOf(body.cloudId, 'body');
    if (body.rules) {
      const names = body.rules.map(r => r.name);
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup) {
        throw new InputError(`Invalid body: rules: duplicate name '${dup}'`);
      }
      await store.checkPolicies(
        [...new Set(body.rules.flatMap(r => r.policies))],
        'rules.policies',
      );
    }
    const all = (await assignments.preview(cloudId, body.rules)).filter(
      o =>
        matchesScope(scope, o) && (!body.changedOnly || assignments.changes(o)),
    );
    const start = (body.page - 1) * body.pageSize;
    res.json({
      items: all.slice(start, start + body.pageSize),
      page: body.page,
      pageSize: body.pageSize,
      total: all.length,
      summary: assignments.summarise(all),
      warnings: (body.rules ?? []).flatMap(r =>
        ruleWarnings(r).map(w => `${r.name}: ${w}`),
      ),
    });
  });

  return router;
}
