import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import type { Simulator } from '@internal/openstack-sim';
import request from 'supertest';
import { startTinySim } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { pf9PermissionPolicyModule } from '../permissions/policy';
import { pf9Plugin } from '../plugin';
import { catalogModulePf9 } from './module';

jest.setTimeout(180_000);

const TOKEN = 'catalog-test-token-0123456789';

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms = 120_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

describe('catalog module against the real pf9 plugin and catalog', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startTinySim();
  });
  afterAll(async () => {
    await sim.close();
    await closeSharedAgents();
  });

  it('mirrors domains, projects and servers of a complete sync into the catalog through the REST API', async () => {
    const { server } = await startTestBackend({
      features: [
        pf9Plugin,
        catalogBackend,
        catalogModulePf9,
        permissionBackend,
        pf9PermissionPolicyModule,
        permissionsServiceFactory,
        authServiceFactory,
        httpAuthServiceFactory,
        // The real scheduler, so the provider's task repeats as in the portal.
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            backend: {
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: TOKEN, subject: 'ci-bot' },
                  },
                ],
              },
            },
            catalog: {
              rules: [{ allow: ['Domain', 'System', 'Resource', 'Location'] }],
              processingInterval: { seconds: 1 },
            },
            pf9: {
              clouds: [simCloud(sim)],
              access: {
                roles: {
                  superadmin: ['service:external:ci-bot'],
                  viewer: ['service:plugin:catalog'],
                },
              },
              inventory: { schedule: { initialDelay: { hours: 1 } } },
              catalog: { types: ['server'], frequency: { seconds: 1 } },
            },
          },
        }),
      ],
    });
    const api = (path: string) =>
      request(server).get(path).set('Authorization', `Bearer ${TOKEN}`);

    const started = await request(server)
      .post('/api/pf9/inventory/runs')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ cloudId: 'sim' });
    expect(started.status).toBe(202);
    await eventually(async () => {
      const run = await api(`/api/pf9/inventory/runs/${started.body.runId}`);
      return run.body.finishedAt ? run.body : undefined;
    });

    const serverIds = sim.state.servers
      .all()
      .map(s => s.id)
      .sort();
    const entities = await eventually(async () => {
      const { body } = await api(
        '/api/catalog/entities?filter=kind=resource,metadata.namespace=sim',
      );
      return Array.isArray(body) && body.length === serverIds.length
        ? body
        : undefined;
    });
    expect(entities.map((e: any) => e.metadata.name).sort()).toEqual(serverIds);
    expect(entities[0].spec.type).toBe('openstack-server');

    const { body: systems } = await api(
      '/api/catalog/entities?filter=kind=system,metadata.namespace=sim',
    );
    expect(systems).toHaveLength(sim.state.projects.all().length);
    const { body: domains } = await api(
      '/api/catalog/entities?filter=kind=domain,metadata.namespace=sim',
    );
    expect(domains.length).toBeGreaterThan(0);
  });
});
