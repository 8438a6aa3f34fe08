import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import {
  migrated,
  simEngine,
  startTinySim,
} from '../inventory/__testUtils__/harness';
import { closeSharedAgents, OpenStackClient } from '../openstack';
import { prepareSim } from '../snapshots/__testUtils__/sim';
import {
  bootVolumeOf,
  dataVolumesOf,
  fixtureClient,
  imageOfServer,
  pickServer,
  serverPortsOf,
  snapshotVolume,
  TEST_USER_DATA_KEY,
  testPlanner,
  writesSince,
} from './__testUtils__/planFixtures';
import { PlanRequest, RestorePlanner } from './planner';
import { UserDataCipher } from './secrets';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const USER = 'user:default/planner';
const NOW = new Date('2026-11-26T09:05:00Z');

describe('restore planner', () => {
  let sim: Simulator;
  let db: Knex;
  let os: OpenStackClient;
  let planner: RestorePlanner;

  beforeEach(async () => {
    sim = await startTinySim();
    prepareSim(sim);
    db = await migrated(await databases.init('SQLITE_3'));
    os = fixtureClient(sim);
    planner = testPlanner(db, sim, { now: () => NOW });
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  const request = (
    serverId: string,
    restorePointId: string,
    extra: Partial<PlanRequest> = {},
  ): PlanRequest => ({
    cloudId: 'sim',
    serverId,
    restorePointId,
    mode: 'side_by_side',
    ipStrategy: 'NEW_IPS',
    manualIps: {},
    dataVolumes: 'skip',
    cleanupOldStorage: false,
    ...extra,
  });

  /** Plans and checks that planning sent nothing but GET/HEAD. */
  async function plan(req: PlanRequest) {
    const from = sim.requestLog.length;
    const result = await planner.plan(req, USER);
    expect(writesSince(sim, from)).toEqual([]);
    return result;
  }

  async function volumeBootedWithSnapshot(
    options: { withDataVolume?: boolean } = {},
  ) {
    const server = pickServer(sim, 'volume', options);
    const boot = bootVolumeOf(sim, server.id);
    const snapshotId = await snapshotVolume(os, boot.id);
    return { server, boot, snapshotId };
  }

  const codes = (issues: Array<{ code: string }>) => issues.map(i => i.code);

  it('plans a volume-booted server from a snapshot of its boot volume, stored as PLANNED', async () => {
    const { server, boot, snapshotId } = await volumeBootedWithSnapshot();
    const result = await plan(request(server.id, snapshotId));

    expect(result.eligible).toBe(true);
    expect(result.restorePoint).toMatchObject({
      id: snapshotId,
      kind: 'volume_snapshot',
      volumeId: boot.id,
    });
    expect(result.carryOver.name).toBe(`${server.name}-restored-20261126-0905`);
    expect(result.carryOver.metadata).toMatchObject({
      restored_from_server: server.id,
      restored_from_point: snapshotId,
      restore_job_id: result.planId,
    });
    expect(result.expiresAt).toBe('2026-11-26T10:05:00.000Z');
    expect(result.confirmationText).toBeNull();
    const steps = result.actions.map(a => a.step);
    expect(steps).not.toContain('DELETE_ORIGINAL');
    expect(
      result.actions.find(a => a.step === 'CREATE_VOLUMES')?.resource,
    ).toEqual({
      kind: 'volume',
      name: `restore-${result.planId.slice(0, 8)}-1`,
      operation: 'create',
    });
    expect(steps.indexOf('CREATE_VOLUMES')).toBeLessThan(
      steps.indexOf('CREATE_SERVER'),
    );

    const row = await db('restore_jobs').where({ id: result.planId }).first();
    expect(row).toMatchObject({
      status: 'PLANNED',
      created_by: USER,
      mode: 'side_by_side',
    });
    const stored = await db('restore_steps')
      .where({ job_id: result.planId })
      .orderBy('position');
    expect(stored).toHaveLength(20);
    expect(stored.find(s => s.name === 'DELETE_ORIGINAL').status).toBe(
      'SKIPPED',
    );
    expect(stored.find(s => s.name === 'CREATE_SERVER').status).toBe('PENDING');
  });

  it('plans a volume-booted server from its volume-backed server image through imageRef', async () => {
    const server = pickServer(sim, 'volume');
    const imageId = await imageOfServer(os, server.id);
    const result = await plan(request(server.id, imageId));
    expect(result.restorePoint.kind).toBe('server_image_volume_backed');
    expect(result.eligible).toBe(true);
    const details = JSON.parse(
      (await db('restore_jobs').where({ id: result.planId }).first()).details,
    );
    expect(details.imageRef).toBe(imageId);
    expect(result.actions.map(a => a.step)).not.toContain('CREATE_VOLUMES');
  });

  it('plans an image-booted server from a server image snapshot', async () => {
    const server = pickServer(sim, 'image');
    const imageId = await imageOfServer(os, server.id);
    const points = await planner.points('sim', server.id);
    expect(points.bootMode).toBe('image');
    expect(points.items.map(p => p.id)).toContain(imageId);
    const result = await plan(request(server.id, imageId));
    expect(result.restorePoint.kind).toBe('server_image');
    expect(result.eligible).toBe(true);

    const other = pickServer(sim, 'image', { exclude: [server.id] });
    const foreign = await imageOfServer(os, other.id);
    const mismatch = await plan(request(server.id, foreign));
    expect(codes(mismatch.blockers)).toContain('RESTORE_POINT_NOT_OF_SERVER');
  });

  it('refuses a Cinder snapshot for an image-booted server (409 RESTORE_POINT_UNSUPPORTED)', async () => {
    const server = pickServer(sim, 'image', { withDataVolume: true });
    const snapshotId = await snapshotVolume(
      os,
      dataVolumesOf(sim, server.id)[0].id,
    );
    const before = await db('restore_jobs').count({ n: '*' });
    await expect(
      planner.plan(request(server.id, snapshotId), USER),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: 'image-booted server: choose a server image snapshot',
      details: { code: 'RESTORE_POINT_UNSUPPORTED' },
    });
    expect(await db('restore_jobs').count({ n: '*' })).toEqual(before);
  });

  it('lists restore points newest first, de-duplicated, with managed and policy from our metadata', async () => {
    const { server, boot, snapshotId } = await volumeBootedWithSnapshot();
    const managedId = await snapshotVolume(os, boot.id, {
      created_by: 'p9_auto_snapshots',
      policy: 'daily_5',
      period: '2026-11-26',
    });
    sim.state.snapshots.get(snapshotId)!.created_at =
      '2026-11-20T10:00:00.000000';
    const imageId = await imageOfServer(os, server.id);
    const list = await planner.points('sim', server.id);
    const ids = list.items.map(p => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([snapshotId, managedId, imageId]),
    );
    const times = list.items.map(p => p.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(list.items.find(p => p.id === managedId)).toMatchObject({
      managed: true,
      policy: 'daily_5',
      kind: 'volume_snapshot',
    });
    expect(list.items.find(p => p.id === snapshotId)).toMatchObject({
      managed: false,
    });
    expect(list.items.find(p => p.id === imageId)?.kind).toBe(
      'server_image_volume_backed',
    );
  });

  describe('IP strategies (RST-8)', () => {
    it('side_by_side with the original running: NEW new, TRY new with a warning, SAME blocked', async () => {
      const { server, snapshotId } = await volumeBootedWithSnapshot();
      const originalIp = serverPortsOf(sim, server.id)[0].fixed_ips[0]
        .ip_address;

      const fresh = await plan(request(server.id, snapshotId));
      expect(fresh.networkPlan[0]).toMatchObject({
        action: 'new',
        requestedIp: null,
        originalIp,
      });

      const tried = await plan(
        request(server.id, snapshotId, { ipStrategy: 'TRY_SAME_IPS' }),
      );
      expect(tried.networkPlan[0]).toMatchObject({
        action: 'new',
        requestedIp: null,
      });
      expect(codes(tried.warnings)).toContain('IP_HELD_BY_ORIGINAL');
      expect(tried.eligible).toBe(true);

      const same = await plan(
        request(server.id, snapshotId, { ipStrategy: 'SAME_IPS_OR_FAIL' }),
      );
      expect(codes(same.blockers)).toContain('SAME_IP_IMPOSSIBLE');
      expect(same.eligible).toBe(false);
    });

    it('replace: TRY and SAME re-use surviving ports, SAME without fallback; MAC only for re-created ports', async () => {
      const { server, snapshotId } = await volumeBootedWithSnapshot();
      const port = serverPortsOf(sim, server.id)[0];
      const tried = await plan(
        request(server.id, snapshotId, {
          mode: 'replace',
          ipStrategy: 'TRY_SAME_IPS',
        }),
      );
      expect(tried.networkPlan[0]).toMatchObject({
        action: 'reuse_port',
        reusePortId: port.id,
        requestedIp: port.fixed_ips[0].ip_address,
      });
      expect(tried.confirmationText).toBe(`DELETE AND RESTORE ${server.name}`);
      expect(tried.carryOver.name).toBe(server.name);
      expect(tried.actions.map(a => a.step)).toEqual(
        expect.arrayContaining([
          'STOP_ORIGINAL',
          'SAFETY_SNAPSHOT',
          'DELETE_ORIGINAL',
        ]),
      );
      const same = await plan(
        request(server.id, snapshotId, {
          mode: 'replace',
          ipStrategy: 'SAME_IPS_OR_FAIL',
        }),
      );
      const sameDetails = JSON.parse(
        (await db('restore_jobs').where({ id: same.planId }).first()).details,
      );
      expect(sameDetails.ports[0]).toMatchObject({
        reusePortId: port.id,
        fallbackToNew: false,
        macAddress: null,
      });

      const fresh = await plan(
        request(server.id, snapshotId, { mode: 'replace' }),
      );
      expect(fresh.networkPlan[0].action).toBe('new');
      const freshDetails = JSON.parse(
        (await db('restore_jobs').where({ id: fresh.planId }).first()).details,
      );
      expect(freshDetails.ports[0].macAddress).toBe(port.mac_address);
    });

    it('MANUAL_IP: a free address inside the subnet is requested; outside or in use blocks', async () => {
      const { server, snapshotId } = await volumeBootedWithSnapshot();
      const port = serverPortsOf(sim, server.id)[0];
      const subnet = sim.state.subnets.get(port.fixed_ips[0].subnet_id)!;
      const base = String(subnet.cidr)
        .split('/')[0]
        .split('.')
        .slice(0, 3)
        .join('.');
      const used = new Set(
        sim.state.ports
          .all()
          .flatMap((p: any) => p.fixed_ips.map((f: any) => f.ip_address)),
      );
      const free = [...Array(250).keys()]
        .map(i => `${base}.${i + 2}`)
        .find(ip => !used.has(ip))!;
      const manual = (ip: string) =>
        plan(
          request(server.id, snapshotId, {
            ipStrategy: 'MANUAL_IP',
            manualIps: { [port.network_id]: ip },
          }),
        );

      const ok = await manual(free);
      expect(ok.networkPlan[0]).toMatchObject({
        action: 'request_ip',
        requestedIp: free,
      });
      expect(ok.eligible).toBe(true);

      expect(codes((await manual('192.0.2.10')).blockers)).toContain(
        'IP_OUTSIDE_SUBNET',
      );

      // an unbound port (empty device_id) still holds its address
      const held = [...Array(250).keys()]
        .map(i => `${base}.${i + 2}`)
        .find(ip => !used.has(ip) && ip !== free)!;
      const unbound = await os.network.createPort({
        network_id: port.network_id,
        fixed_ips: [{ subnet_id: subnet.id, ip_address: held }],
      });
      expect(unbound.device_id ?? '').toBe('');
      expect(codes((await manual(held)).blockers)).toContain('IP_IN_USE');
    });

    it('side_by_side with the original gone (RST-5): TRY and SAME request the free original IP; taken blocks SAME', async () => {
      const { server, snapshotId } = await volumeBootedWithSnapshot();
      const port = serverPortsOf(sim, server.id)[0];
      const ip = port.fixed_ips[0].ip_address;
      // the deletion record's source: the server as the last sync stored it
      const sync = await simEngine(db, sim, {
        client: { readTimeoutMs: 30_000 },
      }).run('sim', 'on_demand', USER);
      expect(sync.types.find(t => t.type === 'server')?.status).toBe(
        'complete',
      );
      await os.compute.deleteServer(server.id);
      await expect(os.compute.getServer(server.id)).rejects.toThrow();

      const fresh = await plan(request(server.id, snapshotId));
      expect(fresh.networkPlan[0]).toMatchObject({
        action: 'new',
        requestedIp: null,
      });
      const tried = await plan(
        request(server.id, snapshotId, { ipStrategy: 'TRY_SAME_IPS' }),
      );
      expect(tried.networkPlan[0]).toMatchObject({
        action: 'request_ip',
        requestedIp: ip,
      });
      const list = await planner.points('sim', server.id);
      expect(list.fromHistory).toBe(true);
      const details = JSON.parse(
        (await db('restore_jobs').where({ id: tried.planId }).first()).details,
      );
      expect(details.fromHistory).toEqual(
        expect.arrayContaining(['server', 'addresses']),
      );
      expect(details.originalExists).toBe(false);
      expect(tried.actions.map(a => a.step)).not.toContain('DELETE_ORIGINAL');

      const replace = await plan(
        request(server.id, snapshotId, { mode: 'replace' }),
      );
      expect(codes(replace.blockers)).toContain('REPLACE_NEEDS_LIVE_SERVER');

      await os.network.createPort({
        network_id: port.network_id,
        fixed_ips: [{ subnet_id: port.fixed_ips[0].subnet_id, ip_address: ip }],
      });
      const same = await plan(
        request(server.id, snapshotId, { ipStrategy: 'SAME_IPS_OR_FAIL' }),
      );
      expect(codes(same.blockers)).toContain('IP_IN_USE');
      const fallback = await plan(
        request(server.id, snapshotId, { ipStrategy: 'TRY_SAME_IPS' }),
      );
      expect(fallback.networkPlan[0].action).toBe('new');
      expect(codes(fallback.warnings)).toContain('IP_TAKEN_NEW_ASSIGNED');
    });
  });

  it('quota: a limit of 0 allows none, −1 is unlimited', async () => {
    const { server, snapshotId } = await volumeBootedWithSnapshot();
    const quota = sim.state.quotas.nova.get(server.tenant_id) as Record<
      string,
      number
    >;
    quota.instances = 0;
    const none = await plan(request(server.id, snapshotId));
    expect(
      none.quota.find(q => q.resource === 'compute.instances'),
    ).toMatchObject({ need: 1, limit: 0, ok: false });
    expect(codes(none.blockers)).toContain('QUOTA_EXCEEDED');

    quota.instances = -1;
    quota.cores = -1;
    quota.ram = -1;
    const unlimited = await plan(request(server.id, snapshotId));
    expect(
      unlimited.quota.find(q => q.resource === 'compute.instances'),
    ).toMatchObject({ limit: -1, ok: true });
    expect(codes(unlimited.blockers)).not.toContain('QUOTA_EXCEEDED');
    expect(unlimited.quota.map(q => q.resource)).toEqual(
      expect.arrayContaining([
        'volume.volumes',
        'volume.gigabytes',
        'network.port',
      ]),
    );
  });

  it('replace needs no instance quota but snapshots for the safety snapshots', async () => {
    const { server, snapshotId } = await volumeBootedWithSnapshot();
    const result = await plan(
      request(server.id, snapshotId, { mode: 'replace' }),
    );
    const resources = result.quota.map(q => q.resource);
    expect(resources).not.toContain('compute.instances');
    expect(resources).toContain('volume.snapshots');
  });

  describe('data volumes (RST-7)', () => {
    it('matches by policy and period first, else the closest within ±60 min; none blocks', async () => {
      const { server, boot } = await volumeBootedWithSnapshot({
        withDataVolume: true,
      });
      const data = dataVolumesOf(sim, server.id)[0];
      const meta = {
        policy: 'daily_5',
        period: '2026-11-25',
        created_by: 'p9_auto_snapshots',
      };
      const bootPoint = await snapshotVolume(os, boot.id, meta);
      const byPolicy = await snapshotVolume(os, data.id, meta);
      const closer = await snapshotVolume(os, data.id);
      const at = (id: string, iso: string) => {
        sim.state.snapshots.get(id)!.created_at = iso;
      };
      at(bootPoint, '2026-11-25T01:00:00.000000');
      at(byPolicy, '2026-11-25T01:50:00.000000');
      at(closer, '2026-11-25T01:01:00.000000');
      const details = async (id: string) =>
        JSON.parse((await db('restore_jobs').where({ id }).first()).details);

      const matched = await plan(
        request(server.id, bootPoint, {
          dataVolumes: 'restore_from_snapshots',
        }),
      );
      expect(
        (await details(matched.planId)).dataVolumes[0].sourceSnapshotId,
      ).toBe(byPolicy);

      sim.state.snapshots.get(byPolicy)!.metadata = {};
      const closest = await plan(
        request(server.id, bootPoint, {
          dataVolumes: 'restore_from_snapshots',
        }),
      );
      expect(
        (await details(closest.planId)).dataVolumes[0].sourceSnapshotId,
      ).toBe(closer);

      at(closer, '2026-11-25T03:00:00.000000');
      at(byPolicy, '2026-11-24T20:00:00.000000');
      const missing = await plan(
        request(server.id, bootPoint, {
          dataVolumes: 'restore_from_snapshots',
        }),
      );
      expect(codes(missing.blockers)).toContain('DATA_VOLUME_SNAPSHOT_MISSING');

      const reattach = await plan(
        request(server.id, bootPoint, { dataVolumes: 'reattach_existing' }),
      );
      expect(codes(reattach.blockers)).toContain('REATTACH_NEEDS_MULTIATTACH');
    });
  });

  it('blocks a locked server', async () => {
    const { server, snapshotId } = await volumeBootedWithSnapshot();
    sim.state.servers.get(server.id)!.locked = true;
    const result = await plan(request(server.id, snapshotId));
    expect(codes(result.blockers)).toContain('SERVER_LOCKED');
    expect(result.eligible).toBe(false);
  });

  it('blocks when several volumes are bootable and none is on the root device (RST-2)', async () => {
    const { server, snapshotId } = await volumeBootedWithSnapshot({
      withDataVolume: true,
    });
    dataVolumesOf(sim, server.id)[0].bootable = 'true';
    sim.state.servers.get(server.id)!['OS-EXT-SRV-ATTR:root_device_name'] =
      '/dev/vdz';
    const result = await plan(request(server.id, snapshotId));
    expect(codes(result.blockers)).toContain('BOOT_VOLUME_UNKNOWN');
  });

  it('expires the plan after planTtlMinutes and keeps user_data only encrypted', async () => {
    const { server, snapshotId } = await volumeBootedWithSnapshot();
    const userData = Buffer.from('#cloud-config\nruncmd: [echo hi]\n').toString(
      'base64',
    );
    sim.state.servers.get(server.id)!['OS-EXT-SRV-ATTR:user_data'] = userData;
    const short = testPlanner(db, sim, { now: () => NOW, planTtlMinutes: 5 });
    const from = sim.requestLog.length;
    const result = await short.plan(request(server.id, snapshotId), USER);
    expect(writesSince(sim, from)).toEqual([]);
    expect(result.expiresAt).toBe('2026-11-26T09:10:00.000Z');
    expect(result.carryOver.userData).toEqual({
      present: true,
      sizeBytes: Buffer.from(userData, 'base64').length,
    });
    const row = await db('restore_jobs').where({ id: result.planId }).first();
    expect(row.plan).not.toContain(userData);
    expect(row.details).not.toContain(userData);
    expect(row.user_data_encrypted).not.toContain(userData);
    expect(
      new UserDataCipher(TEST_USER_DATA_KEY).decrypt(row.user_data_encrypted),
    ).toBe(userData);
  });

  it('a retry adopts only present, usable resources of the old ledger, never deleted ones (RST-19)', async () => {
    const { server, snapshotId } = await volumeBootedWithSnapshot();
    const first = await plan(request(server.id, snapshotId));
    const old = JSON.parse(
      (await db('restore_jobs').where({ id: first.planId }).first()).details,
    );
    const volume = await os.blockStorage.createVolume({
      size: old.bootVolume.sizeGb,
      snapshot_id: snapshotId,
      name: old.bootVolume.newName,
    });
    const port = await os.network.createPort({
      network_id: old.ports[0].networkId,
      name: old.ports[0].newName,
    });
    const ledger = (
      kind: string,
      resourceId: string,
      name: string,
      state: string,
    ) => ({
      job_id: first.planId,
      kind,
      resource_id: resourceId,
      name,
      state,
      created_by_job: true,
      step: kind === 'volume' ? 'CREATE_VOLUMES' : 'CREATE_PORTS',
      recorded_at: NOW,
      updated_at: NOW,
    });
    await db('restore_ledger').insert([
      ledger('volume', volume.id, old.bootVolume.newName, 'deleted'),
      ledger('port', port.id, old.ports[0].newName, 'present'),
    ]);
    await db('restore_jobs')
      .where({ id: first.planId })
      .update({ status: 'FAILED' });
    const retry = async () => {
      const from = sim.requestLog.length;
      const result = await planner.plan(request(server.id, snapshotId), USER, {
        retryOf: first.planId,
      });
      expect(writesSince(sim, from)).toEqual([]);
      const row = await db('restore_jobs').where({ id: result.planId }).first();
      expect(row.retry_of).toBe(first.planId);
      return { result, details: JSON.parse(row.details) };
    };

    const withDeleted = await retry();
    expect(withDeleted.details.bootVolume.adoptedId).toBeUndefined();
    expect(withDeleted.details.ports[0].adoptedId).toBe(port.id);
    expect(
      withDeleted.result.quota.find(q => q.resource === 'network.port'),
    ).toBeUndefined();

    await db('restore_ledger')
      .where({ job_id: first.planId, resource_id: volume.id })
      .update({ state: 'present' });
    const withPresent = await retry();
    expect(withPresent.details.bootVolume.adoptedId).toBe(volume.id);

    // in use again: a fresh GET shows it attached, so it is not adopted
    sim.state.volumes.get(volume.id)!.status = 'in-use';
    const inUse = await retry();
    expect(inUse.details.bootVolume.adoptedId).toBeUndefined();
  });

  it('PENDING jobs get queue positions in the order they were queued (RST-15)', async () => {
    const { server, snapshotId } = await volumeBootedWithSnapshot();
    const other = pickServer(sim, 'volume', { exclude: [server.id] });
    const otherSnapshot = await snapshotVolume(
      os,
      bootVolumeOf(sim, other.id).id,
    );
    const first = await plan(request(server.id, snapshotId));
    const second = await plan(request(other.id, otherSnapshot));
    await db('restore_jobs')
      .where({ id: second.planId })
      .update({
        status: 'PENDING',
        updated_at: new Date('2026-11-26T09:10:00Z'),
      });
    await db('restore_jobs')
      .where({ id: first.planId })
      .update({
        status: 'PENDING',
        updated_at: new Date('2026-11-26T09:11:00Z'),
      });
    expect((await planner.store.get(second.planId))?.queuePosition).toBe(1);
    expect((await planner.store.get(first.planId))?.queuePosition).toBe(2);
    const { items } = await planner.store.list({
      status: 'PENDING',
      page: 1,
      pageSize: 10,
    });
    expect(items.map(j => j.id).sort()).toEqual(
      [first.planId, second.planId].sort(),
    );
  });

  it('a second plan for a server with an active job is blocked (RST-15)', async () => {
    const { server, snapshotId } = await volumeBootedWithSnapshot();
    const first = await plan(request(server.id, snapshotId));
    await db('restore_jobs')
      .where({ id: first.planId })
      .update({ status: 'RUNNING' });
    const second = await plan(request(server.id, snapshotId));
    expect(codes(second.blockers)).toContain('RESTORE_ALREADY_ACTIVE');
  });
});
