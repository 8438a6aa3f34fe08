/**
 * One suite, two targets: the simulator always, the real OpenStack Zed lab when
 * PF9_OSLAB_AUTH_URL is set (PF9_REQUIRE_OSLAB=1 makes its absence a failure).
 */
import { randomUUID } from 'crypto';
import {
  Listing,
  OpenStackClient,
  OpenStackConflictError,
  OpenStackNotFoundError,
  OpenStackOverLimitError,
  OpenStackUnauthorizedError,
  TokenCache,
  closeSharedAgents,
  createOpenStackClient,
} from '../openstack';
import type { CinderVolume } from '../openstack';
import {
  RunningTarget,
  Target,
  integrationTargets,
  waitUntil,
} from './__testUtils__/targets';

jest.setTimeout(180_000);

const targets = integrationTargets();
const PREFIX = `pf9-it-${Date.now().toString(36)}`;

afterAll(() => closeSharedAgents());

describe('lab target registration', () => {
  it('registers the simulator always and the lab when its URL is set', () => {
    const names = targets.map(t => t.name);
    expect(names).toContain('sim');
    expect(names.includes('lab')).toBe(!!process.env.PF9_OSLAB_AUTH_URL);
  });

  it('fails when PF9_REQUIRE_OSLAB=1 and the lab URL is missing', () => {
    // the test command asked for the real lab: its absence is a failure, not a skip
    const required = process.env.PF9_REQUIRE_OSLAB === '1';
    expect({
      required,
      labUrl: required
        ? process.env.PF9_OSLAB_AUTH_URL ?? null
        : 'not required',
    }).not.toEqual({
      required: true,
      labUrl: null,
    });
  });
});

type AnyListing = Listing<any> & { scopeConfirmed?: boolean };
const keyOf = (item: any): string =>
  String(
    item.id ??
      item.uuid ??
      item.name ??
      item.zoneName ??
      item.network_id ??
      JSON.stringify(item),
  );
const sortedKeys = (l: AnyListing) => l.items.map(keyOf).sort();

describe.each(targets.map(t => [t.name, t] as [string, Target]))(
  'target %s',
  (_name, target) => {
    let running: RunningTarget;
    let client: OpenStackClient;
    const cleanups: Array<() => Promise<unknown>> = [];

    const settle = <T>(what: string, fn: () => Promise<T | undefined>) =>
      waitUntil(what, fn, running.settleTimeoutMs, running.pollMs);

    const newClient = (
      extra: Parameters<typeof createOpenStackClient>[1] = {},
    ) =>
      createOpenStackClient(running.cloud, {
        tokenCache: new TokenCache(),
        retryBaseDelayMs: 200,
        ...extra,
      });

    const volumeGone = (c: OpenStackClient, id: string) =>
      settle(`volume ${id} deleted`, async () =>
        c.blockStorage.getVolume(id).then(
          () => undefined,
          e => (e instanceof OpenStackNotFoundError ? true : Promise.reject(e)),
        ),
      );

    const createVolume = async (name: string): Promise<CinderVolume> => {
      const vol = await client.blockStorage.createVolume({ size: 1, name });
      cleanups.push(async () => {
        await client.blockStorage.deleteVolume(vol.id).catch(() => undefined);
        await volumeGone(client, vol.id).catch(() => undefined);
      });
      return settle(`volume ${name} available`, async () => {
        const v = await client.blockStorage.getVolume(vol.id);
        if (v.status === 'error')
          throw new Error(`volume ${vol.id} went to error`);
        return v.status === 'available' ? v : undefined;
      });
    };

    beforeAll(async () => {
      running = await target.start();
      client = newClient();
    });

    afterAll(async () => {
      // reverse order: snapshots before their volumes, quotas restored last-in-first-out
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch(() => undefined);
      }
      await running?.stop();
    });

    describe('authentication and catalog', () => {
      it('password auth gives an admin token scoped to the admin project', async () => {
        const token = await client.session.token();
        expect(token.projectName).toBe('admin');
        expect(token.methods).toEqual(['password']);
        expect(await client.isAdmin()).toBe(true);
        expect(token.expiresAt.getTime()).toBeGreaterThan(
          Date.now() + 10 * 60_000,
        );
      });

      it('the catalog has every service; Cinder carries the token project', async () => {
        const token = await client.session.token();
        for (const s of [
          'identity',
          'compute',
          'block-storage',
          'network',
          'image',
          'placement',
        ] as const) {
          expect(await client.endpoint(s)).toMatch(/^https?:\/\//);
        }
        expect(await client.endpoint('block-storage')).toMatch(
          new RegExp(`/v3/${token.projectId}$`),
        );
        expect(await client.endpoint('identity')).toMatch(/\/v3$/);
      });

      it('microversions: Nova 2.79, Cinder 3.60, Placement 1.29 within the server range', async () => {
        expect((await client.microversion('compute')).version).toBe('2.79');
        expect((await client.microversion('block-storage')).version).toBe(
          '3.60',
        );
        expect((await client.microversion('placement')).version).toBe('1.29');
        expect((await client.microversion('compute')).serverMax).toBe('2.93');
        expect((await client.microversion('block-storage')).serverMax).toBe(
          '3.70',
        );
        expect((await client.microversion('placement')).serverMax).toBe('1.39');
      });

      it('application credential: created by the admin user, used, deleted', async () => {
        const token = await client.session.token();
        const cred = await client.identity.createApplicationCredential(
          token.userId!,
          {
            name: `${PREFIX}-appcred`,
            description: 'pf9 integration test; deleted by the test',
          },
        );
        let deleted = false;
        cleanups.push(async () => {
          if (!deleted)
            await client.identity.deleteApplicationCredential(
              token.userId!,
              cred.id,
            );
        });
        expect(cred.secret).toBeTruthy();
        const appClient = createOpenStackClient(
          {
            ...running.cloud,
            auth: { url: running.cloud.auth!.url },
            applicationCredential: { id: cred.id, secret: cred.secret! },
          },
          { tokenCache: new TokenCache() },
        );
        const appToken = await appClient.session.token();
        expect(appToken.methods).toEqual(['application_credential']);
        expect(appToken.projectId).toBe(token.projectId);
        expect(await appClient.isAdmin()).toBe(true);
        expect((await appClient.identity.listRoles()).complete).toBe(true);
        await client.identity.deleteApplicationCredential(
          token.userId!,
          cred.id,
        );
        deleted = true;
        const again = createOpenStackClient(
          {
            ...running.cloud,
            auth: { url: running.cloud.auth!.url },
            applicationCredential: { id: cred.id, secret: cred.secret! },
          },
          { tokenCache: new TokenCache() },
        );
        const err = await again.session.token().catch(e => e);
        // typed as an authentication failure; Keystone sends 404 for a deleted (unknown) credential id
        expect(err).toBeInstanceOf(OpenStackUnauthorizedError);
        expect(err.status).toBe(404);
      });
    });

    describe('every listing of SPEC §1.2', () => {
      // listings with paging: the result with 2 per page must equal the one-page result
      const paged: Array<
        [string, (c: OpenStackClient, pageSize?: number) => Promise<AnyListing>]
      > = [
        ['7 servers', (c, p) => c.compute.listServers({ pageSize: p })],
        ['8 flavors', (c, p) => c.compute.listFlavors({ pageSize: p })],
        ['9 hypervisors', (c, p) => c.compute.listHypervisors({ pageSize: p })],
        [
          '14 server groups',
          (c, p) => c.compute.listServerGroups({ pageSize: p }),
        ],
        ['15 images', (c, p) => c.image.listImages({ pageSize: p })],
        ['16 volumes', (c, p) => c.blockStorage.listVolumes({ pageSize: p })],
        [
          '17 snapshots',
          (c, p) => c.blockStorage.listSnapshots({ pageSize: p }),
        ],
        ['18 backups', (c, p) => c.blockStorage.listBackups({ pageSize: p })],
        ['21 networks', (c, p) => c.network.listNetworks({ pageSize: p })],
        ['22 subnets', (c, p) => c.network.listSubnets({ pageSize: p })],
        ['23 ports', (c, p) => c.network.listPorts({ pageSize: p })],
        ['24 routers', (c, p) => c.network.listRouters({ pageSize: p })],
        [
          '25 floating ips',
          (c, p) => c.network.listFloatingIps({ pageSize: p }),
        ],
        [
          '26 security groups',
          (c, p) => c.network.listSecurityGroups({ pageSize: p }),
        ],
        [
          '27 security group rules',
          (c, p) => c.network.listSecurityGroupRules({ pageSize: p }),
        ],
        [
          '29 network ip availabilities',
          (c, p) => c.network.listNetworkIpAvailabilities({ pageSize: p }),
        ],
      ];

      it.each(paged)(
        '%s: paged (limit=2) equals unpaged, both complete',
        async (_label, list) => {
          const whole = await list(client);
          const small = await list(client, 2);
          expect(whole.complete).toBe(true);
          expect(small.complete).toBe(true);
          expect(whole.scopeConfirmed).toBe(true);
          expect(sortedKeys(small)).toEqual(sortedKeys(whole));
          expect(new Set(sortedKeys(small)).size).toBe(small.items.length);
          // with more than 2 items a limit of 2 must page (on both targets)
          expect(whole.items.length <= 2 || small.pages > 1).toBe(true);
        },
      );

      it('1–6 identity: domains, projects, users and groups per domain, members, roles, assignments', async () => {
        const domains = await client.identity.listDomains();
        expect(domains.complete).toBe(true);
        expect(domains.items.map(d => d.id)).toContain('default');
        const projects = await client.identity.listProjects();
        expect(projects.complete).toBe(true);
        expect(projects.items.map(p => p.name)).toContain('admin');
        const users = await client.identity.listUsers();
        expect(users.complete).toBe(true);
        expect(users.partitions).toHaveLength(domains.items.length);
        expect(users.items.map(u => u.name)).toContain('admin');
        const groups = await client.identity.listGroups();
        expect(groups.complete).toBe(true);
        for (const g of groups.items) {
          const members = await client.identity.listGroupUsers(g.id);
          expect(members.complete).toBe(true);
        }
        const roles = await client.identity.listRoles();
        expect(roles.items.map(r => r.name)).toEqual(
          expect.arrayContaining(['admin', 'member', 'reader']),
        );
        const direct = await client.identity.listRoleAssignments();
        const effective = await client.identity.listRoleAssignments({
          effective: true,
        });
        expect(direct.complete && effective.complete).toBe(true);
        expect(
          direct.items.some(
            a => a.role.name === 'admin' && a.user?.name === 'admin',
          ),
        ).toBe(true);
        expect(effective.items.every(a => !a.group)).toBe(true);
      });

      it('10–13 compute: services, aggregates, availability zones, keypairs per server owner', async () => {
        expect((await client.compute.listServices()).complete).toBe(true);
        expect((await client.compute.listAggregates()).complete).toBe(true);
        const azs = await client.compute.listAvailabilityZones();
        expect(azs.items.map(z => z.zoneName)).toContain('nova');
        const servers = await client.compute.listServers();
        const owners = [...new Set(servers.items.map(s => String(s.user_id)))];
        for (const owner of owners) {
          const whole = await client.compute.listKeypairs(owner);
          const small = await client.compute.listKeypairs(owner, {
            pageSize: 2,
          });
          expect(whole.complete && small.complete).toBe(true);
          expect(sortedKeys(small)).toEqual(sortedKeys(whole));
        }
      });

      it('12, 19, 20 block storage: availability zones, volume types, pools', async () => {
        const azs = await client.blockStorage.listAvailabilityZones();
        expect(azs.complete && azs.items.length > 0).toBe(true);
        const types = await client.blockStorage.listVolumeTypes();
        expect(types.items.length).toBeGreaterThan(0);
        const pools = await client.blockStorage.listPools();
        expect(pools.items.length).toBeGreaterThan(0);
      });

      it('9 placement: resource providers with inventories and usages', async () => {
        const rps = await client.placement.listResourceProviders();
        expect(rps.complete).toBe(true);
        expect(rps.items.length).toBeGreaterThan(0);
        for (const rp of rps.items) {
          const inv = await client.placement.getInventories(rp.uuid);
          expect(inv.VCPU?.total).toBeGreaterThan(0);
          const usages = await client.placement.getUsages(rp.uuid);
          expect(typeof usages.VCPU).toBe('number');
        }
      });

      it('28 project quotas of every service', async () => {
        const projects = await client.identity.listProjects();
        const project =
          projects.items.find(p => p.name !== 'admin' && !p.is_domain) ??
          projects.items[0];
        const nova = await client.compute.getQuotaDetail(project.id);
        expect(nova.instances).toMatchObject({
          limit: expect.any(Number),
          in_use: expect.any(Number),
        });
        const cinder = await client.blockStorage.getQuotaUsage(project.id);
        expect(cinder.snapshots).toMatchObject({
          limit: expect.any(Number),
          in_use: expect.any(Number),
        });
        const neutron = await client.network.getQuotaDetails(project.id);
        expect(neutron.port).toMatchObject({
          limit: expect.any(Number),
          used: expect.any(Number),
        });
      });
    });

    describe('snapshot round trip and error mapping', () => {
      let volume: CinderVolume;

      beforeAll(async () => {
        volume = await createVolume(`${PREFIX}-vol`);
      });

      it('volume metadata set / get / delete key', async () => {
        await client.blockStorage.setVolumeMetadata(volume.id, {
          pf9_test: 'yes',
          keep: '1',
        });
        expect(
          await client.blockStorage.getVolumeMetadata(volume.id),
        ).toMatchObject({ pf9_test: 'yes', keep: '1' });
        await client.blockStorage.deleteVolumeMetadataKey(
          volume.id,
          'pf9_test',
        );
        const md = await client.blockStorage.getVolumeMetadata(volume.id);
        expect(md.pf9_test).toBeUndefined();
        expect(md.keep).toBe('1');
      });

      it('snapshot create → available → delete → 404', async () => {
        const snap = await client.blockStorage.createSnapshot({
          volume_id: volume.id,
          name: `${PREFIX}-snap`,
          metadata: { created_by: 'pf9-integration-test' },
        });
        cleanups.push(() => client.blockStorage.deleteSnapshot(snap.id));
        expect(snap.status).toBe('creating');
        const ready = await settle('snapshot available', async () => {
          const s = await client.blockStorage.getSnapshot(snap.id);
          if (s.status === 'error') throw new Error('snapshot went to error');
          return s.status === 'available' ? s : undefined;
        });
        expect(ready.metadata).toMatchObject({
          created_by: 'pf9-integration-test',
        });
        expect(
          await client.blockStorage.getSnapshotMetadata(snap.id),
        ).toMatchObject({
          created_by: 'pf9-integration-test',
        });
        const listed = await client.blockStorage.listSnapshots({
          query: { volume_id: volume.id },
        });
        expect(listed.items.map(s => s.id)).toContain(snap.id);
        await client.blockStorage.deleteSnapshot(snap.id);
        const err = await settle('snapshot gone', async () =>
          client.blockStorage.getSnapshot(snap.id).then(
            () => undefined,
            e => e,
          ),
        );
        expect(err).toBeInstanceOf(OpenStackNotFoundError);
        expect(err.status).toBe(404);
        expect(err.requestId).toMatch(/^req-/);
        expect(err.serverMessage).toBeTruthy();
      });

      it('404 for a server that does not exist carries the request id and message', async () => {
        const err = await client.compute.getServer(randomUUID()).catch(e => e);
        expect(err).toBeInstanceOf(OpenStackNotFoundError);
        expect(err.service).toBe('compute');
        expect(err.requestId).toMatch(/^req-/);
        expect(err.serverMessage).toMatch(/could not be found/);
      });

      it('409 IpAddressAlreadyAllocated for a port asking for a used address', async () => {
        const ports = await client.network.listPorts();
        const taken = ports.items.find(
          p => p.fixed_ips?.length && p.fixed_ips[0].ip_address.includes('.'),
        )!;
        expect(taken).toBeTruthy();
        const err = await client.network
          .createPort({
            network_id: taken.network_id,
            name: `${PREFIX}-port`,
            fixed_ips: [
              {
                subnet_id: taken.fixed_ips![0].subnet_id,
                ip_address: taken.fixed_ips![0].ip_address,
              },
            ],
          })
          .then(
            async port => {
              // must not happen; remove what was created before failing
              await client.network.deletePort(port.id);
              return port;
            },
            e => e,
          );
        expect(err).toBeInstanceOf(OpenStackConflictError);
        expect(err.serverType).toBe('IpAddressAlreadyAllocated');
        expect(err.requestId).toMatch(/^req-/);
      });

      it('413 when the project snapshot quota is reached (quota restored afterwards)', async () => {
        const projectId = (await client.session.token()).projectId!;
        const usage = await client.blockStorage.getQuotaUsage(projectId);
        const snaps = usage.snapshots as { limit: number; in_use: number };
        const restore = () =>
          client.blockStorage.updateQuota(projectId, {
            snapshots: snaps.limit,
          });
        cleanups.push(restore);
        await client.blockStorage.updateQuota(projectId, {
          snapshots: snaps.in_use,
        });
        try {
          const err = await client.blockStorage
            .createSnapshot({
              volume_id: volume.id,
              name: `${PREFIX}-over-quota`,
            })
            .then(
              async s => {
                cleanups.push(() => client.blockStorage.deleteSnapshot(s.id));
                return s;
              },
              e => e,
            );
          expect(err).toBeInstanceOf(OpenStackOverLimitError);
          expect(err.status).toBe(413);
          expect(err.serverMessage).toMatch(/SnapshotLimitExceeded|exceeded/i);
          expect(err.requestId).toMatch(/^req-/);
        } finally {
          await restore();
        }
        const after = await client.blockStorage.getQuotaUsage(projectId);
        expect((after.snapshots as { limit: number }).limit).toBe(snaps.limit);
      });
    });
  },
);
