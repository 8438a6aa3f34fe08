import { addVolumeAttachmentRoutes } from './nova-attachments';
import { createServerImage } from './nova-images';
import { addKeypairRoutes } from './nova-keypairs';
import { createServer, deleteServer } from './nova-servers';
import { cmp, paginate } from './collection';
import {
  Ctx,
  RouteTable,
  fail,
  isAdmin,
  mvAtLeast,
  nextHref,
  novaLimit,
  novaNextHref,
  ok,
  pageLimit,
} from './http';
import { Obj, isoZ } from './util';

export const NOVA_MAX_MV = '2.93';
const P = '/compute/v2.1';

/** The server as the requested microversion shows it. */
export function serverView(ctx: Ctx, s: Obj, detailShow = false): Obj {
  const v: Obj = { ...s };
  if (!mvAtLeast(ctx, 2, 47)) {
    const flavor = ctx.state.flavors
      .all()
      .find(f => f.name === s.flavor.original_name);
    const id = flavor?.id ?? s.flavor.original_name;
    v.flavor = {
      id,
      links: [
        { rel: 'bookmark', href: `${ctx.sim.url}/compute/flavors/${id}` },
      ],
    };
  }
  if (!mvAtLeast(ctx, 2, 3)) {
    for (const k of [
      'OS-EXT-SRV-ATTR:reservation_id',
      'OS-EXT-SRV-ATTR:launch_index',
      'OS-EXT-SRV-ATTR:hostname',
      'OS-EXT-SRV-ATTR:kernel_id',
      'OS-EXT-SRV-ATTR:ramdisk_id',
      'OS-EXT-SRV-ATTR:root_device_name',
      'OS-EXT-SRV-ATTR:user_data',
    ])
      delete v[k];
    v['os-extended-volumes:volumes_attached'] = s[
      'os-extended-volumes:volumes_attached'
    ].map((a: Obj) => ({ id: a.id }));
  }
  if (!mvAtLeast(ctx, 2, 9)) delete v.locked;
  if (!mvAtLeast(ctx, 2, 16)) delete v.host_status;
  if (!mvAtLeast(ctx, 2, 19)) delete v.description;
  if (!mvAtLeast(ctx, 2, 26)) delete v.tags;
  if (!mvAtLeast(ctx, 2, 63)) delete v.trusted_image_certificates;
  if (!mvAtLeast(ctx, 2, 73)) delete v.locked_reason;
  if (detailShow && mvAtLeast(ctx, 2, 71)) {
    v.server_groups = ctx.state.serverGroups
      .all()
      .filter(g => g.members.includes(s.id))
      .map(g => g.id);
  }
  return v;
}

function getServer(ctx: Ctx, id: string): Obj {
  const s = ctx.state.servers.get(id);
  if (!s || (!isAdmin(ctx) && s.tenant_id !== ctx.token?.projectId))
    fail('compute', 404, `Instance ${id} could not be found.`);
  return s;
}

function listServers(ctx: Ctx, detail: boolean) {
  const st = ctx.state;
  const allTenants = ctx.query.all_tenants !== undefined && isAdmin(ctx);
  const projectFilter =
    ctx.query.project_id ??
    ctx.query.tenant_id ??
    (allTenants ? undefined : ctx.token!.projectId);
  const q = ctx.query;
  let items = st.servers.all();
  if (projectFilter || q.status || q.name || q.host || q.flavor || q.image) {
    const nameRe = q.name ? new RegExp(q.name) : undefined;
    items = items.filter(
      s =>
        (!projectFilter || s.tenant_id === projectFilter) &&
        (!q.status || s.status === q.status.toUpperCase()) &&
        (!nameRe || nameRe.test(s.name)) &&
        (!q.host || s['OS-EXT-SRV-ATTR:host'] === q.host) &&
        (!q.image || (s.image && s.image.id === q.image)),
    );
  }
  const limit = pageLimit(ctx, 'compute');
  if (q.marker && !st.servers.has(q.marker))
    fail('compute', 400, `marker [${q.marker}] not found`);
  const page = paginate(items, limit, q.marker);
  const body: Obj = {
    servers: page.items.map(s =>
      detail ? serverView(ctx, s) : { id: s.id, links: s.links, name: s.name },
    ),
  };
  if (page.nextMarker && !ctx.truncate) {
    body.servers_links = [
      {
        rel: 'next',
        href: nextHref(
          ctx.sim.url,
          ctx.path,
          ctx.search,
          page.nextMarker,
          q.limit ? undefined : limit,
        ),
      },
    ];
  }
  return ok(body);
}

/**
 * One Nova page after `marker` with `<key>_links` rel=next when the page is full
 * (`ViewBuilder._get_collection_links`); Nova sends no previous link.
 */
function novaPage(
  ctx: Ctx,
  key: string,
  items: readonly Obj[],
  limit: number,
  marker: string | undefined,
  view: (o: Obj) => Obj,
  idKey = 'id',
) {
  const page = paginate(items, limit, marker, idKey);
  const body: Obj = { [key]: page.items.map(view) };
  if (page.nextMarker && !ctx.truncate)
    body[`${key}_links`] = [
      { rel: 'next', href: novaNextHref(ctx, page.nextMarker) },
    ];
  return ok(body);
}

function hypervisorView(ctx: Ctx, h: Obj, usage: Map<string, Obj>): Obj {
  const u = usage.get(h.hypervisor_hostname) ?? {
    vcpus: 0,
    ram: 0,
    disk: 0,
    n: 0,
  };
  const v: Obj = {
    ...h,
    vcpus_used: u.vcpus,
    memory_mb_used: u.ram + 512,
    local_gb_used: u.disk,
    free_ram_mb: h.memory_mb - u.ram - 512,
    free_disk_gb: h.local_gb - u.disk,
    running_vms: u.n,
  };
  if (mvAtLeast(ctx, 2, 88)) {
    for (const k of [
      'vcpus',
      'memory_mb',
      'local_gb',
      'vcpus_used',
      'memory_mb_used',
      'local_gb_used',
      'free_ram_mb',
      'free_disk_gb',
      'current_workload',
      'running_vms',
      'disk_available_least',
      'cpu_info',
    ])
      delete v[k];
  }
  return v;
}

export function hostUsage(ctx: Ctx): Map<string, Obj> {
  const usage = new Map<string, Obj>();
  for (const s of ctx.state.servers.all()) {
    const host = s['OS-EXT-SRV-ATTR:hypervisor_hostname'];
    if (!host || s.status === 'ERROR') continue;
    const u = usage.get(host) ?? { vcpus: 0, ram: 0, disk: 0, n: 0 };
    u.vcpus += s.flavor.vcpus;
    u.ram += s.flavor.ram;
    u.disk += s.image ? s.flavor.disk : 0;
    u.n += 1;
    usage.set(host, u);
  }
  return usage;
}

function novaUsage(ctx: Ctx, projectId: string): Obj {
  const st = ctx.state;
  const all = st.cached('novaUsage', [st.servers, st.serverGroups], () => {
    const usage = new Map<string, Obj>();
    const of = (p: string) => {
      let u = usage.get(p);
      if (!u)
        usage.set(
          p,
          (u = { instances: 0, cores: 0, ram: 0, server_groups: 0 }),
        );
      return u;
    };
    for (const s of st.servers.all()) {
      const u = of(s.tenant_id);
      u.instances++;
      u.cores += s.flavor.vcpus;
      u.ram += s.flavor.ram;
    }
    for (const g of st.serverGroups.all()) of(g.project_id).server_groups++;
    return usage;
  });
  return {
    ...(all.get(projectId) ?? {
      instances: 0,
      cores: 0,
      ram: 0,
      server_groups: 0,
    }),
  };
}

function quotaLimits(ctx: Ctx, projectId: string): Obj {
  const q = ctx.state.quotas.nova.get(projectId);
  if (!q) {
    if (!ctx.state.projects.has(projectId))
      fail('compute', 400, `Project ID ${projectId} is not a valid project.`);
  }
  return q ?? {};
}

export function novaRoutes(): RouteTable {
  const r = new RouteTable('compute', '');
  const versions = (ctx: Ctx) => [
    {
      id: 'v2.0',
      status: 'SUPPORTED',
      version: '',
      min_version: '',
      updated: '2011-01-21T11:33:21Z',
      links: [{ rel: 'self', href: `${ctx.sim.url}/compute/v2/` }],
    },
    {
      id: 'v2.1',
      status: 'CURRENT',
      version: NOVA_MAX_MV,
      min_version: '2.1',
      updated: '2013-07-23T11:33:21Z',
      links: [{ rel: 'self', href: `${ctx.sim.url}/compute/v2.1/` }],
    },
  ];
  r.get('/compute/?', ctx => ok({ versions: versions(ctx) }), false);
  r.get(`${P}/?`, ctx => ok({ version: versions(ctx)[1] }), false);

  r.get(`${P}/servers/detail`, ctx => listServers(ctx, true));
  r.get(`${P}/servers`, ctx => listServers(ctx, false));
  r.get(`${P}/servers/([^/]+)`, ctx =>
    ok({ server: serverView(ctx, getServer(ctx, ctx.params[0]), true) }),
  );
  r.post(`${P}/servers`, createServer);
  r.delete(`${P}/servers/([^/]+)`, ctx => {
    const s = getServer(ctx, ctx.params[0]);
    deleteServer(ctx, s);
    return { status: 204 };
  });
  r.post(`${P}/servers/([^/]+)/action`, ctx => {
    const s = getServer(ctx, ctx.params[0]);
    const action = Object.keys(ctx.body ?? {})[0];
    const setState = (status: string, vm: string, power: number) => {
      s.status = status;
      s['OS-EXT-STS:vm_state'] = vm;
      s['OS-EXT-STS:power_state'] = power;
      s.updated = isoZ(Date.now());
    };
    switch (action) {
      case 'os-stop':
        if (s.status !== 'ACTIVE')
          fail(
            'compute',
            409,
            `Cannot 'stop' instance ${s.id} while it is in vm_state ${s['OS-EXT-STS:vm_state']}`,
          );
        ctx.sim.schedule(ctx.sim.options.transitionMs, () =>
          setState('SHUTOFF', 'stopped', 4),
        );
        break;
      case 'os-start':
        if (s.status !== 'SHUTOFF')
          fail(
            'compute',
            409,
            `Cannot 'start' instance ${s.id} while it is in vm_state ${s['OS-EXT-STS:vm_state']}`,
          );
        ctx.sim.schedule(ctx.sim.options.transitionMs, () =>
          setState('ACTIVE', 'active', 1),
        );
        break;
      case 'reboot':
      case 'lock':
      case 'unlock':
        if (action === 'lock') s.locked = true;
        if (action === 'unlock') s.locked = false;
        break;
      case 'createImage':
        return createServerImage(ctx, s);
      default:
        fail('compute', 400, `There is no such action: ${action}`);
    }
    return { status: 202 };
  });
  addVolumeAttachmentRoutes(r);
  r.get(`${P}/servers/([^/]+)/os-interface`, ctx => {
    const s = getServer(ctx, ctx.params[0]);
    const ports = ctx.state.ports.all().filter(p => p.device_id === s.id);
    return ok({
      interfaceAttachments: ports.map(p => ({
        net_id: p.network_id,
        port_id: p.id,
        mac_addr: p.mac_address,
        port_state: p.status,
        fixed_ips: p.fixed_ips,
        tag: null,
      })),
    });
  });

  r.get(`${P}/flavors/detail`, ctx => {
    const pub = ctx.query.is_public;
    const items = ctx.state.flavors
      .all()
      .filter(f =>
        pub === undefined
          ? f['os-flavor-access:is_public'] || isAdmin(ctx)
          : pub.toLowerCase() === 'none' ||
            f['os-flavor-access:is_public'] === (pub.toLowerCase() === 'true'),
      );
    const view = (f: Obj) => {
      const v = { ...f };
      if (!mvAtLeast(ctx, 2, 61)) delete v.extra_specs;
      if (!mvAtLeast(ctx, 2, 55)) delete v.description;
      return v;
    };
    // sorted by flavorid (Nova's default sort_key), paged by limit / marker (the flavor id)
    const marker = ctx.query.marker;
    if (marker !== undefined && !ctx.state.flavors.has(marker))
      fail('compute', 400, `marker [${marker}] not found`);
    return novaPage(ctx, 'flavors', items, novaLimit(ctx), marker, view);
  });
  r.get(`${P}/flavors/([^/]+)`, ctx => {
    const f = ctx.state.flavors.get(ctx.params[0]);
    if (!f) fail('compute', 404, `Flavor ${ctx.params[0]} could not be found.`);
    return ok({ flavor: f });
  });
  r.get(`${P}/flavors/([^/]+)/os-extra-specs`, ctx => {
    const f = ctx.state.flavors.get(ctx.params[0]);
    if (!f) fail('compute', 404, `Flavor ${ctx.params[0]} could not be found.`);
    return ok({ extra_specs: f.extra_specs });
  });

  // limit / marker from 2.33 (the marker is the hypervisor's id, a UUID from 2.53); before 2.33 the
  // parameters are ignored and everything is returned without links
  const hypervisorPage = (ctx: Ctx, view: (h: Obj) => Obj) => {
    const all = ctx.state.hypervisors.all();
    if (!mvAtLeast(ctx, 2, 33)) return ok({ hypervisors: all.map(view) });
    const marker = ctx.query.marker;
    if (marker !== undefined && !ctx.state.hypervisors.has(marker))
      fail('compute', 400, `marker [${marker}] not found`);
    return novaPage(ctx, 'hypervisors', all, novaLimit(ctx), marker, view);
  };
  r.get(`${P}/os-hypervisors/detail`, ctx => {
    const usage = hostUsage(ctx);
    return hypervisorPage(ctx, h => hypervisorView(ctx, h, usage));
  });
  r.get(`${P}/os-hypervisors`, ctx =>
    hypervisorPage(ctx, h => ({
      id: h.id,
      hypervisor_hostname: h.hypervisor_hostname,
      state: h.state,
      status: h.status,
    })),
  );
  r.get(`${P}/os-hypervisors/([^/]+)`, ctx => {
    const h = ctx.state.hypervisors.get(ctx.params[0]);
    if (!h)
      fail(
        'compute',
        404,
        `Hypervisor with ID ${ctx.params[0]} could not be found.`,
      );
    return ok({ hypervisor: hypervisorView(ctx, h, hostUsage(ctx)) });
  });
  r.get(`${P}/os-services`, ctx => ok({ services: ctx.state.computeServices }));
  r.get(`${P}/os-aggregates`, ctx => ok({ aggregates: ctx.state.aggregates }));
  r.get(`${P}/os-availability-zone(/detail)?`, ctx => {
    const zones = new Map<string, Obj>();
    zones.set('internal', {});
    for (const svc of ctx.state.computeServices) {
      const z = zones.get(svc.zone) ?? {};
      z[svc.host] = z[svc.host] ?? {};
      z[svc.host][svc.binary] = {
        available: svc.state === 'up' && svc.status === 'enabled',
        active: svc.status === 'enabled',
        updated_at: svc.updated_at,
      };
      zones.set(svc.zone, z);
    }
    const detail = !!ctx.params[0];
    return ok({
      availabilityZoneInfo: [...zones.entries()]
        .filter(([name]) => detail || name !== 'internal')
        .map(([zoneName, hosts]) => ({
          zoneName,
          zoneState: { available: true },
          hosts: detail ? hosts : null,
        })),
    });
  });
  // Nova pages server groups with `common.limited`: `offset` and `limit` (0 or missing = max_limit 1000),
  // and sends no links
  r.get(`${P}/os-server-groups`, ctx => {
    const all = ctx.query.all_projects !== undefined && isAdmin(ctx);
    const groups = ctx.state.serverGroups.all();
    const items = all
      ? groups
      : groups.filter(g => g.project_id === ctx.token!.projectId);
    const limit = novaLimit(ctx, { zeroMeansMax: true });
    const rawOffset = ctx.query.offset;
    const offset = rawOffset === undefined ? 0 : Number(rawOffset);
    if (rawOffset === '' || !Number.isInteger(offset) || offset < 0)
      fail(
        'compute',
        400,
        `Invalid input for query parameters offset. Value: ${rawOffset}. '${rawOffset}' does not match '^[0-9]*$'`,
      );
    return ok({ server_groups: items.slice(offset, offset + limit) });
  });
  // limit / marker (the keypair name, sorted by name) and keypairs_links from 2.35
  r.get(`${P}/os-keypairs`, ctx => {
    const userId =
      ctx.query.user_id && isAdmin(ctx) ? ctx.query.user_id : ctx.token!.userId;
    const mine = ctx.state.keypairs
      .filter(k => k.user_id === userId)
      .map(k => ({ name: k.keypair.name as string, keypair: k.keypair }))
      .sort((a, b) => cmp(a.name, b.name));
    const view = (k: Obj) => ({ keypair: k.keypair });
    if (!mvAtLeast(ctx, 2, 35)) return ok({ keypairs: mine.map(view) });
    const marker = ctx.query.marker;
    if (marker !== undefined && !mine.some(k => k.name === marker))
      fail('compute', 400, `Marker ${marker} could not be found.`);
    return novaPage(
      ctx,
      'keypairs',
      mine,
      novaLimit(ctx),
      marker,
      view,
      'name',
    );
  });
  addKeypairRoutes(r);
  r.get(`${P}/limits`, ctx => {
    const projectId =
      (isAdmin(ctx) && ctx.query.tenant_id) || ctx.token!.projectId!;
    const q = quotaLimits(ctx, projectId);
    const u = novaUsage(ctx, projectId);
    return ok({
      limits: {
        rate: [],
        absolute: {
          maxTotalInstances: q.instances,
          maxTotalCores: q.cores,
          maxTotalRAMSize: q.ram,
          maxServerMeta: q.metadata_items,
          maxTotalKeypairs: q.key_pairs,
          maxServerGroups: q.server_groups,
          maxServerGroupMembers: q.server_group_members,
          totalRAMUsed: u.ram,
          totalCoresUsed: u.cores,
          totalInstancesUsed: u.instances,
          totalServerGroupsUsed: u.server_groups,
        },
      },
    });
  });
  r.get(`${P}/os-quota-sets/([^/]+)(/detail)?`, ctx => {
    const projectId = ctx.params[0];
    const q = quotaLimits(ctx, projectId);
    if (!ctx.params[1]) return ok({ quota_set: { id: projectId, ...q } });
    const u = novaUsage(ctx, projectId);
    const out: Obj = { id: projectId };
    for (const k of Object.keys(q))
      out[k] = { limit: q[k], in_use: u[k] ?? 0, reserved: 0 };
    return ok({ quota_set: out });
  });
  r.put(`${P}/os-quota-sets/([^/]+)`, ctx => {
    if (!isAdmin(ctx))
      fail(
        'compute',
        403,
        'Policy does not allow os_compute_api:os-quota-sets:update to be performed.',
      );
    const q = quotaLimits(ctx, ctx.params[0]);
    const upd = ctx.body?.quota_set ?? {};
    for (const [k, v] of Object.entries(upd)) if (k in q) q[k] = Number(v);
    ctx.state.quotas.nova.set(ctx.params[0], q);
    return ok({ quota_set: { ...q } });
  });
  return r;
}
