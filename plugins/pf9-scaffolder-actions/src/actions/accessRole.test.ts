import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import permissionBackend from '@backstage/plugin-permission-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import pf9Plugin, {
  pf9PermissionPolicyModule,
} from '@internal/plugin-pf9-inventory-backend';
import { AddressInfo } from 'node:net';
import { Pf9ApiCaller } from '../pf9Api';
import { createAccessRoleAction } from './accessRole';

jest.setTimeout(60_000);

/** A real pf9 backend (mock auth) that the action reaches over HTTP, as it would in the portal. */
async function startPf9Backend() {
  const { server } = await startTestBackend({
    features: [
      pf9Plugin,
      permissionBackend,
      pf9PermissionPolicyModule,
      permissionsServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          pf9: {
            access: {
              roles: {
                operator: ['user:default/olivia'],
              },
            },
          },
        },
      }),
    ],
  });
  const { port } = server.address() as AddressInfo;
  const api = new Pf9ApiCaller({
    auth: mockServices.auth(),
    discovery: {
      getBaseUrl: async (pluginId: string) =>
        `http://localhost:${port}/api/${pluginId}`,
      getExternalBaseUrl: async (pluginId: string) =>
        `http://localhost:${port}/api/${pluginId}`,
    },
  });
  return createAccessRoleAction(api);
}

/** An action context run by `userRef`; the test utils ignore a getInitiatorCredentials option, hence the spread. */
function contextFor(input: { requirePermission?: string }, userRef: string) {
  return {
    ...createMockActionContext({ input }),
    getInitiatorCredentials: async () => mockCredentials.user(userRef),
  };
}

describe('pf9:access:role', () => {
  it('outputs the role of the user who runs the template, not the scaffolder', async () => {
    const action = await startPf9Backend();
    const ctx = contextFor(
      { requirePermission: 'pf9.restore.plan' },
      'user:default/olivia',
    );
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('role', 'operator');
    expect(ctx.output).toHaveBeenCalledWith(
      'permissions',
      expect.arrayContaining(['pf9.restore.plan']),
    );
  });

  it('fails the step when the user lacks the required permission', async () => {
    const action = await startPf9Backend();
    const ctx = contextFor(
      { requirePermission: 'pf9.restore.execute.replace' },
      'user:default/olivia',
    );
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'user:default/olivia (role operator) lacks pf9.restore.execute.replace',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('reports no role for an unmapped user', async () => {
    const action = await startPf9Backend();
    const ctx = contextFor({}, 'user:default/nobody');
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('role', 'none');
    expect(ctx.output).toHaveBeenCalledWith('permissions', []);
  });
});
