import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Pf9ApiCaller } from '../pf9Api';

/** `pf9:access:role`: the initiating user's PF9 role, so templates can stop early with a clear message. */
export function createAccessRoleAction(api: Pf9ApiCaller) {
  return createTemplateAction({
    id: 'pf9:access:role',
    description:
      'Outputs the PF9 role and permissions of the user running the template; fails when a required permission is missing',
    examples: [
      {
        description: 'Stop unless the user may plan restores',
        example: `steps:
  - id: role
    action: pf9:access:role
    input:
      requirePermission: pf9.restore.plan`,
      },
    ],
    schema: {
      input: {
        requirePermission: z =>
          z
            .string()
            .regex(/^pf9\./, 'must be a pf9.* permission name')
            .optional()
            .describe('Fail the step unless the user holds this permission'),
      },
      output: {
        role: z => z.string().describe('The role, or "none"'),
        permissions: z => z.array(z.string()),
      },
    },
    async handler(ctx) {
      const me = await api
        .clientFor(await ctx.getInitiatorCredentials())
        .getAccessMe();
      ctx.logger.info(`${me.principal} has PF9 role ${me.role ?? 'none'}`);
      const required = ctx.input.requirePermission;
      if (required && !me.permissions.includes(required)) {
        throw new Error(
          `${me.principal} (role ${me.role ?? 'none'}) lacks ${required}`,
        );
      }
      ctx.output('role', me.role ?? 'none');
      ctx.output('permissions', me.permissions);
    },
  });
}
