import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  RESTORE_IP_STRATEGIES,
  RestoreIssue,
  RestorePlanRequest,
} from '@internal/plugin-pf9-common';
import { Pf9ApiCaller } from '../pf9Api';

const IP_STRATEGIES = RESTORE_IP_STRATEGIES as [string, ...string[]];

/** `CODE: message; CODE: message` */
function issueList(issues: RestoreIssue[]): string {
  return issues.map(i => `${i.code}: ${i.message}`).join('; ');
}

/** `pf9:restore:plan`: a GET-only restore plan (RST-6), made as the template's initiator. */
export function createRestorePlanAction(api: Pf9ApiCaller) {
  return createTemplateAction({
    id: 'pf9:restore:plan',
    description:
      'Plans the restore of an OpenStack server from a restore point (only GET calls to OpenStack). ' +
      'Outputs the plan id and, for replace, the confirmation text; fails the step with the blockers when ' +
      'the restore is not eligible.',
    examples: [
      {
        description: 'Plan a side-by-side restore with new addresses',
        example: `steps:
  - id: plan
    action: pf9:restore:plan
    input:
      serverId: \${{ parameters.serverId }}
      restorePointId: \${{ parameters.restorePointId }}
      mode: side_by_side
      ipStrategy: NEW_IPS`,
      },
      {
        description: 'Plan a replace restore that asks for fixed addresses',
        example: `steps:
  - id: plan
    action: pf9:restore:plan
    input:
      cloudId: production
      serverId: 0b8c6e52-2f55-4d0e-9d6c-0d2f3a4b5c6d
      restorePointId: 7f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
      mode: replace
      ipStrategy: MANUAL_IP
      manualIps:
        3c2b1a09-8f7e-6d5c-4b3a-291817161514: 10.0.0.25
      dataVolumes: skip`,
      },
    ],
    schema: {
      input: {
        cloudId: z =>
          z
            .string()
            .optional()
            .describe('The cloud; needed when several are configured'),
        serverId: z => z.string().min(1).describe('The server to restore'),
        restorePointId: z =>
          z
            .string()
            .min(1)
            .describe('A volume snapshot or server image of the server'),
        mode: z =>
          z
            .enum(['side_by_side', 'replace'])
            .optional()
            .describe(
              'side_by_side (default) keeps the original; replace deletes it first',
            ),
        ipStrategy: z =>
          z
            .enum(IP_STRATEGIES)
            .optional()
            .describe(
              'How the restored server gets its addresses (RST-8); default NEW_IPS',
            ),
        manualIps: z =>
          z
            .record(z.string())
            .optional()
            .describe('For MANUAL_IP: network id → requested address'),
        newName: z =>
          z
            .string()
            .optional()
            .describe('Name of the restored server; empty for the default'),
        dataVolumes: z =>
          z
            .enum(['restore_from_snapshots', 'reattach_existing', 'skip'])
            .optional()
            .describe('What happens to the data volumes'),
      },
      output: {
        planId: z => z.string().describe('The planned job'),
        eligible: z => z.boolean(),
        blockers: z =>
          z.array(z.object({ code: z.string(), message: z.string() })),
        warnings: z =>
          z.array(z.object({ code: z.string(), message: z.string() })),
        confirmationText: z =>
          z
            .string()
            .nullable()
            .describe('For replace: the text the execute step must confirm'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const request: RestorePlanRequest = {
        cloudId: input.cloudId || undefined,
        serverId: input.serverId,
        restorePointId: input.restorePointId,
        mode: input.mode ?? 'side_by_side',
        ipStrategy: (input.ipStrategy ??
          'NEW_IPS') as RestorePlanRequest['ipStrategy'],
        manualIps:
          input.manualIps && Object.keys(input.manualIps).length
            ? input.manualIps
            : undefined,
        newName: input.newName?.trim() || undefined,
        dataVolumes: input.dataVolumes,
      };
      const client = api.clientFor(await ctx.getInitiatorCredentials());
      const plan = await client.createRestorePlan(request);

      ctx.logger.info(
        `Plan ${plan.planId}: ${plan.mode} restore of ${plan.serverName} (${plan.serverId}) from ` +
          `${plan.restorePoint.kind} ${plan.restorePoint.id}, ${plan.ipStrategy}, as ${plan.carryOver.name}`,
      );
      for (const action of plan.actions) {
        ctx.logger.info(`  ${action.step}: ${action.description}`);
      }
      for (const warning of plan.warnings) {
        ctx.logger.warn(`Warning ${warning.code}: ${warning.message}`);
      }
      ctx.output('planId', plan.planId);
      ctx.output('eligible', plan.eligible);
      ctx.output('blockers', plan.blockers);
      ctx.output('warnings', plan.warnings);
      ctx.output('confirmationText', plan.confirmationText);
      if (!plan.eligible) {
        throw new Error(
          `The restore of ${plan.serverName} is blocked: ${issueList(
            plan.blockers,
          )}`,
        );
      }
    },
  });
}
