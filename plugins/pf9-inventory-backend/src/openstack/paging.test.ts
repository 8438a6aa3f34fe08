import { startSimulator, Simulator } from '@internal/openstack-sim';
import { createOpenStackClient } from './client';
import { OpenStackServerError } from './errors';
import { listPaged } from './paging';
import { closeSharedAgents } from './request';
import { TokenCache } from './tokenCache';
import {
  fakeCloudConfig,
  json,
  simClient,
  startFakeCloud,
} from './__testUtils__/sim';

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

const ids = (l: { items: Array<{ id?: unknown; name?: unknown }> }) =>
  l.items.map(i => String(i.id ?? i.name)).sort();

describe('Nova / Cinder / Neutron: limit + marker following *_links rel=next', () => {
  it('small pages give the same items as one page, sending limit and marker', async () => {
    const { client, sent } = simClient(sim);
    const cases: Array<[string, (p?: number) => Promise<any>]> = [
      ['servers', p => client.compute.listServers({ pageSize: p })],
      ['volumes', p => client.blockStorage.listVolumes({ pageSize: p })],
      ['snapshots', p => client.blockStorage.listSnapshots({ pageSize: p })],
      ['ports', p => client.network.listPorts({ pageSize: p })],
      [
        'security_group_rules',
        p => client.network.listSecurityGroupRules({ pageSize: p }),
      ],
    ];
    for (const [name, list] of cases) {
      const whole = await list();
      const paged = await list(2);
      expect({ name, complete: paged.complete }).toEqual({
        name,
        complete: true,
      });
      expect(whole.pages).toBe(1);
      expect(paged.pages).toBeGreaterThan(2);
      expect(ids(paged)).toEqual(ids(whole));
      expect(new Set(ids(paged)).size).toBe(paged.items.length);
    }
    const volumePages = sent.filter(
      r => r.url.includes('/volumes/detail') && r.url.includes('limit=2'),
    );
    expect(volumePages[0].url).toMatch(/all_tenants=1/);
    expect(volumePages[1].url).toMatch(/marker=/);
    expect(volumePages[1].url).toMatch(/all_tenants=1/);
    const defaultPage = sent.find(
      r => r.url.includes('/volumes/detail') && !r.url.includes('limit=2'),
    )!;
    expect(defaultPage.url).toMatch(/limit=1000/);
  });

  it('a page without a next link ends the listing (the services give no other signal)', async () => {
    // the simulator's truncate fault drops the next link: Nova/Cinder/Neutron have no flag that
    // says more exists, so the listing ends there (only Keystone says "truncated")
    const { client } = simClient(sim);
    sim.faults.add({
      pathPattern: '/servers/detail$',
      truncate: true,
      times: 1,
    });
    const l = await client.compute.listServers({ pageSize: 2 });
    expect(l.pages).toBe(1);
    expect(l.items).toHaveLength(2);
  });

  it('a failing later page throws with the pages already fetched attached', async () => {
    let n = 0;
    const { client: c2 } = simClient(sim, {
      retries: 0,
      onRequest: r => {
        if (r.url.includes('/volumes/detail') && ++n === 2)
          sim.faults.add({
            pathPattern: '/volumes/detail$',
            status: 500,
            times: 1,
          });
      },
    });
    const err = await c2.blockStorage
      .listVolumes({ pageSize: 3 })
      .catch(e => e);
    expect(err).toBeInstanceOf(OpenStackServerError);
    expect(err.partial.pages).toBe(1);
    expect(err.partial.items).toHaveLength(3);
  });
});

describe('Glance: relative next until absent', () => {
  it('pages with limit, follows next, equals the unpaged listing, visibility=all sent', async () => {
    const { client, sent } = simClient(sim);
    const whole = await client.image.listImages();
    const paged = await client.image.listImages({ pageSize: 1 });
    expect(paged.complete).toBe(true);
    expect(paged.visibilityAll).toBe(true);
    expect(paged.pages).toBeGreaterThanOrEqual(whole.items.length);
    expect(ids(paged)).toEqual(ids(whole));
    const imageCalls = sent.filter(r => r.url.includes('/v2/images'));
    expect(imageCalls.every(r => r.url.includes('visibility=all'))).toBe(true);
  });

  it('retries without visibility on a 400', async () => {
    const fake = await startFakeCloud((req, res) => {
      if (req.url!.startsWith('/image/v2/images')) {
        if (req.url!.includes('visibility=all'))
          return json(res, 400, { message: 'bad visibility' });
        if (!req.url!.includes('marker='))
          return json(res, 200, {
            images: [{ id: 'a' }],
            next: '/v2/images?limit=1&marker=a',
          });
        return json(res, 200, { images: [{ id: 'b' }] });
      }
      return json(res, 404, {});
    });
    const client = createOpenStackClient(fakeCloudConfig(fake.authUrl), {
      tokenCache: new TokenCache(),
    });
    const l = await client.image.listImages({ pageSize: 1 });
    await fake.close();
    expect(l.visibilityAll).toBe(false);
    expect(ids(l)).toEqual(['a', 'b']);
    expect(l.complete).toBe(true);
  });
});

describe('Neutron without pagination, and the loop guard', () => {
  it('accepts a single response without links when limit is ignored', async () => {
    const fake = await startFakeCloud((req, res) => {
      if (req.url!.startsWith('/network/v2.0/networks'))
        return json(res, 200, {
          networks: [{ id: '1' }, { id: '2' }, { id: '3' }],
        });
      return json(res, 404, {});
    });
    const client = createOpenStackClient(fakeCloudConfig(fake.authUrl), {
      tokenCache: new TokenCache(),
    });
    const l = await client.network.listNetworks({ pageSize: 2 });
    await fake.close();
    expect(l).toMatchObject({ complete: true, pages: 1 });
    expect(l.items).toHaveLength(3);
  });

  it('aborts when a page repeats the previous marker, keeps the items, marks incomplete', async () => {
    const fake = await startFakeCloud((req, res) => {
      if (req.url!.startsWith('/compute/v2.1/servers/detail'))
        return json(res, 200, {
          servers: [{ id: 'x' }],
          servers_links: [
            {
              rel: 'next',
              href: 'http://elsewhere/v2.1/servers/detail?limit=1&marker=x',
            },
          ],
        });
      return json(res, 404, {});
    });
    const client = createOpenStackClient(fakeCloudConfig(fake.authUrl), {
      tokenCache: new TokenCache(),
    });
    const l = await client.compute.listServers({ pageSize: 1 });
    const serverCalls = fake.requests.filter(r =>
      r.url.startsWith('/compute/v2.1/servers'),
    );
    await fake.close();
    expect(l.complete).toBe(false);
    expect(l.reason).toMatch(/loop guard: marker x repeated/);
    expect(l.pages).toBe(2);
    // the link's foreign host was not used: the marker went to our own endpoint
    expect(serverCalls).toHaveLength(2);
    expect(serverCalls[1].url).toMatch(/marker=x/);
  });

  it('aborts beyond the page cap (10,000 by default) and marks incomplete', async () => {
    const { client } = simClient(sim);
    const l = await listPaged(client.session, 'compute', '/servers/detail', {
      key: 'servers',
      style: 'links',
      pageSize: 1,
      query: { all_tenants: 1 },
      maxPages: 3,
    });
    expect(l).toMatchObject({ complete: false, pages: 3 });
    expect(l.items).toHaveLength(3);
    expect(l.reason).toMatch(/more than 3 pages/);
  });

  it('server groups page by offset', async () => {
    const groups = Array.from({ length: 5 }, (_, i) => ({ id: `g${i}` }));
    const fake = await startFakeCloud((req, res) => {
      if (req.url!.startsWith('/compute/v2.1/os-server-groups')) {
        const q = new URL(req.url!, 'http://x').searchParams;
        const off = Number(q.get('offset'));
        return json(res, 200, {
          server_groups: groups.slice(off, off + Number(q.get('limit'))),
        });
      }
      return json(res, 404, {});
    });
    const client = createOpenStackClient(fakeCloudConfig(fake.authUrl), {
      tokenCache: new TokenCache(),
    });
    const l = await client.compute.listServerGroups({ pageSize: 2 });
    const urls = fake.requests
      .map(r => r.url)
      .filter(u => u.includes('server-groups'));
    await fake.close();
    expect(l).toMatchObject({ complete: true, pages: 3 });
    expect(ids(l)).toEqual(groups.map(g => g.id));
    expect(urls.every(u => u.includes('all_projects=True'))).toBe(true);
  });
});

describe('Keystone: truncated → incomplete, re-listed per domain', () => {
  let small: Simulator;
  const LIMIT = 3;
  beforeAll(async () => {
    small = await startSimulator({
      scenario: 'tiny',
      seed: 1,
      port: 0,
      keystoneListLimit: LIMIT,
    });
  });
  afterAll(() => small.close());

  it('projects: re-listed per domain; each partition complete iff within list_limit', async () => {
    const { client, sent } = simClient(small);
    const projects = await client.identity.listProjects();
    const all = small.state.projects.all();
    const domains = small.state.domains.all();
    expect(all.length).toBeGreaterThan(LIMIT);
    expect(sent.some(r => /\/v3\/projects$/.test(r.url))).toBe(true);
    for (const d of domains) {
      expect(
        sent.some(r => r.url.endsWith(`/v3/projects?domain_id=${d.id}`)),
      ).toBe(true);
    }
    const expectComplete =
      domains.length <= LIMIT &&
      domains.every(d => all.filter(p => p.domain_id === d.id).length <= LIMIT);
    expect(projects.complete).toBe(expectComplete);
    for (const part of projects.partitions) {
      const n = all.filter(p => p.domain_id === part.domainId).length;
      expect(part.complete).toBe(n <= LIMIT);
      expect(part.count).toBe(Math.min(n, LIMIT));
    }
    const kept = projects.items.length;
    expect(
      expectComplete
        ? kept === all.length
        : /truncated|incomplete/.test(projects.reason!),
    ).toBe(true);
  });

  it('users are always listed per domain; a still-truncated domain is incomplete', async () => {
    const { client } = simClient(small);
    const users = await client.identity.listUsers();
    const all = small.state.users.all();
    const over = small.state.domains
      .all()
      .filter(d => all.filter(u => u.domain_id === d.id).length > LIMIT);
    expect(over.length).toBeGreaterThan(0);
    expect(users.complete).toBe(false);
    expect(users.reason).toMatch(/still truncated/);
    for (const d of over)
      expect(users.partitions.find(p => p.domainId === d.id)!.complete).toBe(
        false,
      );
  });

  it('a truncated flag without list_limit (fault) makes the plain listing incomplete', async () => {
    const { client } = simClient(sim);
    sim.faults.add({ pathPattern: '^/v3/roles$', truncate: true, times: 1 });
    const roles = await client.identity.listRoles();
    expect(roles.complete).toBe(false);
    expect(roles.reason).toMatch(/truncated/);
    const again = await client.identity.listRoles();
    expect(again.complete).toBe(true);
  });

  it('without truncation, projects come from one call', async () => {
    const { client, sent } = simClient(sim);
    const projects = await client.identity.listProjects();
    expect(projects.complete).toBe(true);
    expect(projects.items).toHaveLength(sim.state.projects.all().length);
    expect(sent.filter(r => r.url.includes('/v3/projects'))).toHaveLength(1);
  });
});
