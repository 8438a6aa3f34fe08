/**
 * The compliance routes under /api/pf9/compliance (SPEC CMP-3): reads of the latest stored evaluation,
 * limited to the caller's scope, and an on-demand evaluation.
 */
import { pf9Permissions } from '@internal/plugin-pf9-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ConflictError } from '@backstage/errors';
import {
  complianceExportFileName,
  writeComplianceExport,
} from '../compliance/export';
import { ComplianceService } from '../compliance/service';
import { RouteAuthorizer } from '../permissions/authorizer';
import { AuditLog } from '../store/audit';
import { setDownloadHeaders } from './download';
import { cloudResolver } from './validation';
import { pagingParams, parseInput } from './validation';

export interface ComplianceRouterOptions {
  compliance: ComplianceService;
  authorizer: RouteAuthorizer;
  audit: AuditLog;
}

const STATUSES = [
  'compliant',
  'pending',
  'missing',
  'quota_blocked',
  'misconfigured',
  'unprotected',
] as const;

export function createComplianceRouter(
  options: ComplianceRouterOptions,
): express.Router {
  const { compliance, authorizer, audit } = options;
  const router = Router();
  const cloudOf = cloudResolver(compliance.cloudIds());

  router.get('/', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRead,
    );
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        domainId: z.string().min(1).optional(),
        projectId: z.string().min(1).optional(),
        policy: z.string().min(1).optional(),
        status: z.enum(STATUSES).optional(),
        ...pagingParams,
      }),
      req.query,
      'query',
    );
    const { cloudId, page, pageSize, ...filter } = query;
    const result = await compliance.rows(
      cloudOf(cloudId, 'query'),
      filter,
      scope,
      { page, pageSize },
    );
    res.json({
      evaluatedAt: result.evaluation?.evaluatedAt ?? null,
      summary: result.summary,
      items: result.items,
      page,
      pageSize,
      total: result.total,
    });
  });

  /**
   * The rows of the latest evaluation (same filters as GET /, every page) as a file: XLSX or a ZIP of
   * CSV files with a Summary and a Rows sheet, written by the one table writer. Audited `compliance.export`.
   */
  router.get('/export', async (req, res) => {
    const { scope, actor } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRead,
    );
    const query = parseInput(
      z
        .object({
          format: z.enum(['xlsx', 'csv']).default('xlsx'),
          cloudId: z.string().min(1).optional(),
          domainId: z.string().min(1).optional(),
          projectId: z.string().min(1).optional(),
          policy: z.string().min(1).optional(),
          status: z.enum(STATUSES).optional(),
        })
        .strict(),
      req.query,
      'query',
    );
    const { format, cloudId: askedCloud, ...filter } = query;
    const cloudId = cloudOf(askedCloud, 'query');
    const result = await compliance.allRows(cloudId, filter, scope);
    if (!result.evaluation || !result.summary) {
      throw new ConflictError(
        `No compliance evaluation of cloud '${cloudId}' yet`,
      );
    }
    const fileName = complianceExportFileName(
      cloudId,
      result.evaluation.evaluatedAt,
      format,
    );
    await audit.record({
      eventId: 'compliance.export',
      actor,
      severity: 'low',
      target: { type: 'compliance_evaluation', id: result.evaluation.id },
      request: req,
      outcome: 'success',
      details: {
        cloudId,
        format,
        rows: result.items.length,
        scoped: !!scope,
        filter: { ...filter },
      },
    });
    setDownloadHeaders(res, format, fileName);
    await writeComplianceExport(res, {
      format,
      cloudId,
      evaluatedAt: result.evaluation.evaluatedAt,
      filter,
      summary: result.summary,
      rows: result.items,
      scoped: !!scope,
    });
  });

  router.get('/manual-snapshots', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRead,
    );
    const query = parseInput(
      z
        .object({
          cloudId: z.string().min(1).optional(),
          domainId: z.string().min(1).optional(),
          projectId: z.string().min(1).optional(),
          ...pagingParams,
        })
        .strict(),
      req.query,
      'query',
    );
    const { cloudId: askedCloud, page, pageSize, ...filter } = query;
    const cloudId = cloudOf(askedCloud, 'query');
    const result = await compliance.manualSnapshots(cloudId, filter, scope, {
      page,
      pageSize,
    });
    res.json({
      evaluatedAt: result.evaluation?.evaluatedAt ?? null,
      items: result.items,
      page,
      pageSize,
      total: result.total,
    });
  });

  router.get('/summary', async (req, res) => {
    const { scope } = await authorizer.authorize(
      req,
      pf9Permissions.snapshotsRead,
    );
    const query = parseInput(
      z.object({
        cloudId: z.string().min(1).optional(),
        groupBy: z.enum(['project', 'domain', 'policy']).default('project'),
      }),
      req.query,
      'query',
    );
    const result = await compliance.summary(
      cloudOf(query.cloudId, 'query'),
      query.groupBy,
      scope,
    );
    res.json({
      evaluatedAt: result.evaluation?.evaluatedAt ?? null,
      groupBy: query.groupBy,
      overall: result.overall,
      groups: result.groups,
    });
  });

  router.post('/evaluations', async (req, res) => {
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
    const evaluation = await compliance.evaluate(cloudId, actor);
    await audit.record({
      eventId: 'compliance.evaluate',
      actor,
      severity: 'low',
      target: { type: 'compliance_evaluation', id: evaluation.id },
      request: req,
      outcome: 'success',
      details: { cloudId },
    });
    res.status(201).json({
      id: evaluation.id,
      evaluatedAt: evaluation.evaluatedAt,
      overall: evaluation.rollups.overall,
    });
  });

  return router;
}
