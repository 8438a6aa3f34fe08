import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import request from 'supertest';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { startTinySim } from '../inventory/__testUtils__/harness';
import { startPf9Backend } from './__testUtils__/backend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const TOKENS = {
  technical: 'technical-token-0123456789',
  viewer: 'viewer-token-0123456789',
  scoped: 'scoped-token-0123456789',
};
const auth = (who: keyof typeof TOKENS) => `Bearer ${TOKENS[who]}`;

describe('inventory routes', () => {
  let sim: Simulator;
  let db: Knex;
  let server: any;
  let scopedDomain: string;

  beforeAll(async () => {
    sim = await startTinySim();
    db = await databases.init('SQLITE_3');
    scopedDomain = sim.state.projects
      .all()
      .find(p => p.domain_id !== 'default')!.domain_id;
    ({ server } = await startPf9Backend({
      db,
      databases,
      tokens: {
        'tech-bot': TOKENS.technical,
        'viewer-bot': TOKENS.viewer,
        'scoped-bot': TOKENS.scoped,
      },
      pf9: {
        clouds: [simCloud(sim)],
        access: {
          roles: {
            technical: ['service:external:tech-bot'],
            viewer: [
              'service:external:viewer-bot',
              'service:external:scoped-bot',
            ],
          },
          scopes: [
            { group: 'service:external:scoped-bot', domainIds: [scopedDomain] },
          ],
        },
        inventory: { schedule: { initialDelay: { hours: 1 } } },
      },
    }));
  });

  afterAll(async () => {
    await sim.close();
    await closeSharedAgents();
  });

  async function waitForRun(runId: string) {
    for (let i = 0; i < 200; i++) {
      const res = await request(server)
        .get(`/api/pf9/inventory/runs/${runId}`)
        .set('Authorization', auth('viewer'));
      if (res.body.status !== 'running') return res.body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`run ${runId} did not finish`);
  }

  it('triggers a sync (202), refuses a second one while it runs (409) and audits the real caller', async () => {
    sim.faults.add({
      method: 'GET',
      pathPattern: '/v3/domains$',
      delayMs: 800,
      times: 1,
    });
    const first = await request(server)
      .post('/api/pf9/inventory/runs')
      .set('Authorization', auth('technical'))
      .send({ cloudId: 'sim' });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ runId: expect.any(String) });

    const second = await request(server)
      .post('/api/pf9/inventory/runs')
      .set('Authorization', auth('technical'))
      .send({ cloudId: 'sim' });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      name: 'ConflictError',
      runId: first.body.runId,
      details: { code: 'INVENTORY_SYNC_RUNNING', runId: first.body.runId },
    });

    const run = await waitForRun(first.body.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: 'on_demand',
      triggeredBy: 'service:external:tech-bot',
      cloudId: 'sim',
    });
    const events = await db('audit_events')
      .where({ event_id: 'inventory.sync.trigger' })
      .orderBy('id');
    expect(events.map(e => [e.actor, e.outcome, e.target_id])).toEqual([
      ['service:external:tech-bot', 'success', first.body.runId],
      ['service:external:tech-bot', 'fail', first.body.runId],
    ]);

    const list = await request(server)
      .get('/api/pf9/inventory/runs?cloudId=sim')
      .set('Authorization', auth('viewer'));
    expect(list.body).toMatchObject({ page: 1, pageSize: 50, total: 1 });
    expect(list.body.items[0].id).toBe(first.body.runId);
  });

  it('refuses a sync to a role without pf9.inventory.sync (403) and audits the denial', async () => {
    const res = await request(server)
      .post('/api/pf9/inventory/runs')
      .set('Authorization', auth('viewer'))
      .send({ cloudId: 'sim' });
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    const denied = await db('audit_events').where({
      event_id: 'access.denied',
      actor: 'service:external:viewer-bot',
    });
    expect(denied.length).toBeGreaterThan(0);
  });

  it.each([
    ['no body', undefined, /cloudId/],
    ['a missing cloudId', {}, /cloudId/],
    ['an unknown cloud', { cloudId: 'nope' }, /unknown cloud 'nope'/],
    ['a wrong type', { cloudId: 42 }, /cloudId/],
    ['an unknown field', { cloudId: 'sim', force: true }, /force/],
  ])('answers 400 for %s', async (_what, body, message) => {
    const res = await request(server)
      .post('/api/pf9/inventory/runs')
      .set('Authorization', auth('technical'))
      .send(body as any);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
  });

  it.each([
    ['/resources/bogus', /type/],
    ['/resources/server?pageSize=1001', /pageSize/],
    ['/resources/server?page=0', /page/],
    ['/resources/server?sort=secret', /sort/],
    ['/resources/server?cloudId=other', /unknown cloud/],
    ['/deletions?since=yesterday', /since/],
    ['/runs?status=done', /status/],
  ])('answers 400 for GET %s', async (path, message) => {
    const res = await request(server)
      .get(`/api/pf9/inventory${path}`)
      .set('Authorization', auth('viewer'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('pages, sorts and filters resources in the store', async () => {
    const all = sim.state.ports.all();
    const get = (query: string, who: keyof typeof TOKENS = 'viewer') =>
      request(server)
        .get(`/api/pf9/inventory/resources/port?${query}`)
        .set('Authorization', auth(who));

    const page2 = await get('sort=id&pageSize=5&page=2');
    expect(page2.status).toBe(200);
    expect(page2.body).toMatchObject({
      page: 2,
      pageSize: 5,
      total: all.length,
    });
    expect(page2.body.items.map((p: any) => p.id)).toEqual(
      all
        .map(p => p.id)
        .sort()
        .slice(5, 10),
    );

    // name sort, id as tie-breaker (many ports have an empty name)
    const byName = await get('sort=name&order=desc&pageSize=1000');
    const expected = all
      .map(p => ({ id: p.id, name: p.name || null }))
      .sort((a, b) => {
        if (a.name === b.name) return a.id < b.id ? 1 : -1;
        if (a.name === null) return 1;
        if (b.name === null) return -1;
        return a.name < b.name ? 1 : -1;
      })
      .map(p => p.id);
    expect(byName.body.items.map((p: any) => p.id)).toEqual(expected);

    const project = all[0].project_id;
    const byProject = await get(`projectId=${project}&pageSize=1000`);
    expect(byProject.body.total).toBe(
      all.filter(p => p.project_id === project).length,
    );

    const ip = all.find(p => p.fixed_ips.length)!.fixed_ips[0].ip_address;
    const byIp = await get(`q=${encodeURIComponent(ip)}`);
    expect(byIp.body.items.map((p: any) => p.id)).toEqual(
      all
        .filter(p => p.fixed_ips.some((f: any) => f.ip_address === ip))
        .map(p => p.id)
        .sort(),
    );

    const servers = await request(server)
      .get('/api/pf9/inventory/resources/server?status=active&pageSize=1000')
      .set('Authorization', auth('viewer'));
    expect(servers.body.total).toBe(
      sim.state.servers.filter(s => s.status === 'ACTIVE').length,
    );
    const someName = sim.state.servers.all()[0].name as string;
    const byName2 = await request(server)
      .get(
        `/api/pf9/inventory/resources/server?name=${encodeURIComponent(
          someName.slice(1, -1).toUpperCase(),
        )}`,
      )
      .set('Authorization', auth('viewer'));
    expect(byName2.body.items.map((s: any) => s.name)).toContain(someName);
  });

  it('applies the caller scope to lists and details', async () => {
    const inScope = sim.state.servers.filter(
      s => sim.state.projects.get(s.tenant_id)?.domain_id === scopedDomain,
    );
    const outside = sim.state.servers.filter(
      s => sim.state.projects.get(s.tenant_id)?.domain_id !== scopedDomain,
    );
    expect(inScope.length).toBeGreaterThan(0);
    expect(outside.length).toBeGreaterThan(0);
    const list = await request(server)
      .get('/api/pf9/inventory/resources/server?pageSize=1000')
      .set('Authorization', auth('scoped'));
    expect(list.body.items.map((s: any) => s.id).sort()).toEqual(
      inScope.map(s => s.id).sort(),
    );
    const hidden = await request(server)
      .get(`/api/pf9/inventory/resources/server/${outside[0].id}`)
      .set('Authorization', auth('scoped'));
    expect(hidden.status).toBe(404);
    const hiddenHistory = await request(server)
      .get(`/api/pf9/inventory/history/server/${outside[0].id}`)
      .set('Authorization', auth('scoped'));
    expect(hiddenHistory.status).toBe(404);
    const shown = await request(server)
      .get(`/api/pf9/inventory/resources/server/${inScope[0].id}`)
      .set('Authorization', auth('scoped'));
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id: inScope[0].id,
      domainId: scopedDomain,
      fields: { name: inScope[0].name },
      raw: { id: inScope[0].id },
    });
    expect(JSON.stringify(shown.body.raw)).not.toContain('user_data');
  });

  it('serves history and deletions', async () => {
    const volume = sim.state.volumes
      .all()
      .find(
        v =>
          !v.attachments.length &&
          !sim.state.snapshots.all().some(s => s.volume_id === v.id),
      )!;
    sim.state.volumes.remove(volume.id);
    const trigger = await request(server)
      .post('/api/pf9/inventory/runs')
      .set('Authorization', auth('technical'))
      .send({ cloudId: 'sim' });
    const run = await waitForRun(trigger.body.runId);
    expect(run.status).toBe('succeeded');

    const history = await request(server)
      .get(`/api/pf9/inventory/history/volume/${volume.id}`)
      .set('Authorization', auth('viewer'));
    expect(history.status).toBe(200);
    expect(history.body.items.map((v: any) => v.changeType)).toEqual([
      'deleted',
      'discovered',
    ]);
    expect(history.body.items[0]).toMatchObject({
      versionNo: 2,
      runId: run.id,
    });

    const deletions = await request(server)
      .get('/api/pf9/inventory/deletions?type=volume')
      .set('Authorization', auth('viewer'));
    expect(deletions.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    expect(deletions.body.items[0]).toMatchObject({
      id: volume.id,
      name: volume.name,
      detectedInRunId: run.id,
      verifiedByGet: true,
      reason: 'absent_from_complete_listing',
      reverted: false,
    });

    const deleted = await request(server)
      .get('/api/pf9/inventory/resources/volume?pageSize=1000')
      .set('Authorization', auth('viewer'));
    expect(deleted.body.items.map((v: any) => v.id)).not.toContain(volume.id);
    const withDeleted = await request(server)
      .get(
        '/api/pf9/inventory/resources/volume?pageSize=1000&includeDeleted=true',
      )
      .set('Authorization', auth('viewer'));
    expect(
      withDeleted.body.items.find((v: any) => v.id === volume.id)?.deleted,
    ).toBe(true);
  });

  it('compares versions, lists recent changes and ranks the most changed (INV-17)', async () => {
    const server0 = sim.state.servers.all()[0];
    const oldName = server0.name;
    server0.name = `${oldName}-renamed`;
    const trigger = await request(server)
      .post('/api/pf9/inventory/runs')
      .set('Authorization', auth('technical'))
      .send({ cloudId: 'sim' });
    const run = await waitForRun(trigger.body.runId);
    expect(run.status).toBe('succeeded');

    const compare = await request(server)
      .get(
        `/api/pf9/inventory/history/server/${server0.id}/compare?from=1&to=2`,
      )
      .set('Authorization', auth('viewer'));
    expect(compare.status).toBe(200);
    expect(compare.body.changes).toContainEqual({
      field: 'name',
      change: 'changed',
      from: oldName,
      to: `${oldName}-renamed`,
    });
    expect(compare.body.changes.map((c: any) => c.field)).not.toContain('id');

    const missing = await request(server)
      .get(
        `/api/pf9/inventory/history/server/${server0.id}/compare?from=1&to=9`,
      )
      .set('Authorization', auth('viewer'));
    expect(missing.status).toBe(404);

    const recent = await request(server)
      .get('/api/pf9/inventory/history/recent?hours=1&type=server')
      .set('Authorization', auth('viewer'));
    expect(recent.status).toBe(200);
    expect(recent.body.items[0]).toMatchObject({
      id: server0.id,
      name: `${oldName}-renamed`,
      changeType: 'updated',
      changedFields: expect.arrayContaining(['name']),
      runId: run.id,
    });
    expect(recent.body.items.every((v: any) => v.type === 'server')).toBe(true);

    const scoped = await request(server)
      .get('/api/pf9/inventory/history/recent?hours=1&pageSize=1000')
      .set('Authorization', auth('scoped'));
    expect(scoped.body.total).toBeGreaterThan(0);
    expect(
      scoped.body.items.every((v: any) => v.domainId === scopedDomain),
    ).toBe(true);

    const ranked = await request(server)
      .get('/api/pf9/inventory/history/most-changed?days=1&limit=5')
      .set('Authorization', auth('viewer'));
    expect(ranked.status).toBe(200);
    expect(ranked.body.items[0].versions).toBe(2);
    expect(ranked.body.items.map((r: any) => r.id)).toContain(server0.id);

    const bad = await request(server)
      .get('/api/pf9/inventory/history/recent?hours=0')
      .set('Authorization', auth('viewer'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('hours');
  });

  it('lets only an admin decide a guarded deletion batch (INV-21)', async () => {
    for (const decision of ['approve', 'reject']) {
      const refused = await request(server)
        .post(`/api/pf9/inventory/runs/some-run/deletions/server/${decision}`)
        .set('Authorization', auth('technical'));
      expect(refused.status).toBe(403);
    }
    const denied = await db('audit_events').where({
      event_id: 'access.denied',
      actor: 'service:external:tech-bot',
    });
    expect(denied.length).toBeGreaterThan(0);
  });
});
