import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { Pf9Reader } from '../catalog/pf9Reader';
import { startTinySim } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { pf9Plugin } from '../plugin';
import {
  planRequest,
  volumeBootedFixture,
} from '../restore/__testUtils__/executorHarness';
import { TEST_USER_DATA_KEY } from '../restore/__testUtils__/planFixtures';
import { prepareSim } from '../snapshots/__testUtils__/sim';
import {
  Pf9ResourceCollatorFactory,
  Pf9RestoreJobCollatorFactory,
  Pf9SnapshotRunCollatorFactory,
  Pf9SyncRunCollatorFactory,
} from './collators';

jest.setTimeout(120_000);

async function collect(factory: {
  getCollator(): Promise<AsyncIterable<any>>;
}) {
  const documents: any[] = [];
  for await (const document of await factory.getCollator())
    documents.push(document);
  return documents;
}

describe('pf9 collators, reading a real pf9 backend as the search plugin', () => {
  let sim: Simulator;
  let reader: Pf9Reader;
  let backend: any;

  beforeAll(async () => {
    sim = await startTinySim();
    ({ server: backend } = await startTestBackend({
      features: [
        pf9Plugin,
        mockServices.rootConfig.factory({
          data: {
            pf9: {
              clouds: [simCloud(sim)],
              access: {
                roles: {
                  viewer: ['service:plugin:search'],
                  technical: ['user:default/mock'],
                },
              },
              inventory: { schedule: { initialDelay: { hours: 1 } } },
              restore: { enabled: true, userDataKey: TEST_USER_DATA_KEY },
            },
          },
        }),
      ],
    }));
    const started = await request(backend)
      .post('/api/pf9/inventory/runs')
      .send({ cloudId: 'sim' });
    if (started.status !== 202)
      throw new Error(`sync not started: ${started.status}`);
    for (let i = 0; i < 240; i++) {
      const { body } = await request(backend).get(
        `/api/pf9/inventory/runs/${started.body.runId}`,
      );
      if (body.finishedAt) break;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    const { port } = backend.address() as AddressInfo;
    reader = new Pf9Reader({
      auth: mockServices.auth({ pluginId: 'search' }),
      discovery: {
        getBaseUrl: async id => `http://localhost:${port}/api/${id}`,
        getExternalBaseUrl: async id => `http://localhost:${port}/api/${id}`,
      },
    });
  });

  afterAll(async () => {
    await sim.close();
    await closeSharedAgents();
  });

  it('indexes every server with its name, id, addresses and project, linked to its entity page', async () => {
    const documents = await collect(
      new Pf9ResourceCollatorFactory({
        reader,
        cloudIds: ['sim'],
        types: ['server'],
      }),
    );
    const servers = sim.state.servers.all();
    expect(documents).toHaveLength(servers.length);
    const server = servers.find(
      s => Object.keys(s.addresses ?? {}).length > 0,
    )!;
    const ip = Object.values(
      server.addresses as Record<string, Array<{ addr: string }>>,
    )[0][0].addr;
    const project = sim.state.projects
      .all()
      .find(p => p.id === server.tenant_id)!;
    const document = documents.find(d => d.resourceId === server.id);
    expect(document).toMatchObject({
      title: `${server.name} (server)`,
      location: `/catalog/sim/resource/${server.id}`,
      projectName: project.name,
      authorization: { resourceRef: `sim:server:${server.id}` },
    });
    for (const word of [server.name, server.id, ip, project.name]) {
      expect(document.text).toContain(word);
    }
  });

  it('indexes sync runs', async () => {
    const documents = await collect(
      new Pf9SyncRunCollatorFactory({ reader, cloudIds: ['sim'] }),
    );
    expect(documents).toHaveLength(1);
    expect(documents[0].title).toMatch(
      /^Inventory sync of sim at .*: succeeded$/,
    );
  });

  it('indexes snapshot cycles', async () => {
    const started = await request(backend)
      .post('/api/pf9/snapshots/runs')
      .send({ cloudId: 'sim', dryRun: true });
    expect(started.status).toBe(202);
    for (let i = 0; i < 240; i++) {
      const { body } = await request(backend).get(
        `/api/pf9/snapshots/runs/${started.body.runId}`,
      );
      if (body.finishedAt) break;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    const documents = await collect(
      new Pf9SnapshotRunCollatorFactory({ reader, cloudIds: ['sim'] }),
    );
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      title: expect.stringMatching(/^Snapshot cycle of sim at /),
      location: `/pf9/snapshots?run=${started.body.runId}`,
    });
    expect(documents[0].text).toContain('dry-run');
  });

  it('indexes restore jobs by server name and id', async () => {
    // the admin credential needs a role in the fixture's project to act there
    prepareSim(sim);
    const fixture = await volumeBootedFixture(sim, 'search-fixture');
    const planned = await request(backend)
      .post('/api/pf9/restore/plans')
      .send(planRequest(fixture));
    expect(planned.status).toBe(201);
    const documents = await collect(
      new Pf9RestoreJobCollatorFactory({ reader, cloudIds: ['sim'] }),
    );
    expect(documents).toEqual([
      expect.objectContaining({
        title: 'Restore of search-fixture (side_by_side): PLANNED',
        location: `/pf9-restore/jobs/${planned.body.planId}`,
      }),
    ]);
    expect(documents[0].text).toContain(fixture.serverId);
  });
});
