import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { Pf9EntityProvider } from './provider';
import { Pf9Reader } from './pf9Reader';

/** A pf9 API answering from fixed runs and changes: the provider's logic, not the HTTP path, is under test here. */
function fakeReader(state: {
  runs: any[];
  resources: Record<string, any[]>;
  changes: Record<string, any[]>;
}) {
  const pages = (items: any[]) => ({
    items,
    page: 1,
    pageSize: 1000,
    total: items.length,
  });
  return {
    get: jest.fn(async (path: string) => {
      if (path === '/inventory/runs') return pages(state.runs);
      throw new Error(`unexpected ${path}`);
    }),
    all: jest.fn(async function* all(path: string) {
      const resourceType = path.match(/^\/inventory\/resources\/(\w+)$/)?.[1];
      const runId = path.match(/^\/inventory\/runs\/([^/]+)\/changes$/)?.[1];
      yield* resourceType
        ? state.resources[resourceType] ?? []
        : state.changes[runId!] ?? [];
    }),
  } as unknown as Pf9Reader;
}

const complete = (types: string[]) =>
  types.map(type => ({ type, status: 'complete' }));
const resource = (type: string, id: string, extra = {}) => ({
  cloudId: 'east',
  type,
  id,
  name: `${type}-${id}`,
  projectId: type === 'domain' || type === 'project' ? null : 'p1',
  domainId: 'd1',
  fields: {},
  derived: {},
  ...extra,
});

function setup(runs: any[], changes: Record<string, any[]> = {}) {
  const state = {
    runs,
    changes,
    resources: {
      domain: [resource('domain', 'd1')],
      project: [resource('project', 'p1')],
      server: [resource('server', 's1')],
    },
  };
  const provider = new Pf9EntityProvider({
    cloudId: 'east',
    types: ['server'],
    mapping: { owners: [], defaultOwner: 'group:default/ops' },
    reader: fakeReader(state),
    logger: mockServices.logger.mock(),
  });
  const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
  return { provider, connection, state };
}

const run = (
  id: string,
  startedAt: string,
  types = complete(['domain', 'project', 'server']),
) => ({
  id,
  status: 'succeeded',
  startedAt,
  finishedAt: startedAt,
  types,
});

describe('Pf9EntityProvider', () => {
  it('sends no full mutation until a run listed every emitted type completely', async () => {
    const partial = run('r1', '2026-11-26T08:00:00Z', [
      ...complete(['domain', 'project']),
      { type: 'server', status: 'incomplete' },
    ]);
    const { provider, connection } = setup([partial]);
    await provider.connect(connection as unknown as EntityProviderConnection);
    expect(await provider.refresh()).toBe('none');
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });

  it('starts with a full mutation from the newest complete run, then applies only deltas, and nothing for a run without changes', async () => {
    const r1 = run('r1', '2026-11-26T08:00:00Z');
    const { provider, connection, state } = setup([r1]);
    await provider.connect(connection as unknown as EntityProviderConnection);

    expect(await provider.refresh()).toBe('full');
    const full = connection.applyMutation.mock.calls[0][0];
    expect(full.type).toBe('full');
    expect(
      full.entities.map(
        (e: any) => `${e.entity.kind}:${e.entity.metadata.name}`,
      ),
    ).toEqual(['Domain:d1', 'System:p1', 'Resource:s1']);

    // A re-sync that changed nothing: no mutation at all.
    state.runs = [run('r2', '2026-11-26T09:00:00Z'), r1];
    expect(await provider.refresh()).toBe('none');
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);

    // A partial run still yields the deltas it recorded.
    state.runs = [
      run('r3', '2026-11-26T10:00:00Z', [
        { type: 'server', status: 'incomplete' },
      ]),
      ...state.runs,
    ];
    state.changes.r3 = [
      { change: 'upserted', resource: resource('server', 's2') },
      { change: 'deleted', type: 'server', id: 's1' },
    ];
    expect(await provider.refresh()).toBe('delta');
    expect(connection.applyMutation).toHaveBeenLastCalledWith({
      type: 'delta',
      added: [
        expect.objectContaining({
          entity: expect.objectContaining({
            metadata: expect.objectContaining({ name: 's2' }),
          }),
        }),
      ],
      removed: [{ entityRef: 'resource:east/s1', locationKey: 'pf9-east' }],
    });
  });
});
