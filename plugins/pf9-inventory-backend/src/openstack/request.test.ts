import { startSimulator, Simulator } from '@internal/openstack-sim';
import { createOpenStackClient } from './client';
import {
  OpenStackConnectionError,
  OpenStackServerError,
  OpenStackTimeoutError,
  ReadOnlyViolationError,
} from './errors';
import { HttpTransport, closeSharedAgents, parseRetryAfter } from './request';
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

const logFor = (re: RegExp, since: number) =>
  sim.requestLog.slice(since).filter(r => re.test(r.path));

describe('retries (OSC-5)', () => {
  it('retries a GET on 503 and 502 with backoff, then succeeds', async () => {
    const { client } = simClient(sim);
    await client.session.token();
    const since = sim.requestLog.length;
    sim.faults.add({
      method: 'GET',
      pathPattern: '/os-aggregates$',
      status: 503,
      times: 1,
    });
    sim.faults.add({
      method: 'GET',
      pathPattern: '/os-aggregates$',
      status: 502,
      times: 1,
    });
    const list = await client.compute.listAggregates();
    expect(list.complete).toBe(true);
    expect(logFor(/os-aggregates$/, since).map(r => r.status)).toEqual([
      503, 502, 200,
    ]);
  });

  it('gives up after 3 retries with a typed 5xx error carrying the request id', async () => {
    const { client } = simClient(sim);
    await client.session.token();
    const since = sim.requestLog.length;
    sim.faults.add({
      method: 'GET',
      pathPattern: '/os-services$',
      status: 504,
    });
    const err = await client.compute.listServices().catch(e => e);
    sim.faults.clear();
    expect(err).toBeInstanceOf(OpenStackServerError);
    expect(err.code).toBe('SERVER_ERROR');
    expect(err.status).toBe(504);
    expect(err.requestId).toMatch(/^req-/);
    expect(err.serverMessage).toMatch(/Injected fault/);
    expect(logFor(/os-services$/, since)).toHaveLength(4);
  });

  it('never retries a POST; retries a DELETE', async () => {
    const { client } = simClient(sim);
    await client.session.token();
    const vol = sim.state.volumes.all().find(v => v.status === 'available')!;
    const since = sim.requestLog.length;
    sim.faults.add({
      method: 'POST',
      pathPattern: '/snapshots$',
      status: 503,
      times: 3,
    });
    await expect(
      client.blockStorage.createSnapshot({
        volume_id: String(vol.id),
        force: true,
      }),
    ).rejects.toBeInstanceOf(OpenStackServerError);
    expect(
      logFor(/snapshots$/, since).filter(r => r.method === 'POST'),
    ).toHaveLength(1);
    sim.faults.clear();
    sim.faults.add({
      method: 'DELETE',
      pathPattern: '/metadata/no-such-key$',
      status: 503,
      times: 2,
    });
    await client.blockStorage
      .deleteVolumeMetadataKey(String(vol.id), 'no-such-key')
      .catch(() => undefined);
    expect(
      logFor(/metadata\/no-such-key$/, since)
        .map(r => r.status)
        .slice(0, 2),
    ).toEqual([503, 503]);
    expect(logFor(/metadata\/no-such-key$/, since)).toHaveLength(3);
  });

  it('honours Retry-After on 503 and 429', async () => {
    const fake = await startFakeCloud((req, res) => {
      if (req.url?.startsWith('/compute/v2.1/os-services')) {
        const n = fake.requests.filter(r =>
          r.url.startsWith('/compute/v2.1/os-services'),
        ).length;
        if (n === 1)
          return json(
            res,
            503,
            { serviceUnavailable: { message: 'busy' } },
            { 'retry-after': '1' },
          );
        if (n === 2)
          return json(
            res,
            429,
            { overLimit: { message: 'slow down' } },
            { 'retry-after': '0' },
          );
        return json(res, 200, { services: [{ id: 1 }] });
      }
      return json(res, 404, {});
    });
    const client = createOpenStackClient(fakeCloudConfig(fake.authUrl), {
      tokenCache: new TokenCache(),
      retryBaseDelayMs: 5000, // would be far slower than Retry-After if it were used
    });
    const started = Date.now();
    const list = await client.compute.listServices();
    const took = Date.now() - started;
    await fake.close();
    expect(list.items).toHaveLength(1);
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(4000);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('retries connection errors and then reports a typed connection error', async () => {
    const t = new HttpTransport({
      retryBaseDelayMs: 1,
      connectTimeoutMs: 2000,
    });
    let attempts = 0;
    const t2 = new HttpTransport({
      retryBaseDelayMs: 1,
      onRequest: () => attempts++,
    });
    const err = await t2
      .send({
        service: 'compute',
        method: 'GET',
        url: 'http://127.0.0.1:1/servers',
      })
      .catch(e => e);
    expect(err).toBeInstanceOf(OpenStackConnectionError);
    expect(err.message).toMatch(/cannot reach the service \(ECONNREFUSED\)/);
    expect(err.message).not.toMatch(/fetch failed/);
    expect(attempts).toBe(4);
    expect(t.connectTimeoutMs).toBe(2000);
  });

  it('backoff is 1 s, 2 s, 4 s with ±20 % jitter', () => {
    const t = new HttpTransport();
    for (let i = 0; i < 50; i++) {
      const [a, b, c] = [t.backoff(1), t.backoff(2), t.backoff(3)];
      expect(a).toBeGreaterThanOrEqual(800);
      expect(a).toBeLessThanOrEqual(1200);
      expect(b).toBeGreaterThanOrEqual(1600);
      expect(b).toBeLessThanOrEqual(2400);
      expect(c).toBeGreaterThanOrEqual(3200);
      expect(c).toBeLessThanOrEqual(4800);
    }
  });
});

describe('timeouts (OSC-7)', () => {
  it('a read timeout is a typed error and is not retried', async () => {
    const { client } = simClient(sim, { readTimeoutMs: 300 });
    await client.session.token();
    const since = sim.requestLog.length;
    sim.faults.add({
      method: 'GET',
      pathPattern: '/os-hypervisors/detail$',
      timeout: true,
      times: 1,
    });
    const err = await client.compute.listHypervisors().catch(e => e);
    expect(err).toBeInstanceOf(OpenStackTimeoutError);
    expect(err.phase).toBe('read');
    expect(err.code).toBe('TIMEOUT');
    expect(err.path).toMatch(/os-hypervisors\/detail/);
    expect(logFor(/os-hypervisors\/detail$/, since)).toHaveLength(1);
  });

  it('defaults: connect 10 s, read 60 s, 8 in flight, 3 retries', () => {
    const t = new HttpTransport();
    expect([
      t.connectTimeoutMs,
      t.readTimeoutMs,
      t.concurrency,
      t.retries,
    ]).toEqual([10_000, 60_000, 8, 3]);
  });
});

describe('read-only mode (COM-8)', () => {
  it('throws before sending anything but GET/HEAD; reads still work', async () => {
    const { client } = simClient(sim, { readOnly: true });
    expect(client.readOnly).toBe(true);
    const vols = await client.blockStorage.listVolumes();
    expect(vols.complete).toBe(true);
    const since = sim.requestLog.length;
    const vol = vols.items[0];
    const attempts = [
      () =>
        client.blockStorage.createSnapshot({ volume_id: vol.id, force: true }),
      () => client.blockStorage.setVolumeMetadata(vol.id, { a: 'b' }),
      () => client.blockStorage.deleteVolumeMetadataKey(vol.id, 'a'),
      () => client.blockStorage.updateQuota('x', { snapshots: 1 }),
      () => client.compute.stopServer('x'),
      () => client.compute.createServerImage('x', 'img'),
      () => client.network.createPort({ network_id: 'x' }),
      () => client.network.deletePort('x'),
      () => client.identity.createApplicationCredential('u', { name: 'x' }),
    ];
    for (const attempt of attempts) {
      const err = await attempt().catch(e => e);
      expect(err).toBeInstanceOf(ReadOnlyViolationError);
      expect(err.code).toBe('READ_ONLY');
    }
    expect(sim.requestLog.slice(since)).toEqual([]);
  });
});

describe("beforeSend (the inventory sync's backpressure)", () => {
  it('holds every request but the token request until it resolves', async () => {
    let open!: () => void;
    const gate = new Promise<void>(resolve => {
      open = resolve;
    });
    const { client, sent } = simClient(sim, { beforeSend: () => gate });
    await client.isAdmin(); // authentication is never held back
    const tokenRequests = sent.length;
    expect(tokenRequests).toBeGreaterThan(0);

    const listing = client.blockStorage.listVolumes();
    await new Promise(r => setTimeout(r, 50));
    expect(sent).toHaveLength(tokenRequests);

    open();
    expect((await listing).complete).toBe(true);
    expect(sent.length).toBeGreaterThan(tokenRequests);
  });
});

describe('concurrency limit (OSC-7)', () => {
  it('never has more than the limit in flight per service, measured at the server', async () => {
    const { client } = simClient(sim, { concurrency: 3 });
    const vols = (await client.blockStorage.listVolumes()).items;
    sim.faults.add({
      method: 'GET',
      pathPattern: '/volume/v3/[^/]+/volumes/[^/]+$',
      delayMs: 60,
    });
    const since = sim.requestLog.length;
    await Promise.all(
      vols.slice(0, 12).map(v => client.blockStorage.getVolume(v.id)),
    );
    sim.faults.clear();
    const calls = logFor(/\/volumes\/[^/]+$/, since).map(r => ({
      start: Date.parse(r.time),
      end: Date.parse(r.time) + r.durationMs,
    }));
    expect(calls).toHaveLength(12);
    let max = 0;
    for (const c of calls) {
      const overlapping = calls.filter(
        o => o.start <= c.start && o.end > c.start,
      ).length;
      max = Math.max(max, overlapping);
    }
    expect(max).toBeLessThanOrEqual(3);
    expect(max).toBeGreaterThanOrEqual(2);
    expect(client.transport.limiter('block-storage').maxActive).toBe(3);
  });
});
