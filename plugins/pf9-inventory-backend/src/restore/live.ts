/**
 * The live reads of restore points and plans: every call here is a GET through the one OpenStack client,
 * so a plan built on a read-only client cannot write (COM-8). Lookups that may legitimately find nothing
 * return null on 404; every other failure propagates.
 */
import {
  CinderSnapshot,
  CinderVolume,
  GlanceImage,
  NeutronObject,
  NeutronPort,
  NovaFlavor,
  NovaKeypair,
  NovaServer,
  NovaServerGroup,
  OpenStackClient,
  OpenStackNotFoundError,
} from '../openstack';

export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof OpenStackNotFoundError) return null;
    throw e;
  }
}

/** `a >= b` for microversions like `2.79`. */
export function microversionAtLeast(
  version: string | null | undefined,
  wanted: string,
): boolean {
  if (!version) return false;
  const [a, b] = version.split('.').map(Number);
  const [c, d] = wanted.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

export interface ServerRead {
  server: NovaServer;
  /** the server was read at Nova microversion 2.3 or later: root_device_name and user_data are real */
  extendedAttributes: boolean;
}

export async function readServer(
  os: OpenStackClient,
  serverId: string,
): Promise<ServerRead | null> {
  const server = await orNull(os.compute.getServer(serverId));
  if (!server) return null;
  const mv = await os.microversion('compute');
  return {
    server,
    extendedAttributes: microversionAtLeast(mv.version, '2.3'),
  };
}

export function attachedVolumeIds(server: NovaServer): string[] {
  const attached = server['os-extended-volumes:volumes_attached'];
  return Array.isArray(attached)
    ? attached.map((a: { id: string }) => a.id)
    : [];
}

export async function readVolumes(
  os: OpenStackClient,
  ids: string[],
): Promise<CinderVolume[]> {
  const found = await Promise.all(
    ids.map(id => orNull(os.blockStorage.getVolume(id))),
  );
  return found.filter((v): v is CinderVolume => v !== null);
}

/** RST-3: available Cinder snapshots of one volume, every project. */
export async function volumeSnapshots(
  os: OpenStackClient,
  volumeId: string,
): Promise<CinderSnapshot[]> {
  const listing = await os.blockStorage.listSnapshots({
    query: { volume_id: volumeId, status: 'available' },
  });
  // filtered again here: a service that ignores a filter must not add foreign snapshots
  return listing.items.filter(
    s => s.volume_id === volumeId && s.status === 'available',
  );
}

/** RST-3: server image snapshots of one server (volume-backed ones carry `block_device_mapping`). */
export async function serverImages(
  os: OpenStackClient,
  serverId: string,
): Promise<GlanceImage[]> {
  const listing = await os.image.listImages({
    query: { instance_uuid: serverId, image_type: 'snapshot' },
  });
  return listing.items.filter(
    i => i.instance_uuid === serverId && i.image_type === 'snapshot',
  );
}

export async function serverPorts(
  os: OpenStackClient,
  serverId: string,
): Promise<NeutronPort[]> {
  const listing = await os.network.listPorts({
    query: { device_id: serverId },
  });
  return listing.items.filter(p => p.device_id === serverId);
}

/** RST-8: the ports holding an address; a port with an empty device_id still holds it. */
export async function portsHoldingIp(
  os: OpenStackClient,
  networkId: string,
  ip: string,
): Promise<NeutronPort[]> {
  const listing = await os.network.listPorts({
    query: { network_id: networkId, fixed_ips: `ip_address=${ip}` },
  });
  return listing.items.filter(
    p =>
      p.network_id === networkId &&
      (p.fixed_ips ?? []).some(f => f.ip_address === ip),
  );
}

export async function getNetwork(
  os: OpenStackClient,
  id: string,
): Promise<NeutronObject | null> {
  return orNull(os.network.getNetwork(id));
}

export async function getSubnet(
  os: OpenStackClient,
  id: string,
): Promise<(NeutronObject & { cidr?: string; network_id?: string }) | null> {
  return orNull(os.network.getSubnet(id));
}

export async function getFlavor(
  os: OpenStackClient,
  id: string,
): Promise<NovaFlavor | null> {
  return orNull(os.compute.getFlavor(id));
}

/** The server's flavor: by id below microversion 2.47, by its embedded original name from 2.47. */
export async function serverFlavor(
  os: OpenStackClient,
  server: NovaServer,
): Promise<NovaFlavor | null> {
  if (server.flavor?.id) return getFlavor(os, server.flavor.id);
  const name = server.flavor?.original_name;
  if (!name) return null;
  const flavors = await os.compute.listFlavors();
  return flavors.items.find(f => f.name === name) ?? null;
}

/** RST-9: keypairs belong to users; the owner's keypair is read by name. */
export async function getKeypair(
  os: OpenStackClient,
  name: string,
  userId: string | null,
): Promise<NovaKeypair | null> {
  return orNull(os.compute.getKeypair(name, userId ?? undefined));
}

export async function serverGroupOf(
  os: OpenStackClient,
  server: NovaServer,
): Promise<{ id: string | null; exists: boolean }> {
  const groups = await os.compute.listServerGroups();
  const named = Array.isArray(server.server_groups)
    ? (server.server_groups as string[])[0]
    : undefined;
  const group: NovaServerGroup | undefined = named
    ? groups.items.find(g => g.id === named)
    : groups.items.find(g => (g.members ?? []).includes(server.id));
  if (group) return { id: group.id, exists: true };
  return { id: named ?? null, exists: false };
}
