import { startSimulator, Simulator } from './simulator';
import { adminToken, call, CallResult } from './testing/client';
import type { Obj } from './util';

/** The calls the VM restore feature sends (SPEC §3), answered like Nova, Cinder, Neutron and Glance. */
describe('openstack-sim: calls of the VM restore', () => {
  let sim: Simulator;
  let token: string;
  let p: string;

  const nova = (
    method: string,
    path: string,
    body?: unknown,
    mv = '2.79',
  ): Promise<CallResult> =>
    call(sim, method, `/compute/v2.1${path}`, {
      token,
      body,
      headers: { 'X-OpenStack-Nova-API-Version': mv },
    });
  const cinder = (method: string, path: string, body?: unknown) =>
    call(sim, method, `/volume/v3/${p}${path}`, {
      token,
      body,
      headers: { 'OpenStack-API-Version': 'volume 3.60' },
    });
  const neutron = (method: string, path: string, body?: unknown) =>
    call(sim, method, `/network/v2.0${path}`, { token, body });

  /** Polls until `read` gives a value `done` accepts (the simulator's transitions are 40 ms). */
  async function waitFor<T>(
    read: () => Promise<T>,
    done: (v: T) => boolean,
  ): Promise<T> {
    for (let i = 0; i < 50; i++) {
      const v = await read();
      if (done(v)) return v;
      await new Promise(r => setTimeout(r, 20));
    }
    throw new Error('condition not reached');
  }
  const serverStatus = (id: string) =>
    waitFor(
      async () => (await nova('GET', `/servers/${id}`, undefined, '2.3')).body,
      b => b.server.status !== 'BUILD',
    );
  const volumeStatus = (id: string, status: string) =>
    waitFor(
      async () => (await cinder('GET', `/volumes/${id}`)).body.volume,
      v => v.status === status,
    );

  const tenantNet = () =>
    sim.state.networks.all().find(n => !n['router:external'])!;

  async function newPort(name: string): Promise<Obj> {
    const r = await neutron('POST', '/ports', {
      port: { network_id: tenantNet().id, name },
    });
    expect(r.status).toBe(201);
    return r.body.port;
  }

  async function newVolume(size = 1, extra: Obj = {}): Promise<Obj> {
    const r = await cinder('POST', '/volumes', {
      volume: { size, name: `v-${Math.random()}`, ...extra },
    });
    expect(r.status).toBe(202);
    return volumeStatus(r.body.volume.id, 'available');
  }

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: 'small',
      seed: 11,
      transitionMs: 40,
    });
    ({ token, projectId: p } = await adminToken(sim));
    // the admin project gets room for the servers these tests build
    const q = sim.state.quotas.nova.get(p)!;
    Object.assign(q, { instances: 50, cores: 200, ram: 400000 });
  });
  afterAll(() => sim.close());
  afterEach(() => sim.faults.clear());

  describe('nova keypairs', () => {
    it("shows another user's keypair to an admin with user_id (2.10+)", async () => {
      const other = sim.state.keypairs.find(
        k => k.user_id !== sim.state.adminUserId,
      )!;
      const name = encodeURIComponent(other.keypair.name);
      const shown = await nova(
        'GET',
        `/os-keypairs/${name}?user_id=${other.user_id}`,
        undefined,
        '2.10',
      );
      expect(shown.status).toBe(200);
      expect(shown.body.keypair).toMatchObject({
        name: other.keypair.name,
        public_key: other.keypair.public_key,
        user_id: other.user_id,
        type: 'ssh',
        deleted: false,
      });
      // without user_id the caller's own keypairs are searched
      const own = await nova('GET', `/os-keypairs/${name}`, undefined, '2.10');
      expect(own.status).toBe(404);
      expect(own.body.itemNotFound.message).toContain('not found for user');
    });

    it('imports a public key (201), refuses a duplicate name (409), deletes (204)', async () => {
      const publicKey = sim.state.keypairs[0].keypair.public_key;
      const body = {
        keypair: { name: 'restore-1234abcd-k', public_key: publicKey },
      };
      const created = await nova('POST', '/os-keypairs', body);
      expect(created.status).toBe(201);
      expect(created.body.keypair.fingerprint).toMatch(
        /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/,
      );
      expect(created.body.keypair.private_key).toBeUndefined();
      expect((await nova('POST', '/os-keypairs', body)).status).toBe(409);
      const bad = await nova('POST', '/os-keypairs', {
        keypair: { name: 'k2', public_key: 'not a key' },
      });
      expect(bad.status).toBe(400);
      expect(
        (await nova('DELETE', '/os-keypairs/restore-1234abcd-k')).status,
      ).toBe(204);
      expect(
        (await nova('GET', '/os-keypairs/restore-1234abcd-k')).status,
      ).toBe(404);
      expect(
        (await nova('DELETE', '/os-keypairs/restore-1234abcd-k')).status,
      ).toBe(404);
    });
  });

  describe('nova servers', () => {
    it('boots from a volume with a caller port, user_data, group, tags; delete keeps both', async () => {
      const snapVol = await newVolume(2);
      const snap = await cinder('POST', '/snapshots', {
        snapshot: { volume_id: snapVol.id, name: 'boot-snap' },
      });
      await waitFor(
        async () =>
          (
            await cinder('GET', `/snapshots/${snap.body.snapshot.id}`)
          ).body,
        b => b.snapshot.status === 'available',
      );
      const boot = await newVolume(3, {
        snapshot_id: snap.body.snapshot.id,
        availability_zone: 'nova',
      });
      expect(boot.snapshot_id).toBe(snap.body.snapshot.id);
      const port = await newPort('restore-1-0');
      const group = sim.state.serverGroups.all()[0];
      const userData = Buffer.from('#cloud-config\n').toString('base64');
      const created = await nova('POST', '/servers', {
        server: {
          name: 'web-restored-20260101-1200',
          flavorRef: sim.state.flavors.all()[0].id,
          key_name: 'admin-key',
          metadata: { restore_job_id: 'job-1' },
          user_data: userData,
          tags: ['restored'],
          description: 'restored twin',
          block_device_mapping_v2: [
            {
              boot_index: 0,
              uuid: boot.id,
              source_type: 'volume',
              destination_type: 'volume',
              delete_on_termination: false,
            },
          ],
          networks: [{ port: port.id }],
        },
        'os:scheduler_hints': { group: group.id },
      });
      expect(created.status).toBe(202);
      const id = created.body.server.id;
      const building = (await nova('GET', `/servers/${id}`)).body.server;
      expect(building.status).toBe('BUILD');
      expect(building.image).toBe('');

      const done = (await serverStatus(id)).server;
      expect(done.status).toBe('ACTIVE');
      expect(done['OS-EXT-SRV-ATTR:user_data']).toBe(userData);
      expect(done.metadata).toEqual({ restore_job_id: 'job-1' });
      expect(done.key_name).toBe('admin-key');
      const full = (await nova('GET', `/servers/${id}`)).body.server;
      expect(full.tags).toEqual(['restored']);
      expect(full.description).toBe('restored twin');
      expect(full['os-extended-volumes:volumes_attached']).toEqual([
        { id: boot.id, delete_on_termination: false },
      ]);
      const old = (await nova('GET', `/servers/${id}`, undefined, '2.1')).body;
      expect(old.server['OS-EXT-SRV-ATTR:user_data']).toBeUndefined();
      expect(sim.state.serverGroups.get(group.id)!.members).toContain(id);

      const bound = (await neutron('GET', `/ports/${port.id}`)).body.port;
      expect(bound.device_id).toBe(id);
      expect(bound.device_owner).toBe(
        `compute:${done['OS-EXT-AZ:availability_zone']}`,
      );
      expect(bound.status).toBe('ACTIVE');
      const attached = (await cinder('GET', `/volumes/${boot.id}`)).body.volume;
      expect(attached.status).toBe('in-use');
      expect(attached.attachments[0].server_id).toBe(id);

      // a port that is bound cannot be passed to another server
      const busy = await nova('POST', '/servers', {
        server: {
          name: 'second',
          flavorRef: sim.state.flavors.all()[0].id,
          imageRef: sim.state.images.all()[0].id,
          networks: [{ port: port.id }],
        },
      });
      expect(busy.status).toBe(409);
      expect(busy.body.conflictingRequest.message).toContain('still in use');

      const found = await nova(
        'GET',
        `/servers/detail?all_tenants=1&name=${encodeURIComponent(
          '^web-restored-20260101-1200$',
        )}`,
      );
      expect(found.body.servers.map((s: Obj) => s.id)).toEqual([id]);
      const prefix = await nova(
        'GET',
        '/servers?all_tenants=1&name=^web-restored',
      );
      expect(prefix.body.servers.map((s: Obj) => s.id)).toEqual([id]);

      expect((await nova('DELETE', `/servers/${id}`)).status).toBe(204);
      const kept = (await neutron('GET', `/ports/${port.id}`)).body.port;
      expect(kept.device_id).toBe('');
      expect(kept['binding:host_id']).toBe('');
      const freed = (await cinder('GET', `/volumes/${boot.id}`)).body.volume;
      expect(freed.status).toBe('available');
      expect(freed.attachments).toEqual([]);
      expect(sim.state.serverGroups.get(group.id)!.members).not.toContain(id);
    });

    it('deletes the ports Nova created and delete_on_termination volumes with the server', async () => {
      const vol = await newVolume(1);
      const created = await nova('POST', '/servers', {
        server: {
          name: 'dot',
          flavorRef: sim.state.flavors.all()[0].id,
          block_device_mapping_v2: [
            {
              boot_index: 0,
              uuid: vol.id,
              source_type: 'volume',
              destination_type: 'volume',
              delete_on_termination: true,
            },
          ],
          networks: [{ uuid: tenantNet().id }],
        },
      });
      const id = created.body.server.id;
      await serverStatus(id);
      const ports = (await neutron('GET', `/ports?device_id=${id}`)).body.ports;
      expect(ports).toHaveLength(1);
      await nova('DELETE', `/servers/${id}`);
      expect((await neutron('GET', `/ports/${ports[0].id}`)).status).toBe(404);
      expect((await cinder('GET', `/volumes/${vol.id}`)).status).toBe(404);
    });

    it('refuses an unknown key_name (400) and a server over quota (403)', async () => {
      const base = {
        name: 'q',
        flavorRef: sim.state.flavors.all()[0].id,
        imageRef: sim.state.images.all()[0].id,
        networks: 'none',
      };
      const noKey = await nova('POST', '/servers', {
        server: { ...base, key_name: 'no-such-key' },
      });
      expect(noKey.status).toBe(400);
      expect(noKey.body.badRequest.message).toBe(
        `Keypair no-such-key not found for user ${sim.state.adminUserId}`,
      );
      const q = sim.state.quotas.nova.get(p)!;
      const saved = q.cores;
      const used = sim.state.servers
        .filter(s => s.tenant_id === p)
        .reduce((n, s) => n + s.flavor.vcpus, 0);
      q.cores = used;
      try {
        const over = await nova('POST', '/servers', { server: base });
        expect(over.status).toBe(403);
        expect(over.body.forbidden.message).toContain(
          'Quota exceeded for cores',
        );
        const detail = await nova('GET', `/os-quota-sets/${p}/detail`);
        expect(detail.body.quota_set.cores).toEqual({
          limit: used,
          in_use: used,
          reserved: 0,
        });
      } finally {
        q.cores = saved;
      }
    });

    it('restores from a volume-backed server image: Nova builds the volumes from its mapping', async () => {
      const source = sim.state.servers
        .all()
        .find(s => s.image === '' && s.status === 'ACTIVE')!;
      const before = sim.state.snapshots.size;
      const made = await nova(
        'POST',
        `/servers/${source.id}/action`,
        {
          createImage: { name: 'bfv-image', metadata: { restore: 'point' } },
        },
        '2.45',
      );
      expect(made.status).toBe(202);
      const imageId = made.body.image_id;
      expect(sim.state.snapshots.size).toBe(
        before + sim.state.serverVolumes.get(source.id)!.length,
      );
      const listed = await waitFor(
        () =>
          call(
            sim,
            'GET',
            `/image/v2/images?instance_uuid=${source.id}&image_type=snapshot`,
            { token },
          ),
        r => r.body.images.some((i: Obj) => i.status === 'active'),
      );
      const image = listed.body.images.find((i: Obj) => i.id === imageId);
      expect(image).toMatchObject({
        image_type: 'snapshot',
        instance_uuid: source.id,
        restore: 'point',
        bdm_v2: 'True',
      });
      const mapping = JSON.parse(image.block_device_mapping);
      expect(mapping.find((m: Obj) => m.boot_index === 0).source_type).toBe(
        'snapshot',
      );
      await waitFor(
        async () =>
          mapping.map(
            (m: Obj) => sim.state.snapshots.get(m.snapshot_id)?.status,
          ),
        s => s.every((x: string) => x === 'available'),
      );

      const created = await nova('POST', '/servers', {
        server: {
          name: 'from-image',
          flavorRef: sim.state.flavors.all()[0].id,
          imageRef: imageId,
          networks: 'none',
        },
      });
      expect(created.status).toBe(202);
      const server = (await serverStatus(created.body.server.id)).server;
      expect(server.status).toBe('ACTIVE');
      expect(server.image).toBe('');
      const vols = server['os-extended-volumes:volumes_attached'];
      expect(vols).toHaveLength(mapping.length);
      const bootVol = sim.state.volumes.get(vols[0].id)!;
      expect(mapping.map((m: Obj) => m.snapshot_id)).toContain(
        bootVol.snapshot_id,
      );
      expect(bootVol.status).toBe('in-use');
    });

    it('creates an image snapshot of an image-booted server (queued, then active)', async () => {
      const source = sim.state.servers
        .all()
        .find(s => s.image !== '' && s.status === 'ACTIVE')!;
      const made = await nova(
        'POST',
        `/servers/${source.id}/action`,
        {
          createImage: { name: 'img-snap' },
        },
        '2.1',
      );
      expect(made.status).toBe(202);
      const imageId = made.headers.get('location')!.split('/').pop()!;
      const image = await waitFor(
        async () =>
          (
            await call(sim, 'GET', `/image/v2/images/${imageId}`, { token })
          ).body,
        b => b.status === 'active',
      );
      expect(image).toMatchObject({
        image_type: 'snapshot',
        instance_uuid: source.id,
        base_image_ref: source.image.id,
        visibility: 'private',
      });
      expect(image.block_device_mapping).toBeUndefined();
      const other = await call(
        sim,
        'GET',
        `/image/v2/images?instance_uuid=${source.id}&image_type=server`,
        { token },
      );
      expect(other.body.images).toEqual([]);
      expect(
        (await call(sim, 'DELETE', `/image/v2/images/${imageId}`, { token }))
          .status,
      ).toBe(204);
    });
  });

  describe('nova volume attachments', () => {
    it('attaches, updates delete_on_termination only from 2.85, detaches', async () => {
      const server = sim.state.servers
        .all()
        .find(s => s.image !== '' && s.status === 'ACTIVE')!;
      const vol = await newVolume(1);
      const path = `/servers/${server.id}/os-volume_attachments`;
      const attached = await nova('POST', path, {
        volumeAttachment: { volumeId: vol.id },
      });
      expect(attached.status).toBe(200);
      expect(attached.body.volumeAttachment).toMatchObject({
        volumeId: vol.id,
        serverId: server.id,
        delete_on_termination: false,
      });
      expect(
        (await cinder('GET', `/volumes/${vol.id}`)).body.volume.status,
      ).toBe('attaching');
      await volumeStatus(vol.id, 'in-use');
      const again = await nova('POST', path, {
        volumeAttachment: { volumeId: vol.id },
      });
      expect(again.status).toBe(400);

      const update = {
        volumeAttachment: { volumeId: vol.id, delete_on_termination: true },
      };
      expect(
        (await nova('PUT', `${path}/${vol.id}`, update, '2.79')).status,
      ).toBe(400);
      expect(
        (await nova('PUT', `${path}/${vol.id}`, update, '2.85')).status,
      ).toBe(202);
      const shown = await nova('GET', `${path}/${vol.id}`);
      expect(shown.body.volumeAttachment.delete_on_termination).toBe(true);
      expect(
        sim.state.servers
          .get(server.id)!
          ['os-extended-volumes:volumes_attached'].find(
            (a: Obj) => a.id === vol.id,
          ),
      ).toEqual({ id: vol.id, delete_on_termination: true });

      expect((await nova('DELETE', `${path}/${vol.id}`)).status).toBe(202);
      await volumeStatus(vol.id, 'available');
      expect((await nova('GET', `${path}/${vol.id}`)).status).toBe(404);
      expect((await nova('DELETE', `${path}/${vol.id}`)).status).toBe(404);
    });

    it('refuses to detach the root volume of a volume-booted server', async () => {
      const server = sim.state.servers
        .all()
        .find(s => s.image === '' && s.status === 'ACTIVE')!;
      const root = sim.state.serverVolumes
        .get(server.id)!
        .find(a => a.device === server['OS-EXT-SRV-ATTR:root_device_name'])!;
      const r = await nova(
        'DELETE',
        `/servers/${server.id}/os-volume_attachments/${root.volumeId}`,
      );
      expect(r.status).toBe(400);
    });
  });

  describe('cinder', () => {
    it('creates a volume from a snapshot no smaller than it, with type, AZ and metadata', async () => {
      const snap = sim.state.snapshots
        .all()
        .find(s => s.status === 'available' && s.size > 1)!;
      const small = await cinder('POST', '/volumes', {
        volume: { size: snap.size - 1, snapshot_id: snap.id },
      });
      expect(small.status).toBe(400);
      expect(small.body.badRequest.message).toContain(
        'cannot be smaller than the snapshot size',
      );
      const badType = await cinder('POST', '/volumes', {
        volume: { size: snap.size, snapshot_id: snap.id, volume_type: 'nope' },
      });
      expect(badType.status).toBe(404);
      const r = await cinder('POST', '/volumes', {
        volume: {
          name: 'restore-abcd1234-0',
          size: snap.size + 1,
          snapshot_id: snap.id,
          volume_type: 'standard',
          availability_zone: 'nova',
          metadata: { restore_job_id: 'abcd1234' },
        },
      });
      expect(r.status).toBe(202);
      expect(r.body.volume).toMatchObject({
        status: 'creating',
        snapshot_id: snap.id,
        volume_type: 'standard',
        availability_zone: 'nova',
        metadata: { restore_job_id: 'abcd1234' },
      });
      await volumeStatus(r.body.volume.id, 'available');
      const byName = await cinder(
        'GET',
        '/volumes/detail?all_tenants=1&name=restore-abcd1234-0',
      );
      expect(byName.body.volumes.map((v: Obj) => v.id)).toEqual([
        r.body.volume.id,
      ]);
    });

    it('snapshots an in-use volume only with force, lists snapshots by volume_id and status', async () => {
      const vol = sim.state.volumes.all().find(v => v.status === 'in-use')!;
      sim.state.quotas.cinder.get(p)!.snapshots = -1;
      const refused = await cinder('POST', '/snapshots', {
        snapshot: { volume_id: vol.id },
      });
      expect(refused.status).toBe(400);
      const forced = await cinder('POST', '/snapshots', {
        snapshot: {
          volume_id: vol.id,
          force: true,
          metadata: { restore_job_id: 'j', purpose: 'safety' },
        },
      });
      expect(forced.status).toBe(202);
      const id = forced.body.snapshot.id;
      const listed = await waitFor(
        () =>
          cinder(
            'GET',
            `/snapshots/detail?all_tenants=1&volume_id=${vol.id}&status=available`,
          ),
        r => r.body.snapshots.some((s: Obj) => s.id === id),
      );
      expect(
        listed.body.snapshots.every(
          (s: Obj) => s.volume_id === vol.id && s.status === 'available',
        ),
      ).toBe(true);
    });

    it('reports quota usage with per-type keys', async () => {
      const r = await cinder('GET', `/os-quota-sets/${p}?usage=true`);
      expect(r.body.quota_set.volumes).toEqual({
        limit: expect.any(Number),
        in_use: sim.state.volumes.filter(
          v => v['os-vol-tenant-attr:tenant_id'] === p,
        ).length,
        reserved: 0,
      });
      expect(r.body.quota_set.gigabytes_standard).toMatchObject({ limit: -1 });
      const used = r.body.quota_set.volumes_standard.in_use;
      const set = await cinder('PUT', `/os-quota-sets/${p}`, {
        quota_set: { volumes_standard: used },
      });
      expect(set.body.quota_set.volumes_standard).toBe(used);
      const over = await cinder('POST', '/volumes', {
        volume: { size: 1, volume_type: 'standard' },
      });
      expect(over.status).toBe(413);
      expect(over.body.overLimit.message).toContain("'volumes_standard'");
      await cinder('PUT', `/os-quota-sets/${p}`, {
        quota_set: { volumes_standard: -1 },
      });
    });
  });

  describe('neutron', () => {
    it('finds ports by fixed IP, network, name and device_id', async () => {
      const port = await newPort('restore-find-me');
      const ip = port.fixed_ips[0].ip_address;
      const byIp = await neutron(
        'GET',
        `/ports?network_id=${port.network_id}&fixed_ips=${encodeURIComponent(
          `ip_address=${ip}`,
        )}`,
      );
      expect(byIp.body.ports.map((x: Obj) => x.id)).toEqual([port.id]);
      const byName = await neutron('GET', '/ports?name=restore-find-me');
      expect(byName.body.ports.map((x: Obj) => x.id)).toEqual([port.id]);
      const unbound = await neutron(
        'GET',
        `/ports?device_id=&network_id=${port.network_id}`,
      );
      expect(unbound.body.ports.map((x: Obj) => x.id)).toContain(port.id);
    });

    it('creates a port with a requested IP, MAC and security groups; refuses conflicts', async () => {
      const net = tenantNet();
      const subnet = sim.state.subnets.get(net.subnets[0])!;
      const holder = await newPort('holder'); // unbound: empty device_id
      const held = holder.fixed_ips[0].ip_address;
      const sg = sim.state.securityGroups
        .all()
        .find(g => g.project_id === net.project_id)!;
      const taken = await neutron('POST', '/ports', {
        port: {
          network_id: net.id,
          fixed_ips: [{ subnet_id: subnet.id, ip_address: held }],
        },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.NeutronError.type).toBe('IpAddressAlreadyAllocated');
      const outside = await neutron('POST', '/ports', {
        port: {
          network_id: net.id,
          fixed_ips: [{ subnet_id: subnet.id, ip_address: '203.0.113.77' }],
        },
      });
      expect(outside.status).toBe(400);
      expect(outside.body.NeutronError.type).toBe('InvalidIpForSubnet');
      const macTaken = await neutron('POST', '/ports', {
        port: { network_id: net.id, mac_address: holder.mac_address },
      });
      expect(macTaken.status).toBe(409);
      expect(macTaken.body.NeutronError.type).toBe('MacAddressInUse');

      // the holder goes; its address can now be requested with a MAC and groups
      await neutron('DELETE', `/ports/${holder.id}`);
      const r = await neutron('POST', '/ports', {
        port: {
          network_id: net.id,
          name: 'restore-abcd1234-0',
          fixed_ips: [{ subnet_id: subnet.id, ip_address: held }],
          mac_address: 'fa:16:3e:00:00:01',
          security_groups: [sg.id],
        },
      });
      expect(r.status).toBe(201);
      expect(r.body.port).toMatchObject({
        name: 'restore-abcd1234-0',
        mac_address: 'fa:16:3e:00:00:01',
        security_groups: [sg.id],
        fixed_ips: [{ subnet_id: subnet.id, ip_address: held }],
        device_id: '',
      });
    });

    it('reports quota details with used and limit', async () => {
      const r = await neutron('GET', `/quotas/${p}/details`);
      expect(r.status).toBe(200);
      expect(r.body.quota.port).toEqual({
        limit: expect.any(Number),
        used: sim.state.ports.filter(x => x.project_id === p).length,
        reserved: 0,
      });
    });
  });

  describe('faults of single routes and failing builds', () => {
    it('targets one method of one route', async () => {
      sim.faults.add({
        method: 'POST',
        pathPattern: '/network/v2.0/ports$',
        status: 500,
      });
      expect((await neutron('GET', '/ports?name=x')).status).toBe(200);
      const r = await neutron('POST', '/ports', {
        port: { network_id: tenantNet().id },
      });
      expect(r.status).toBe(500);
      expect(r.body.NeutronError).toBeDefined();
      sim.faults.clear();
      const vol = await newVolume(1);
      sim.faults.add({
        method: 'DELETE',
        pathPattern: '/volumes/[^/]+$',
        status: 503,
        times: 1,
      });
      expect((await cinder('GET', `/volumes/${vol.id}`)).status).toBe(200);
      expect((await cinder('DELETE', `/volumes/${vol.id}`)).status).toBe(503);
      expect((await cinder('DELETE', `/volumes/${vol.id}`)).status).toBe(202);
    });

    it('ends a server build in ERROR with fault.message; Nova cleans up its ports', async () => {
      const vol = await newVolume(1);
      const port = await newPort('restore-err-0');
      sim.faults.add({
        method: 'POST',
        pathPattern: '/compute/v2.1/servers$',
        buildError: 'Exceeded maximum number of retries.',
        times: 1,
      });
      const created = await nova('POST', '/servers', {
        server: {
          name: 'will-fail',
          flavorRef: sim.state.flavors.all()[0].id,
          block_device_mapping_v2: [
            {
              boot_index: 0,
              uuid: vol.id,
              source_type: 'volume',
              destination_type: 'volume',
            },
          ],
          networks: [{ port: port.id }, { uuid: tenantNet().id }],
        },
      });
      expect(created.status).toBe(202);
      const id = created.body.server.id;
      const novaPort = sim.state.ports.all().find(x => x.device_id === id)!;
      const failed = (await serverStatus(id)).server;
      expect(failed.status).toBe('ERROR');
      expect(failed.fault.message).toBe('Exceeded maximum number of retries.');
      expect(sim.state.ports.has(novaPort.id)).toBe(false);
      expect(sim.state.ports.get(port.id)!.device_id).toBe('');
      expect(sim.state.volumes.get(vol.id)!.status).toBe('available');
      expect((await nova('DELETE', `/servers/${id}`)).status).toBe(204);
      expect(sim.state.ports.has(port.id)).toBe(true);
    });

    it('ends a volume create in error', async () => {
      sim.faults.add({
        method: 'POST',
        pathPattern: '/volumes$',
        buildError: 'no space',
        times: 1,
      });
      const r = await cinder('POST', '/volumes', { volume: { size: 1 } });
      expect(r.status).toBe(202);
      await volumeStatus(r.body.volume.id, 'error');
      const ok = await cinder('POST', '/volumes', { volume: { size: 1 } });
      await volumeStatus(ok.body.volume.id, 'available');
    });

    it('logs method, path and query of every call', async () => {
      const from = sim.requestLog.length;
      await nova('GET', '/servers/detail?all_tenants=1&name=%5Eabc%24');
      await neutron('POST', '/ports', { port: { network_id: 'missing' } });
      expect(
        sim.requestLog.slice(from).map(e => [e.method, e.path, e.query]),
      ).toEqual([
        [
          'GET',
          '/compute/v2.1/servers/detail',
          { all_tenants: '1', name: '^abc$' },
        ],
        ['POST', '/network/v2.0/ports', {}],
      ]);
    });
  });
});
