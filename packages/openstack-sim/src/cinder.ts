import { randomUUID } from 'crypto';
import { makeSnapshot, makeVolume } from './builders';
import { paginate } from './collection';
import {
  Ctx,
  RouteTable,
  fail,
  isAdmin,
  nextHref,
  ok,
  pageLimit,
} from './http';
import { Obj, isoMicro } from './util';

export const CINDER_MAX_MV = '3.70';
const P = '/volume/v3/([^/]+)';
const VOL_PROJECT = 'os-vol-tenant-attr:tenant_id';
const SNAP_PROJECT = 'os-extended-snapshot-attributes:project_id';
const BACKUP_PROJECT = 'os-backup-project-attr:project_id';

function checkProject(ctx: Ctx) {
  const p = ctx.params[0];
  if (!ctx.state.projects.has(p))
    fail('volume', 404, `Project ${p} could not be found.`);
  if (!isAdmin(ctx) && p !== ctx.token!.projectId)
    fail(
      'volume',
      403,
      'Policy does not allow this operation to be performed.',
    );
}

function listing(
  ctx: Ctx,
  key: string,
  all: readonly Obj[],
  projectKey: string,
  filters: string[],
  has: (id: string) => boolean,
  view: (o: Obj) => Obj = o => o,
) {
  checkProject(ctx);
  const q = ctx.query;
  const allTenants =
    q.all_tenants !== undefined && q.all_tenants !== '0' && isAdmin(ctx);
  const project = allTenants ? q.project_id : ctx.token!.projectId;
  let items = all;
  const active = filters.filter(f => q[f] !== undefined);
  if (project || active.length) {
    items = items.filter(
      o =>
        (!project || o[projectKey] === project) &&
        active.every(f => String(o[f]) === q[f]),
    );
  }
  const limit = pageLimit(ctx, 'volume');
  if (q.marker && !has(q.marker))
    fail('volume', 400, `Marker ${q.marker} could not be found.`);
  const page = paginate(items, limit, q.marker);
  const body: Obj = { [key]: page.items.map(view) };
  if (page.nextMarker && !ctx.truncate) {
    body[`${key}_links`] = [
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

function getVolume(ctx: Ctx, id: string): Obj {
  const v = ctx.state.volumes.get(id);
  if (!v || (!isAdmin(ctx) && v[VOL_PROJECT] !== ctx.token!.projectId))
    fail('volume', 404, `Volume ${id} could not be found.`);
  return v;
}

function getSnapshot(ctx: Ctx, id: string): Obj {
  const s = ctx.state.snapshots.get(id);
  if (!s || (!isAdmin(ctx) && s[SNAP_PROJECT] !== ctx.token!.projectId))
    fail('volume', 404, `Snapshot ${id} could not be found.`);
  return s;
}

/**
 * Cinder's usage of one project (volumes, gigabytes, snapshots, backups, per type), whatever the
 * objects' status. Summed on each call over the project's own objects (the collections' project
 * indexes), so sizes and types changed in place always count and a create costs O(project).
 */
export function cinderUsage(ctx: Ctx, projectId: string): Obj {
  const st = ctx.state;
  const usage: Obj = {};
  const add = (k: string, n: number) => {
    usage[k] = (usage[k] ?? 0) + n;
  };
  for (const v of st.volumes.where(VOL_PROJECT, projectId)) {
    add('volumes', 1);
    add('gigabytes', v.size);
    add(`volumes_${v.volume_type}`, 1);
    add(`gigabytes_${v.volume_type}`, v.size);
  }
  // a snapshot counts in its own project, under its volume's (current) type
  for (const s of st.snapshots.where(SNAP_PROJECT, projectId)) {
    const type = st.volumes.get(s.volume_id)?.volume_type ?? '__DEFAULT__';
    add('snapshots', 1);
    add('gigabytes', s.size);
    add(`snapshots_${type}`, 1);
  }
  for (const b of st.backups.where(BACKUP_PROJECT, projectId)) {
    add('backups', 1);
    add('backup_gigabytes', b.size);
  }
  return usage;
}

/** Cinder's per-type quotas (`volumes_<type>`, `gigabytes_<type>`; -1 = unlimited). */
function checkTypeQuota(
  q: Obj | undefined,
  u: Obj,
  typeName: string,
  size: number,
) {
  const volumes = q?.[`volumes_${typeName}`] ?? -1;
  if (volumes >= 0 && (u[`volumes_${typeName}`] ?? 0) + 1 > volumes)
    fail(
      'volume',
      413,
      `VolumeLimitExceeded: Maximum number of volumes allowed (${volumes}) exceeded for quota 'volumes_${typeName}'.`,
    );
  const gigabytes = q?.[`gigabytes_${typeName}`] ?? -1;
  const used = u[`gigabytes_${typeName}`] ?? 0;
  if (gigabytes >= 0 && used + size > gigabytes)
    fail(
      'volume',
      413,
      `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes_${typeName} quota. Requested ${size}G, quota is ${gigabytes}G and ${used}G has been consumed.`,
    );
}

function quotaSet(ctx: Ctx, projectId: string): Obj {
  const q = ctx.state.quotas.cinder.get(projectId);
  if (!q) fail('volume', 404, `Project ${projectId} could not be found.`);
  const out: Obj = {};
  const typed: Obj = {};
  for (const t of ctx.state.volumeTypes.all()) {
    if (t.name === 'ssd-private') continue;
    for (const k of ['volumes', 'gigabytes', 'snapshots'])
      typed[`${k}_${t.name}`] = q[`${k}_${t.name}`] ?? -1;
  }
  const order = [
    'volumes',
    'per_volume_gigabytes',
    'snapshots',
    'gigabytes',
    'backups',
    'backup_gigabytes',
  ];
  for (const k of order) out[k] = q[k];
  Object.assign(out, typed);
  out.groups = q.groups;
  return out;
}

export function cinderRoutes(): RouteTable {
  const r = new RouteTable('volume', '');
  const version = (ctx: Ctx) => ({
    id: 'v3.0',
    status: 'CURRENT',
    version: CINDER_MAX_MV,
    min_version: '3.0',
    updated: '2022-08-31T00:00:00Z',
    links: [
      {
        rel: 'describedby',
        type: 'text/html',
        href: 'https://docs.openstack.org/',
      },
      { rel: 'self', href: `${ctx.sim.url}/volume/v3/` },
    ],
    'media-types': [
      {
        base: 'application/json',
        type: 'application/vnd.openstack.volume+json;version=3',
      },
    ],
  });
  r.get('/volume/?', ctx => ok({ versions: [version(ctx)] }, 300), false);
  r.get('/volume/v3/?', ctx => ok({ versions: [version(ctx)] }), false);

  const volumeFilters = ['status', 'name', 'bootable', 'volume_type'];
  r.get(`${P}/volumes/detail`, ctx =>
    listing(
      ctx,
      'volumes',
      ctx.state.volumes.all(),
      VOL_PROJECT,
      volumeFilters,
      id => ctx.state.volumes.has(id),
    ),
  );
  r.get(`${P}/volumes`, ctx =>
    listing(
      ctx,
      'volumes',
      ctx.state.volumes.all(),
      VOL_PROJECT,
      volumeFilters,
      id => ctx.state.volumes.has(id),
      v => ({
        id: v.id,
        links: v.links,
        name: v.name,
      }),
    ),
  );
  r.get(`${P}/volumes/([^/]+)`, ctx => {
    checkProject(ctx);
    return ok({ volume: getVolume(ctx, ctx.params[1]) });
  });
  r.post(`${P}/volumes`, ctx => {
    checkProject(ctx);
    const st = ctx.state;
    const req = ctx.body?.volume;
    if (!req)
      fail('volume', 400, 'Missing required element volume in request body.');
    const projectId = ctx.params[0];
    let size = Number(req.size);
    let snap: Obj | undefined;
    if (req.snapshot_id) {
      snap = getSnapshot(ctx, req.snapshot_id);
      if (snap.status !== 'available')
        fail(
          'volume',
          400,
          `Invalid snapshot: Originating snapshot status must be one of 'available' values`,
        );
      size = size || snap.size;
      if (size < snap.size)
        fail(
          'volume',
          400,
          `Invalid input received: Volume size '${size}'GB cannot be smaller than the snapshot size ${snap.size}GB. They must be >= original snapshot size.`,
        );
    }
    const volumeType = req.volume_type
      ? st.volumeTypes
          .all()
          .find(t => t.name === req.volume_type || t.id === req.volume_type)
      : undefined;
    if (req.volume_type && !volumeType)
      fail(
        'volume',
        404,
        `Volume type with name ${req.volume_type} could not be found.`,
      );
    if (!Number.isInteger(size) || size < 1)
      fail('volume', 400, `Invalid input received: size ${req.size}`);
    const q = st.quotas.cinder.get(projectId);
    const u = cinderUsage(ctx, projectId);
    if (q && q.volumes >= 0 && (u.volumes ?? 0) + 1 > q.volumes)
      fail(
        'volume',
        413,
        `VolumeLimitExceeded: Maximum number of volumes allowed (${q.volumes}) exceeded for quota 'volumes'.`,
      );
    if (q && q.gigabytes >= 0 && (u.gigabytes ?? 0) + size > q.gigabytes)
      fail(
        'volume',
        413,
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${size}G, quota is ${
          q.gigabytes
        }G and ${u.gigabytes ?? 0}G has been consumed.`,
      );
    const source = snap ? st.volumes.get(snap.volume_id) : undefined;
    const typeName = volumeType?.name ?? source?.volume_type ?? '__DEFAULT__';
    checkTypeQuota(q, u, typeName, size);
    const vol = makeVolume(st, {
      id: randomUUID(),
      projectId,
      userId: ctx.token!.userId,
      name: req.name ?? null,
      size,
      status: 'creating',
      createdMs: Date.now(),
      volumeType: typeName,
      bootable: source?.bootable === 'true',
      metadata: req.metadata ?? {},
      snapshotId: snap?.id ?? null,
      sourceVolid: req.source_volid ?? null,
      description: req.description ?? null,
      availabilityZone: req.availability_zone,
    });
    if (source?.volume_image_metadata)
      vol.volume_image_metadata = { ...source.volume_image_metadata };
    vol.updated_at = null;
    st.volumes.add(vol);
    const failure = ctx.buildError;
    ctx.sim.schedule(ctx.sim.options.transitionMs, () => {
      if (vol.status === 'creating')
        vol.status = failure ? 'error' : 'available';
      vol.updated_at = isoMicro(Date.now());
    });
    const view: Obj = { ...vol };
    for (const k of [
      VOL_PROJECT,
      'os-vol-mig-status-attr:migstat',
      'os-vol-mig-status-attr:name_id',
      'os-vol-host-attr:host',
      'volume_image_metadata',
    ])
      delete view[k];
    view.shared_targets = true;
    view.service_uuid = null;
    return ok({ volume: view }, 202);
  });
  r.delete(`${P}/volumes/([^/]+)`, ctx => {
    checkProject(ctx);
    const vol = getVolume(ctx, ctx.params[1]);
    if (vol.status === 'in-use' || vol.attachments.length)
      fail(
        'volume',
        400,
        `Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.`,
      );
    if (ctx.state.snapshots.all().some(s => s.volume_id === vol.id))
      fail('volume', 400, `Invalid volume: Volume ${vol.id} has snapshots.`);
    vol.status = 'deleting';
    ctx.sim.schedule(ctx.sim.options.transitionMs, () =>
      ctx.state.volumes.remove(vol.id),
    );
    return { status: 202 };
  });
  r.get(`${P}/volumes/([^/]+)/metadata`, ctx => {
    checkProject(ctx);
    return ok({ metadata: getVolume(ctx, ctx.params[1]).metadata });
  });
  r.post(`${P}/volumes/([^/]+)/metadata`, ctx => {
    checkProject(ctx);
    const vol = getVolume(ctx, ctx.params[1]);
    const md = ctx.body?.metadata;
    if (!md || typeof md !== 'object')
      fail('volume', 400, 'Malformed request body');
    vol.metadata = { ...vol.metadata, ...stringify(md) };
    vol.updated_at = isoMicro(Date.now());
    return ok({ metadata: vol.metadata });
  });
  r.put(`${P}/volumes/([^/]+)/metadata`, ctx => {
    checkProject(ctx);
    const vol = getVolume(ctx, ctx.params[1]);
    const md = ctx.body?.metadata;
    if (!md || typeof md !== 'object')
      fail('volume', 400, 'Malformed request body');
    vol.metadata = stringify(md);
    vol.updated_at = isoMicro(Date.now());
    return ok({ metadata: vol.metadata });
  });
  r.put(`${P}/volumes/([^/]+)/metadata/([^/]+)`, ctx => {
    checkProject(ctx);
    const vol = getVolume(ctx, ctx.params[1]);
    const meta = ctx.body?.meta ?? {};
    const key = decodeURIComponent(ctx.params[2]);
    if (!(key in meta)) fail('volume', 400, 'Request body and URI mismatch');
    vol.metadata = { ...vol.metadata, [key]: String(meta[key]) };
    return ok({ meta: { [key]: vol.metadata[key] } });
  });
  r.delete(`${P}/volumes/([^/]+)/metadata/([^/]+)`, ctx => {
    checkProject(ctx);
    const vol = getVolume(ctx, ctx.params[1]);
    const key = decodeURIComponent(ctx.params[2]);
    if (!(key in vol.metadata))
      fail('volume', 404, `Volume ${vol.id} has no metadata with key ${key}.`);
    const { [key]: _removed, ...rest } = vol.metadata;
    vol.metadata = rest;
    return { status: 200 };
  });

  const snapFilters = ['status', 'name', 'volume_id'];
  r.get(`${P}/snapshots/detail`, ctx =>
    listing(
      ctx,
      'snapshots',
      ctx.state.snapshots.all(),
      SNAP_PROJECT,
      snapFilters,
      id => ctx.state.snapshots.has(id),
    ),
  );
  r.get(`${P}/snapshots`, ctx =>
    listing(
      ctx,
      'snapshots',
      ctx.state.snapshots.all(),
      SNAP_PROJECT,
      snapFilters,
      id => ctx.state.snapshots.has(id),
      s => {
        const {
          [SNAP_PROJECT]: _p,
          'os-extended-snapshot-attributes:progress': _g,
          ...rest
        } = s;
        return rest;
      },
    ),
  );
  r.get(`${P}/snapshots/([^/]+)`, ctx => {
    checkProject(ctx);
    return ok({ snapshot: getSnapshot(ctx, ctx.params[1]) });
  });
  r.post(`${P}/snapshots`, ctx => {
    checkProject(ctx);
    const st = ctx.state;
    const req = ctx.body?.snapshot;
    if (!req?.volume_id)
      fail(
        'volume',
        400,
        "Invalid input for field/attribute snapshot. 'volume_id' is a required property",
      );
    const vol = getVolume(ctx, req.volume_id);
    const force =
      req.force === true || String(req.force).toLowerCase() === 'true';
    if (
      vol.status === 'in-use' &&
      !force &&
      !(ctx.mv[0] === 3 && ctx.mv[1] >= 66)
    )
      fail(
        'volume',
        400,
        `Invalid volume: Volume ${vol.id} status must be available, but current status is: in-use.`,
      );
    if (!['available', 'in-use'].includes(vol.status))
      fail(
        'volume',
        400,
        `Invalid volume: Volume ${vol.id} status must be available, but current status is: ${vol.status}.`,
      );
    // Cinder creates the snapshot in the request context's project (the token's; here the path's,
    // which equals it except for the simulator's admin path leniency) and reserves the quota there,
    // not in the volume's project
    const projectId = ctx.params[0];
    const q = st.quotas.cinder.get(projectId);
    const u = cinderUsage(ctx, projectId);
    if (q && q.snapshots >= 0 && (u.snapshots ?? 0) + 1 > q.snapshots)
      return {
        status: 413,
        body: {
          overLimit: {
            code: 413,
            message: `SnapshotLimitExceeded: Maximum number of snapshots allowed (${q.snapshots}) exceeded`,
            retryAfter: '0',
          },
        },
        headers: { 'retry-after': '0' },
      };
    if (q && q.gigabytes >= 0 && (u.gigabytes ?? 0) + vol.size > q.gigabytes)
      return {
        status: 413,
        body: {
          overLimit: {
            code: 413,
            message: `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${
              vol.size
            }G, quota is ${q.gigabytes}G and ${
              u.gigabytes ?? 0
            }G has been consumed.`,
            retryAfter: '0',
          },
        },
      };
    const snap = makeSnapshot(st, {
      id: randomUUID(),
      volume: vol,
      projectId,
      userId: ctx.token!.userId,
      name: req.name ?? null,
      description: req.description ?? null,
      status: 'creating',
      createdMs: Date.now(),
      metadata: stringify(req.metadata ?? {}),
    });
    snap.updated_at = null;
    st.snapshots.add(snap);
    const failure = ctx.buildError;
    ctx.sim.schedule(ctx.sim.options.transitionMs, () => {
      if (snap.status !== 'creating') return;
      snap.status = failure ? 'error' : 'available';
      snap['os-extended-snapshot-attributes:progress'] = failure
        ? '0%'
        : '100%';
      snap.updated_at = isoMicro(Date.now());
    });
    const {
      [SNAP_PROJECT]: _p,
      'os-extended-snapshot-attributes:progress': _g,
      ...view
    } = snap;
    return ok({ snapshot: view }, 202);
  });
  r.delete(`${P}/snapshots/([^/]+)`, ctx => {
    checkProject(ctx);
    const snap = getSnapshot(ctx, ctx.params[1]);
    if (!['available', 'error', 'error_deleting'].includes(snap.status))
      fail(
        'volume',
        400,
        `Invalid snapshot: Snapshot status must be available or error and must not be part of a group.`,
      );
    snap.status = 'deleting';
    ctx.sim.schedule(ctx.sim.options.transitionMs, () =>
      ctx.state.snapshots.remove(snap.id),
    );
    return {
      status: 202,
      headers: { 'content-type': 'text/html; charset=UTF-8' },
    };
  });
  r.get(`${P}/snapshots/([^/]+)/metadata`, ctx => {
    checkProject(ctx);
    return ok({ metadata: getSnapshot(ctx, ctx.params[1]).metadata });
  });

  r.get(`${P}/backups/detail`, ctx =>
    listing(
      ctx,
      'backups',
      ctx.state.backups.all(),
      BACKUP_PROJECT,
      ['status', 'volume_id'],
      id => ctx.state.backups.has(id),
    ),
  );
  r.get(`${P}/types`, ctx => {
    checkProject(ctx);
    const pub = ctx.query.is_public;
    const all =
      pub !== undefined && pub.toLowerCase() === 'none' && isAdmin(ctx);
    return ok({
      volume_types: ctx.state.volumeTypes.all().filter(t => all || t.is_public),
    });
  });
  r.get(`${P}/scheduler-stats/get_pools`, ctx => {
    checkProject(ctx);
    if (!isAdmin(ctx))
      fail(
        'volume',
        403,
        'Policy does not allow scheduler_extension:scheduler_stats:get_pools to be performed.',
      );
    let allocated = 0;
    for (const v of ctx.state.volumes.all()) allocated += v.size;
    const detail =
      ctx.query.detail !== undefined &&
      ctx.query.detail.toLowerCase() !== 'false';
    return ok({
      pools: ctx.state.pools.map(p =>
        detail
          ? {
              name: p.name,
              capabilities: {
                ...p.capabilities,
                allocated_capacity_gb: allocated,
                provisioned_capacity_gb: allocated,
                free_capacity_gb: Math.max(
                  0,
                  p.capabilities.total_capacity_gb - Math.round(allocated / 10),
                ),
              },
            }
          : { name: p.name },
      ),
    });
  });
  r.get(`${P}/os-availability-zone`, ctx => {
    checkProject(ctx);
    return ok({
      availabilityZoneInfo: [
        { zoneName: 'nova', zoneState: { available: true } },
      ],
    });
  });
  r.get(`${P}/os-quota-sets/([^/]+)`, ctx => {
    checkProject(ctx);
    const projectId = ctx.params[1];
    const q = quotaSet(ctx, projectId);
    if (!(ctx.query.usage ?? '').match(/^(true|1|True)$/))
      return ok({ quota_set: { ...q, id: projectId } });
    const u = cinderUsage(ctx, projectId);
    const out: Obj = {};
    for (const k of Object.keys(q))
      out[k] = { limit: q[k], in_use: u[k] ?? 0, reserved: 0 };
    out.id = projectId;
    return ok({ quota_set: out });
  });
  r.put(`${P}/os-quota-sets/([^/]+)`, ctx => {
    checkProject(ctx);
    if (!isAdmin(ctx))
      fail(
        'volume',
        403,
        'Policy does not allow volume_extension:quotas:update to be performed.',
      );
    const q = ctx.state.quotas.cinder.get(ctx.params[1]);
    if (!q) fail('volume', 404, `Project ${ctx.params[1]} could not be found.`);
    const known = quotaSet(ctx, ctx.params[1]);
    for (const [k, v] of Object.entries(ctx.body?.quota_set ?? {}))
      if (k in known) q[k] = Number(v);
    return ok({ quota_set: quotaSet(ctx, ctx.params[1]) });
  });
  return r;
}

function stringify(md: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(md)) out[k] = String(v);
  return out;
}
