/**
 * The inventory against the real OpenStack Zed lab, when PF9_OSLAB_AUTH_URL is set
 * (PF9_REQUIRE_OSLAB=1 makes its absence a failure, never a silent skip).
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import {
  OpenStackClient,
  OpenStackNotFoundError,
  TokenCache,
  closeSharedAgents,
  createOpenStackClient,
} from '../openstack';
import {
  labTarget,
  RunningTarget,
  waitUntil,
} from '../openstack-integration/__testUtils__/targets';
import { migrated } from './__testUtils__/harness';
import { InventorySyncEngine, verifyGone } from './engine';
import { InventoryType } from './types';
import { VERIFIED_TYPES } from './writer';

jest.setTimeout(600_000);

const labUrl = process.env.PF9_OSLAB_AUTH_URL;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('inventory lab registration', () => {
  it('fails when PF9_REQUIRE_OSLAB=1 and the lab URL is missing', () => {
    const required = process.env.PF9_REQUIRE_OSLAB === '1';
    expect({
      required,
      labUrl: required ? labUrl ?? null : 'not required',
    }).not.toEqual({ required: true, labUrl: null });
  });
});

type Expected = Map<
  string,
  { name: unknown; project: unknown; domain: unknown }
>;

/** What the lab itself reports, listed with the client directly. */
async function labTruth(
  client: OpenStackClient,
): Promise<Partial<Record<InventoryType, Expected>>> {
  const projects = (await client.identity.listProjects()).items;
  const domainOf = new Map(projects.map(p => [p.id, p.domain_id] as const));
  const owned = (
    items: any[],
    project: (i: any) => string | null | undefined,
    name: (i: any) => unknown = i => i.name,
  ): Expected =>
    new Map(
      items.map(i => {
        const p = project(i) || null;
        return [
          String(i.id),
          {
            name: name(i) ?? null,
            project: p,
            domain: p ? domainOf.get(p) ?? null : null,
          },
        ] as const;
      }),
    );
  const neutronOwner = (i: any) => i.project_id || i.tenant_id;
  const domains = (await client.identity.listDomains()).items;
  return {
    domain: new Map(
      domains.map(
        d => [d.id, { name: d.name, project: null, domain: d.id }] as const,
      ),
    ),
    project: new Map(
      projects.map(
        p =>
          [p.id, { name: p.name, project: p.id, domain: p.domain_id }] as const,
      ),
    ),
    user: new Map(
      (await client.identity.listUsers()).items.map(
        u =>
          [u.id, { name: u.name, project: null, domain: u.domain_id }] as const,
      ),
    ),
    group: new Map(
      (await client.identity.listGroups()).items.map(
        g =>
          [g.id, { name: g.name, project: null, domain: g.domain_id }] as const,
      ),
    ),
    role: new Map(
      (await client.identity.listRoles()).items.map(
        r =>
          [
            r.id,
            { name: r.name, project: null, domain: r.domain_id ?? null },
          ] as const,
      ),
    ),
    server: owned((await client.compute.listServers()).items, s => s.tenant_id),
    flavor: owned((await client.compute.listFlavors()).items, () => null),
    server_group: owned(
      (await client.compute.listServerGroups()).items,
      g => g.project_id,
    ),
    image: owned((await client.image.listImages()).items, i => i.owner),
    volume: owned(
      (await client.blockStorage.listVolumes()).items,
      v => v['os-vol-tenant-attr:tenant_id'],
    ),
    volume_snapshot: owned(
      (await client.blockStorage.listSnapshots()).items,
      s => s['os-extended-snapshot-attributes:project_id'],
    ),
    volume_backup: owned(
      (await client.blockStorage.listBackups()).items,
      b => b['os-backup-project-attr:project_id'] as string,
    ),
    volume_type: owned(
      (await client.blockStorage.listVolumeTypes()).items,
      () => null,
    ),
    network: owned((await client.network.listNetworks()).items, neutronOwner),
    subnet: owned((await client.network.listSubnets()).items, neutronOwner),
    router: owned((await client.network.listRouters()).items, neutronOwner),
    floating_ip: owned(
      (await client.network.listFloatingIps()).items,
      neutronOwner,
      f => f.floating_ip_address,
    ),
    security_group: owned(
      (await client.network.listSecurityGroups()).items,
      neutronOwner,
    ),
    security_group_rule: owned(
      (await client.network.listSecurityGroupRules()).items,
      neutronOwner,
      () => null,
    ),
    compute_service: owned(
      (await client.compute.listServices()).items,
      () => null,
      s => `${s.binary}@${s.host}`,
    ),
    hypervisor: owned(
      (await client.compute.listHypervisors()).items,
      () => null,
      h => h.hypervisor_hostname,
    ),
    aggregate: owned((await client.compute.listAggregates()).items, () => null),
    storage_pool: new Map(
      (await client.blockStorage.listPools()).items.map(
        p => [p.name, { name: p.name, project: null, domain: null }] as const,
      ),
    ),
  };
}

// registered only with a lab URL (the test above fails a required but missing lab)
const labSuites = labUrl ? ['lab'] : [];
for (const suite of labSuites) {
  describe(`inventory on the OpenStack ${suite}`, () => {
    labSuite();
  });
}

function labSuite() {
  let target: RunningTarget;
  let db: Knex;
  let engine: InventorySyncEngine;
  let client: OpenStackClient;

  beforeAll(async () => {
    target = await labTarget(labUrl!).start();
    db = await migrated(await databases.init('SQLITE_3'));
    const tokenCache = new TokenCache();
    engine = new InventorySyncEngine({
      db,
      clouds: [target.cloud],
      logger: mockServices.logger.mock(),
      clientFactory: c => createOpenStackClient(c, { tokenCache }),
    });
    client = createOpenStackClient(target.cloud, { tokenCache });
  });

  afterAll(async () => {
    await target?.stop();
    await closeSharedAgents();
  });

  it('stores every resource with the name, project and domain the lab reports', async () => {
    const run = await engine.run(
      target.cloud.id,
      'on_demand',
      'user:default/lab',
    );
    expect(run.types.filter(t => t.status !== 'complete')).toEqual([]);
    expect(run.status).toBe('succeeded');
    const truth = await labTruth(client);
    for (const [type, expected] of Object.entries(truth)) {
      const rows = await db('inventory_resources')
        .where({ cloud_id: target.cloud.id, type, deleted: false })
        .select('id', 'name', 'project_id', 'domain_id');
      const stored = new Map(
        rows.map(r => [
          r.id,
          { name: r.name, project: r.project_id, domain: r.domain_id },
        ]),
      );
      expect({ type, count: stored.size }).toEqual({
        type,
        count: expected!.size,
      });
      for (const [id, want] of expected!) {
        expect({ type, id, ...stored.get(id) }).toEqual({
          type,
          id,
          name: want.name === '' ? null : want.name,
          project: want.project,
          domain: want.domain,
        });
      }
    }
    // every type was collected and counted in the run record
    expect(run.types).toHaveLength(29);
    for (const outcome of run.types) {
      const [{ n }] = await db('inventory_resources')
        .where({
          cloud_id: target.cloud.id,
          type: outcome.type,
          deleted: false,
        })
        .count({ n: '*' });
      expect({ type: outcome.type, n: Number(n) }).toEqual({
        type: outcome.type,
        n: outcome.count,
      });
    }
  });

  it('records a volume deleted in the lab as deleted, and nothing else', async () => {
    const name = `pf9-inv-it-${Date.now().toString(36)}`;
    const volume = await client.blockStorage.createVolume({ size: 1, name });
    try {
      await waitUntil(
        `volume ${volume.id} available`,
        async () => {
          const v = await client.blockStorage.getVolume(volume.id);
          if (v.status === 'error')
            throw new Error(`volume ${volume.id} in error`);
          return v.status === 'available' ? v : undefined;
        },
        target.settleTimeoutMs,
        target.pollMs,
      );
      const seen = await engine.run(
        target.cloud.id,
        'on_demand',
        'user:default/lab',
      );
      expect(seen.status).toBe('succeeded');
      const row = await db('inventory_resources')
        .where({ cloud_id: target.cloud.id, type: 'volume', id: volume.id })
        .first();
      expect(row?.name).toBe(name);

      await client.blockStorage.deleteVolume(volume.id);
      await waitUntil(
        `volume ${volume.id} gone`,
        async () => {
          try {
            await client.blockStorage.getVolume(volume.id);
            return undefined;
          } catch (e) {
            if (e instanceof OpenStackNotFoundError) return true;
            throw e;
          }
        },
        target.settleTimeoutMs,
        target.pollMs,
      );
      const run = await engine.run(
        target.cloud.id,
        'on_demand',
        'user:default/lab',
      );
      expect(run.status).toBe('succeeded');
      const deletions = await db('inventory_deletions')
        .where({ detected_in_run_id: run.id })
        .select('type', 'resource_id', 'name', 'verified_by_get');
      expect(
        deletions.map(d => [
          d.type,
          d.resource_id,
          d.name,
          !!d.verified_by_get,
        ]),
      ).toContainEqual(['volume', volume.id, name, true]);
      // other suites share the lab and delete what they made meanwhile: anything else recorded must be
      // of a GET-verified type and really gone from the lab
      for (const d of deletions.filter(x => x.resource_id !== volume.id)) {
        expect([d.type, d.resource_id, !!d.verified_by_get]).toEqual([
          expect.stringMatching(VERIFIED_TYPES.join('|')),
          d.resource_id,
          true,
        ]);
        expect(await verifyGone(client, d.type, d.resource_id)).toBe('gone');
      }
    } finally {
      await client.blockStorage.deleteVolume(volume.id).catch(() => undefined);
    }
  });
}
