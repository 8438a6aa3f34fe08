import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import permissionBackend from '@backstage/plugin-permission-backend';
import request from 'supertest';
import { pf9Plugin } from './plugin';
import { pf9PermissionPolicyModule } from './permissions/policy';

jest.setTimeout(60_000);

const config = {
  pf9: {
    clouds: [
      {
        id: 'lab',
        auth: {
          url: 'http://127.0.0.1:5000/v3',
          username: 'admin',
          password: 'very-secret-password',
        },
      },
    ],
    access: {
      roles: {
        viewer: ['service:external:viewer-bot', 'group:default/viewers'],
        superadmin: ['service:external:ci-bot', 'user:default/root'],
      },
    },
  },
  permission: { enabled: true },
  backend: {
    auth: {
      externalAccess: [
        {
          type: 'static',
          options: { token: 'viewer-token-0123456789', subject: 'viewer-bot' },
        },
        {
          type: 'static',
          options: { token: 'ci-token-0123456789abc', subject: 'ci-bot' },
        },
        {
          type: 'static',
          options: { token: 'other-token-0123456789', subject: 'unmapped' },
        },
      ],
    },
  },
};

/** The pf9 plugin with the real permission backend and policy; `realAuth` swaps the mock auth for Backstage's. */
async function startPf9(data: object = config, realAuth = false) {
  const { server } = await startTestBackend({
    features: [
      pf9Plugin,
      permissionBackend,
      pf9PermissionPolicyModule,
      mockServices.rootConfig.factory({ data }),
      permissionsServiceFactory,
      ...(realAuth ? [authServiceFactory, httpAuthServiceFactory] : []),
    ],
  });
  return server;
}

describe('pf9 plugin', () => {
  it('serves health without credentials and without secrets', async () => {
    const server = await startPf9();
    const response = await request(server).get('/api/pf9/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      clouds: ['lab'],
      database: 'sqlite',
    });
    expect(JSON.stringify(response.body)).not.toContain('very-secret');
  });

  it('refuses to start with a bad pf9 value, naming the key', async () => {
    await expect(
      startPf9({ pf9: { clouds: [{ id: 'Bad_Id', fromEnvironment: true }] } }),
    ).rejects.toThrow("Invalid config at 'pf9.clouds[0].id'");
  });

  it('refuses a viewer service token on a superadmin-only route (403) and allows the superadmin one', async () => {
    const server = await startPf9(config, true);
    const denied = await request(server)
      .get('/api/pf9/access/matrix')
      .set('Authorization', 'Bearer viewer-token-0123456789');
    expect(denied.status).toBe(403);
    expect(denied.body.error.name).toBe('NotAllowedError');

    const allowed = await request(server)
      .get('/api/pf9/access/matrix')
      .set('Authorization', 'Bearer ci-token-0123456789abc');
    expect(allowed.status).toBe(200);
    expect(allowed.body.permissions).toContainEqual({
      name: 'pf9.access.matrix',
      roles: ['superadmin'],
    });
  });

  it('refuses a service token whose subject has no role', async () => {
    const server = await startPf9(config, true);
    const unmapped = await request(server)
      .get('/api/pf9/access/me')
      .set('Authorization', 'Bearer other-token-0123456789');
    expect(unmapped.body).toEqual({
      principal: 'service:external:unmapped',
      role: null,
      permissions: [],
    });
    const refused = await request(server)
      .get('/api/pf9/access/matrix')
      .set('Authorization', 'Bearer other-token-0123456789');
    expect(refused.status).toBe(403);
  });

  it('decides for users through the permission policy', async () => {
    const server = await startPf9();
    const stranger = await request(server)
      .get('/api/pf9/access/matrix')
      .set(
        'Authorization',
        mockCredentials.user.header('user:default/stranger'),
      );
    expect(stranger.status).toBe(403);

    const root = await request(server)
      .get('/api/pf9/access/matrix')
      .set('Authorization', mockCredentials.user.header('user:default/root'));
    expect(root.status).toBe(200);
  });

  it('tells callers their own role', async () => {
    const server = await startPf9(config, true);
    const response = await request(server)
      .get('/api/pf9/access/me')
      .set('Authorization', 'Bearer viewer-token-0123456789');
    expect(response.status).toBe(200);
    expect(response.body.principal).toBe('service:external:viewer-bot');
    expect(response.body.role).toBe('viewer');
    expect(response.body.permissions).toContain('pf9.inventory.read');
    expect(response.body.permissions).not.toContain('pf9.inventory.sync');

    const anonymous = await request(server).get('/api/pf9/access/me');
    expect(anonymous.status).toBe(401);
  });
});
