import { startSimulator, Simulator } from '@internal/openstack-sim';
import {
  OpenStackConflictError,
  OpenStackNotFoundError,
  OpenStackOverLimitError,
  errorForStatus,
  parseServerMessage,
} from './errors';
import { closeSharedAgents } from './request';
import { simClient } from './__testUtils__/sim';

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

const waitFor = async <T>(
  fn: () => Promise<T | undefined>,
  ms = 5000,
): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 25));
  }
};

describe('server messages of every error body shape', () => {
  it.each([
    [
      '{"itemNotFound": {"code": 404, "message": "Instance x could not be found."}}',
      'Instance x could not be found.',
      'itemNotFound',
    ],
    [
      '{"NeutronError": {"type": "IpAddressAlreadyAllocated", "message": "IP in use", "detail": ""}}',
      'IP in use',
      'IpAddressAlreadyAllocated',
    ],
    [
      '{"error": {"code": 401, "title": "Unauthorized", "message": "needs auth"}}',
      'needs auth',
      'Unauthorized',
    ],
    [
      '{"overLimit": {"code": 413, "message": "SnapshotLimitExceeded", "retryAfter": "0"}}',
      'SnapshotLimitExceeded',
      'overLimit',
    ],
    [
      '{"errors": [{"status": 404, "title": "Not Found", "detail": "no provider", "code": "placement.undefined_code"}]}',
      'no provider',
      'placement.undefined_code',
    ],
    [
      '404 Not Found\n\nNo image found with ID x\n\n   ',
      '404 Not Found No image found with ID x',
      undefined,
    ],
    ['', undefined, undefined],
  ])('%s', (body, message, type) => {
    const parsed = parseServerMessage(body);
    expect(parsed.message).toBe(message);
    expect(parsed.type).toBe(type);
  });

  it('maps statuses to typed errors with a code', () => {
    const d = { service: 'compute', method: 'GET', path: '/x' };
    expect(
      [400, 401, 403, 404, 409, 413, 429, 500, 503, 418].map(
        status => errorForStatus({ ...d, status }).code,
      ),
    ).toEqual([
      'BAD_REQUEST',
      'UNAUTHORIZED',
      'FORBIDDEN',
      'NOT_FOUND',
      'CONFLICT',
      'OVER_LIMIT',
      'OVER_LIMIT',
      'SERVER_ERROR',
      'SERVER_ERROR',
      'HTTP_ERROR',
    ]);
  });
});

describe('errors from the simulator', () => {
  it('404 after delete, with the request id and the server message', async () => {
    const { client } = simClient(sim);
    const vol = await client.blockStorage.createVolume({
      size: 1,
      name: 'pf9-err-404',
    });
    await waitFor(async () =>
      (await client.blockStorage.getVolume(vol.id)).status === 'available'
        ? true
        : undefined,
    );
    await client.blockStorage.deleteVolume(vol.id);
    const err = await waitFor(async () => {
      const e = await client.blockStorage.getVolume(vol.id).then(
        () => undefined,
        x => x,
      );
      return e;
    });
    expect(err).toBeInstanceOf(OpenStackNotFoundError);
    expect(err).toMatchObject({
      status: 404,
      service: 'block-storage',
      method: 'GET',
    });
    expect(err.requestId).toMatch(/^req-/);
    expect(err.serverMessage).toMatch(/could not be found/i);
    expect(err.message).toContain(err.requestId);
  });

  it('409 when a port asks for an address in use (IpAddressAlreadyAllocated)', async () => {
    const { client } = simClient(sim);
    const ports = await client.network.listPorts();
    const taken = ports.items.find(p => p.fixed_ips?.length)!;
    const err = await client.network
      .createPort({
        network_id: taken.network_id,
        fixed_ips: [{ ip_address: taken.fixed_ips![0].ip_address }],
      })
      .catch(e => e);
    expect(err).toBeInstanceOf(OpenStackConflictError);
    expect(err.status).toBe(409);
    expect(err.serverType).toBe('IpAddressAlreadyAllocated');
    expect(err.requestId).toMatch(/^req-/);
  });

  it('413 when the snapshot quota is reached; quota restored afterwards', async () => {
    const { client } = simClient(sim);
    const projectId = (await client.session.token()).projectId!;
    const vol = await client.blockStorage.createVolume({
      size: 1,
      name: 'pf9-err-413',
    });
    await waitFor(async () =>
      (await client.blockStorage.getVolume(vol.id)).status === 'available'
        ? true
        : undefined,
    );
    const usage = await client.blockStorage.getQuotaUsage(projectId);
    const snaps = usage.snapshots as { limit: number; in_use: number };
    await client.blockStorage.updateQuota(projectId, {
      snapshots: snaps.in_use,
    });
    try {
      const err = await client.blockStorage
        .createSnapshot({ volume_id: vol.id, name: 'pf9-err-413' })
        .catch(e => e);
      expect(err).toBeInstanceOf(OpenStackOverLimitError);
      expect(err.status).toBe(413);
      expect(err.serverMessage).toMatch(/SnapshotLimitExceeded/);
      expect(err.requestId).toMatch(/^req-/);
    } finally {
      await client.blockStorage.updateQuota(projectId, {
        snapshots: snaps.limit,
      });
      await client.blockStorage.deleteVolume(vol.id);
    }
    const after = await client.blockStorage.getQuotaUsage(projectId);
    expect((after.snapshots as { limit: number }).limit).toBe(snaps.limit);
  });
});
