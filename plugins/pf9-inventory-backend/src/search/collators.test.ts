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
  Pf9ResourceCollatorFactory,
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

  beforeAll(async () => {
    sim = await startTinySim();
    const { server } = await startTestBackend({
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
            },
          },
        }),
      ],
    });
    const started = await request(server)
      .post('/api/pf9/inventory/runs')
      .send({ cloudId: 'sim' });
    if (started.status !== 202)
      throw new Error(`sync not started: ${started.status}`);
    for (let i = 0; i < 240; i++) {
      const { body } = await request(server).get(
        `/api/pf9/inventory/runs/${started.body.runId}`,
      );
      if (body.finishedAt) break;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    const { port } = server.address() as AddressInfo;
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
});
