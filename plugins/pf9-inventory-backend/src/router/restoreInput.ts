/**
 * Input of the restore routes (RST-6, RST-14, RST-19): zod schemas that name the wrong field, and the
 * request behind a stored plan for a retry.
 */
import {
  RESTORE_IP_STRATEGIES,
  RESTORE_JOB_STATUSES,
  RestoreJobStatus,
} from '@internal/plugin-pf9-common';
import { z } from 'zod';
import { JobHead } from '../restore/planStore';
import { PlanRequest } from '../restore/planner';
import { pagingParams } from './validation';

export const id = z.string().min(1).max(64);
export const ipStrategy = z.enum(
  RESTORE_IP_STRATEGIES as [
    (typeof RESTORE_IP_STRATEGIES)[number],
    ...(typeof RESTORE_IP_STRATEGIES)[number][],
  ],
);
/** RST-6: legacy NEW / REPLACE are accepted */
const mode = z
  .enum(['side_by_side', 'replace', 'NEW', 'REPLACE'])
  .transform(m => {
    if (m === 'NEW') return 'side_by_side' as const;
    if (m === 'REPLACE') return 'replace' as const;
    return m;
  });

export const planBody = z
  .object({
    cloudId: z.string().min(1).optional(),
    serverId: id,
    restorePointId: id,
    mode,
    newName: z.string().min(1).max(255).optional(),
    ipStrategy,
    manualIps: z.record(id, z.union([z.ipv4(), z.ipv6()])).default({}),
    dataVolumes: z
      .enum(['restore_from_snapshots', 'reattach_existing', 'skip'])
      .default('restore_from_snapshots'),
    flavorId: id.optional(),
    availabilityZone: z.string().min(1).max(255).optional(),
    cleanupOldStorage: z.boolean().default(false),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.ipStrategy === 'MANUAL_IP' && !Object.keys(body.manualIps).length)
      ctx.addIssue({
        code: 'custom',
        path: ['manualIps'],
        message: 'needs at least one {networkId: ip} with MANUAL_IP',
      });
    if (body.ipStrategy !== 'MANUAL_IP' && Object.keys(body.manualIps).length)
      ctx.addIssue({
        code: 'custom',
        path: ['manualIps'],
        message: 'is only allowed with ipStrategy MANUAL_IP',
      });
  });

export const jobQuery = z
  .object({
    cloudId: z.string().min(1).optional(),
    projectId: id.optional(),
    status: z
      .enum(RESTORE_JOB_STATUSES as [RestoreJobStatus, ...RestoreJobStatus[]])
      .optional(),
    mode: z.enum(['side_by_side', 'replace']).optional(),
    createdBy: z.string().min(1).optional(),
    q: z.string().min(1).max(200).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    ...pagingParams,
  })
  .strict();

/** The request behind a stored plan, for a retry from live state (RST-19). */
export function requestOf(
  head: JobHead,
  ipStrategyOverride?: string,
): PlanRequest {
  const { plan, details } = head;
  const strategy = (ipStrategyOverride ??
    head.ipStrategy) as PlanRequest['ipStrategy'];
  const manualIps: Record<string, string> = {};
  if (strategy === 'MANUAL_IP' && head.ipStrategy === 'MANUAL_IP') {
    for (const e of plan.networkPlan ?? [])
      if (e.action === 'request_ip' && e.requestedIp)
        manualIps[e.networkId] = e.requestedIp;
  }
  return {
    cloudId: head.cloudId,
    serverId: head.serverId,
    restorePointId: plan.restorePoint.id,
    mode: head.mode,
    newName: details.newServerName,
    ipStrategy: strategy,
    manualIps,
    dataVolumes: details.dataVolumesMode,
    flavorId: details.flavorId || undefined,
    availabilityZone: details.availabilityZone ?? undefined,
    cleanupOldStorage: details.cleanupOldStorage,
  };
}
