import { Ctx, RouteTable, fail, ok } from './http';
import { hostUsage } from './nova';
import { Obj } from './util';

export const PLACEMENT_MAX_MV = '1.39';
const P = '/placement';

function provider(ctx: Ctx, id: string): Obj {
  const h = ctx.state.hypervisors.get(id);
  if (!h) fail('placement', 404, `No resource provider with uuid ${id} found`);
  return h;
}

function inventories(h: Obj): Obj {
  return {
    VCPU: {
      total: h.vcpus,
      reserved: 0,
      min_unit: 1,
      max_unit: h.vcpus,
      step_size: 1,
      allocation_ratio: 4.0,
    },
    MEMORY_MB: {
      total: h.memory_mb,
      reserved: 512,
      min_unit: 1,
      max_unit: h.memory_mb,
      step_size: 1,
      allocation_ratio: 1.0,
    },
    DISK_GB: {
      total: h.local_gb,
      reserved: 0,
      min_unit: 1,
      max_unit: h.local_gb,
      step_size: 1,
      allocation_ratio: 1.0,
    },
  };
}

export function placementRoutes(): RouteTable {
  const r = new RouteTable('placement', '');
  r.get(
    `${P}/?`,
    () =>
      ok({
        versions: [
          {
            id: 'v1.0',
            max_version: PLACEMENT_MAX_MV,
            min_version: '1.0',
            status: 'CURRENT',
            links: [{ rel: 'self', href: '' }],
          },
        ],
      }),
    false,
  );
  r.get(`${P}/resource_providers`, ctx => {
    const name = ctx.query.name;
    return ok({
      resource_providers: ctx.state.hypervisors
        .all()
        .filter(h => !name || h.hypervisor_hostname === name)
        .map(h => {
          const self = `/resource_providers/${h.id}`;
          return {
            uuid: h.id,
            name: h.hypervisor_hostname,
            generation: 1,
            links: [
              { rel: 'self', href: self },
              { rel: 'inventories', href: `${self}/inventories` },
              { rel: 'usages', href: `${self}/usages` },
              { rel: 'aggregates', href: `${self}/aggregates` },
              { rel: 'traits', href: `${self}/traits` },
              { rel: 'allocations', href: `${self}/allocations` },
            ],
            parent_provider_uuid: null,
            root_provider_uuid: h.id,
          };
        }),
    });
  });
  r.get(`${P}/resource_providers/([^/]+)`, ctx => {
    const h = provider(ctx, ctx.params[0]);
    return ok({
      uuid: h.id,
      name: h.hypervisor_hostname,
      generation: 1,
      parent_provider_uuid: null,
      root_provider_uuid: h.id,
      links: [],
    });
  });
  r.get(`${P}/resource_providers/([^/]+)/inventories`, ctx => {
    const h = provider(ctx, ctx.params[0]);
    return ok({ resource_provider_generation: 1, inventories: inventories(h) });
  });
  r.get(`${P}/resource_providers/([^/]+)/usages`, ctx => {
    const h = provider(ctx, ctx.params[0]);
    const u = hostUsage(ctx).get(h.hypervisor_hostname) ?? {
      vcpus: 0,
      ram: 0,
      disk: 0,
    };
    return ok({
      resource_provider_generation: 1,
      usages: { VCPU: u.vcpus, MEMORY_MB: u.ram, DISK_GB: u.disk },
    });
  });
  return r;
}
