import { SimState } from './state';
import { Obj, isoMicro, isoZ } from './util';

/** Builders shared by the scenario generator and the mutating API routes. */

export function makeVolume(
  st: SimState,
  v: {
    id: string;
    projectId: string;
    userId: string;
    name: string;
    size: number;
    status: string;
    createdMs: number;
    volumeType?: string;
    bootable?: boolean;
    metadata?: Obj;
    snapshotId?: string | null;
    sourceVolid?: string | null;
    imageId?: string;
    description?: string | null;
    availabilityZone?: string;
    host?: string;
  },
): Obj {
  const url = `${st.baseUrl}/volume/v3/${v.projectId}/volumes/${v.id}`;
  const vol: Obj = {
    id: v.id,
    status: v.status,
    size: v.size,
    availability_zone: v.availabilityZone ?? 'nova',
    created_at: isoMicro(v.createdMs),
    updated_at: isoMicro(v.createdMs),
    name: v.name,
    description: v.description ?? null,
    volume_type: v.volumeType ?? '__DEFAULT__',
    snapshot_id: v.snapshotId ?? null,
    source_volid: v.sourceVolid ?? null,
    metadata: v.metadata ?? {},
    links: [
      { rel: 'self', href: url },
      { rel: 'bookmark', href: url.replace('/v3/', '/') },
    ],
    user_id: v.userId,
    bootable: v.bootable ? 'true' : 'false',
    encrypted: false,
    replication_status: null,
    consistencygroup_id: null,
    multiattach: false,
    attachments: [],
    migration_status: null,
    group_id: null,
    provider_id: null,
    shared_targets: false,
    service_uuid: st.pools[0]?.service_uuid ?? null,
    'os-vol-tenant-attr:tenant_id': v.projectId,
    'os-vol-mig-status-attr:migstat': null,
    'os-vol-mig-status-attr:name_id': null,
    'os-vol-host-attr:host': v.host ?? st.pools[0]?.name ?? 'cinder@lvm#lvm',
  };
  if (v.imageId) {
    vol.volume_image_metadata = {
      image_id: v.imageId,
      image_name: st.images.get(v.imageId)?.name ?? '',
      container_format: 'bare',
      disk_format: 'qcow2',
      min_disk: '0',
      min_ram: '0',
      size: String(st.images.get(v.imageId)?.size ?? 0),
      checksum: st.images.get(v.imageId)?.checksum ?? '',
    };
  }
  return vol;
}

export function makeSnapshot(
  _st: SimState,
  s: {
    id: string;
    volume: Obj;
    /** the owner; Cinder uses the request's (token's) project, defaults to the volume's */
    projectId?: string;
    userId: string;
    name: string;
    description?: string | null;
    status: string;
    createdMs: number;
    metadata?: Obj;
  },
): Obj {
  return {
    id: s.id,
    created_at: isoMicro(s.createdMs),
    updated_at: isoMicro(s.createdMs),
    name: s.name,
    description: s.description ?? null,
    volume_id: s.volume.id,
    status: s.status,
    size: s.volume.size,
    metadata: s.metadata ?? {},
    group_snapshot_id: null,
    user_id: s.userId,
    'os-extended-snapshot-attributes:project_id':
      s.projectId ?? s.volume['os-vol-tenant-attr:tenant_id'],
    'os-extended-snapshot-attributes:progress':
      s.status === 'available' ? '100%' : '0%',
  };
}

export function attachVolume(
  st: SimState,
  vol: Obj,
  server: Obj,
  device: string,
  createdMs: number,
  attachmentId: string,
  deleteOnTermination = false,
) {
  markVolumeAttached(vol, server, device, createdMs, attachmentId);
  recordBlockDevice(st, vol, server, device, deleteOnTermination);
}

/** Cinder's side of an attachment: the volume is in-use with one attachment. */
export function markVolumeAttached(
  vol: Obj,
  server: Obj,
  device: string,
  createdMs: number,
  attachmentId: string,
) {
  vol.status = 'in-use';
  vol.attachments = [
    {
      id: vol.id,
      attachment_id: attachmentId,
      volume_id: vol.id,
      server_id: server.id,
      host_name: server['OS-EXT-SRV-ATTR:host'],
      device,
      attached_at: isoMicro(createdMs),
    },
  ];
}

/** Nova's side of an attachment: the block device mapping (attachment listing, volumes_attached). */
export function recordBlockDevice(
  st: SimState,
  vol: Obj,
  server: Obj,
  device: string,
  deleteOnTermination: boolean,
) {
  const list = st.serverVolumes.get(server.id) ?? [];
  list.push({
    volumeId: vol.id,
    device,
    tag: null,
    delete_on_termination: deleteOnTermination,
  });
  st.serverVolumes.set(server.id, list);
  server['os-extended-volumes:volumes_attached'].push({
    id: vol.id,
    delete_on_termination: deleteOnTermination,
  });
}

export function makePort(
  _st: SimState,
  p: {
    id: string;
    projectId: string;
    networkId: string;
    fixedIps: { subnet_id: string; ip_address: string }[];
    mac: string;
    name?: string;
    deviceId?: string;
    deviceOwner?: string;
    host?: string;
    securityGroups?: string[];
    createdMs: number;
    description?: string;
    adminStateUp?: boolean;
  },
): Obj {
  const bound = !!p.host;
  const portSecurity = !(p.deviceOwner ?? '').startsWith('network:');
  return {
    id: p.id,
    name: p.name ?? '',
    network_id: p.networkId,
    tenant_id: p.projectId,
    mac_address: p.mac,
    admin_state_up: p.adminStateUp ?? true,
    status: bound ? 'ACTIVE' : 'DOWN',
    device_id: p.deviceId ?? '',
    device_owner: p.deviceOwner ?? '',
    fixed_ips: p.fixedIps,
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    security_groups: portSecurity ? p.securityGroups ?? [] : [],
    description: p.description ?? '',
    'binding:vnic_type': 'normal',
    'binding:profile': {},
    'binding:host_id': p.host ?? '',
    'binding:vif_type': bound ? 'ovs' : 'unbound',
    'binding:vif_details': bound
      ? {
          connectivity: 'l2',
          port_filter: true,
          ovs_hybrid_plug: false,
          datapath_type: 'system',
          bridge_name: 'br-int',
        }
      : {},
    port_security_enabled: portSecurity,
    tags: [],
    created_at: isoZ(p.createdMs),
    updated_at: isoZ(p.createdMs),
    revision_number: bound ? 4 : 1,
    project_id: p.projectId,
  };
}

export function makeServer(
  st: SimState,
  s: {
    id: string;
    name: string;
    projectId: string;
    userId: string;
    flavor: Obj;
    imageId?: string;
    hypervisor: Obj;
    az: string;
    createdMs: number;
    status: 'ACTIVE' | 'SHUTOFF' | 'BUILD' | 'ERROR';
    keyName?: string | null;
    metadata?: Obj;
    securityGroups: string[];
    hostId: string;
    reservationId: string;
  },
): Obj {
  const self = `${st.baseUrl}/compute/v2.1/servers/${s.id}`;
  const vmState = {
    ACTIVE: 'active',
    SHUTOFF: 'stopped',
    BUILD: 'building',
    ERROR: 'error',
  }[s.status];
  const powerState = { ACTIVE: 1, SHUTOFF: 4, BUILD: 0, ERROR: 0 }[s.status];
  const launched = s.status === 'BUILD' ? null : isoMicro(s.createdMs + 3000);
  const server: Obj = {
    id: s.id,
    name: s.name,
    status: s.status,
    tenant_id: s.projectId,
    user_id: s.userId,
    metadata: s.metadata ?? {},
    hostId: s.hostId,
    image: s.imageId
      ? {
          id: s.imageId,
          links: [
            {
              rel: 'bookmark',
              href: `${st.baseUrl}/compute/images/${s.imageId}`,
            },
          ],
        }
      : '',
    flavor: {
      vcpus: s.flavor.vcpus,
      ram: s.flavor.ram,
      disk: s.flavor.disk,
      ephemeral: s.flavor['OS-FLV-EXT-DATA:ephemeral'],
      swap: s.flavor.swap === '' ? 0 : s.flavor.swap,
      original_name: s.flavor.name,
      extra_specs: { ...s.flavor.extra_specs },
    },
    created: isoZ(s.createdMs),
    updated: isoZ(s.createdMs + 4000),
    addresses: {},
    accessIPv4: '',
    accessIPv6: '',
    links: [
      { rel: 'self', href: self },
      {
        rel: 'bookmark',
        href: `${st.baseUrl}/compute/servers/${s.id}`,
      },
    ],
    'OS-DCF:diskConfig': 'MANUAL',
    progress: 0,
    'OS-EXT-AZ:availability_zone': s.az,
    config_drive: '',
    key_name: s.keyName ?? null,
    'OS-SRV-USG:launched_at': launched,
    'OS-SRV-USG:terminated_at': null,
    'OS-EXT-SRV-ATTR:host': s.hypervisor.service.host,
    'OS-EXT-SRV-ATTR:instance_name': st.nextInstanceName(),
    'OS-EXT-SRV-ATTR:hypervisor_hostname': s.hypervisor.hypervisor_hostname,
    'OS-EXT-SRV-ATTR:reservation_id': s.reservationId,
    'OS-EXT-SRV-ATTR:launch_index': 0,
    'OS-EXT-SRV-ATTR:hostname': s.name,
    'OS-EXT-SRV-ATTR:kernel_id': '',
    'OS-EXT-SRV-ATTR:ramdisk_id': '',
    'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
    'OS-EXT-SRV-ATTR:user_data': null,
    'OS-EXT-STS:task_state': s.status === 'BUILD' ? 'spawning' : null,
    'OS-EXT-STS:vm_state': vmState,
    'OS-EXT-STS:power_state': powerState,
    'os-extended-volumes:volumes_attached': [],
    locked: false,
    locked_reason: null,
    description: null,
    tags: [],
    trusted_image_certificates: null,
    host_status: 'UP',
    security_groups: s.securityGroups.map(name => ({ name })),
  };
  if (s.status === 'ERROR') {
    server.fault = {
      code: 500,
      created: isoZ(s.createdMs + 2000),
      message: 'No valid host was found. There are not enough hosts available.',
    };
  }
  return server;
}

export function addServerAddress(
  server: Obj,
  networkName: string,
  ip: string,
  mac: string,
  type: 'fixed' | 'floating' = 'fixed',
) {
  const list = server.addresses[networkName] ?? [];
  list.push({
    version: 4,
    addr: ip,
    'OS-EXT-IPS:type': type,
    'OS-EXT-IPS-MAC:mac_addr': mac,
  });
  server.addresses[networkName] = list;
}
