/** Test helpers: a migrated database, a simulator and a sync engine wired to both. */
import { mockServices } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { startSimulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import type { CloudConfig } from '../../config';
import {
  OpenStackClientOptions,
  TokenCache,
  createOpenStackClient,
} from '../../openstack';
import { simCloud } from '../../openstack/__testUtils__/sim';
import { migrateStore } from '../../store/migrate';
import { InventoryEngineSettings, InventorySyncEngine } from '../engine';

export async function migrated(knex: Knex): Promise<Knex> {
  await migrateStore({ getClient: async () => knex });
  return knex;
}

export async function startTinySim(): Promise<Simulator> {
  return startSimulator({
    scenario: 'tiny',
    seed: 1,
    port: 0,
    transitionMs: 0,
  });
}

export function simEngine(
  db: Knex,
  sim: Simulator,
  options: {
    cloud?: Partial<CloudConfig>;
    client?: OpenStackClientOptions;
    settings?: Partial<InventoryEngineSettings>;
  } = {},
): InventorySyncEngine {
  const cloud = simCloud(sim, options.cloud);
  const tokenCache = new TokenCache();
  return new InventorySyncEngine({
    db,
    clouds: [cloud],
    logger: mockServices.logger.mock(),
    settings: options.settings,
    clientFactory: (c, { beforeSend }) =>
      createOpenStackClient(c, {
        beforeSend,
        retryBaseDelayMs: 2,
        readTimeoutMs: 2_000,
        tokenCache,
        ...(options.client ?? {}),
      }),
  });
}

export async function countsByType(
  db: Knex,
  cloudId = 'sim',
): Promise<Record<string, number>> {
  const rows = await db('inventory_resources')
    .where({ cloud_id: cloudId, deleted: false })
    .groupBy('type')
    .select('type')
    .count({ n: '*' });
  return Object.fromEntries(rows.map((r: any) => [r.type, Number(r.n)]));
}

export async function tableCount(
  db: Knex,
  table: string,
  where: Record<string, unknown> = {},
): Promise<number> {
  const [{ n }] = await db(table).where(where).count({ n: '*' });
  return Number(n);
}
