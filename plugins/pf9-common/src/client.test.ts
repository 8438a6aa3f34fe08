import { Pf9ApiError, Pf9Client } from './client';

function clientWith(response: { status: number; body: unknown }) {
  const fetch = jest.fn(
    async (_url: string, _init?: RequestInit) =>
      new Response(JSON.stringify(response.body), {
        status: response.status,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
  const client = new Pf9Client({
    discoveryApi: { getBaseUrl: async () => 'http://backend/api/pf9' },
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
  });
  return { client, fetch };
}

describe('Pf9Client inventory methods', () => {
  it('lists resources with the filters as query parameters, leaving out empty ones', async () => {
    const { client, fetch } = clientWith({
      status: 200,
      body: { items: [], page: 2, pageSize: 50, total: 0 },
    });
    await client.listResources('server', {
      cloudId: 'demo',
      q: 'web 1',
      projectId: '',
      page: 2,
      pageSize: 50,
      includeDeleted: false,
    });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/pf9/inventory/resources/server?cloudId=demo&q=web+1&page=2&pageSize=50&includeDeleted=false',
    );
  });

  it('encodes ids in paths', async () => {
    const { client, fetch } = clientWith({
      status: 200,
      body: { items: [], page: 1, pageSize: 20, total: 0 },
    });
    await client.getHistory('keypair', 'a/b c', { pageSize: 20 });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/pf9/inventory/history/keypair/a%2Fb%20c?pageSize=20',
    );
  });

  it('posts a sync and surfaces a 409 with the running run id', async () => {
    const { client, fetch } = clientWith({
      status: 409,
      body: {
        error: {
          name: 'ConflictError',
          message: "An inventory sync of cloud 'demo' is already running: r1",
          runId: 'r1',
        },
      },
    });
    const error = await client.triggerSync('demo').catch(e => e);
    expect(fetch.mock.calls[0][1]).toMatchObject({
      method: 'POST',
      body: JSON.stringify({ cloudId: 'demo' }),
    });
    expect(error).toBeInstanceOf(Pf9ApiError);
    expect(error.status).toBe(409);
    expect(error.errorName).toBe('ConflictError');
    expect(error.details.runId).toBe('r1');
  });
});

describe('Pf9Client export methods', () => {
  it('posts an export request and reads its status', async () => {
    const { client, fetch } = clientWith({
      status: 202,
      body: { exportId: 'e1' },
    });
    const request = {
      cloudId: 'demo',
      format: 'csv' as const,
      masking: 'partial' as const,
      scope: { projectIds: ['p1'] },
      csvBom: true,
    };
    await expect(client.createExport(request)).resolves.toEqual({
      exportId: 'e1',
    });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/pf9/inventory/exports',
    );
    expect(fetch.mock.calls[0][1]).toMatchObject({
      method: 'POST',
      body: JSON.stringify(request),
    });

    await client.getExport('e/1');
    expect(fetch.mock.calls[1][0]).toBe(
      'http://backend/api/pf9/inventory/exports/e%2F1',
    );
  });

  it('surfaces a 400 with the server message', async () => {
    const { client } = clientWith({
      status: 400,
      body: {
        error: {
          name: 'InputError',
          message:
            'Invalid body: scope: a masked export needs a non-empty scope',
        },
      },
    });
    const error = await client
      .createExport({ format: 'xlsx', masking: 'partial' })
      .catch(e => e);
    expect(error).toBeInstanceOf(Pf9ApiError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/non-empty scope/);
  });

  it('downloads the file as a blob, named by Content-Disposition or the fallback', async () => {
    const fetch = jest.fn(
      async (_url: string) =>
        new Response('PK\u0003\u0004', {
          status: 200,
          headers: {
            'Content-Type': 'application/zip',
            'Content-Disposition': 'attachment; filename="pf9_inventory.zip"',
          },
        }),
    );
    const client = new Pf9Client({
      discoveryApi: { getBaseUrl: async () => 'http://backend/api/pf9' },
      fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
    });
    const file = await client.downloadExport('e1', 'fallback.zip');
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/pf9/inventory/exports/e1/file',
    );
    expect(file.fileName).toBe('pf9_inventory.zip');
    expect(await file.blob.text()).toBe('PK\u0003\u0004');

    fetch.mockImplementationOnce(async () => new Response('x'));
    expect((await client.downloadExport('e1', 'fallback.zip')).fileName).toBe(
      'fallback.zip',
    );
  });
});

describe('Pf9Client snapshot methods', () => {
  it('posts a run cancel to the encoded run path and surfaces a 409', async () => {
    const { client, fetch } = clientWith({
      status: 409,
      body: {
        error: {
          name: 'ConflictError',
          message: 'Snapshot run r/1 is not running',
        },
      },
    });
    const error = await client.cancelSnapshotRun('r/1').catch(e => e);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/pf9/snapshots/runs/r%2F1/cancel',
    );
    expect(fetch.mock.calls[0][1]).toMatchObject({ method: 'POST' });
    expect(error).toBeInstanceOf(Pf9ApiError);
    expect(error.status).toBe(409);
  });

  it('lists the orphaned snapshots of a cloud', async () => {
    const { client, fetch } = clientWith({
      status: 200,
      body: { items: [], complete: true },
    });
    expect(await client.listSnapshotOrphans({ cloudId: 'demo' })).toEqual({
      items: [],
      complete: true,
    });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/pf9/snapshots/orphans?cloudId=demo',
    );
  });
});
