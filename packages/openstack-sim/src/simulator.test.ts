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
    const appCredAuth = (id: string, secret: string) =>
      call(sim, 'POST', '/v3/auth/tokens', {
        body: {
          auth: {
            identity: {
              methods: ['application_credential'],
              application_credential: { id, secret },
            },
          },
        },
      });
    // a wrong secret of an existing credential: 401, like Keystone
    expect(
      (await appCredAuth(created.body.application_credential.id, 'wrong'))
        .status,
    ).toBe(401);
    // an unknown id: Keystone's ApplicationCredentialNotFound, 404
    const unknown = await appCredAuth('0123456789abcdef0123456789abcdef', 'x');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: {
        code: 404,
        message:
          'Could not find Application Credential: 0123456789abcdef0123456789abcdef.',
        title: 'Not Found',
      },
    });
    const id = created.body.application_credential.id;
    expect(
      (
        await call(
          sim,
          'DELETE',
          `/v3/users/${user}/application_credentials/${id}`,
          { token },
        )
      ).status,
    ).toBe(204);
    const deleted = await appCredAuth(id, 's3cret');
    expect(deleted.status).toBe(404);
    expect(deleted.body.error.message).toBe(
      `Could not find Application Credential: ${id}.`,
    );
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

  /** Follows `<key>_links` rel=next from `first`; returns the keys seen, the pages and each page's link rels. */
  const walk = async (
    first: string,
    key: string,
    idOf: (o: any) => string,
    headers: Record<string, string> = {},
  ) => {
    const seen: string[] = [];
    const rels: string[][] = [];
    let url: string | undefined = first;
    while (url && rels.length < 1000) {
      const r = await call(sim, 'GET', url, { token, headers });
      expect(r.status).toBe(200);
      seen.push(...r.body[key].map(idOf));
      const links: any[] = r.body[`${key}_links`] ?? [];
      rels.push(links.map(l => l.rel));
      const next = links.find(l => l.rel === 'next');
      url = next ? next.href.slice(sim.url.length) : undefined;
    }
    return { seen, rels };
  };
  const NOVA = { 'x-openstack-nova-api-version': '2.79' };

  it('pages nova flavors with limit, marker and flavors_links (no previous link, like Nova)', async () => {
    const all = sim.state.flavors.all().map(f => f.id);
    expect(all.length).toBeGreaterThan(3);
    const { seen, rels } = await walk(
      '/compute/v2.1/flavors/detail?is_public=None&limit=2',
      'flavors',
      f => f.id,
      NOVA,
    );
    expect(seen).toEqual(all);
    expect(rels.length).toBe(
      Math.ceil(all.length / 2) + (all.length % 2 ? 0 : 1),
    );
    expect(rels.slice(0, -1).every(r => r.join() === 'next')).toBe(true);
    const first = await call(
      sim,
      'GET',
      '/compute/v2.1/flavors/detail?limit=2&is_public=None',
      { token, headers: NOVA },
    );
    // Nova's next link: the query sorted by name, then the marker; no limit added when absent
    expect(first.body.flavors_links[0].href).toBe(
      `${sim.url}/compute/v2.1/flavors/detail?is_public=None&limit=2&marker=${all[1]}`,
    );
    const whole = await call(
      sim,
      'GET',
      '/compute/v2.1/flavors/detail?is_public=None',
      { token, headers: NOVA },
    );
    expect(whole.body.flavors).toHaveLength(all.length);
    expect(whole.body.flavors_links).toBeUndefined();
    const bad = await call(
      sim,
      'GET',
      '/compute/v2.1/flavors/detail?marker=nope',
      { token, headers: NOVA },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe('marker [nope] not found');
  });

  it('pages nova hypervisors from 2.33 (hypervisors_links), ignores limit before', async () => {
    const all = sim.state.hypervisors.all().map(h => h.id);
    expect(all.length).toBeGreaterThan(1);
    const { seen, rels } = await walk(
      '/compute/v2.1/os-hypervisors/detail?limit=1',
      'hypervisors',
      h => h.id,
      NOVA,
    );
    expect(seen).toEqual(all);
    expect(rels).toHaveLength(all.length + 1);
    const old = await call(
      sim,
      'GET',
      '/compute/v2.1/os-hypervisors/detail?limit=1',
      {
        token,
        headers: { 'x-openstack-nova-api-version': '2.32' },
      },
    );
    expect(old.body.hypervisors).toHaveLength(all.length);
    expect(old.body.hypervisors_links).toBeUndefined();
    const summary = await walk(
      '/compute/v2.1/os-hypervisors?limit=2',
      'hypervisors',
      h => h.id,
      NOVA,
    );
    expect(summary.seen).toEqual(all);
  });

  it('pages nova keypairs by name from 2.35 (keypairs_links)', async () => {
    const user = sim.state.adminUserId;
    for (const name of ['zz-key', 'aa-key', 'mm-key'])
      sim.state.keypairs.push({
        user_id: user,
        created_at: '2026-01-01T00:00:00.000000',
        keypair: {
          name,
          public_key: 'ssh-ed25519 AAAA x',
          fingerprint: 'f',
          type: 'ssh',
        },
      });
    const names = sim.state.keypairs
      .filter(k => k.user_id === user)
      .map(k => k.keypair.name)
      .sort();
    expect(names.length).toBeGreaterThanOrEqual(4);
    const { seen, rels } = await walk(
      `/compute/v2.1/os-keypairs?user_id=${user}&limit=2`,
      'keypairs',
      k => k.keypair.name,
      NOVA,
    );
    expect(seen).toEqual(names);
    expect(rels[0]).toEqual(['next']);
    const first = await call(
      sim,
      'GET',
      `/compute/v2.1/os-keypairs?user_id=${user}&limit=2`,
      { token, headers: NOVA },
    );
    expect(first.body.keypairs_links[0].href).toBe(
      `${sim.url}/compute/v2.1/os-keypairs?limit=2&user_id=${user}&marker=${names[1]}`,
    );
    const old = await call(
      sim,
      'GET',
      `/compute/v2.1/os-keypairs?user_id=${user}&limit=2`,
      { token, headers: { 'x-openstack-nova-api-version': '2.34' } },
    );
    expect(old.body.keypairs).toHaveLength(names.length);
    expect(old.body.keypairs_links).toBeUndefined();
    const bad = await call(
      sim,
      'GET',
      `/compute/v2.1/os-keypairs?user_id=${user}&marker=nope`,
      { token, headers: NOVA },
    );
    expect(bad.status).toBe(400);
  });

  it('pages nova server groups by limit and offset, without links', async () => {
    const all = sim.state.serverGroups.all().map(g => g.id);
    expect(all.length).toBeGreaterThan(2);
    const seen: string[] = [];
    for (let offset = 0; ; offset += 2) {
      const r = await call(
        sim,
        'GET',
        `/compute/v2.1/os-server-groups?all_projects=True&limit=2&offset=${offset}`,
        { token, headers: NOVA },
      );
      expect(r.status).toBe(200);
      expect(Object.keys(r.body)).toEqual(['server_groups']);
      seen.push(...r.body.server_groups.map((g: any) => g.id));
      if (r.body.server_groups.length < 2) break;
    }
    expect(seen).toEqual(all);
    const zero = await call(
      sim,
      'GET',
      '/compute/v2.1/os-server-groups?all_projects=True&limit=0',
      { token, headers: NOVA },
    );
    expect(zero.body.server_groups).toHaveLength(all.length);
    const bad = await call(
      sim,
      'GET',
      '/compute/v2.1/os-server-groups?all_projects=True&offset=-1',
      { token, headers: NOVA },
    );
    expect(bad.status).toBe(400);
  });

  it('pages neutron network ip availabilities by network id with next and previous links', async () => {
    const all = sim.state.networks.all().map(n => n.id);
    const { seen, rels } = await walk(
      '/network/v2.0/network-ip-availabilities?limit=2',
      'network_ip_availabilities',
      a => a.network_id,
    );
    expect(seen).toEqual(all);
    expect(rels[0]).toEqual(['next', 'previous']);
    expect(rels[rels.length - 1]).toEqual(['previous']);
    const one = await call(
      sim,
      'GET',
      `/network/v2.0/network-ip-availabilities?network_id=${all[1]}`,
      { token },
    );
    expect(
      one.body.network_ip_availabilities.map((a: any) => a.network_id),
    ).toEqual([all[1]]);
    expect(one.body.network_ip_availabilities_links).toBeUndefined();
  });

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

  it("charges a snapshot to the token's project, not the volume's (as Cinder does)", async () => {
    const SNAP_PROJECT = 'os-extended-snapshot-attributes:project_id';
    const vol = sim.state.volumes
      .all()
      .find(
        v =>
          v.status === 'available' && v['os-vol-tenant-attr:tenant_id'] !== p,
      )!;
    const owner = vol['os-vol-tenant-attr:tenant_id'];
    const usage = async (project: string) =>
      (
        await call(
          sim,
          'GET',
          `/volume/v3/${p}/os-quota-sets/${project}?usage=true`,
          { token },
        )
      ).body.quota_set;
    const ownerBefore = await usage(owner);
    const adminBefore = await usage(p);
    const created = await call(sim, 'POST', `/volume/v3/${p}/snapshots`, {
      token,
      body: { snapshot: { volume_id: vol.id, name: 'cross-project' } },
    });
    expect(created.status).toBe(202);
    const id = created.body.snapshot.id;
    const shown = await call(sim, 'GET', `/volume/v3/${p}/snapshots/${id}`, {
      token,
    });
    expect(shown.body.snapshot[SNAP_PROJECT]).toBe(p);
    const ownerAfter = await usage(owner);
    const adminAfter = await usage(p);
    expect(ownerAfter.snapshots.in_use).toBe(ownerBefore.snapshots.in_use);
    expect(ownerAfter.gigabytes.in_use).toBe(ownerBefore.gigabytes.in_use);
    expect(adminAfter.snapshots.in_use).toBe(adminBefore.snapshots.in_use + 1);
    expect(adminAfter.gigabytes.in_use).toBe(
      adminBefore.gigabytes.in_use + vol.size,
    );
    // the token project's quota decides: full there gives 413 though the volume's project has room
    const limit = adminAfter.snapshots.limit;
    const put = (snapshots: number) =>
      call(sim, 'PUT', `/volume/v3/${p}/os-quota-sets/${p}`, {
        token,
        body: { quota_set: { snapshots } },
      });
    await put(adminAfter.snapshots.in_use);
    try {
      expect(ownerAfter.snapshots.limit).not.toBe(ownerAfter.snapshots.in_use);
      const over = await call(sim, 'POST', `/volume/v3/${p}/snapshots`, {
        token,
        body: { snapshot: { volume_id: vol.id } },
      });
      expect(over.status).toBe(413);
    } finally {
      await put(limit);
    }
    await sleep(80);
    await call(sim, 'DELETE', `/volume/v3/${p}/snapshots/${id}`, { token });
    await sleep(80);
  });

  it('recomputes cached quota usage after writes and direct state changes', async () => {
    const vol = sim.state.volumes.all().find(v => v.status === 'available')!;
    const project = vol['os-vol-tenant-attr:tenant_id'];
    const volumesInUse = async () =>
      (
        await call(
          sim,
          'GET',
          `/volume/v3/${p}/os-quota-sets/${project}?usage=true`,
          { token },
        )
      ).body.quota_set.volumes.in_use;
    const before = await volumesInUse();
    sim.state.volumes.remove(vol.id);
    expect(await volumesInUse()).toBe(before - 1);
    sim.state.volumes.add(vol);
    expect(await volumesInUse()).toBe(before);
    const servers = async () =>
      (
        await call(sim, 'GET', `/compute/v2.1/os-quota-sets/${p}/detail`, {
          token,
        })
      ).body.quota_set.instances.in_use;
    expect(await servers()).toBe(
      sim.state.servers.filter(s => s.tenant_id === p).length,
    );
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
