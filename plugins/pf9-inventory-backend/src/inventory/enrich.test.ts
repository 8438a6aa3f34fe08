import type { Simulator } from '@internal/openstack-sim';
import {
  TokenCache,
  closeSharedAgents,
  createOpenStackClient,
} from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { startTinySim } from './__testUtils__/harness';
import { collectAll } from './collectors';
import { ENRICHMENT_SOURCES, StoredOwner, enrich } from './enrich';
import { CollectedType, INVENTORY_TYPES, InventoryType } from './types';

describe('enrichment of one type from its sources (the sync writes types as they are ready)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startTinySim();
  });
  afterAll(async () => {
    await sim.close();
    await closeSharedAgents();
  });

  it('gives each type the same owners and derived fields as enriching every listing at once', async () => {
    const client = createOpenStackClient(simCloud(sim), {
      retryBaseDelayMs: 2,
      tokenCache: new TokenCache(),
    });
    const collected = await collectAll(client);
    const context = {
      effectiveAssignments: collected.effectiveAssignments,
      storedProjects: new Map<string, StoredOwner>(),
      storedDomains: new Map<string, StoredOwner>(),
      storedUsers: new Map<string, StoredOwner>(),
    };
    const copy = (): Map<InventoryType, CollectedType> =>
      structuredClone(collected.types);
    const whole = copy();
    enrich({ ...context, types: whole });

    const enrichedAlone = INVENTORY_TYPES.map(type => {
      const listed = copy();
      const sources = new Map(
        [type, ...(ENRICHMENT_SOURCES[type] ?? [])].flatMap(t =>
          listed.has(t) ? [[t, listed.get(t)!] as const] : [],
        ),
      );
      enrich({ ...context, types: sources, only: new Set([type]) });
      return sources.get(type)?.resources ?? [];
    });
    expect(enrichedAlone).toEqual(
      INVENTORY_TYPES.map(type => whole.get(type)?.resources ?? []),
    );
    // the scenario exercises the cross-type fields
    const servers = whole.get('server')?.resources ?? [];
    expect(servers.some(s => (s.derived.fixed_ips as string[]).length)).toBe(
      true,
    );
    expect(
      servers.some(s => (s.derived.attached_volume_ids as string[]).length),
    ).toBe(true);
  });
});
