/**
 * RST-5: the NICs of a server that no longer exists, rebuilt from its last stored state: each recorded
 * fixed address on the network of that name that exists now (the server's project's first), its subnet
 * by CIDR, and the security groups of its recorded names in the project.
 */
import { OpenStackClient } from '../openstack';
import { ipInCidr, OriginalNic } from './network';
import type { ServerSource } from './points';

type Address = Record<string, unknown>;

async function securityGroupIds(
  os: OpenStackClient,
  source: ServerSource,
): Promise<string[]> {
  const names = Array.isArray(source.server.security_groups)
    ? (source.server.security_groups as Array<{ name?: string }>)
        .map(g => g.name)
        .filter((n): n is string => !!n)
    : [];
  if (!names.length) return [];
  const groups = await os.network.listSecurityGroups({
    query: { project_id: source.projectId },
  });
  return groups.items
    .filter(
      g =>
        (g.project_id ?? g.tenant_id) === source.projectId &&
        names.includes(String(g.name)),
    )
    .map(g => g.id);
}

export async function nicsFromHistory(
  os: OpenStackClient,
  source: ServerSource,
): Promise<OriginalNic[]> {
  const addresses = (source.server.addresses ?? {}) as Record<
    string,
    Address[]
  >;
  const groups = await securityGroupIds(os, source);
  const nics: OriginalNic[] = [];
  for (const [networkName, entries] of Object.entries(addresses)) {
    const networks = await os.network.listNetworks({
      query: { name: networkName },
    });
    const network =
      networks.items.find(n => n.project_id === source.projectId) ??
      networks.items.find(n => n.name === networkName);
    const subnets = network
      ? (await os.network.listSubnets({ query: { network_id: network.id } }))
          .items
      : [];
    for (const a of entries.filter(e => e['OS-EXT-IPS:type'] !== 'floating')) {
      const ip = String(a.addr ?? '');
      const subnet = subnets.find(s => ipInCidr(ip, String(s.cidr ?? '')));
      nics.push({
        portId: null,
        networkId: network?.id ?? networkName,
        subnetId: subnet?.id ?? null,
        ip: ip || null,
        macAddress: (a['OS-EXT-IPS-MAC:mac_addr'] as string) ?? null,
        securityGroupIds: groups,
      });
    }
  }
  return nics;
}
