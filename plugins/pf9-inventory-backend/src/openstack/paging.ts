/**
 * Every pagination style of the services we call (OSC-4). A listing reports whether it is complete;
 * it never pretends completeness, and a failure after some pages keeps what was fetched on the
 * thrown error (`error.partial`).
 */
import { OpenStackError } from './errors';
import { OpenStackSession, RequestOptions, ServiceType } from './session';

export interface Listing<T> {
  items: T[];
  /** every page fetched, nothing truncated, no loop detected */
  complete: boolean;
  pages: number;
  /** why the listing is incomplete */
  reason?: string;
}

/** Nova, Cinder and Neutron page size unless a caller asks for less (OSC-4). */
export const DEFAULT_PAGE_SIZE = 1000;
/** Loop guard: no listing fetches more pages than this. */
export const MAX_PAGES = 10_000;

export type Query = NonNullable<RequestOptions['query']>;

export interface PagedListOptions {
  /** the collection key in the body: `servers`, `volumes`, `images`, ... */
  key: string;
  query?: Query;
  /** `limit` sent on every page; `null` sends none (the service's own default) */
  pageSize?: number | null;
  /** `links`: `<key>_links` rel=next (Nova, Cinder, Neutron); `next`: Glance's relative `next` */
  style: 'links' | 'next';
  maxPages?: number;
}

/** The query parameters of a next link, whether absolute (`http://.../x?a=1`) or relative (`/v2/images?a=1`). */
export function queryOfLink(href: string): URLSearchParams {
  const i = href.indexOf('?');
  return new URLSearchParams(i >= 0 ? href.slice(i + 1) : '');
}

function nextLink(body: any, opts: PagedListOptions): string | undefined {
  if (opts.style === 'next') {
    return typeof body?.next === 'string' && body.next ? body.next : undefined;
  }
  const links = body?.[`${opts.key}_links`];
  if (!Array.isArray(links)) return undefined;
  const next = links.find((l: any) => l?.rel === 'next');
  return typeof next?.href === 'string' ? next.href : undefined;
}

/**
 * Lists a paged collection. A next link is followed by sending its query parameters to our own
 * endpoint path: services behind proxies often put an internal host (or another path prefix) into
 * their links, while the marker and filters in the query are what matters.
 */
export async function listPaged<T>(
  session: OpenStackSession,
  service: ServiceType,
  path: string,
  opts: PagedListOptions,
): Promise<Listing<T>> {
  const maxPages = opts.maxPages ?? MAX_PAGES;
  const items: T[] = [];
  let pages = 0;
  let query: Query = { ...(opts.query ?? {}) };
  const pageSize =
    opts.pageSize === undefined ? DEFAULT_PAGE_SIZE : opts.pageSize;
  if (pageSize !== null) query.limit = pageSize;
  const seenMarkers = new Set<string>();
  for (;;) {
    if (pages >= maxPages) {
      return {
        items,
        complete: false,
        pages,
        reason: `loop guard: more than ${maxPages} pages`,
      };
    }
    let body: any;
    try {
      body = (await session.request(service, 'GET', path, { query })).json();
    } catch (e) {
      if (e instanceof OpenStackError && pages > 0) {
        e.partial = { items, pages };
      }
      throw e;
    }
    pages++;
    const page = body?.[opts.key];
    if (!Array.isArray(page)) {
      return {
        items,
        complete: false,
        pages,
        reason: `response has no '${opts.key}' list`,
      };
    }
    items.push(...(page as T[]));
    const href = nextLink(body, opts);
    if (!href) return { items, complete: true, pages };
    const nextQuery = queryOfLink(href);
    const marker = nextQuery.get('marker') ?? undefined;
    if (!marker) {
      return {
        items,
        complete: false,
        pages,
        reason: `next link without a marker: ${href}`,
      };
    }
    if (seenMarkers.has(marker) || marker === query.marker) {
      return {
        items,
        complete: false,
        pages,
        reason: `loop guard: marker ${marker} repeated`,
      };
    }
    seenMarkers.add(marker);
    const merged: Query = { ...query };
    for (const [k, v] of nextQuery) merged[k] = v;
    query = merged;
  }
}

/**
 * Keystone has no paging: one call, and `"truncated": true` (list_limit reached) makes the
 * listing incomplete.
 */
export async function listKeystone<T>(
  session: OpenStackSession,
  path: string,
  key: string,
  query?: Query,
): Promise<Listing<T>> {
  const body = (
    await session.request('identity', 'GET', path, { query })
  ).json<any>();
  const items = Array.isArray(body?.[key]) ? (body[key] as T[]) : [];
  if (!Array.isArray(body?.[key])) {
    return { items, complete: false, pages: 1, reason: `no '${key}' list` };
  }
  if (body.truncated === true) {
    return {
      items,
      complete: false,
      pages: 1,
      reason: 'truncated by Keystone list_limit',
    };
  }
  return { items, complete: true, pages: 1 };
}

/** A Keystone listing split per domain: the union, and each partition's own completeness. */
export interface PartitionedListing<T> extends Listing<T> {
  partitions: Array<{
    domainId: string;
    complete: boolean;
    count: number;
    reason?: string;
  }>;
}

/**
 * Projects, users and groups: list once; if Keystone truncates, re-list per domain (`?domain_id=`).
 * A partition that is still truncated is incomplete, and so is the union.
 */
export async function listKeystonePerDomain<T extends { id: string }>(
  session: OpenStackSession,
  path: string,
  key: string,
  domainIds: () => Promise<Listing<{ id: string }>>,
  options: { alwaysPerDomain?: boolean; query?: Query } = {},
): Promise<PartitionedListing<T>> {
  if (!options.alwaysPerDomain) {
    const whole = await listKeystone<T>(session, path, key, options.query);
    if (whole.complete) return { ...whole, partitions: [] };
  }
  const domains = await domainIds();
  const byId = new Map<string, T>();
  const partitions: PartitionedListing<T>['partitions'] = [];
  let pages = 0;
  for (const d of domains.items) {
    const part = await listKeystone<T>(session, path, key, {
      ...(options.query ?? {}),
      domain_id: d.id,
    });
    pages += part.pages;
    for (const item of part.items) byId.set(item.id, item);
    partitions.push({
      domainId: d.id,
      complete: part.complete,
      count: part.items.length,
      reason: part.reason,
    });
  }
  const incomplete = partitions.filter(p => !p.complete);
  const reasons: string[] = [];
  if (!domains.complete)
    reasons.push(`domain listing incomplete (${domains.reason})`);
  if (incomplete.length)
    reasons.push(
      `still truncated in domain(s) ${incomplete
        .map(p => p.domainId)
        .join(', ')}`,
    );
  return {
    items: [...byId.values()],
    complete: reasons.length === 0,
    pages,
    partitions,
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
  };
}

/**
 * Offset paging (Nova server groups take `limit` and `offset` and send no links): fetch until a
 * page is shorter than the limit. A service that ignores `limit` returns more than asked, which is
 * the whole collection; a service that ignores `offset` repeats its first page, which the loop
 * guard catches.
 */
export async function listOffset<T extends { id?: string }>(
  session: OpenStackSession,
  service: ServiceType,
  path: string,
  key: string,
  query: Query,
  pageSize: number = DEFAULT_PAGE_SIZE,
  maxPages: number = MAX_PAGES,
): Promise<Listing<T>> {
  const items: T[] = [];
  let pages = 0;
  let firstIdOfPrevious: string | undefined;
  for (;;) {
    if (pages >= maxPages) {
      return {
        items,
        complete: false,
        pages,
        reason: `loop guard: more than ${maxPages} pages`,
      };
    }
    let body: any;
    try {
      body = await session.json(service, 'GET', path, {
        query: { ...query, limit: pageSize, offset: items.length },
      });
    } catch (e) {
      if (e instanceof OpenStackError && pages > 0)
        e.partial = { items, pages };
      throw e;
    }
    pages++;
    const page = body?.[key];
    if (!Array.isArray(page)) {
      return {
        items,
        complete: false,
        pages,
        reason: `response has no '${key}' list`,
      };
    }
    if (pages > 1 && page.length && page[0]?.id === firstIdOfPrevious) {
      return {
        items,
        complete: false,
        pages,
        reason: 'loop guard: offset ignored, page repeated',
      };
    }
    items.push(...(page as T[]));
    if (page.length !== pageSize) return { items, complete: true, pages };
    firstIdOfPrevious = page[0]?.id;
  }
}

/** A listing that is one plain call (no paging, no truncation flag). */
export async function listSingle<T>(
  session: OpenStackSession,
  service: ServiceType,
  path: string,
  key: string,
  query?: Query,
  options: RequestOptions = {},
): Promise<Listing<T>> {
  const body = (
    await session.request(service, 'GET', path, { ...options, query })
  ).json<any>();
  if (!Array.isArray(body?.[key])) {
    return {
      items: [],
      complete: false,
      pages: 1,
      reason: `response has no '${key}' list`,
    };
  }
  return { items: body[key] as T[], complete: true, pages: 1 };
}

/**
 * OSC-6: a cross-project listing is trusted only when the token holds the `admin` role. Without
 * it the listing is marked "scope not confirmed" and incomplete, so nothing is deleted from it.
 */
export async function confirmScope<L extends Listing<unknown>>(
  session: OpenStackSession,
  listing: L,
): Promise<L & { scopeConfirmed: boolean }> {
  if (await session.isAdmin()) return { ...listing, scopeConfirmed: true };
  return {
    ...listing,
    complete: false,
    scopeConfirmed: false,
    reason: [listing.reason, 'scope not confirmed: the token has no admin role']
      .filter(Boolean)
      .join('; '),
  };
}
