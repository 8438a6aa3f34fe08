import { randomBytes, randomUUID } from 'crypto';
import {
  addServerAddress,
  makePort,
  makeServer,
  makeVolume,
  markVolumeAttached,
  recordBlockDevice,
} from './builders';
import { Ctx, Reply, fail } from './http';
import { SimState } from './state';
import { Obj, isoMicro, isoZ } from './util';

/** One disk of a server being built: an existing volume, or one Nova asks Cinder to create. */
interface PlannedDisk {
  vol?: Obj;
  create?: { size: number; snapshot?: Obj; imageId?: string };
  bootIndex: number | null;
  device?: string;
  dot: boolean;
}

interface PlannedNic {
  net: Obj;
  subnet: Obj;
  ip?: string;
  port?: Obj;
}

const bad = (message: string): never => fail('compute', 400, message);

/** A volume-backed server image (created by `createImage`) carries its disks as a JSON mapping. */
function imageMapping(image: Obj): Obj[] | undefined {
  if (!image.block_device_mapping) return undefined;
  try {
    const m = JSON.parse(image.block_device_mapping);
    return Array.isArray(m) ? m : undefined;
  } catch {
    return undefined;
  }
}

function planDisk(st: SimState, b: Obj): PlannedDisk {
  const bootIndex =
    b.boot_index === undefined || b.boot_index === null
      ? null
      : Number(b.boot_index);
  const disk: PlannedDisk = {
    bootIndex,
    device: b.device_name ?? undefined,
    dot: b.delete_on_termination === true || b.delete_on_termination === 'true',
  };
  const size = Number(b.volume_size ?? 0);
  switch (b.source_type) {
    case 'volume': {
      const uuid = b.uuid ?? b.volume_id;
      const vol = st.volumes.get(uuid);
      if (!vol)
        bad(`Block Device Mapping is Invalid: failed to get volume ${uuid}.`);
      if (vol!.status !== 'available')
        bad(
          `Block Device Mapping is Invalid: Volume ${
            vol!.id
          } status must be available, but current status is: ${vol!.status}.`,
        );
      return { ...disk, vol };
    }
    case 'snapshot': {
      const uuid = b.uuid ?? b.snapshot_id;
      const snapshot = st.snapshots.get(uuid);
      if (!snapshot)
        bad(`Block Device Mapping is Invalid: failed to get snapshot ${uuid}.`);
      if (snapshot!.status !== 'available')
        bad(
          `Block Device Mapping is Invalid: Snapshot ${uuid} status must be available, but current status is: ${
            snapshot!.status
          }.`,
        );
      return {
        ...disk,
        create: { size: Math.max(size, snapshot!.size), snapshot },
      };
    }
    case 'image': {
      const uuid = b.uuid ?? b.image_id;
      if (!st.images.get(uuid)) bad(`Image ${uuid} could not be found.`);
      if (size < 1)
        bad(
          "Images with destination_type 'volume' need to have a non-zero size specified",
        );
      return { ...disk, create: { size, imageId: uuid } };
    }
    case 'blank':
      if (size < 1) bad('Blank volumes need a volume_size.');
      return { ...disk, create: { size } };
    default:
      return bad(
        `Block Device Mapping is Invalid: Unrecognized source_type ${b.source_type}.`,
      );
  }
}

/**
 * The disks of a new server and its image: a BDM with boot_index 0 boots from a volume (existing,
 * or built from an image, snapshot or nothing); an `imageRef` that is a volume-backed server image
 * makes Nova build the volumes from the image's mapping; otherwise the server boots from the image.
 */
function planDisks(
  st: SimState,
  req: Obj,
): { imageId?: string; disks: PlannedDisk[] } {
  const bdm: Obj[] = Array.isArray(req.block_device_mapping_v2)
    ? req.block_device_mapping_v2
    : [];
  const image = req.imageRef ? st.images.get(req.imageRef) : undefined;
  if (req.imageRef && !image) bad(`Image ${req.imageRef} could not be found.`);
  const mapping = image ? imageMapping(image) : undefined;
  const entries = [
    ...(mapping ?? []),
    ...bdm.filter(
      b => !(b.source_type === 'image' && b.destination_type !== 'volume'),
    ),
  ];
  const disks = entries.map(b => planDisk(st, b));
  const volumeBoot = disks.some(d => d.bootIndex === 0);
  if (volumeBoot) return { disks };
  const localImage =
    bdm.find(b => b.source_type === 'image' && b.destination_type !== 'volume')
      ?.uuid ?? req.imageRef;
  if (!localImage || !st.images.get(localImage))
    bad(`Image ${localImage ?? ''} could not be found.`);
  return { imageId: localImage, disks };
}

function checkQuota(st: SimState, projectId: string, flavor: Obj) {
  const quota = st.quotas.nova.get(projectId);
  if (!quota) return;
  const mine = st.servers.filter(s => s.tenant_id === projectId);
  const used: Obj = {
    instances: mine.length,
    cores: mine.reduce((n, s) => n + s.flavor.vcpus, 0),
    ram: mine.reduce((n, s) => n + s.flavor.ram, 0),
  };
  const need: Obj = { instances: 1, cores: flavor.vcpus, ram: flavor.ram };
  for (const k of ['instances', 'cores', 'ram']) {
    const limit = quota[k];
    if (limit >= 0 && used[k] + need[k] > limit)
      fail(
        'compute',
        403,
        `Quota exceeded for ${k}: Requested ${need[k]}, but already used ${used[k]} of ${limit} ${k}`,
      );
  }
}

function planNics(st: SimState, req: Obj): PlannedNic[] {
  const nets: Obj[] = Array.isArray(req.networks) ? req.networks : [];
  const planned: PlannedNic[] = [];
  for (const n of nets) {
    if (n.port) {
      const port = st.ports.get(n.port);
      if (!port) bad(`Port id ${n.port} could not be found.`);
      if (port!.device_id)
        fail('compute', 409, `Port ${n.port} is still in use.`);
      planned.push({
        net: st.networks.get(port!.network_id)!,
        subnet: st.subnets.get(port!.fixed_ips[0]?.subnet_id)!,
        port,
      });
      continue;
    }
    const net = st.networks.get(n.uuid);
    if (!net) bad(`Network ${n.uuid} could not be found.`);
    const subnet = st.subnets.get(net!.subnets[0]);
    if (n.fixed_ip && subnet && st.isIpUsed(subnet.id, n.fixed_ip))
      bad(`Fixed IP address ${n.fixed_ip} is already in use on instance.`);
    planned.push({ net: net!, subnet: subnet!, ip: n.fixed_ip });
  }
  return planned;
}

/** An enabled, up hypervisor of the requested availability zone (400 when the zone has none). */
function pickHypervisor(st: SimState, az?: string): Obj {
  const zoneOf = new Map(st.computeServices.map(s => [s.host, s.zone]));
  const up = st.hypervisors
    .all()
    .filter(h => h.state === 'up' && h.status === 'enabled');
  if (!az) return up[0] ?? st.hypervisors.all()[0];
  const hv = up.find(h => zoneOf.get(h.service.host) === az);
  if (!hv) bad('The requested availability zone is not available');
  return hv!;
}

function validateExtras(ctx: Ctx, req: Obj): Obj | undefined {
  const st = ctx.state;
  if (
    req.key_name &&
    !st.keypairs.some(
      k => k.user_id === ctx.token!.userId && k.keypair.name === req.key_name,
    )
  )
    bad(`Keypair ${req.key_name} not found for user ${ctx.token!.userId}`);
  if (
    req.user_data !== undefined &&
    req.user_data !== null &&
    !/^[A-Za-z0-9+/]*={0,2}$/.test(String(req.user_data).replace(/\s/g, ''))
  )
    bad(
      `Invalid input for field/attribute user_data. Value: ${req.user_data}. '${req.user_data}' is not a 'base64'`,
    );
  const groupId = ctx.body?.['os:scheduler_hints']?.group;
  if (!groupId) return undefined;
  const group = st.serverGroups.get(groupId);
  if (!group) bad(`Instance group ${groupId} could not be found.`);
  return group;
}

function newMac(): string {
  return `fa:16:3e:${randomBytes(3)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1:')}`;
}

/** Ports Nova creates itself for `networks: [{uuid}]`; caller ports are bound when the build ends. */
function createNovaPorts(ctx: Ctx, server: Obj, nics: PlannedNic[]): Obj[] {
  const st = ctx.state;
  const projectId = server.tenant_id;
  const ports: Obj[] = [];
  for (const p of nics) {
    if (p.port) {
      ports.push(p.port);
      continue;
    }
    const ip = st.allocateIp(p.subnet.id, p.ip);
    if (!ip) bad('No more IP addresses available on network.');
    const sgIds = st.securityGroups
      .all()
      .filter(
        g =>
          g.project_id === projectId &&
          server.security_groups.some((x: Obj) => x.name === g.name),
      )
      .map(g => g.id);
    const port = makePort(st, {
      id: randomUUID(),
      projectId,
      networkId: p.net.id,
      fixedIps: [{ subnet_id: p.subnet.id, ip_address: ip! }],
      mac: newMac(),
      securityGroups: sgIds,
      deviceId: server.id,
      deviceOwner: `compute:${server['OS-EXT-AZ:availability_zone']}`,
      createdMs: Date.now(),
    });
    st.ports.add(port);
    ports.push(port);
  }
  return ports;
}

/** Volumes Nova asks Cinder for (named '' like Nova's), reserved ones for existing volumes. */
function prepareVolumes(ctx: Ctx, server: Obj, disks: PlannedDisk[]): Obj[] {
  const st = ctx.state;
  let next = server.image ? 1 : 0;
  const sorted = [...disks].sort(
    (a, b) => (a.bootIndex ?? 99) - (b.bootIndex ?? 99),
  );
  return sorted.map(d => {
    let vol = d.vol;
    if (!vol) {
      const source = d.create!.snapshot
        ? st.volumes.get(d.create!.snapshot.volume_id)
        : undefined;
      vol = makeVolume(st, {
        id: randomUUID(),
        projectId: server.tenant_id,
        userId: server.user_id,
        name: '',
        size: d.create!.size,
        status: 'creating',
        createdMs: Date.now(),
        volumeType: source?.volume_type,
        bootable: !!d.create!.imageId || source?.bootable === 'true',
        imageId: d.create!.imageId,
        snapshotId: d.create!.snapshot?.id ?? null,
        description: '',
        availabilityZone: server['OS-EXT-AZ:availability_zone'],
      });
      if (source?.volume_image_metadata)
        vol.volume_image_metadata = { ...source.volume_image_metadata };
      st.volumes.add(vol);
    } else vol.status = 'reserved';
    const device = d.device ?? `/dev/vd${String.fromCharCode(97 + next++)}`;
    recordBlockDevice(st, vol, server, device, d.dot);
    return vol;
  });
}

/** The end of a build: ACTIVE with bound ports and attached volumes, or ERROR (a `buildError` fault). */
function finishBuild(ctx: Ctx, server: Obj, ports: Obj[], failure?: string) {
  const st = ctx.state;
  if (!st.servers.has(server.id)) return;
  const now = Date.now();
  server['OS-EXT-STS:task_state'] = null;
  server.updated = isoZ(now);
  const bdms = st.serverVolumes.get(server.id) ?? [];
  if (failure) {
    server.status = 'ERROR';
    server['OS-EXT-STS:vm_state'] = 'error';
    server['OS-EXT-STS:power_state'] = 0;
    server.fault = { code: 500, created: isoZ(now), message: failure };
    // Nova deallocates the network (deletes its own ports) and cleans up the volumes it reserved
    for (const port of ports)
      if (port.device_id === server.id) deletePort(st, port);
    for (const a of bdms) {
      const vol = st.volumes.get(a.volumeId);
      if (!vol) continue;
      if (a.delete_on_termination && !hasSnapshots(st, vol.id))
        st.volumes.remove(vol.id);
      else vol.status = 'available';
    }
    return;
  }
  server.status = 'ACTIVE';
  server['OS-EXT-STS:vm_state'] = 'active';
  server['OS-EXT-STS:power_state'] = 1;
  server['OS-SRV-USG:launched_at'] = isoMicro(now);
  for (const port of ports) {
    if (!st.ports.has(port.id)) continue;
    port.device_id = server.id;
    port.device_owner = `compute:${server['OS-EXT-AZ:availability_zone']}`;
    port['binding:host_id'] = server['OS-EXT-SRV-ATTR:hypervisor_hostname'];
    port['binding:vif_type'] = 'ovs';
    port.status = 'ACTIVE';
    port.revision_number += 1;
    port.updated_at = isoZ(now);
    const net = st.networks.get(port.network_id);
    addServerAddress(
      server,
      net?.name ?? port.network_id,
      port.fixed_ips[0].ip_address,
      port.mac_address,
    );
  }
  for (const a of bdms) {
    const vol = st.volumes.get(a.volumeId);
    if (vol) markVolumeAttached(vol, server, a.device, now, randomUUID());
  }
}

export function createServer(ctx: Ctx): Reply {
  const st = ctx.state;
  const req = ctx.body?.server;
  if (!req?.name)
    bad(
      "Invalid input for field/attribute server. Value: None. 'name' is a required property",
    );
  const flavor =
    st.flavors.get(req.flavorRef) ??
    st.flavors.all().find(f => f.name === req.flavorRef);
  if (!flavor) bad(`Flavor ${req.flavorRef} could not be found.`);
  const group = validateExtras(ctx, req);
  const { imageId, disks } = planDisks(st, req);
  const projectId = ctx.token!.projectId!;
  checkQuota(st, projectId, flavor!);
  const nics = planNics(st, req);
  const hv = pickHypervisor(st, req.availability_zone);
  const zoneOf = new Map(st.computeServices.map(s => [s.host, s.zone]));
  const now = Date.now();
  const server = makeServer(st, {
    id: randomUUID(),
    name: req.name,
    projectId,
    userId: ctx.token!.userId,
    flavor: flavor!,
    imageId,
    hypervisor: hv,
    az: req.availability_zone ?? zoneOf.get(hv.service.host) ?? 'nova',
    createdMs: now,
    status: 'BUILD',
    keyName: req.key_name ?? null,
    metadata: req.metadata ?? {},
    securityGroups: (req.security_groups ?? [{ name: 'default' }]).map(
      (g: Obj) => g.name,
    ),
    hostId: randomBytes(28).toString('hex'),
    reservationId: `r-${randomBytes(4).toString('hex')}`,
  });
  server['OS-EXT-STS:task_state'] = 'scheduling';
  server['OS-EXT-SRV-ATTR:user_data'] = req.user_data ?? null;
  server.tags = Array.isArray(req.tags) ? [...req.tags] : [];
  server.description = req.description ?? null;
  server.updated = isoZ(now);
  const ports = createNovaPorts(ctx, server, nics);
  const passed = nics.filter(n => n.port).map(n => n.port!.id);
  if (passed.length) st.preservedPorts.set(server.id, new Set(passed));
  prepareVolumes(ctx, server, disks);
  if (group) group.members = [...group.members, server.id];
  st.servers.add(server);
  const failure = ctx.buildError;
  ctx.sim.schedule(ctx.sim.options.transitionMs, () =>
    finishBuild(ctx, server, ports, failure),
  );
  return {
    status: 202,
    body: {
      server: {
        id: server.id,
        links: server.links,
        'OS-DCF:diskConfig': 'MANUAL',
        security_groups: server.security_groups,
        adminPass: randomBytes(9).toString('base64url'),
      },
    },
    headers: { location: server.links[0].href },
  };
}

function hasSnapshots(st: SimState, volumeId: string): boolean {
  return st.snapshots.all().some(s => s.volume_id === volumeId);
}

function deletePort(st: SimState, port: Obj) {
  for (const ip of port.fixed_ips) st.releaseIp(ip.subnet_id, ip.ip_address);
  st.ports.remove(port.id);
  for (const fip of st.floatingips.filter(f => f.port_id === port.id)) {
    fip.port_id = null;
    fip.fixed_ip_address = null;
    fip.port_details = null;
    fip.status = 'DOWN';
  }
}

function unbindPort(port: Obj) {
  port.device_id = '';
  port.device_owner = '';
  port['binding:host_id'] = '';
  port['binding:vif_type'] = 'unbound';
  port['binding:vif_details'] = {};
  port.status = 'DOWN';
  port.revision_number += 1;
  port.updated_at = isoZ(Date.now());
}

/**
 * Deletes a server like Nova: its own ports are deleted, ports the caller passed in are unbound
 * and kept; volumes with delete_on_termination are deleted (kept when they have snapshots, as
 * Cinder refuses), the others become available.
 */
export function deleteServer(ctx: Ctx, s: Obj) {
  const st = ctx.state;
  st.servers.remove(s.id);
  const preserved = st.preservedPorts.get(s.id) ?? new Set<string>();
  st.preservedPorts.delete(s.id);
  for (const port of st.ports.filter(p => p.device_id === s.id)) {
    if (preserved.has(port.id)) unbindPort(port);
    else deletePort(st, port);
  }
  for (const a of st.serverVolumes.get(s.id) ?? []) {
    const vol = st.volumes.get(a.volumeId);
    if (!vol) continue;
    if (a.delete_on_termination && !hasSnapshots(st, vol.id))
      st.volumes.remove(vol.id);
    else {
      vol.status = 'available';
      vol.attachments = [];
    }
  }
  st.serverVolumes.delete(s.id);
  for (const g of st.serverGroups.all())
    g.members = g.members.filter((m: string) => m !== s.id);
}
