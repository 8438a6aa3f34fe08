import { randomBytes, randomUUID } from 'crypto';
import { makePort } from './builders';
import { Collection, paginate } from './collection';
import { Ctx, RouteTable, fail, isAdmin, nextHref, ok } from './http';
import { SimState } from './state';
import { Obj, cidrRange, ipToInt } from './util';

const P = '/network/v2.0';
const RESERVED = new Set([
  'limit',
  'marker',
  'page_reverse',
  'fields',
  'sort_key',
  'sort_dir',
]);

interface Resource {
  path: string;
  key: string;
  singular: string;
  coll: (st: SimState) => Collection<Obj>;
  view?: (ctx: Ctx, o: Obj) => Obj;
  /** query filter name → field of the stored object, where they differ */
  filterFields?: Record<string, string>;
  /** Neutron's policy hides every item from non-admins (the listing is then empty) */
  adminOnly?: boolean;
}

function sgView(ctx: Ctx, sg: Obj): Obj {
  const rules = ctx.state.securityGroupRules
    .all()
    .filter(r => r.security_group_id === sg.id)
    .map((r, i) => ({ ...r, standard_attr_id: i + 1, tags: [] }));
  const { tags, created_at, updated_at, revision_number, project_id, ...head } =
    sg;
  return {
    ...head,
    security_group_rules: rules,
    tags,
    created_at,
    updated_at,
    revision_number,
    project_id,
  };
}

/** One network's IP availability (`GET /v2.0/network-ip-availabilities`), computed when served. */
function ipAvailabilityView(ctx: Ctx, net: Obj): Obj {
  const st = ctx.state;
  const subs = net.subnets
    .map((id: string) => st.subnets.get(id))
    .filter(Boolean)
    .map((s: Obj) => {
      const stats = st.subnetStats(s.id);
      return {
        subnet_id: s.id,
        ip_version: s.ip_version,
        cidr: s.cidr,
        subnet_name: s.name,
        used_ips: stats.used,
        total_ips: stats.total,
      };
    });
  return {
    network_id: net.id,
    network_name: net.name,
    tenant_id: net.project_id,
    project_id: net.project_id,
    subnet_ip_availability: subs,
    used_ips: subs.reduce((n: number, s: Obj) => n + s.used_ips, 0),
    total_ips: subs.reduce((n: number, s: Obj) => n + s.total_ips, 0),
  };
}

/** Listed only (no show route here): paged like every Neutron collection, by network id. */
const IP_AVAILABILITIES: Resource = {
  path: 'network-ip-availabilities',
  key: 'network_ip_availabilities',
  singular: 'network_ip_availability',
  coll: st => st.networks,
  view: ipAvailabilityView,
  filterFields: { network_id: 'id', network_name: 'name' },
  adminOnly: true,
};

const RESOURCES: Resource[] = [
  {
    path: 'networks',
    key: 'networks',
    singular: 'network',
    coll: st => st.networks,
  },
  {
    path: 'subnets',
    key: 'subnets',
    singular: 'subnet',
    coll: st => st.subnets,
  },
  { path: 'ports', key: 'ports', singular: 'port', coll: st => st.ports },
  {
    path: 'routers',
    key: 'routers',
    singular: 'router',
    coll: st => st.routers,
  },
  {
    path: 'floatingips',
    key: 'floatingips',
    singular: 'floatingip',
    coll: st => st.floatingips,
  },
  {
    path: 'security-groups',
    key: 'security_groups',
    singular: 'security_group',
    coll: st => st.securityGroups,
    view: sgView,
  },
  {
    path: 'security-group-rules',
    key: 'security_group_rules',
    singular: 'security_group_rule',
    coll: st => st.securityGroupRules,
  },
];

function matches(item: Obj, key: string, value: string): boolean {
  if (key === 'fixed_ips') {
    const [k, v] = value.split('=');
    return (item.fixed_ips ?? []).some((ip: Obj) => String(ip[k]) === v);
  }
  const actual = item[key];
  if (actual === undefined) return true; // unknown filters are ignored, like Neutron
  if (typeof actual === 'boolean')
    return String(actual) === value.toLowerCase();
  if (actual === null) return value === '' || value.toLowerCase() === 'none';
  if (Array.isArray(actual)) return actual.includes(value);
  return String(actual) === value;
}

function list(ctx: Ctx, res: Resource) {
  const all = res.coll(ctx.state).all();
  const filters: [string, string[]][] = [];
  for (const key of new Set(ctx.search.keys())) {
    if (RESERVED.has(key)) continue;
    filters.push([key, ctx.search.getAll(key)]);
  }
  const ownOnly = !isAdmin(ctx);
  if (ownOnly && res.adminOnly) return ok({ [res.key]: [] });
  const field = (k: string) => res.filterFields?.[k] ?? k;
  let items: readonly Obj[] = all;
  if (filters.length || ownOnly) {
    items = all.filter(
      o =>
        (!ownOnly ||
          o.project_id === ctx.token!.projectId ||
          o.shared ||
          o['router:external']) &&
        filters.every(([k, values]) =>
          values.some(v => matches(o, field(k), v)),
        ),
    );
  }
  const view = (o: Obj) => (res.view ? res.view(ctx, o) : o);
  const limitRaw = ctx.query.limit;
  if (limitRaw === undefined) return ok({ [res.key]: items.map(view) });
  const limit = Math.max(0, Math.min(Number(limitRaw) || 0, 10000));
  const page = paginate(items, limit, ctx.query.marker);
  const body: Obj = { [res.key]: page.items.map(view) };
  const links: Obj[] = [];
  if (page.nextMarker && !ctx.truncate) {
    links.push({
      rel: 'next',
      href: nextHref(ctx.sim.url, ctx.path, ctx.search, page.nextMarker),
    });
  }
  if (page.items.length && (ctx.query.marker || links.length)) {
    const prev = new URLSearchParams(ctx.search);
    prev.set('marker', page.items[0].id);
    prev.set('page_reverse', 'True');
    links.push({
      rel: 'previous',
      href: `${ctx.sim.url}${ctx.path}?${prev.toString()}`,
    });
  }
  if (links.length) body[`${res.key}_links`] = links;
  return ok(body);
}

const NEUTRON_COUNTED: Array<[string, (st: SimState) => Collection<Obj>]> = [
  ['network', st => st.networks],
  ['subnet', st => st.subnets],
  ['port', st => st.ports],
  ['router', st => st.routers],
  ['floatingip', st => st.floatingips],
  ['security_group', st => st.securityGroups],
  ['security_group_rule', st => st.securityGroupRules],
];

function quotaUsage(ctx: Ctx, projectId: string): Obj {
  const st = ctx.state;
  const all = st.cached(
    'neutronUsage',
    NEUTRON_COUNTED.map(([, c]) => c(st)),
    () => {
      const usage = new Map<string, Obj>();
      for (const [resource, coll] of NEUTRON_COUNTED) {
        for (const o of coll(st).all()) {
          let u = usage.get(o.project_id);
          if (!u) usage.set(o.project_id, (u = {}));
          u[resource] = (u[resource] ?? 0) + 1;
        }
      }
      return usage;
    },
  );
  const u = all.get(projectId) ?? {};
  return {
    network: u.network ?? 0,
    subnet: u.subnet ?? 0,
    subnetpool: 0,
    port: u.port ?? 0,
    router: u.router ?? 0,
    floatingip: u.floatingip ?? 0,
    rbac_policy: 0,
    security_group: u.security_group ?? 0,
    security_group_rule: u.security_group_rule ?? 0,
  };
}

function newMac(): string {
  return `fa:16:3e:${randomBytes(3)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1:')}`;
}

/** The subnet of a requested address: the given one, else the network's subnet whose CIDR holds it. */
function subnetFor(st: SimState, net: Obj, f: Obj): Obj {
  const inCidr = (sub: Obj) => {
    const { first, last } = cidrRange(sub.cidr);
    const n = ipToInt(f.ip_address);
    return n > first && n < last;
  };
  if (!f.subnet_id && f.ip_address) {
    const sub = net.subnets
      .map((id: string) => st.subnets.get(id))
      .find((x: Obj | undefined) => x && inCidr(x));
    if (!sub)
      fail(
        'network',
        400,
        `IP address ${f.ip_address} is not a valid IP for any of the subnets on the specified network.`,
        'InvalidIpForNetwork',
      );
    return sub;
  }
  const subnetId = f.subnet_id ?? net.subnets[0];
  const sub = st.subnets.get(subnetId);
  if (!sub)
    fail(
      'network',
      404,
      `Subnet ${subnetId} could not be found.`,
      'SubnetNotFound',
    );
  if (f.ip_address && !inCidr(sub!))
    fail(
      'network',
      400,
      `IP address ${f.ip_address} is not a valid IP for the specified subnet.`,
      'InvalidIpForSubnet',
    );
  return sub!;
}

/**
 * Neutron's IPAM for a new port: a requested address must lie in its subnet (400) and be held
 * by no port, bound or not (409 IpAddressAlreadyAllocated); nothing stays allocated on failure.
 */
function allocateFixedIps(
  st: SimState,
  net: Obj,
  requestedIps?: Obj[],
): { subnet_id: string; ip_address: string }[] {
  const requested: Obj[] = requestedIps?.length
    ? requestedIps
    : [{ subnet_id: net.subnets[0] }];
  const fixed: { subnet_id: string; ip_address: string }[] = [];
  const undo = () => {
    for (const done of fixed) st.releaseIp(done.subnet_id, done.ip_address);
  };
  for (const f of requested) {
    let subnet: Obj;
    try {
      subnet = subnetFor(st, net, f);
    } catch (e) {
      undo();
      throw e;
    }
    if (f.ip_address && st.isIpUsed(subnet.id, f.ip_address)) {
      undo();
      fail(
        'network',
        409,
        `IP address ${f.ip_address} already allocated in subnet ${subnet.id}`,
        'IpAddressAlreadyAllocated',
      );
    }
    const ip = st.allocateIp(subnet.id, f.ip_address);
    if (!ip) {
      undo();
      fail(
        'network',
        409,
        `No more IP addresses available on network ${net.id}.`,
        'IpAddressGenerationFailure',
      );
    }
    fixed.push({ subnet_id: subnet.id, ip_address: ip! });
  }
  return fixed;
}

export function neutronRoutes(): RouteTable {
  const r = new RouteTable('network', '');
  const v = (ctx: Ctx) => ({
    id: 'v2.0',
    status: 'CURRENT',
    links: [{ rel: 'self', href: `${ctx.sim.url}/network/v2.0/` }],
  });
  r.get('/network/?', ctx => ok({ versions: [v(ctx)] }), false);
  r.get(`${P}/?`, ctx =>
    ok({
      resources: RESOURCES.map(res => ({
        links: [{ rel: 'self', href: `${ctx.sim.url}${P}/${res.path}` }],
        name: res.singular,
        collection: res.key,
      })),
    }),
  );
  r.get(`${P}/${IP_AVAILABILITIES.path}`, ctx => list(ctx, IP_AVAILABILITIES));
  for (const res of RESOURCES) {
    r.get(`${P}/${res.path}`, ctx => list(ctx, res));
    r.get(`${P}/${res.path}/([^/]+)`, ctx => {
      const o = res.coll(ctx.state).get(ctx.params[0]);
      if (
        !o ||
        (!isAdmin(ctx) &&
          o.project_id !== ctx.token!.projectId &&
          !o.shared &&
          !o['router:external'])
      )
        fail(
          'network',
          404,
          `${res.singular.replace(/(^|_)(\w)/g, (_m, _a, c) =>
            c.toUpperCase(),
          )} ${ctx.params[0]} could not be found.`,
          `${res.singular.replace(/(^|_)(\w)/g, (_m, _a, c) =>
            c.toUpperCase(),
          )}NotFound`,
        );
      return ok({ [res.singular]: res.view ? res.view(ctx, o) : o });
    });
  }
  r.post(`${P}/ports`, ctx => {
    const st = ctx.state;
    const req = ctx.body?.port;
    if (!req?.network_id)
      fail(
        'network',
        400,
        "Failed to parse request. Required attribute 'network_id' not specified",
        'HTTPBadRequest',
      );
    const net = st.networks.get(req.network_id);
    if (!net)
      fail(
        'network',
        404,
        `Network ${req.network_id} could not be found.`,
        'NetworkNotFound',
      );
    const projectId =
      (isAdmin(ctx) && (req.project_id ?? req.tenant_id)) ||
      ctx.token!.projectId!;
    const mac = req.mac_address ?? newMac();
    if (
      st.ports.all().some(x => x.network_id === net.id && x.mac_address === mac)
    )
      fail(
        'network',
        409,
        `Unable to complete operation for network ${net.id}. The mac address ${mac} is in use.`,
        'MacAddressInUse',
      );
    const badSg = (req.security_groups ?? []).find(
      (id: string) => !st.securityGroups.has(id),
    );
    if (badSg)
      fail(
        'network',
        404,
        `Security group ${badSg} does not exist`,
        'SecurityGroupNotFound',
      );
    const fixed = allocateFixedIps(st, net, req.fixed_ips);
    const defaultSg = st.securityGroups
      .all()
      .find(g => g.project_id === projectId && g.name === 'default');
    const port = makePort(st, {
      id: randomUUID(),
      projectId,
      networkId: net.id,
      name: req.name ?? '',
      fixedIps: fixed,
      mac,
      deviceId: req.device_id,
      deviceOwner: req.device_owner,
      securityGroups: req.security_groups ?? (defaultSg ? [defaultSg.id] : []),
      createdMs: Date.now(),
      description: req.description ?? '',
      adminStateUp: req.admin_state_up ?? true,
    });
    const {
      allowed_address_pairs,
      extra_dhcp_opts,
      security_groups,
      description,
      ...rest
    } = port;
    st.ports.add(port);
    // the create response orders keys a little differently from the listing
    return ok(
      {
        port: {
          ...rest,
          security_groups,
          allowed_address_pairs,
          extra_dhcp_opts,
          description,
        },
      },
      201,
    );
  });
  r.put(`${P}/ports/([^/]+)`, ctx => {
    const port = ctx.state.ports.get(ctx.params[0]);
    if (!port)
      fail(
        'network',
        404,
        `Port ${ctx.params[0]} could not be found.`,
        'PortNotFound',
      );
    const upd = ctx.body?.port ?? {};
    for (const k of [
      'name',
      'description',
      'device_id',
      'device_owner',
      'admin_state_up',
      'security_groups',
      'allowed_address_pairs',
    ])
      if (k in upd) port[k] = upd[k];
    port.revision_number += 1;
    return ok({ port });
  });
  r.delete(`${P}/ports/([^/]+)`, ctx => {
    const st = ctx.state;
    const port = st.ports.get(ctx.params[0]);
    if (!port || (!isAdmin(ctx) && port.project_id !== ctx.token!.projectId))
      fail(
        'network',
        404,
        `Port ${ctx.params[0]} could not be found.`,
        'PortNotFound',
      );
    for (const ip of port.fixed_ips) st.releaseIp(ip.subnet_id, ip.ip_address);
    st.ports.remove(port.id);
    for (const fip of st.floatingips.filter(f => f.port_id === port.id)) {
      fip.port_id = null;
      fip.fixed_ip_address = null;
      fip.port_details = null;
      fip.status = 'DOWN';
    }
    return { status: 204 };
  });
  r.get(`${P}/quotas/([^/]+)(/details)?`, ctx => {
    const projectId = ctx.params[0];
    if (!isAdmin(ctx) && projectId !== ctx.token!.projectId)
      fail('network', 403, 'Not authorized.', 'HTTPForbidden');
    const q = ctx.state.quotas.neutron.get(projectId);
    if (!q)
      fail(
        'network',
        404,
        `Project ${projectId} could not be found.`,
        'HTTPNotFound',
      );
    if (!ctx.params[1]) return ok({ quota: { ...q } });
    const u = quotaUsage(ctx, projectId);
    const out: Obj = {};
    for (const k of Object.keys(q))
      out[k] = { limit: q[k], used: u[k] ?? 0, reserved: 0 };
    return ok({ quota: out });
  });
  r.put(`${P}/quotas/([^/]+)`, ctx => {
    if (!isAdmin(ctx)) fail('network', 403, 'Not authorized.', 'HTTPForbidden');
    const q = ctx.state.quotas.neutron.get(ctx.params[0]);
    if (!q)
      fail(
        'network',
        404,
        `Project ${ctx.params[0]} could not be found.`,
        'HTTPNotFound',
      );
    for (const [k, val] of Object.entries(ctx.body?.quota ?? {}))
      if (k in q) q[k] = Number(val);
    return ok({ quota: { ...q } });
  });
  return r;
}
