import fs from 'fs';
import path from 'path';
import { startSimulator, Simulator } from './simulator';
import { adminToken, call } from './testing/client';
import { compareShapes, shapeOf } from './testing/shape';
import type { Obj } from './util';

/** The recorded samples live in the project's shared folder beside the checkout; the test command sets PF9_SHARED_DIR. */
const SAMPLES = path.join(
  process.env.PF9_SHARED_DIR ?? path.resolve(__dirname, '../../../../shared'),
  'openstack-samples',
);

/** Samples the simulator does not serve (see README). */
const NOT_IMPLEMENTED = new Set(['glance/schema_image.json']);

interface Req {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

function simPath(
  service: string,
  samplePath: string,
  adminProject: string,
): string {
  switch (service) {
    case 'keystone':
      return samplePath;
    case 'nova':
      return samplePath === '/' ? '/compute/' : `/compute${samplePath}`;
    case 'cinder':
      return samplePath === '/'
        ? '/volume/'
        : samplePath.replace(/^\/v3\/[^/]+/, `/volume/v3/${adminProject}`);
    case 'neutron':
      return samplePath === '/' ? '/network/' : `/network${samplePath}`;
    case 'glance':
      return samplePath === '/' ? '/image/' : `/image${samplePath}`;
    default:
      return samplePath === '/' ? '/placement/' : `/placement${samplePath}`;
  }
}

describe('response shapes match the recorded OpenStack Zed samples', () => {
  let sim: Simulator;
  let token: string;
  let adminProject: string;
  const pick: Record<string, Obj> = {};

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'small', seed: 7, transitionMs: 0 });
    ({ token, projectId: adminProject } = await adminToken(sim));
    const st = sim.state;
    const servers = st.servers.all();
    pick.bfv = servers.find(s => s.image === '' && s.status === 'ACTIVE')!;
    pick.imageBooted = servers.find(
      s =>
        s.image !== '' &&
        s.status === 'ACTIVE' &&
        (st.serverVolumes.get(s.id) ?? []).length,
    )!;
    pick.stoppable = servers.find(
      s =>
        s.status === 'ACTIVE' &&
        s.id !== pick.bfv.id &&
        s.id !== pick.imageBooted.id,
    )!;
    pick.autoVolume = st.volumes
      .all()
      .find(v => v.metadata.auto_snapshot === 'true')!;
    pick.inUse = st.volumes.all().find(v => v.status === 'in-use')!;
    pick.available = st.volumes.all().filter(v => v.status === 'available')[0];
    pick.available2 = st.volumes.all().filter(v => v.status === 'available')[1];
    pick.snapshot = st.snapshots.all().find(s => s.status === 'available')!;
    pick.snapshot2 = st.snapshots
      .all()
      .filter(s => s.status === 'available')[1];
    pick.group = st.groups
      .all()
      .find(g => (st.groupMembers.get(g.id)?.size ?? 0) > 0)!;
    pick.domain = st.domains.all().find(d => d.id !== 'default')!;
    pick.project = st.projects
      .all()
      .find(p => p.name !== 'admin' && p.name !== 'service')!;
    pick.hv = st.hypervisors.all()[0];
    pick.image = st.images.all()[0];
    pick.port = st.ports
      .all()
      .find(p => p.device_owner.startsWith('compute:'))!;
    pick.net = st.networks.get(pick.port.network_id)!;
    pick.flavor = st.flavors.all()[0];
    pick.quotaVolume = st.volumes
      .all()
      .find(
        v =>
          v.status === 'available' &&
          v.id !== pick.available2.id &&
          v['os-vol-tenant-attr:tenant_id'] !==
            pick.inUse['os-vol-tenant-attr:tenant_id'],
      )!;
    pick.quotaProject = st.projects.get(
      pick.quotaVolume['os-vol-tenant-attr:tenant_id'],
    )!;
  });

  afterAll(() => sim.close());

  const overrides: Record<string, () => Req> = {
    'keystone/group_users_list.json': () => ({
      path: `/v3/groups/${pick.group.id}/users`,
    }),
    'keystone/users_list_by_domain.json': () => ({
      query: { domain_id: pick.domain.id },
    }),
    'keystone/project_show.json': () => ({
      path: `/v3/projects/${pick.project.id}`,
    }),
    'nova/server_show_volume_booted.json': () => ({
      path: `/compute/v2.1/servers/${pick.bfv.id}`,
    }),
    'nova/server_show_created_bfv.json': () => ({
      path: `/compute/v2.1/servers/${pick.bfv.id}`,
    }),
    'nova/server_show_image_booted.json': () => ({
      path: `/compute/v2.1/servers/${pick.imageBooted.id}`,
    }),
    'nova/server_volume_attachments.json': () => ({
      path: `/compute/v2.1/servers/${pick.imageBooted.id}/os-volume_attachments`,
    }),
    'nova/server_volume_attachments_boot_volume.json': () => ({
      path: `/compute/v2.1/servers/${pick.bfv.id}/os-volume_attachments`,
    }),
    'nova/server_interfaces.json': () => ({
      path: `/compute/v2.1/servers/${pick.imageBooted.id}/os-interface`,
    }),
    'nova/quota_set_detail.json': () => ({
      path: `/compute/v2.1/os-quota-sets/${pick.project.id}/detail`,
    }),
    'nova/server_action_stop_202.json': () => ({
      path: `/compute/v2.1/servers/${pick.stoppable.id}/action`,
    }),
    'nova/server_action_start_202.json': () => ({
      path: `/compute/v2.1/servers/${pick.stoppable.id}/action`,
    }),
    'nova/error_400_bad_flavor_ref.json': () => ({
      body: {
        server: {
          name: 'bad-flavor',
          flavorRef: 'no-such-flavor',
          imageRef: pick.image.id,
          networks: 'none',
        },
      },
    }),
    'nova/server_create_boot_from_volume_202.json': () => ({
      body: {
        server: {
          name: 'restore-1',
          flavorRef: pick.flavor.id,
          availability_zone: 'nova',
          key_name: 'admin-key',
          metadata: { restore_job_id: 'test' },
          security_groups: [{ name: 'web' }],
          block_device_mapping_v2: [
            {
              boot_index: 0,
              uuid: pick.available2.id,
              source_type: 'volume',
              destination_type: 'volume',
              delete_on_termination: false,
            },
          ],
          networks: [{ uuid: pick.net.id }],
        },
      },
    }),
    'cinder/quota_set_usage.json': () => ({
      path: `/volume/v3/${adminProject}/os-quota-sets/${pick.project.id}`,
    }),
    'cinder/quota_set_update_snapshots_1.json': () => {
      const used = sim.state.snapshots
        .all()
        .filter(
          s =>
            s['os-extended-snapshot-attributes:project_id'] ===
            pick.quotaProject.id,
        ).length;
      return {
        path: `/volume/v3/${adminProject}/os-quota-sets/${pick.quotaProject.id}`,
        body: { quota_set: { snapshots: used } },
      };
    },
    'cinder/snapshot_create_413_quota_exceeded.json': () => ({
      path: `/volume/v3/${pick.quotaProject.id}/snapshots`,
      body: {
        snapshot: { volume_id: pick.quotaVolume.id, name: 'quota-snap-2' },
      },
    }),
    'cinder/quota_set_usage_at_limit.json': () => ({
      path: `/volume/v3/${adminProject}/os-quota-sets/${pick.quotaProject.id}`,
    }),
    'cinder/snapshot_create_202.json': () => ({
      body: {
        snapshot: {
          volume_id: pick.inUse.id,
          force: true,
          name: 'auto-snap',
          description: 'Automatic snapshot',
          metadata: { created_by: 'p9_auto_snapshots', policy: 'daily_5' },
        },
      },
    }),
    'cinder/snapshot_create_in_use_without_force_400.json': () => ({
      body: { snapshot: { volume_id: pick.inUse.id, name: 'should-fail' } },
    }),
    'cinder/snapshot_show.json': () => ({
      path: `/volume/v3/${adminProject}/snapshots/${pick.snapshot.id}`,
    }),
    'cinder/snapshot_delete_202.json': () => ({
      path: `/volume/v3/${adminProject}/snapshots/${pick.snapshot2.id}`,
    }),
    'cinder/volume_create_from_snapshot_202.json': () => ({
      body: {
        volume: {
          name: 'restore-vol',
          size: pick.snapshot.size,
          snapshot_id: pick.snapshot.id,
          description: 'x',
          metadata: { a: 'b' },
        },
      },
    }),
    'cinder/volume_metadata.json': () => ({
      path: `/volume/v3/${adminProject}/volumes/${pick.autoVolume.id}/metadata`,
    }),
    'neutron/quotas_project.json': () => ({
      path: `/network/v2.0/quotas/${pick.project.id}`,
    }),
    'neutron/quotas_project_details.json': () => ({
      path: `/network/v2.0/quotas/${pick.project.id}/details`,
    }),
    'neutron/port_create_fixed_ip_201.json': () => ({
      body: {
        port: {
          name: 'port-1',
          network_id: pick.net.id,
          admin_state_up: true,
          fixed_ips: [{ subnet_id: pick.net.subnets[0] }],
          description: 'x',
        },
      },
    }),
    'neutron/port_create_409_ip_already_allocated.json': () => ({
      body: {
        port: {
          name: 'port-2',
          network_id: pick.net.id,
          fixed_ips: pick.port.fixed_ips,
        },
      },
    }),
    'neutron/ports_filter_by_fixed_ip.json': () => ({
      query: {
        network_id: pick.net.id,
        fixed_ips: `ip_address=${pick.port.fixed_ips[0].ip_address}`,
      },
    }),
    'neutron/ports_list_limit2_page2.json': () => ({
      query: { limit: '2', marker: sim.state.ports.all()[1].id },
    }),
    'cinder/volumes_detail_all_tenants_limit2_page2.json': () => ({
      query: {
        all_tenants: '1',
        limit: '2',
        marker: sim.state.volumes.all()[1].id,
      },
    }),
    'glance/image_show.json': () => ({
      path: `/image/v2/images/${pick.image.id}`,
    }),
    'glance/images_list_limit1_page2.json': () => ({
      query: { limit: '1', marker: sim.state.images.all()[0].id },
    }),
    'placement/resource_provider_inventories.json': () => ({
      path: `/placement/resource_providers/${pick.hv.id}/inventories`,
    }),
    'placement/resource_provider_usages.json': () => ({
      path: `/placement/resource_providers/${pick.hv.id}/usages`,
    }),
  };

  // the order of the README's table (stop before start, quota update before the 413)
  const readme = fs.readFileSync(path.join(SAMPLES, 'README.md'), 'utf8');
  const files = [...readme.matchAll(/^\| `([a-z]+\/[a-z0-9_.]+\.json)`/gm)].map(
    m => m[1],
  );
  const onDisk = fs
    .readdirSync(SAMPLES)
    .filter(d => fs.statSync(path.join(SAMPLES, d)).isDirectory())
    .flatMap(d => fs.readdirSync(path.join(SAMPLES, d)).map(f => `${d}/${f}`));
  const ordered = [...files, ...onDisk.filter(f => !files.includes(f))].filter(
    f => onDisk.includes(f) && !NOT_IMPLEMENTED.has(f),
  );
  const ORDER_FIRST = [
    'nova/server_action_stop_202.json',
    'cinder/quota_set_update_snapshots_1.json',
  ];
  ordered.sort(
    (a, b) => Number(ORDER_FIRST.includes(b)) - Number(ORDER_FIRST.includes(a)),
  );

  it('covers every recorded sample', () => {
    expect(ordered.length + NOT_IMPLEMENTED.size).toBe(onDisk.length);
    expect(onDisk.length).toBeGreaterThan(70);
  });

  it.each(ordered)('%s', async file => {
    const sample = JSON.parse(
      fs.readFileSync(path.join(SAMPLES, file), 'utf8'),
    );
    const service = file.split('/')[0];
    const o = overrides[file]?.() ?? {};
    const req = sample.request;
    const query = o.query ?? req.query ?? {};
    const qs = new URLSearchParams(query).toString();
    const p = o.path ?? simPath(service, req.path, adminProject);
    const res = await call(
      sim,
      o.method ?? req.method,
      `${p}${qs ? `?${qs}` : ''}`,
      {
        token: req.path === '/v3/auth/tokens' ? undefined : token,
        body: o.body ?? req.body ?? undefined,
        headers: { ...(req.headers ?? {}), ...(o.headers ?? {}) },
      },
    );
    const authBody =
      req.path === '/v3/auth/tokens'
        ? {
            auth: {
              ...req.body.auth,
              identity: {
                ...req.body.auth.identity,
                password: {
                  user: {
                    ...req.body.auth.identity.password.user,
                    password: 'demo-admin',
                  },
                },
              },
            },
          }
        : undefined;
    let actual = res;
    if (authBody)
      actual = await call(sim, 'POST', '/v3/auth/tokens', { body: authBody });
    expect({ file, status: actual.status }).toEqual({
      file,
      status: sample.response.status,
    });
    const diffs = compareShapes(
      shapeOf(sample.response.body),
      shapeOf(actual.body),
    );
    expect(diffs).toEqual([]);
  });
});
