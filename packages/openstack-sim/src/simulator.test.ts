import { generateScenario } from './scenario';
import { startSimulator, Simulator } from './simulator';
import { adminToken, call } from './testing/client';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('openstack-sim behaviour', () => {
  let sim: Simulator;
  let token: string;
  let p: string;

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: 'small',
      seed: 3,
      transitionMs: 50,
    });
    ({ token, projectId: p } = await adminToken(sim));
  });
  afterAll(() => sim.close());
  afterEach(() => sim.faults.clear());

  it('serves a catalog pointing at itself, Cinder with the project id', async () => {
    const { body } = await adminToken(sim);
    const types = body.token.catalog.map((c: any) => c.type).sort();
    expect(types).toEqual([
      'block-storage',
      'compute',
      'identity',
      'image',
      'network',
      'placement',
      'volumev3',
    ]);
    const cinder = body.token.catalog.find(
      (c: any) => c.type === 'block-storage',
    );
    expect(cinder.endpoints[0].url).toBe(`${sim.url}/volume/v3/${p}`);
    expect(body.token.roles.map((r: any) => r.name).sort()).toEqual([
      'admin',
      'member',
      'reader',
    ]);
  });

  it('rejects a bad password and unknown tokens with 401', async () => {
    const bad = await call(sim, 'POST', '/v3/auth/tokens', {
      body: {
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: 'admin', domain: { id: 'default' }, password: 'x' },
            },
          },
          scope: { project: { id: p } },
        },
      },
    });
    expect(bad.status).toBe(401);
    expect(
      (
        await call(sim, 'GET', '/compute/v2.1/servers/detail', {
          token: 'nope',
        })
      ).status,
    ).toBe(401);
  });

  it('supports application credentials', async () => {
    const user = sim.state.adminUserId;
    const created = await call(
      sim,
      'POST',
      `/v3/users/${user}/application_credentials`,
      {
        token,
        body: { application_credential: { name: 'pf9-ops', secret: 's3cret' } },
      },
    );
    expect(created.status).toBe(201);
    const auth = await call(sim, 'POST', '/v3/auth/tokens', {
      body: {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: {
              id: created.body.application_credential.id,
              secret: 's3cret',
            },
          },
        },
      },
    });
    expect(auth.status).toBe(201);
    expect(auth.body.token.project.id).toBe(p);
  });

  it.each([
    [
      'nova servers',
      '/compute/v2.1/servers/detail?all_tenants=1&limit=7',
      'servers',
      'servers',
    ],
    [
      'cinder volumes',
      '/volume/v3/{p}/volumes/detail?all_tenants=1&limit=9',
      'volumes',
      'volumes',
    ],
    [
      'cinder snapshots',
      '/volume/v3/{p}/snapshots/detail?all_tenants=1&limit=11',
      'snapshots',
      'snapshots',
    ],
    ['neutron ports', '/network/v2.0/ports?limit=13', 'ports', 'ports'],
  ])(
    'pages %s with limit+marker exactly once each',
    async (_n, first, key, coll) => {
      const seen: string[] = [];
      let url: string | undefined = first.replace('{p}', p);
      let pages = 0;
      while (url && pages < 1000) {
        const r = await call(sim, 'GET', url, { token });
        expect(r.status).toBe(200);
        seen.push(...r.body[key].map((o: any) => o.id));
        const next = (r.body[`${key}_links`] ?? []).find(
          (l: any) => l.rel === 'next',
        );
        url = next ? next.href.slice(sim.url.length) : undefined;
        pages++;
      }
      const expected = (sim.state as any)[coll].all().map((o: any) => o.id);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);
    },
  );

  it('pages glance images following next', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/v2/images?visibility=all&limit=2';
    while (next) {
      const r = await call(sim, 'GET', `/image${next}`, { token });
      seen.push(...r.body.images.map((i: any) => i.id));
      next = r.body.next;
    }
    expect(seen).toEqual(sim.state.images.all().map(i => i.id));
  });

  it('creates a snapshot (creating -> available), deletes it (202 then 404)', async () => {
    const vol = sim.state.volumes.all().find(v => v.status === 'available')!;
    const projectQuota = sim.state.quotas.cinder.get(
      vol['os-vol-tenant-attr:tenant_id'],
    )!;
    projectQuota.snapshots = -1;
    const created = await call(sim, 'POST', `/volume/v3/${p}/snapshots`, {
      token,
      body: {
        snapshot: {
          volume_id: vol.id,
          name: 's1',
          metadata: { created_by: 'p9_auto_snapshots' },
        },
      },
    });
    expect(created.status).toBe(202);
    expect(created.body.snapshot.status).toBe('creating');
    const id = created.body.snapshot.id;
    await sleep(80);
    const shown = await call(sim, 'GET', `/volume/v3/${p}/snapshots/${id}`, {
      token,
    });
    expect(shown.body.snapshot.status).toBe('available');
    expect(shown.body.snapshot.metadata.created_by).toBe('p9_auto_snapshots');
    expect(
      (await call(sim, 'DELETE', `/volume/v3/${p}/snapshots/${id}`, { token }))
        .status,
    ).toBe(202);
    await sleep(80);
    expect(
      (await call(sim, 'GET', `/volume/v3/${p}/snapshots/${id}`, { token }))
        .status,
    ).toBe(404);
  });

  it('enforces the snapshot quota with 413 overLimit', async () => {
    const vol = sim.state.volumes
      .all()
      .filter(v => v.status === 'available')[3];
    const project = vol['os-vol-tenant-attr:tenant_id'];
    const used = sim.state.snapshots
      .all()
      .filter(
        s => s['os-extended-snapshot-attributes:project_id'] === project,
      ).length;
    const put = await call(
      sim,
      'PUT',
      `/volume/v3/${p}/os-quota-sets/${project}`,
      {
        token,
        body: { quota_set: { snapshots: used } },
      },
    );
    expect(put.status).toBe(200);
    const r = await call(sim, 'POST', `/volume/v3/${project}/snapshots`, {
      token,
      body: { snapshot: { volume_id: vol.id } },
    });
    expect(r.status).toBe(413);
    expect(r.body.overLimit.message).toBe(
      `SnapshotLimitExceeded: Maximum number of snapshots allowed (${used}) exceeded`,
    );
    const usage = await call(
      sim,
      'GET',
      `/volume/v3/${p}/os-quota-sets/${project}?usage=true`,
      { token },
    );
    expect(usage.body.quota_set.snapshots).toEqual({
      limit: used,
      in_use: used,
      reserved: 0,
    });
  });

  it('updates volume metadata (POST merges, PUT replaces)', async () => {
    const vol = sim.state.volumes.all()[0];
    const base = `/volume/v3/${p}/volumes/${vol.id}/metadata`;
    await call(sim, 'PUT', base, { token, body: { metadata: { a: '1' } } });
    await call(sim, 'POST', base, {
      token,
      body: {
        metadata: { auto_snapshot: 'true', snapshot_policies: 'daily_5' },
      },
    });
    const r = await call(sim, 'GET', base, { token });
    expect(r.body.metadata).toEqual({
      a: '1',
      auto_snapshot: 'true',
      snapshot_policies: 'daily_5',
    });
  });

  it('builds a server (BUILD -> ACTIVE) and returns 404 after delete', async () => {
    const net = sim.state.networks.all().find(n => !n['router:external'])!;
    const created = await call(sim, 'POST', '/compute/v2.1/servers', {
      token,
      headers: { 'X-OpenStack-Nova-API-Version': '2.79' },
      body: {
        server: {
          name: 'vm-1',
          flavorRef: sim.state.flavors.all()[0].id,
          imageRef: sim.state.images.all()[0].id,
          networks: [{ uuid: net.id }],
        },
      },
    });
    expect(created.status).toBe(202);
    const id = created.body.server.id;
    const path = `/compute/v2.1/servers/${id}`;
    expect((await call(sim, 'GET', path, { token })).body.server.status).toBe(
      'BUILD',
    );
    await sleep(80);
    const active = await call(sim, 'GET', path, { token });
    expect(active.body.server.status).toBe('ACTIVE');
    expect(Object.keys(active.body.server.addresses)).toEqual([net.name]);
    expect((await call(sim, 'DELETE', path, { token })).status).toBe(204);
    const gone = await call(sim, 'GET', path, { token });
    expect(gone.status).toBe(404);
    expect(gone.body.itemNotFound.code).toBe(404);
  });

  it('rejects a port with an allocated fixed IP (409 IpAddressAlreadyAllocated)', async () => {
    const port = sim.state.ports
      .all()
      .find(x => x.device_owner.startsWith('compute:'))!;
    const r = await call(sim, 'POST', '/network/v2.0/ports', {
      token,
      body: {
        port: { network_id: port.network_id, fixed_ips: port.fixed_ips },
      },
    });
    expect(r.status).toBe(409);
    expect(r.body.NeutronError.type).toBe('IpAddressAlreadyAllocated');
    const ok = await call(sim, 'POST', '/network/v2.0/ports', {
      token,
      body: { port: { network_id: port.network_id } },
    });
    expect(ok.status).toBe(201);
    expect(
      (
        await call(sim, 'DELETE', `/network/v2.0/ports/${ok.body.port.id}`, {
          token,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(sim, 'GET', `/network/v2.0/ports/${ok.body.port.id}`, {
          token,
        })
      ).status,
    ).toBe(404);
  });

  it('injects status faults a limited number of times', async () => {
    sim.faults.add({
      method: 'GET',
      pathPattern: '/servers/detail$',
      status: 503,
      times: 2,
    });
    const url = '/compute/v2.1/servers/detail?all_tenants=1';
    expect((await call(sim, 'GET', url, { token })).status).toBe(503);
    expect((await call(sim, 'GET', url, { token })).status).toBe(503);
    expect((await call(sim, 'GET', url, { token })).status).toBe(200);
  });

  it('injects delays, timeouts and truncation', async () => {
    sim.faults.add({
      pathPattern: '^/network/v2.0/networks$',
      delayMs: 120,
      times: 1,
    });
    const t0 = Date.now();
    expect(
      (await call(sim, 'GET', '/network/v2.0/networks', { token })).status,
    ).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);

    sim.faults.add({
      pathPattern: '^/network/v2.0/routers$',
      timeout: true,
      times: 1,
    });
    await expect(
      fetch(`${sim.url}/network/v2.0/routers`, {
        headers: { 'x-auth-token': token },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();

    sim.faults.add({
      pathPattern: '/volumes/detail$',
      truncate: true,
      times: 1,
    });
    const vols = await call(
      sim,
      'GET',
      `/volume/v3/${p}/volumes/detail?all_tenants=1&limit=5`,
      { token },
    );
    expect(vols.body.volumes).toHaveLength(5);
    expect(vols.body.volumes_links).toBeUndefined();

    sim.faults.add({ pathPattern: '^/v3/projects$', truncate: true, times: 1 });
    const projects = await call(sim, 'GET', '/v3/projects', { token });
    expect(projects.body.truncated).toBe(true);
  });

  it('accepts faults over HTTP and logs requests', async () => {
    const added = await call(sim, 'POST', '/_sim/faults', {
      body: { pathPattern: '/os-hypervisors', status: 500, times: 1 },
    });
    expect(added.status).toBe(201);
    await call(sim, 'DELETE', '/_sim/requests');
    expect(
      (await call(sim, 'GET', '/compute/v2.1/os-hypervisors/detail', { token }))
        .status,
    ).toBe(500);
    expect(
      (
        await call(sim, 'GET', '/compute/v2.1/flavors/detail?is_public=None', {
          token,
        })
      ).status,
    ).toBe(200);
    const log = await call(sim, 'GET', '/_sim/requests');
    expect(
      log.body.requests.map((e: any) => [e.method, e.path, e.status]),
    ).toEqual([
      ['GET', '/compute/v2.1/os-hypervisors/detail', 500],
      ['GET', '/compute/v2.1/flavors/detail', 200],
    ]);
    expect(sim.requestLog[sim.requestLog.length - 1].query).toEqual({
      is_public: 'None',
    });
    expect((await call(sim, 'DELETE', '/_sim/faults')).status).toBe(200);
  });

  it('returns 401 once tokens expire', async () => {
    const own = await adminToken(sim);
    expect(
      (await call(sim, 'GET', '/v3/domains', { token: own.token })).status,
    ).toBe(200);
    sim.expireAllTokens();
    expect(
      (await call(sim, 'GET', '/v3/domains', { token: own.token })).status,
    ).toBe(401);
    ({ token } = await adminToken(sim));
    expect((await call(sim, 'GET', '/v3/domains', { token })).status).toBe(200);
  });

  it('expires tokens after the configured TTL', async () => {
    const short = await startSimulator({
      scenario: 'tiny',
      tokenTtlSeconds: 0.1,
    });
    try {
      const t = await adminToken(short);
      expect(
        (await call(short, 'GET', '/v3/roles', { token: t.token })).status,
      ).toBe(200);
      await sleep(150);
      expect(
        (await call(short, 'GET', '/v3/roles', { token: t.token })).status,
      ).toBe(401);
    } finally {
      await short.close();
    }
  });
});

describe('scenario generator', () => {
  it('is deterministic per seed', () => {
    const a = generateScenario('http://x', 'small', 42);
    const b = generateScenario('http://x', 'small', 42);
    const c = generateScenario('http://x', 'small', 43);
    const ids = (s: ReturnType<typeof generateScenario>) => [
      ...s.servers.all().map(x => x.id),
      ...s.volumes.all().map(x => x.id),
      ...s.projects.all().map(x => x.id),
    ];
    expect(ids(a)).toEqual(ids(b));
    expect(JSON.stringify(a.servers.all())).toEqual(
      JSON.stringify(b.servers.all()),
    );
    expect(ids(a)).not.toEqual(ids(c));
  });

  it('generates the tiny scenario at about 100 resources with snapshot metadata', () => {
    const s = generateScenario('http://x', 'tiny', 1);
    expect(s.totalResources()).toBeGreaterThan(80);
    expect(s.totalResources()).toBeLessThan(250);
    expect(s.volumes.all().some(v => v.metadata.auto_snapshot === 'true')).toBe(
      true,
    );
  });

  it('builds the medium demo scenario', () => {
    const c = generateScenario('http://x', 'medium', 1).counts();
    expect(c.domains).toBe(6);
    expect(c.projects).toBe(22);
    expect(c.servers).toBe(200);
  });

  it('builds xl (>= 150k resources) quickly and serves 1000-item pages fast', async () => {
    const t0 = Date.now();
    const sim = await startSimulator({ scenario: 'xl', seed: 1 });
    try {
      const buildMs = Date.now() - t0;
      const c = sim.state.counts();
      expect(c.projects).toBeGreaterThanOrEqual(500);
      expect(c.servers).toBe(10000);
      expect(c.volumes).toBe(30000);
      expect(c.snapshots).toBe(30000);
      expect(c.ports).toBeGreaterThanOrEqual(40000);
      expect(sim.state.totalResources()).toBeGreaterThanOrEqual(150000);
      expect(buildMs).toBeLessThan(30000);
      const { token, projectId } = await adminToken(sim);
      const url = `/volume/v3/${projectId}/volumes/detail?all_tenants=1&limit=1000&marker=${
        sim.state.volumes.all()[15000].id
      }`;
      await call(sim, 'GET', url, { token });
      // server-side time (request log), best of three: the client's JSON parsing is not counted
      let pageMs = Infinity;
      let r = await call(sim, 'GET', url, { token });
      for (let i = 0; i < 3; i++) {
        r = await call(sim, 'GET', url, { token });
        pageMs = Math.min(
          pageMs,
          sim.requestLog[sim.requestLog.length - 1].durationMs,
        );
      }
      expect(r.body.volumes).toHaveLength(1000);
      // eslint-disable-next-line no-console
      console.log(`xl build ${buildMs} ms, page of 1000 volumes ${pageMs} ms`);
      expect(pageMs).toBeLessThan(50);
    } finally {
      await sim.close();
    }
  }, 60000);
});
