import { startSimulator, Simulator } from '@internal/openstack-sim';
import { createOpenStackClient } from './client';
import { OpenStackCatalogError, OpenStackUnauthorizedError } from './errors';
import { closeSharedAgents } from './request';
import { fillProject, needsRenewal, selectEndpoint } from './session';
import { TokenCache } from './tokenCache';
import { memberUser, simClient, simCloud } from './__testUtils__/sim';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    scenario: 'tiny',
    seed: 1,
    port: 0,
    transitionMs: 20,
  });
});
afterAll(async () => {
  await sim.close();
  await closeSharedAgents();
});
beforeEach(() => sim.faults.clear());

const adminProjectId = () =>
  sim.state.projects.all().find(p => p.name === 'admin')!.id as string;

describe('authentication (OSC-1)', () => {
  it('password auth: token from X-Subject-Token, scoped to the project, admin role seen', async () => {
    const { client } = simClient(sim);
    const token = await client.session.token();
    expect(token.id).toMatch(/^gAAAAA/);
    expect(token.projectId).toBe(adminProjectId());
    expect(token.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    expect(await client.isAdmin()).toBe(true);
    const auth = sim.requestLog.filter(r => r.path === '/v3/auth/tokens');
    expect(auth.at(-1)!.status).toBe(201);
  });

  it('application credential auth: created with the admin user, used, deleted', async () => {
    const { client: admin } = simClient(sim);
    const t = await admin.session.token();
    const cred = await admin.identity.createApplicationCredential(t.userId!, {
      name: `pf9-test-${Date.now()}`,
    });
    expect(cred.secret).toBeTruthy();
    const appClient = createOpenStackClient(
      {
        ...simCloud(sim),
        auth: { url: sim.authUrl },
        applicationCredential: { id: cred.id, secret: cred.secret! },
      },
      { tokenCache: new TokenCache() },
    );
    const appToken = await appClient.session.token();
    expect(appToken.methods).toContain('application_credential');
    expect(appToken.projectId).toBe(adminProjectId());
    const domains = await appClient.identity.listDomains();
    expect(domains.items.length).toBeGreaterThan(0);
    await admin.identity.deleteApplicationCredential(t.userId!, cred.id);
    const again = createOpenStackClient(
      {
        ...simCloud(sim),
        auth: { url: sim.authUrl },
        applicationCredential: { id: cred.id, secret: cred.secret! },
      },
      { tokenCache: new TokenCache() },
    );
    await expect(again.session.token()).rejects.toBeInstanceOf(
      OpenStackUnauthorizedError,
    );
  });

  it('a wrong password is a typed 401 carrying the Keystone message and request id', async () => {
    const { client } = simClient(sim, {
      cloud: { auth: { ...simCloud(sim).auth!, password: 'wrong' } },
    });
    const err = await client.session.token().catch(e => e);
    expect(err).toBeInstanceOf(OpenStackUnauthorizedError);
    expect(err.status).toBe(401);
    expect(err.requestId).toMatch(/^req-/);
    expect(err.service).toBe('identity');
  });

  it('reuses the token across clients sharing a cache, one auth for concurrent callers', async () => {
    const cache = new TokenCache();
    const before = sim.requestLog.filter(
      r => r.path === '/v3/auth/tokens',
    ).length;
    const a = simClient(sim, { tokenCache: cache }).client;
    const b = simClient(sim, { tokenCache: cache }).client;
    await Promise.all([
      ...Array.from({ length: 10 }, () => a.session.token()),
      b.identity.listRoles(),
      b.compute.listFlavors(),
    ]);
    const after = sim.requestLog.filter(
      r => r.path === '/v3/auth/tokens',
    ).length;
    expect(after - before).toBe(1);
    expect(cache.authCount).toBe(1);
  });

  it('re-authenticates when less than 5 minutes remain', async () => {
    const cache = new TokenCache();
    const { client } = simClient(sim, { tokenCache: cache });
    const first = await client.session.token();
    // an old token with 4 minutes left
    first.issuedAt = new Date(Date.now() - 3600_000);
    first.expiresAt = new Date(Date.now() + 4 * 60_000);
    const second = await client.session.token();
    expect(second.id).not.toBe(first.id);
    expect(cache.authCount).toBe(2);
    const t = { ...second, issuedAt: new Date(Date.now() - 3600_000) };
    expect(
      needsRenewal({ ...t, expiresAt: new Date(Date.now() + 6 * 60_000) }),
    ).toBe(false);
    expect(
      needsRenewal({ ...t, expiresAt: new Date(Date.now() + 4 * 60_000) }),
    ).toBe(true);
  });

  it('on a 401 mid-listing re-authenticates once and repeats the page', async () => {
    let pages = 0;
    const cache = new TokenCache();
    const { client, sent } = simClient(sim, {
      tokenCache: cache,
      onRequest: r => {
        if (r.url.includes('/servers/detail') && ++pages === 2)
          sim.expireAllTokens();
      },
    });
    const unpaged = await client.compute.listServers();
    pages = 0;
    const before = cache.authCount;
    const paged = await client.compute.listServers({ pageSize: 2 });
    expect(paged.complete).toBe(true);
    expect(paged.items.map(s => s.id)).toEqual(unpaged.items.map(s => s.id));
    expect(cache.authCount).toBe(before + 1);
    const statuses = sim.requestLog
      .filter(r => r.path.endsWith('/servers/detail'))
      .slice(-(paged.pages + 1))
      .map(r => r.status);
    expect(statuses).toContain(401);
    expect(sent.filter(r => r.url.includes('/servers/detail')).length).toBe(
      unpaged.pages + paged.pages + 1,
    );
  });

  it('a second 401 after re-authenticating is not retried again', async () => {
    const { client } = simClient(sim);
    await client.session.token();
    sim.faults.add({
      pathPattern: '/compute/v2.1/os-services$',
      status: 401,
      times: 5,
    });
    const err = await client.compute.listServices().catch(e => e);
    expect(err).toBeInstanceOf(OpenStackUnauthorizedError);
    const calls = sim.requestLog
      .filter(r => r.path.endsWith('/os-services'))
      .slice(-2);
    expect(calls.map(c => c.status)).toEqual([401, 401]);
    sim.faults.clear();
  });
});

describe('endpoints (OSC-2)', () => {
  const catalog = [
    {
      type: 'volumev3',
      endpoints: [
        {
          interface: 'public',
          region_id: 'R1',
          url: 'http://c1:8776/v3/%(project_id)s',
        },
        {
          interface: 'internal',
          region_id: 'R1',
          url: 'http://int:8776/v3/$(project_id)s',
        },
        {
          interface: 'public',
          region_id: 'R2',
          url: 'http://c2:8776/v3/0123456789abcdef0123456789abcdef',
        },
      ],
    },
    {
      type: 'compute',
      endpoints: [
        { interface: 'public', region_id: 'R1', url: 'http://n:8774/v2.1/' },
      ],
    },
    {
      type: 'identity',
      endpoints: [
        { interface: 'public', region_id: 'R1', url: 'http://k:5000' },
      ],
    },
  ];

  it('picks by type, interface and region; block-storage falls back to volumev3', () => {
    expect(selectEndpoint(catalog, 'block-storage', 'public', 'R1', 'p1')).toBe(
      'http://c1:8776/v3/p1',
    );
    expect(
      selectEndpoint(catalog, 'block-storage', 'internal', 'R1', 'p1'),
    ).toBe('http://int:8776/v3/p1');
    expect(selectEndpoint(catalog, 'block-storage', 'public', 'R2', 'p9')).toBe(
      'http://c2:8776/v3/p9',
    );
    expect(selectEndpoint(catalog, 'compute', 'public', undefined, 'p1')).toBe(
      'http://n:8774/v2.1',
    );
    expect(selectEndpoint(catalog, 'identity', 'public', 'R1', 'p1')).toBe(
      'http://k:5000/v3',
    );
  });

  it('a missing service, interface or region is a typed catalog error naming what exists', () => {
    expect(() =>
      selectEndpoint(catalog, 'network', 'public', 'R1', 'p1'),
    ).toThrow(OpenStackCatalogError);
    expect(() =>
      selectEndpoint(catalog, 'compute', 'admin', 'R1', 'p1'),
    ).toThrow(/public@R1/);
    expect(() =>
      selectEndpoint(catalog, 'compute', 'public', 'R3', 'p1'),
    ).toThrow(/region 'R3'/);
  });

  it('fills the Cinder project with the token project in every template form', () => {
    expect(fillProject('http://c/v3/%(tenant_id)s', 'block-storage', 'P')).toBe(
      'http://c/v3/P',
    );
    expect(
      fillProject('http://c/v3/$(project_id)s/', 'block-storage', 'P'),
    ).toBe('http://c/v3/P');
    expect(fillProject('http://c/v3/other', 'block-storage', 'P')).toBe(
      'http://c/v3/P',
    );
    expect(fillProject('http://c/v3', 'block-storage', 'P')).toBe(
      'http://c/v3/P',
    );
    expect(() =>
      fillProject('http://c/v3/%(project_id)s', 'block-storage', undefined),
    ).toThrow(OpenStackCatalogError);
  });

  it('uses the simulator catalog: Cinder URL carries the token project', async () => {
    const { client } = simClient(sim);
    expect(await client.endpoint('block-storage')).toBe(
      `${sim.url}/volume/v3/${adminProjectId()}`,
    );
    expect(await client.endpoint('compute')).toBe(`${sim.url}/compute/v2.1`);
    await client.blockStorage.listVolumeTypes();
    const last = sim.requestLog.filter(r => r.path.endsWith('/types')).at(-1)!;
    expect(last.path).toBe(`/volume/v3/${adminProjectId()}/types`);
    expect(last.query).toEqual({ is_public: 'None' });
  });

  it('internal interface and a bad region', async () => {
    const { client } = simClient(sim, { cloud: { interface: 'internal' } });
    expect(await client.endpoint('network')).toBe(`${sim.url}/network`);
    const { client: wrong } = simClient(sim, { cloud: { region: 'Nowhere' } });
    await expect(wrong.endpoint('compute')).rejects.toBeInstanceOf(
      OpenStackCatalogError,
    );
  });
});

describe('microversions (OSC-3)', () => {
  it('sends min(desired, server max) in each service header, negotiated once', async () => {
    const { client, sent } = simClient(sim);
    await client.compute.listServers({ pageSize: 3 });
    await client.blockStorage.listVolumes({ pageSize: 5 });
    await client.placement.listResourceProviders();
    await client.network.listNetworks();
    const byService = (s: string) =>
      sent.filter(r => r.service === s && r.headers['X-Auth-Token']);
    for (const r of byService('compute'))
      expect(r.headers['X-OpenStack-Nova-API-Version']).toBe('2.79');
    for (const r of byService('block-storage'))
      expect(r.headers['OpenStack-API-Version']).toBe('volume 3.60');
    for (const r of byService('placement'))
      expect(r.headers['OpenStack-API-Version']).toBe('placement 1.29');
    for (const r of byService('network')) {
      expect(r.headers['OpenStack-API-Version']).toBeUndefined();
      expect(r.headers['X-OpenStack-Nova-API-Version']).toBeUndefined();
    }
    // at most one version document per service, shared with the process's other clients
    const documents = (requests: typeof sent) =>
      ['compute', 'volume', 'placement'].map(
        s => requests.filter(r => r.url === `${sim.url}/${s}/`).length,
      );
    for (const n of documents(sent)) expect(n).toBeLessThanOrEqual(1);
    const other = simClient(sim);
    await other.client.blockStorage.listVolumes({ pageSize: 5 });
    expect(documents(other.sent)).toEqual([0, 0, 0]);
    expect(other.sent.at(-1)!.headers['OpenStack-API-Version']).toBe(
      'volume 3.60',
    );
    expect((await client.microversion('compute')).serverMax).toBe('2.93');
    // the 2.79 view: embedded flavor
    const servers = await client.compute.listServers();
    expect(servers.items[0].flavor?.original_name).toBeTruthy();
  });

  it('caps at the server max when the desired version is newer', async () => {
    const { client, sent } = simClient(sim, {
      desiredMicroversions: {
        compute: '2.99',
        'block-storage': '3.80',
        placement: '1.50',
      },
    });
    await client.compute.listServices();
    await client.blockStorage.listPools();
    await client.placement.listResourceProviders();
    const h = (s: string) =>
      sent.filter(r => r.service === s && r.headers['X-Auth-Token']).at(-1)!
        .headers;
    expect(h('compute')['X-OpenStack-Nova-API-Version']).toBe('2.93');
    expect(h('block-storage')['OpenStack-API-Version']).toBe('volume 3.70');
    expect(h('placement')['OpenStack-API-Version']).toBe('placement 1.39');
  });
});

describe('admin role check (OSC-6)', () => {
  it('a member token is not admin and its listings are "scope not confirmed"', async () => {
    const m = memberUser(sim);
    const client = createOpenStackClient(
      {
        id: 'member',
        auth: {
          url: sim.authUrl,
          username: m.username,
          password: m.password,
          userDomain: m.domainId,
          projectId: m.projectId,
        },
        interface: 'public',
        insecure: false,
      },
      { tokenCache: new TokenCache() },
    );
    expect(await client.isAdmin()).toBe(false);
    const volumes = await client.blockStorage.listVolumes();
    expect(volumes.scopeConfirmed).toBe(false);
    expect(volumes.complete).toBe(false);
    expect(volumes.reason).toMatch(/scope not confirmed/);
  });
});
