import { paginate } from './collection';
import { Ctx, RouteTable, fail, isAdmin, ok } from './http';
import { Obj } from './util';

function visible(ctx: Ctx, img: Obj, visibility?: string): boolean {
  const own = img.owner === ctx.token!.projectId;
  if (visibility && visibility !== 'all')
    return (
      img.visibility === visibility &&
      (isAdmin(ctx) ||
        own ||
        img.visibility === 'public' ||
        img.visibility === 'community')
    );
  if (visibility === 'all')
    return (
      isAdmin(ctx) ||
      own ||
      img.visibility === 'public' ||
      img.visibility === 'community'
    );
  // default listing: public, own, shared with us; community images are not listed by default;
  // an admin's default listing holds every project's images but others' community ones
  if (isAdmin(ctx)) return img.visibility !== 'community' || own;
  return img.visibility === 'public' || own;
}

/** Listing parameters that are not property filters. */
const NOT_FILTERS = new Set([
  'limit',
  'marker',
  'sort',
  'sort_key',
  'sort_dir',
  'visibility',
  'member_status',
  'tag',
  'size_min',
  'size_max',
  'created_at',
  'updated_at',
]);

export function glanceRoutes(): RouteTable {
  const r = new RouteTable('image', '');
  r.get(
    '/image/?',
    ctx => {
      const versions = [
        '2.15',
        '2.13',
        '2.12',
        '2.11',
        '2.10',
        '2.9',
        '2.8',
        '2.7',
        '2.6',
        '2.5',
        '2.4',
        '2.3',
        '2.2',
        '2.1',
        '2.0',
      ];
      return ok(
        {
          versions: versions.map((v, i) => ({
            id: `v${v}`,
            status: i === 0 ? 'CURRENT' : 'SUPPORTED',
            links: [{ rel: 'self', href: `${ctx.sim.url}/image/v2/` }],
          })),
        },
        300,
      );
    },
    false,
  );
  r.get('/image/v2/images', ctx => {
    const q = ctx.query;
    // every other parameter filters on the property of that name, exactly (Glance's property filters)
    const filters = Object.keys(q).filter(k => !NOT_FILTERS.has(k));
    const items = ctx.state.images
      .all()
      .filter(
        img =>
          visible(ctx, img, q.visibility) &&
          (!q.tag || (img.tags ?? []).includes(q.tag)) &&
          filters.every(k => img[k] !== undefined && String(img[k]) === q[k]),
      );
    const limit = Math.min(
      q.limit !== undefined ? Number(q.limit) || 0 : 25,
      1000,
    );
    if (q.marker && !ctx.state.images.has(q.marker))
      fail('image', 400, `Marker not found`);
    const page = paginate(items, limit, q.marker);
    const first = new URLSearchParams(ctx.search);
    first.delete('marker');
    const body: Obj = {
      images: page.items,
      first: `/v2/images${first.toString() ? `?${first.toString()}` : ''}`,
      schema: '/v2/schemas/images',
    };
    if (page.nextMarker && !ctx.truncate) {
      const next = new URLSearchParams(ctx.search);
      next.delete('marker');
      next.set('marker', page.nextMarker);
      body.next = `/v2/images?${next.toString()}`;
    }
    return ok(body);
  });
  r.get('/image/v2/images/([^/]+)', ctx => {
    const img = ctx.state.images.get(ctx.params[0]);
    if (!img || !visible(ctx, img, 'all'))
      fail('image', 404, `No image found with ID ${ctx.params[0]}`);
    return ok(img);
  });
  r.delete('/image/v2/images/([^/]+)', ctx => {
    const img = ctx.state.images.get(ctx.params[0]);
    if (!img || !(isAdmin(ctx) || img.owner === ctx.token!.projectId))
      fail('image', 404, `No image found with ID ${ctx.params[0]}`);
    if (img.protected)
      fail('image', 403, `Image ${img.id} is protected and cannot be deleted.`);
    ctx.state.images.remove(img.id);
    return { status: 204 };
  });
  return r;
}
