import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Pf9ApiCaller } from '../pf9Api';
import { followRestoreJob } from './restoreProgress';

const SUCCESSFUL_STATUSES = ['SUCCEEDED', 'DRY_RUN_COMPLETED'];

export interface RestoreExecuteActionOptions {
  /** how often the job is read; tests shorten it */
  pollIntervalMs?: number;
}

/**
 * `pf9:restore:execute`: executes a plan as the template's initiator (RST-11) and follows the job to its
 * end, streaming step transitions into the task log.
 */
export function createRestoreExecuteAction(
  api: Pf9ApiCaller,
  options: RestoreExecuteActionOptions = {},
) {
  const pollIntervalMs = options.pollIntervalMs ?? 3000;
  return createTemplateAction({
    id: 'pf9:restore:execute',
    description:
      'Executes a restore plan made by pf9:restore:plan and waits for the job, logging each step. ' +
      'Fails the step unless the job ends SUCCEEDED (or DRY_RUN_COMPLETED for a dry-run); canceling the ' +
      'task cancels the job.',
    examples: [
      {
        description: 'Execute the plan of the previous step',
        example: `steps:
  - id: execute
    action: pf9:restore:execute
    input:
      planId: \${{ steps.plan.output.planId }}`,
      },
      {
        description: 'Replace restore: pass the typed confirmation',
        example: `steps:
  - id: execute
    action: pf9:restore:execute
    input:
      planId: \${{ steps.plan.output.planId }}
      confirm: \${{ parameters.confirmation }}`,
      },
      {
        description: 'Walk every step without changing anything in OpenStack',
        example: `steps:
  - id: execute
    action: pf9:restore:execute
    input:
      planId: \${{ steps.plan.output.planId }}
      dryRun: true`,
      },
    ],
    schema: {
      input: {
        planId: z => z.string().min(1).describe('The plan to execute'),
        confirm: z =>
          z
            .string()
            .optional()
            .describe(
              'For replace: exactly "DELETE AND RESTORE <server name>"',
            ),
        dryRun: z =>
          z
            .boolean()
            .optional()
            .describe('Simulate every mutating step (default false)'),
        timeoutMinutes: z =>
          z
            .number()
            .int()
            .positive()
            .optional()
            .describe(
              'Stop waiting after this long (default 240); the job keeps running',
            ),
      },
      output: {
        jobId: z => z.string(),
        status: z => z.string().describe('The terminal job status'),
        resultServerId: z =>
          z.string().nullable().describe('The restored server'),
      },
    },
    async handler(ctx) {
      const { planId, confirm, dryRun = false } = ctx.input;
      if (ctx.signal?.aborted) {
        throw new Error(`Task canceled before plan ${planId} was executed`);
      }
      const client = api.clientFor(await ctx.getInitiatorCredentials());
      // a recovered task must follow the job it started, not execute the plan a second time (409)
      const jobId = await ctx.checkpoint({
        key: `pf9-restore-execute-${planId}`,
        fn: async () =>
          (
            await client.executeRestorePlan(planId, {
              confirm: confirm || undefined,
              dryRun,
            })
          ).jobId,
      });
      ctx.output('jobId', jobId);
      ctx.logger.info(
        `Executing plan ${planId} as restore job ${jobId}${
          dryRun ? ' (dry-run)' : ''
        }`,
      );
      const job = await followRestoreJob({
        client,
        jobId,
        logger: ctx.logger,
        signal: ctx.signal,
        pollIntervalMs,
        timeoutMs: (ctx.input.timeoutMinutes ?? 240) * 60_000,
      });
      ctx.output('status', job.status);
      ctx.output('resultServerId', job.resultServerId);
      if (!SUCCESSFUL_STATUSES.includes(job.status)) {
        const recovered = job.recoveredServerId
          ? `; recovered server ${job.recoveredServerId}`
          : '';
        throw new Error(
          `Restore job ${jobId} ended ${job.status}${
            job.error ? `: ${job.error}` : ''
          }${recovered}`,
        );
      }
      ctx.logger.info(
        job.resultServerId
          ? `Restore job ${jobId} ${job.status}: server ${job.resultServerId}`
          : `Restore job ${jobId} ${job.status}`,
      );
    },
  });
}
