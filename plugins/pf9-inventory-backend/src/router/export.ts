/**
 * Export and delta routes under /api/pf9/inventory (SPEC EXP-1, EXP-8, EXP-10). Every route checks its
 * permission first (ACL-6), then validates its input (400 InputError).
 */
import { InputError, NotFoundError } from '@backstage/errors';
import { pf9Permissions } from '@internal/plugin-pf9-common';
import express from 'express';
import Router from 'express-promise-router';
import { Knex } from 'knex';
import { z } from 'zod';
import { computeDelta } from '../export/delta';
import { SHEET_ORDER, SheetName } from '../export/sheets';
import { ExportRecord, ExportService } from '../export/service';
import { Scope, latestDataRun, previousCompleteRun } from '../inventory/query';
import { toRun } from '../inventory/runs';
import {
  INVENTORY_TYPES,
  InventoryRun,
  InventoryType,
} from '../inventory/types';
import { RouteAuthorizer } from '../permissions/authorizer';
import { cloudResolver, parseInput } from './validation';
import { AuditLog } from '../store/audit';
import { setDownloadHeaders } from './download';

export interface ExportRouterOptions {
  db: Knex;
  exports: ExportService;
  authorizer: RouteAuthorizer;
  audit: AuditLog;
}

const ids = z.array(z.string().min(1).max(64)).max(1000);

export const exportBodySchema = z
  .object({
    cloudId: z.string().min(1).optional(),
    format: z.enum(['xlsx', 'csv']),
    runId: z.string().min(1).max(64).optional(),
    compareToRunId: z.string().min(1).max(64).optional(),
    scope: z
      .object({ domainIds: ids.optional(), projectIds: ids.optional() })
      .strict()
      .optional(),
    masking: z.enum(['none', 'partial', 'pseudonym']),
    maskNames: z.boolean().optional(),
    maskIps: z.boolean().optional(),
    sheets: z
      .array(z.enum(SHEET_ORDER as unknown as [SheetName, ...SheetName[]]))
      .min(1)
      .optional(),
    csvBom: z.boolean().optional(),
  })
  .strict();

const typeSchema = z.enum(
  INVENTORY_TYPES as unknown as [InventoryType, ...InventoryType[]],
);

function publicRecord(record: ExportRecord) {
  const { options, ...rest } = record;
  return { ...rest, request: options };
}

export function createExportRouter(
  options: ExportRouterOptions,
): express.Router {
  const { db, exports, authorizer, audit } = options;
  const router = Router();
  const cloudIds = exports.cloudIds();

  const cloudOf = cloudResolver(cloudIds);

  router.post('/exports', async (req, res) => {
    const granted = await authorizer.authorize(
      req,
      pf9Permissions.inventoryExport,
    );
    const { actor } = granted;
    let permissionScope: Scope = granted.scope;
    const body = parseInput(exportBodySchema, req.body ?? {}, 'body');
    const cloudId = cloudOf(body.cloudId, 'body');
    if (body.masking === 'none') {
      // EXP-8: an unmasked file needs its own permission (denial audited by the authorizer)
      const unmasked = await authorizer.authorize(
        req,
        pf9Permissions.inventoryExportUnmasked,
      );
      if (unmasked.scope) {
        permissionScope = permissionScope
          ? { allOf: [permissionScope, unmasked.scope] }
          : unmasked.scope;
      }
    } else if (
      !body.scope?.domainIds?.length &&
      !body.scope?.projectIds?.length
    ) {
      throw new InputError(
        'Invalid body: scope: a masked export needs a non-empty scope (domainIds or projectIds)',
      );
    }
    const { record } = await exports.create(
      { ...body, cloudId },
      { actor, permissionScope, trigger: 'on_demand' },
    );
    await audit.record({
      eventId: 'inventory.export',
      actor,
      severity: body.masking === 'none' ? 'medium' : 'low',
      target: { type: 'inventory_export', id: record.exportId },
      request: req,
      outcome: 'success',
      details: {
        action: 'create',
        cloudId,
        exportId: record.exportId,
        runId: record.runId,
        compareToRunId: record.compareToRunId,
        format: body.format,
        masking: body.masking,
        maskNames: !!body.maskNames,
        maskIps: !!body.maskIps,
        scope: {
          domainIds: body.scope?.domainIds ?? [],
          projectIds: body.scope?.projectIds ?? [],
        },
        sheets: body.sheets ?? null,
      },
    });
    res.status(202).json({ exportId: record.exportId });
  });

  /** The export, when this caller may see it: unmasked files need the unmasked permission; a scoped caller sees only their own. */
  const visibleExport = async (req: express.Request) => {
    const { actor, scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryExport,
    );
    const record = await exports.get(req.params.id);
    if (!record || (scope && record.requestedBy !== actor)) {
      throw new NotFoundError(`No export '${req.params.id}'`);
    }
    if (record.masking === 'none') {
      await authorizer.authorize(req, pf9Permissions.inventoryExportUnmasked);
    }
    return { actor, record };
  };

  router.get('/exports/:id', async (req, res) => {
    const { record } = await visibleExport(req);
    res.json(publicRecord(record));
  });

  router.get('/exports/:id/file', async (req, res) => {
    const { actor, record } = await visibleExport(req);
    if (record.status !== 'done') {
      throw new NotFoundError(
        `Export '${record.exportId}' has no file: it is ${record.status}`,
      );
    }
    const file = await exports.file(record.exportId);
    if (!file) {
      throw new NotFoundError(
        `The file of export '${record.exportId}' is no longer stored`,
      );
    }
    await audit.record({
      eventId: 'inventory.export',
      actor,
      severity: 'low',
      target: { type: 'inventory_export', id: record.exportId },
      request: req,
      outcome: 'success',
      details: {
        action: 'download',
        exportId: record.exportId,
        masking: record.masking,
      },
    });
    setDownloadHeaders(res, record.format, record.fileName);
    res.setHeader('Content-Length', String(file.size));
    file.stream.pipe(res);
  });

  router.get('/delta', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.inventoryRead,
    );
    const query = parseInput(
      z
        .object({
          cloudId: z.string().min(1).optional(),
          from: z.string().min(1).max(64).optional(),
          to: z.string().min(1).max(64).optional(),
          types: z
            .string()
            .min(1)
            .transform(v => v.split(',').map(t => t.trim()))
            .pipe(z.array(typeSchema))
            .optional(),
        })
        .strict(),
      req.query,
      'query',
    );
    const cloudId = cloudOf(query.cloudId, 'query');
    const runOf = async (
      id: string,
      field: 'from' | 'to',
    ): Promise<InventoryRun> => {
      const row = await db('inventory_runs').where({ id }).first();
      const run = row ? toRun(row) : undefined;
      if (!run || run.cloudId !== cloudId) {
        throw new InputError(
          `Invalid query: ${field}: no inventory run '${id}' of cloud '${cloudId}'`,
        );
      }
      if (run.status === 'running') {
        throw new InputError(
          `Invalid query: ${field}: run '${id}' is still running`,
        );
      }
      return run;
    };
    const to = query.to
      ? await runOf(query.to, 'to')
      : await latestDataRun(db, cloudId);
    if (!to) {
      throw new NotFoundError(`Cloud '${cloudId}' has no finished run yet`);
    }
    const from = query.from
      ? await runOf(query.from, 'from')
      : await previousCompleteRun(db, cloudId, to.id);
    if (!from) {
      throw new NotFoundError(
        `Cloud '${cloudId}' has no complete run before '${to.id}'; pass from=<runId>`,
      );
    }
    res.json(
      await computeDelta(db, {
        cloudId,
        from,
        to,
        types: query.types ?? INVENTORY_TYPES,
        scope,
      }),
    );
  });

  return router;
}
