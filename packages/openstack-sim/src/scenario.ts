import {
  addServerAddress,
  attachVolume,
  makePort,
  makeServer,
  makeSnapshot,
  makeVolume,
} from './builders';
import { Prng } from './prng';
import {
  CINDER_QUOTA_DEFAULTS,
  NEUTRON_QUOTA_DEFAULTS,
  NOVA_QUOTA_DEFAULTS,
  RoleAssignment,
  SimState,
} from './state';
import { Obj, isoMicro, isoZ } from './util';

export type ScenarioName = 'tiny' | 'small' | 'medium' | 'large' | 'xl';

export interface ScenarioSize {
  domains: number;
  projects: number;
  usersPerProject: number;
  groupsPerDomain: number;
  servers: number;
  volumes: number;
  snapshots: number;
  /** minimum; unbound ports fill up to this number */
  ports: number;
  images: number;
  hypervisors: number;
  floatingips: number;
  backups: number;
  serverGroups: number;
}

export const SCENARIOS: Record<ScenarioName, ScenarioSize> = {
  tiny: {
    domains: 2,
    projects: 3,
    usersPerProject: 2,
    groupsPerDomain: 1,
    servers: 8,
    volumes: 12,
    snapshots: 8,
    ports: 14,
    images: 3,
    hypervisors: 2,
    floatingips: 2,
    backups: 2,
    serverGroups: 1,
  },
  small: {
    domains: 3,
    projects: 8,
    usersPerProject: 3,
    groupsPerDomain: 2,
    servers: 50,
    volumes: 100,
    snapshots: 80,
    ports: 100,
    images: 6,
    hypervisors: 3,
    floatingips: 15,
    backups: 10,
    serverGroups: 4,
  },
  medium: {
    domains: 5,
    projects: 20,
    usersPerProject: 4,
    groupsPerDomain: 2,
    servers: 200,
    volumes: 500,
    snapshots: 400,
    ports: 500,
    images: 12,
    hypervisors: 8,
    floatingips: 60,
    backups: 50,
    serverGroups: 10,
  },
  large: {
    domains: 20,
    projects: 100,
    usersPerProject: 6,
    groupsPerDomain: 2,
    servers: 2000,
    volumes: 6000,
    snapshots: 6000,
    ports: 8000,
    images: 100,
    hypervisors: 50,
    floatingips: 600,
    backups: 1500,
    serverGroups: 50,
  },
  xl: {
    domains: 50,
    projects: 500,
    usersPerProject: 10,
    groupsPerDomain: 4,
    servers: 10000,
    volumes: 30000,
    snapshots: 30000,
    ports: 40000,
    images: 500,
    hypervisors: 250,
    floatingips: 6000,
    backups: 12000,
    serverGroups: 250,
  },
};

const WORDS = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'zeta',
  'eta',
  'theta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'omicron',
  'pi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'chi',
  'psi',
  'omega',
];
const ENVS = ['prod', 'dev', 'test', 'stage', 'ops', 'data', 'web', 'ci'];
const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'oscar',
  'peggy',
  'trent',
  'victor',
  'walter',
];
const ROLES = ['web', 'db', 'app', 'cache', 'worker', 'api', 'lb', 'batch'];

/** Fixed epoch: scenario timestamps do not depend on the wall clock. */
export const SCENARIO_EPOCH = Date.UTC(2026, 0, 1);
const DAY = 86400000;

export const ADMIN_PASSWORD = 'demo-admin';
export const USER_PASSWORD = 'demo-user';

function pickByRoll<T>(roll: number, table: [number, T][]): T | undefined {
  return table.find(([limit]) => roll < limit)?.[1];
}

function word(i: number): string {
  return i < WORDS.length
    ? WORDS[i]
    : `${WORDS[i % WORDS.length]}${Math.floor(i / WORDS.length)}`;
}

export function generateScenario(
  baseUrl: string,
  scenario: ScenarioName | ScenarioSize,
  seed = 1,
): SimState {
  const size = typeof scenario === 'string' ? SCENARIOS[scenario] : scenario;
  if (!size) throw new Error(`unknown scenario ${scenario}`);
  const rng = new Prng(seed);
  const st = new SimState(baseUrl);
  const ks = (path: string) => `${baseUrl}/v3/${path}`;
  const time = (maxDays = 300) =>
    SCENARIO_EPOCH + rng.int(0, maxDays * DAY - 1);

  // ---------------------------------------------------------------- keystone
  const domains: Obj[] = [
    {
      id: 'default',
      name: 'Default',
      description: 'The default domain',
      enabled: true,
      tags: [],
      options: {},
      links: { self: ks('domains/default') },
    },
  ];
  for (let d = 0; d < size.domains; d++) {
    const id = rng.hexId();
    domains.push({
      id,
      name: `dom-${word(d)}`,
      description: `${word(d)[0].toUpperCase()}${word(d).slice(1)} Ltd`,
      enabled: d % 17 !== 16,
      tags: [],
      options: {},
      links: { self: ks(`domains/${id}`) },
    });
  }
  st.domains.load(domains);

  const roleNames = ['admin', 'member', 'reader', 'service'];
  const roles: Record<string, Obj> = {};
  for (const name of roleNames) {
    const id = rng.hexId();
    roles[name] = {
      id,
      name,
      domain_id: null,
      description: null,
      options: name === 'service' ? {} : { immutable: true },
      links: { self: ks(`roles/${id}`) },
    };
  }
  st.roles.load(Object.values(roles));

  const mkProject = (
    name: string,
    domainId: string,
    description: string,
    enabled = true,
  ): Obj => {
    const id = rng.hexId();
    return {
      id,
      name,
      domain_id: domainId,
      description,
      enabled,
      parent_id: domainId,
      is_domain: false,
      tags: [],
      options: {},
      links: { self: ks(`projects/${id}`) },
    };
  };
  const mkUser = (name: string, domainId: string, email = true): Obj => {
    const id = rng.hexId();
    const u: Obj = {
      id,
      name,
      domain_id: domainId,
      enabled: true,
      password_expires_at: null,
      options: {},
      links: { self: ks(`users/${id}`) },
    };
    if (email) u.email = `${name}@example.invalid`;
    return { ...(email ? { email: u.email } : {}), ...u };
  };

  const adminProject = mkProject('admin', 'default', 'Bootstrap project');
  const serviceProject = mkProject('service', 'default', 'OpenStack services');
  const adminUser = mkUser('admin', 'default', false);
  st.adminUserId = adminUser.id;
  st.adminProjectId = adminProject.id;
  st.passwords.set(adminUser.id, ADMIN_PASSWORD);
  const projects: Obj[] = [adminProject, serviceProject];
  const users: Obj[] = [adminUser];
  const groups: Obj[] = [];
  const assignments: RoleAssignment[] = [
    {
      actorType: 'user',
      actorId: adminUser.id,
      roleId: roles.admin.id,
      scope: { project: adminProject.id },
    },
    {
      actorType: 'user',
      actorId: adminUser.id,
      roleId: roles.admin.id,
      scope: { system: true },
    },
  ];
  for (const svc of ['nova', 'cinder', 'neutron', 'glance', 'placement']) {
    const u = mkUser(svc, 'default', false);
    users.push(u);
    st.passwords.set(u.id, `${svc}-service`);
    assignments.push({
      actorType: 'user',
      actorId: u.id,
      roleId: roles.service.id,
      scope: { project: serviceProject.id },
    });
  }

  const customerDomains = domains.slice(1);
  /** project -> its users (for user_id of owned objects) */
  const projectUsers = new Map<string, Obj[]>();
  const tenantProjects: Obj[] = [];
  for (let p = 0; p < size.projects; p++) {
    const dom = customerDomains[p % customerDomains.length];
    const n = Math.floor(p / customerDomains.length);
    const env = ENVS[n % ENVS.length];
    const suffix =
      n >= ENVS.length ? `-${Math.floor(n / ENVS.length) + 1}` : '';
    const project = mkProject(
      `${dom.name.slice(4)}-${env}${suffix}`,
      dom.id,
      `${dom.description} ${env} project`,
      p % 23 !== 22,
    );
    projects.push(project);
    tenantProjects.push(project);
    const pus: Obj[] = [];
    for (let u = 0; u < size.usersPerProject; u++) {
      const first = FIRST[(p * size.usersPerProject + u) % FIRST.length];
      const user = mkUser(`${first}.${project.name}`, dom.id);
      if (rng.chance(0.05)) user.enabled = false;
      if (rng.chance(0.5)) user.default_project_id = project.id;
      users.push(user);
      pus.push(user);
      st.passwords.set(user.id, USER_PASSWORD);
      assignments.push({
        actorType: 'user',
        actorId: user.id,
        roleId: u === 0 ? roles.admin.id : roles.member.id,
        scope: { project: project.id },
      });
    }
    projectUsers.set(project.id, pus);
  }
  for (let d = 0; d < customerDomains.length; d++) {
    const dom = customerDomains[d];
    const domUsers = users.filter(u => u.domain_id === dom.id);
    const domProjects = tenantProjects.filter(p => p.domain_id === dom.id);
    for (let g = 0; g < size.groupsPerDomain; g++) {
      const id = rng.hexId();
      groups.push({
        id,
        name: `${dom.name.slice(4)}-${g === 0 ? 'admins' : `team-${g}`}`,
        domain_id: dom.id,
        description: g === 0 ? 'Domain administrators' : `Team ${g}`,
        links: { self: ks(`groups/${id}`) },
      });
      const members = new Set<string>();
      for (const u of domUsers) if (rng.chance(0.3)) members.add(u.id);
      st.groupMembers.set(id, members);
      if (g === 0) {
        assignments.push({
          actorType: 'group',
          actorId: id,
          roleId: roles.admin.id,
          scope: { domain: dom.id },
          inherited: true,
        });
      } else if (domProjects.length) {
        assignments.push({
          actorType: 'group',
          actorId: id,
          roleId: roles.reader.id,
          scope: { project: rng.pick(domProjects).id },
        });
      }
    }
    if (domUsers.length) {
      assignments.push({
        actorType: 'user',
        actorId: domUsers[0].id,
        roleId: roles.admin.id,
        scope: { domain: dom.id },
      });
    }
  }
  st.projects.load(projects);
  st.users.load(users);
  st.groups.load(groups);
  st.roleAssignments = assignments;

  // --------------------------------------------------------------- flavors
  const flavorDefs: [string, number, number, number, boolean, Obj][] = [
    ['m1.tiny', 1, 512, 1, true, {}],
    ['m1.small', 1, 2048, 20, true, {}],
    ['m1.medium', 2, 4096, 40, true, {}],
    ['m1.large', 4, 8192, 80, true, {}],
    ['m1.xlarge', 8, 16384, 160, true, {}],
    ['c1.large', 8, 8192, 40, true, { 'hw:cpu_policy': 'dedicated' }],
    [
      'm1.private',
      2,
      4096,
      20,
      false,
      { 'hw:cpu_policy': 'shared', 'quota:disk_read_iops_sec': '500' },
    ],
  ];
  const flavors = flavorDefs.map(([name, vcpus, ram, disk, pub, specs]) => {
    const id = rng.uuid();
    return {
      id,
      name,
      ram,
      disk,
      swap: 0,
      'OS-FLV-EXT-DATA:ephemeral': 0,
      'OS-FLV-DISABLED:disabled': false,
      vcpus,
      'os-flavor-access:is_public': pub,
      rxtx_factor: 1.0,
      links: [
        { rel: 'self', href: `${baseUrl}/compute/v2.1/flavors/${id}` },
        { rel: 'bookmark', href: `${baseUrl}/compute/flavors/${id}` },
      ],
      description: pub ? null : 'private flavor',
      extra_specs: specs,
    };
  });
  st.flavors.load(flavors);
  const serverFlavors = flavors.slice(0, 6);

  // ----------------------------------------------------------- hypervisors
  const azs = size.hypervisors >= 20 ? ['nova', 'az-2'] : ['nova'];
  const hypervisors: Obj[] = [];
  const hvAz = new Map<string, string>();
  for (let h = 0; h < size.hypervisors; h++) {
    const host = `cmp-${String(h + 1).padStart(3, '0')}`;
    const id = rng.uuid();
    hvAz.set(id, azs[h % azs.length]);
    hypervisors.push({
      id,
      hypervisor_hostname: host,
      state: h % 97 === 96 ? 'down' : 'up',
      status: h % 53 === 52 ? 'disabled' : 'enabled',
      hypervisor_type: 'QEMU',
      hypervisor_version: 7002000,
      host_ip: `192.168.${(h >> 8) & 255}.${(h & 255) + 1}`,
      service: {
        id: rng.uuid(),
        host,
        disabled_reason: h % 53 === 52 ? 'maintenance' : null,
      },
      vcpus: 64,
      memory_mb: 524288,
      local_gb: 4000,
      vcpus_used: 0,
      memory_mb_used: 0,
      local_gb_used: 0,
      free_ram_mb: 524288,
      free_disk_gb: 4000,
      current_workload: 0,
      running_vms: 0,
      disk_available_least: 3900,
      cpu_info: {
        arch: 'x86_64',
        model: 'Cascadelake-Server',
        vendor: 'Intel',
        features: ['pge', 'avx', 'avx2', 'vmx'],
        topology: { cores: 16, threads: 2, sockets: 2 },
      },
    });
  }
  st.hypervisors.load(hypervisors);
  const controlTime = isoMicro(SCENARIO_EPOCH + 300 * DAY);
  for (const binary of ['nova-scheduler', 'nova-conductor']) {
    st.computeServices.push({
      binary,
      host: 'ctl-01',
      id: rng.uuid(),
      zone: 'internal',
      status: 'enabled',
      state: 'up',
      updated_at: controlTime,
      disabled_reason: null,
      forced_down: false,
    });
  }
  for (const hv of hypervisors) {
    st.computeServices.push({
      binary: 'nova-compute',
      host: hv.service.host,
      id: hv.service.id,
      zone: hvAz.get(hv.id),
      status: hv.status,
      state: hv.state,
      updated_at: controlTime,
      disabled_reason: hv.service.disabled_reason,
      forced_down: false,
    });
  }
  azs.forEach((az, i) => {
    st.aggregates.push({
      id: i + 1,
      uuid: rng.uuid(),
      name: `agg-${az}`,
      hosts: hypervisors
        .filter(h => hvAz.get(h.id) === az)
        .map(h => h.hypervisor_hostname),
      metadata: { availability_zone: az },
      created_at: isoMicro(SCENARIO_EPOCH),
      updated_at: null,
      deleted_at: null,
      deleted: false,
      availability_zone: az,
    });
  });

  // --------------------------------------------------------------- images
  const imageDefs: [string, string, string][] = [
    ['cirros-0.6.2', 'cirros', '0.6.2'],
    ['ubuntu-22.04', 'ubuntu', '22.04'],
    ['debian-12', 'debian', '12'],
    ['rocky-9', 'rocky', '9'],
    ['windows-2022', 'windows', '2022'],
  ];
  const images: Obj[] = [];
  const hex = (n: number) => {
    let s = '';
    while (s.length < n) s += rng.u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  };
  for (let i = 0; i < size.images; i++) {
    const id = rng.uuid();
    const publicImage = i < imageDefs.length;
    const def = imageDefs[i % imageDefs.length];
    const owner = publicImage ? adminProject.id : rng.pick(tenantProjects).id;
    const t = isoZ(time(30));
    const sizeBytes = rng.int(20, 4000) * 1048576;
    const img: Obj = {
      os_distro: def[1],
      os_version: def[2],
      hw_architecture: 'x86_64',
      name: publicImage ? def[0] : `${def[0]}-snap-${i}`,
      disk_format: 'qcow2',
      container_format: 'bare',
      visibility: publicImage ? 'public' : rng.pick(['private', 'shared']),
      size: sizeBytes,
      virtual_size: sizeBytes * 4,
      status: 'active',
      checksum: hex(32),
      protected: publicImage,
      min_ram: 0,
      min_disk: publicImage ? 1 : 10,
      owner,
      os_hidden: false,
      os_hash_algo: 'sha512',
      os_hash_value: hex(128),
      id,
      created_at: t,
      updated_at: t,
      tags: [],
      self: `/v2/images/${id}`,
      file: `/v2/images/${id}/file`,
      schema: '/v2/schemas/image',
      stores: 'file',
    };
    if (publicImage) {
      img['owner_specified.openstack.md5'] = '';
      img['owner_specified.openstack.sha256'] = '';
      img['owner_specified.openstack.object'] = `images/${def[0]}`;
    } else {
      img.image_type = 'snapshot';
      img.instance_uuid = rng.uuid();
      delete img.hw_architecture;
    }
    images.push(img);
  }
  st.images.load(images);
  const bootImages = images.slice(0, Math.min(imageDefs.length, images.length));

  // ---------------------------------------------------------- block storage
  const backendUuid = rng.uuid();
  st.pools.push({
    name: 'cinder@ceph#ceph',
    service_uuid: backendUuid,
    capabilities: {
      pool_name: 'ceph',
      total_capacity_gb: 500000,
      free_capacity_gb: 350000,
      provisioned_capacity_gb: 0,
      reserved_percentage: 0,
      QoS_support: false,
      filter_function: null,
      goodness_function: null,
      consistencygroup_support: false,
      replication_enabled: false,
      group_replication_enabled: false,
      allocated_capacity_gb: 0,
      volume_backend_name: 'ceph',
      storage_protocol: 'ceph',
      vendor_name: 'Open Source',
      driver_version: '1.3.0',
      timestamp: controlTime,
      thin_provisioning_support: true,
      max_over_subscription_ratio: '20.0',
    },
  });
  const volumeTypes: Obj[] = [
    ['__DEFAULT__', 'Default Volume Type', {}, true],
    ['standard', 'ceph backend', { volume_backend_name: 'ceph' }, true],
    [
      'ssd-private',
      'private fast tier',
      { volume_backend_name: 'ceph' },
      false,
    ],
  ].map(([name, description, extra, pub]) => ({
    id: rng.uuid(),
    name,
    is_public: pub,
    description,
    extra_specs: extra,
    qos_specs_id: null,
    'os-volume-type-access:is_public': pub,
  }));
  st.volumeTypes.load(volumeTypes);

  // ----------------------------------------------------------------- network
  const extNetId = rng.uuid();
  const extSubnetId = rng.uuid();
  st.externalNetworkId = extNetId;
  const netTime = isoZ(SCENARIO_EPOCH);
  const networks: Obj[] = [];
  const subnets: Obj[] = [];
  const mkNetwork = (
    id: string,
    name: string,
    projectId: string,
    subnetId: string,
    external: boolean,
    segId: number,
  ): Obj => ({
    id,
    name,
    tenant_id: projectId,
    admin_state_up: true,
    mtu: external ? 1500 : 1450,
    status: 'ACTIVE',
    subnets: [subnetId],
    shared: false,
    availability_zone_hints: [],
    availability_zones: ['nova'],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    'router:external': external,
    description: '',
    port_security_enabled: true,
    tags: [],
    created_at: netTime,
    updated_at: netTime,
    revision_number: 2,
    project_id: projectId,
    'provider:network_type': external ? 'flat' : 'vxlan',
    'provider:physical_network': external ? 'physnet1' : null,
    'provider:segmentation_id': external ? null : segId,
    ...(external ? { is_default: true } : {}),
  });
  const mkSubnet = (
    id: string,
    name: string,
    projectId: string,
    networkId: string,
    cidr: string,
    gateway: string,
    start: string,
    end: string,
    dhcp: boolean,
  ): Obj => ({
    id,
    name,
    tenant_id: projectId,
    network_id: networkId,
    ip_version: 4,
    subnetpool_id: null,
    enable_dhcp: dhcp,
    ipv6_ra_mode: null,
    ipv6_address_mode: null,
    gateway_ip: gateway,
    cidr,
    allocation_pools: [{ start, end }],
    host_routes: [],
    dns_nameservers: dhcp ? ['9.9.9.9'] : [],
    description: '',
    service_types: [],
    tags: [],
    created_at: netTime,
    updated_at: netTime,
    revision_number: 0,
    project_id: projectId,
  });
  networks.push(
    mkNetwork(extNetId, 'public', adminProject.id, extSubnetId, true, 0),
  );
  subnets.push(
    mkSubnet(
      extSubnetId,
      'public-subnet',
      adminProject.id,
      extNetId,
      '198.18.0.0/15',
      '198.18.0.1',
      '198.18.0.10',
      '198.19.255.250',
      false,
    ),
  );
  st.registerSubnet(subnets[0]);
  const projNet = new Map<string, { net: Obj; subnet: Obj }>();
  const sgDefault = new Map<string, Obj>();
  const sgWeb = new Map<string, Obj>();
  const securityGroups: Obj[] = [];
  const sgRules: Obj[] = [];
  const routers: Obj[] = [];
  const ports: Obj[] = [];
  const mkRule = (
    sg: Obj,
    direction: string,
    ethertype: string,
    protocol: string | null,
    portMin: number | null,
    remoteIp: string | null,
    remoteGroup: string | null,
  ) => {
    const r = {
      id: rng.uuid(),
      tenant_id: sg.project_id,
      security_group_id: sg.id,
      ethertype,
      direction,
      protocol,
      port_range_min: portMin,
      port_range_max: portMin,
      remote_ip_prefix: remoteIp,
      remote_address_group_id: null,
      normalized_cidr: remoteIp,
      remote_group_id: remoteGroup,
      description: null,
      created_at: netTime,
      updated_at: netTime,
      revision_number: 0,
      project_id: sg.project_id,
    };
    sgRules.push(r);
  };
  const mkSg = (projectId: string, name: string): Obj => {
    const sg = {
      id: rng.uuid(),
      name,
      stateful: true,
      tenant_id: projectId,
      description:
        name === 'default' ? 'Default security group' : `${name} servers`,
      shared: false,
      tags: [],
      created_at: netTime,
      updated_at: netTime,
      revision_number: 1,
      project_id: projectId,
    };
    securityGroups.push(sg);
    mkRule(sg, 'egress', 'IPv4', null, null, null, null);
    mkRule(sg, 'egress', 'IPv6', null, null, null, null);
    if (name === 'default') {
      mkRule(sg, 'ingress', 'IPv4', null, null, null, sg.id);
      mkRule(sg, 'ingress', 'IPv6', null, null, null, sg.id);
    } else {
      for (const port of [22, 80, 443])
        mkRule(sg, 'ingress', 'IPv4', 'tcp', port, '0.0.0.0/0', null);
    }
    return sg;
  };
  mkSg(adminProject.id, 'default');
  const extIp = () => st.allocateIp(extSubnetId)!;
  tenantProjects.forEach((project, i) => {
    const netId = rng.uuid();
    const subnetId = rng.uuid();
    const base = `10.${(i >> 4) & 255}.${(i & 15) << 4}`;
    const net = mkNetwork(
      netId,
      `${project.name}-net`,
      project.id,
      subnetId,
      false,
      1000 + i,
    );
    const subnet = mkSubnet(
      subnetId,
      `${project.name}-subnet`,
      project.id,
      netId,
      `${base}.0/20`,
      `${base}.1`,
      `${base}.2`,
      `10.${(i >> 4) & 255}.${((i & 15) << 4) + 15}.254`,
      true,
    );
    networks.push(net);
    subnets.push(subnet);
    st.registerSubnet(subnet);
    projNet.set(project.id, { net, subnet });
    sgDefault.set(project.id, mkSg(project.id, 'default'));
    sgWeb.set(project.id, mkSg(project.id, 'web'));
    // DHCP port
    ports.push(
      makePort(st, {
        id: rng.uuid(),
        projectId: project.id,
        networkId: netId,
        fixedIps: [
          { subnet_id: subnetId, ip_address: st.allocateIp(subnetId)! },
        ],
        mac: rng.mac(),
        deviceId: `dhcp${rng.uuid()}`,
        deviceOwner: 'network:dhcp',
        host: 'net-01',
        createdMs: SCENARIO_EPOCH,
      }),
    );
    // router with gateway and interface
    const routerId = rng.uuid();
    const gwIp = extIp();
    routers.push({
      id: routerId,
      name: `${project.name}-router`,
      tenant_id: project.id,
      admin_state_up: true,
      status: 'ACTIVE',
      external_gateway_info: {
        network_id: extNetId,
        external_fixed_ips: [{ subnet_id: extSubnetId, ip_address: gwIp }],
        enable_snat: true,
      },
      description: '',
      availability_zones: ['nova'],
      distributed: false,
      ha: false,
      availability_zone_hints: [],
      routes: [],
      flavor_id: null,
      tags: [],
      created_at: netTime,
      updated_at: netTime,
      revision_number: 4,
      project_id: project.id,
    });
    ports.push(
      makePort(st, {
        id: rng.uuid(),
        projectId: '',
        networkId: extNetId,
        fixedIps: [{ subnet_id: extSubnetId, ip_address: gwIp }],
        mac: rng.mac(),
        deviceId: routerId,
        deviceOwner: 'network:router_gateway',
        createdMs: SCENARIO_EPOCH,
      }),
    );
    ports.push(
      makePort(st, {
        id: rng.uuid(),
        projectId: project.id,
        networkId: netId,
        fixedIps: [{ subnet_id: subnetId, ip_address: subnet.gateway_ip }],
        mac: rng.mac(),
        deviceId: routerId,
        deviceOwner: 'network:router_interface',
        host: 'net-01',
        createdMs: SCENARIO_EPOCH,
      }),
    );
  });

  // ----------------------------------------------------------------- servers
  const servers: Obj[] = [];
  const volumes: Obj[] = [];
  const serverPorts: Obj[] = [];
  const keypairNames = new Map<string, Obj>();
  const userOf = (projectId: string) => {
    const pus = projectUsers.get(projectId);
    return pus && pus.length ? rng.pick(pus).id : adminUser.id;
  };
  const volTypeNames = ['__DEFAULT__', 'standard'];
  st.keypairs.push({
    user_id: adminUser.id,
    created_at: isoMicro(SCENARIO_EPOCH),
    keypair: {
      name: 'admin-key',
      public_key: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${hex(43)} admin-key`,
      fingerprint: hex(32).replace(/(..)(?!$)/g, '$1:'),
      type: 'ssh',
    },
  });
  for (let s = 0; s < size.servers; s++) {
    const project = rng.pick(tenantProjects);
    const userId = userOf(project.id);
    const flavor = rng.pick(serverFlavors);
    const hv = rng.pick(hypervisors);
    const created = time(280);
    const bfv = rng.chance(0.4);
    const image = rng.pick(bootImages);
    const statusRoll = rng.next();
    const status =
      pickByRoll<'ACTIVE' | 'SHUTOFF'>(statusRoll, [
        [0.85, 'ACTIVE'],
        [0.97, 'SHUTOFF'],
      ]) ?? 'ERROR';
    let keyName: string | null = null;
    if (rng.chance(0.5)) {
      keyName = `${project.name}-key`;
      const k = `${userId}/${keyName}`;
      if (!keypairNames.has(k)) {
        const kp = {
          user_id: userId,
          created_at: isoMicro(created - DAY),
          keypair: {
            name: keyName,
            public_key: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${hex(
              43,
            )} ${keyName}`,
            fingerprint: hex(32).replace(/(..)(?!$)/g, '$1:'),
            type: 'ssh',
          },
        };
        keypairNames.set(k, kp);
        st.keypairs.push(kp);
      }
    }
    const role = ROLES[s % ROLES.length];
    const server = makeServer(st, {
      id: rng.uuid(),
      name: `${project.name}-${role}-${s + 1}`,
      projectId: project.id,
      userId,
      flavor,
      imageId: bfv ? undefined : image.id,
      hypervisor: hv,
      az: hvAz.get(hv.id)!,
      createdMs: created,
      status,
      keyName,
      metadata: rng.chance(0.3) ? { role, owner: 'ops' } : {},
      securityGroups: rng.chance(0.5) ? ['default', 'web'] : ['default'],
      hostId: hex(56),
      reservationId: `r-${hex(8)}`,
    });
    servers.push(server);
    const { net, subnet } = projNet.get(project.id)!;
    const nPorts = rng.chance(0.8) ? 1 : rng.int(2, 3);
    for (let n = 0; n < nPorts; n++) {
      const ip = st.allocateIp(subnet.id);
      if (!ip) break;
      const sgIds = [sgDefault.get(project.id)!.id];
      if (server.security_groups.length > 1)
        sgIds.push(sgWeb.get(project.id)!.id);
      const port = makePort(st, {
        id: rng.uuid(),
        projectId: project.id,
        networkId: net.id,
        fixedIps: [{ subnet_id: subnet.id, ip_address: ip }],
        mac: rng.mac(),
        deviceId: server.id,
        deviceOwner: `compute:${server['OS-EXT-AZ:availability_zone']}`,
        host: hv.hypervisor_hostname,
        securityGroups: sgIds,
        createdMs: created,
      });
      ports.push(port);
      serverPorts.push(port);
      addServerAddress(server, net.name, ip, port.mac_address);
    }
    let dev = 0;
    const devName = () => `/dev/vd${String.fromCharCode(97 + dev++)}`;
    if (bfv) {
      const vol = makeVolume(st, {
        id: rng.uuid(),
        projectId: project.id,
        userId,
        name: `${server.name}-boot`,
        size: Math.max(flavor.disk, 10),
        status: 'available',
        createdMs: created - 60000,
        volumeType: rng.pick(volTypeNames),
        bootable: true,
        imageId: image.id,
        availabilityZone: server['OS-EXT-AZ:availability_zone'],
      });
      attachVolume(st, vol, server, devName(), created, rng.uuid());
      volumes.push(vol);
    } else {
      dev++; // vda is the image disk
    }
    if (volumes.length < size.volumes && rng.chance(0.5)) {
      const nData = rng.int(1, 2);
      for (let d = 0; d < nData && volumes.length < size.volumes; d++) {
        const auto = rng.chance(0.4);
        const vol = makeVolume(st, {
          id: rng.uuid(),
          projectId: project.id,
          userId,
          name: `${server.name}-data-${d + 1}`,
          size: rng.pick([10, 20, 50, 100, 200, 500]),
          status: 'available',
          createdMs: created + 60000,
          volumeType: rng.pick(volTypeNames),
          metadata: auto
            ? { auto_snapshot: 'true', snapshot_policies: 'daily_5' }
            : {},
          availabilityZone: server['OS-EXT-AZ:availability_zone'],
        });
        attachVolume(st, vol, server, devName(), created + 120000, rng.uuid());
        volumes.push(vol);
      }
    }
  }
  while (volumes.length < size.volumes) {
    const project = rng.pick(tenantProjects);
    const auto = rng.chance(0.25);
    const roll = rng.next();
    volumes.push(
      makeVolume(st, {
        id: rng.uuid(),
        projectId: project.id,
        userId: userOf(project.id),
        name: `${project.name}-vol-${volumes.length + 1}`,
        size: rng.pick([1, 10, 20, 50, 100, 250]),
        status:
          pickByRoll(roll, [
            [0.97, 'available'],
            [0.99, 'error'],
          ]) ?? 'creating',
        createdMs: time(290),
        volumeType: rng.pick(volTypeNames),
        metadata: auto
          ? {
              auto_snapshot: 'true',
              snapshot_policies: rng.pick(['daily_5', 'daily_5,monthly_1st']),
            }
          : {},
        description: rng.chance(0.3) ? 'data volume' : null,
      }),
    );
  }
  // ports to reach the target: unbound ports (VIPs, spare ports)
  while (ports.length < size.ports) {
    const project = rng.pick(tenantProjects);
    const { net, subnet } = projNet.get(project.id)!;
    const ip = st.allocateIp(subnet.id);
    if (!ip) continue;
    ports.push(
      makePort(st, {
        id: rng.uuid(),
        projectId: project.id,
        networkId: net.id,
        name: `${project.name}-vip-${ports.length}`,
        fixedIps: [{ subnet_id: subnet.id, ip_address: ip }],
        mac: rng.mac(),
        securityGroups: [sgDefault.get(project.id)!.id],
        createdMs: time(290),
      }),
    );
  }
  // floating IPs: about half associated with server ports
  const fips: Obj[] = [];
  const routerByProject = new Map(routers.map(r => [r.project_id, r]));
  const serverById = new Map(servers.map(s => [s.id, s]));
  const usedPorts = new Set<string>();
  for (let f = 0; f < size.floatingips; f++) {
    const addr = extIp();
    let port: Obj | undefined;
    if (serverPorts.length && rng.chance(0.5)) {
      port = rng.pick(serverPorts);
      if (usedPorts.has(port.id)) port = undefined;
    }
    const projectId = port ? port.project_id : rng.pick(tenantProjects).id;
    const t = isoZ(time(290));
    const fip: Obj = {
      id: rng.uuid(),
      tenant_id: projectId,
      floating_ip_address: addr,
      floating_network_id: extNetId,
      router_id: port ? routerByProject.get(projectId)?.id ?? null : null,
      port_id: port ? port.id : null,
      fixed_ip_address: port ? port.fixed_ips[0].ip_address : null,
      status: port ? 'ACTIVE' : 'DOWN',
      description: '',
      port_details: port
        ? {
            name: port.name,
            network_id: port.network_id,
            mac_address: port.mac_address,
            admin_state_up: true,
            status: port.status,
            device_id: port.device_id,
            device_owner: port.device_owner,
          }
        : null,
      tags: [],
      created_at: t,
      updated_at: t,
      revision_number: 0,
      project_id: projectId,
    };
    if (port) {
      usedPorts.add(port.id);
      const server = serverById.get(port.device_id);
      const netName = Object.keys(server?.addresses ?? {})[0];
      if (server && netName)
        addServerAddress(server, netName, addr, port.mac_address, 'floating');
    }
    fips.push(fip);
  }

  // ---------------------------------------------------------------- snapshots
  const snapshots: Obj[] = [];
  const snapVolumes = volumes.filter(v => v.status !== 'creating');
  const autoVolumes = snapVolumes.filter(v => v.metadata.auto_snapshot);
  for (let n = 0; n < size.snapshots && snapVolumes.length; n++) {
    const managed = autoVolumes.length > 0 && rng.chance(0.6);
    const vol = managed ? rng.pick(autoVolumes) : rng.pick(snapVolumes);
    const created = Math.max(
      Date.parse(`${vol.created_at}Z`) + DAY,
      SCENARIO_EPOCH + 280 * DAY + rng.int(0, 20 * DAY),
    );
    const period = new Date(created).toISOString().slice(0, 10);
    const projectId = vol['os-vol-tenant-attr:tenant_id'];
    const stamp = new Date(created)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace('T', '-')
      .slice(0, 15);
    snapshots.push(
      makeSnapshot(st, {
        id: rng.uuid(),
        volume: vol,
        userId: managed ? adminUser.id : vol.user_id,
        name: managed
          ? `auto-${st.projects.get(projectId)?.name}-daily_5-${
              vol.name
            }-${stamp}`
          : `${vol.name}-snap-${n + 1}`,
        description: managed
          ? `Automatic snapshot, policy daily_5, period ${period}`
          : null,
        status: rng.chance(0.99) ? 'available' : 'error',
        createdMs: created,
        metadata: managed
          ? {
              created_by: 'p9_auto_snapshots',
              managed_by: 'pf9-ops',
              policy: 'daily_5',
              period,
              run_id: `scenario-${seed}`,
              original_project_id: projectId,
              original_volume_id: vol.id,
            }
          : {},
      }),
    );
  }
  const backups: Obj[] = [];
  for (let b = 0; b < size.backups && snapVolumes.length; b++) {
    const vol = rng.pick(snapVolumes);
    const projectId = vol['os-vol-tenant-attr:tenant_id'];
    const id = rng.uuid();
    const created = isoMicro(SCENARIO_EPOCH + 250 * DAY + rng.int(0, 50 * DAY));
    const url = `${baseUrl}/volume/v3/${projectId}/backups/${id}`;
    backups.push({
      id,
      status: 'available',
      size: vol.size,
      object_count: vol.size * 4,
      availability_zone: 'nova',
      container: 'volumebackups',
      created_at: created,
      updated_at: created,
      name: `${vol.name}-backup-${b + 1}`,
      description: null,
      fail_reason: null,
      volume_id: vol.id,
      links: [
        { rel: 'self', href: url },
        { rel: 'bookmark', href: url.replace('/v3/', '/') },
      ],
      is_incremental: b % 3 !== 0,
      has_dependent_backups: false,
      snapshot_id: null,
      data_timestamp: created,
      'os-backup-project-attr:project_id': projectId,
      user_id: vol.user_id,
      metadata: {},
      encryption_key_id: null,
    });
  }

  // ------------------------------------------------------------ server groups
  const serverGroups: Obj[] = [];
  for (let g = 0; g < size.serverGroups; g++) {
    const project = rng.pick(tenantProjects);
    const members = servers
      .filter(s => s.tenant_id === project.id)
      .slice(0, 3)
      .map(s => s.id);
    const policy = rng.pick([
      'anti-affinity',
      'affinity',
      'soft-anti-affinity',
    ]);
    serverGroups.push({
      id: rng.uuid(),
      name: `${project.name}-${policy}-${g + 1}`,
      policy,
      rules: policy === 'anti-affinity' ? { max_server_per_host: 1 } : {},
      members,
      project_id: project.id,
      user_id: userOf(project.id),
    });
  }

  st.servers.load(servers);
  st.volumes.load(volumes);
  st.snapshots.load(snapshots);
  st.backups.load(backups);
  st.serverGroups.load(serverGroups);
  st.networks.load(networks);
  st.subnets.load(subnets);
  st.ports.load(ports);
  st.routers.load(routers);
  st.floatingips.load(fips);
  st.securityGroups.load(securityGroups);
  st.securityGroupRules.load(sgRules);

  // ------------------------------------------------------------------ quotas
  const perProject = (items: readonly Obj[], key: string) => {
    const m = new Map<string, number>();
    for (const it of items) m.set(it[key], (m.get(it[key]) ?? 0) + 1);
    return m;
  };
  const serverCount = perProject(servers, 'tenant_id');
  const volCount = perProject(volumes, 'os-vol-tenant-attr:tenant_id');
  const snapCount = perProject(
    snapshots,
    'os-extended-snapshot-attributes:project_id',
  );
  const portCount = perProject(ports, 'project_id');
  const fipCount = perProject(fips, 'project_id');
  for (const project of projects) {
    const servers_ = serverCount.get(project.id) ?? 0;
    const vols = volCount.get(project.id) ?? 0;
    const snaps = snapCount.get(project.id) ?? 0;
    const roomy = (used: number, def: number) =>
      Math.max(def, used * 2 + rng.int(0, 10));
    st.quotas.nova.set(project.id, {
      ...NOVA_QUOTA_DEFAULTS,
      instances: roomy(servers_, 10),
      cores: roomy(servers_ * 8, 20),
      ram: roomy(servers_ * 16384, 51200),
      server_groups: roomy(10, 10),
      server_group_members: 10,
    });
    st.quotas.cinder.set(project.id, {
      ...CINDER_QUOTA_DEFAULTS,
      volumes: roomy(vols, 10),
      // a few projects run close to their snapshot quota (for quota-batching tests)
      snapshots: Math.max(10, snaps + rng.int(1, 12)),
      gigabytes: roomy(vols * 600, 1000),
      backups: roomy(vols, 10),
      backup_gigabytes: roomy(vols * 600, 1000),
    });
    st.quotas.neutron.set(project.id, {
      ...NEUTRON_QUOTA_DEFAULTS,
      port: roomy(portCount.get(project.id) ?? 0, 500),
      floatingip: roomy(fipCount.get(project.id) ?? 0, 50),
    });
  }
  return st;
}
