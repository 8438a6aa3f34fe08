import type { IncomingHttpHeaders } from 'http';
import { cmp } from './collection';
import type { SimState } from './state';
import type { Obj } from './util';

export type Service =
  | 'identity'
  | 'compute'
  | 'volume'
  | 'network'
  | 'image'
  | 'placement'
  | 'sim';

export interface Token {
  id: string;
  userId: string;
  projectId?: string;
  domainId?: string;
  roles: { id: string; name: string }[];
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  auditId: string;
  appCredId?: string;
}

export interface Ctx {
  method: string;
  path: string;
  query: Record<string, string>;
  search: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: any;
  params: string[];
  token?: Token;
  /** a fault asked to truncate this listing */
  truncate: boolean;
  /** a fault asked that what this request creates ends in an error state, with this message */
  buildError?: string;
  /** the requested microversion of the route's service, e.g. [2, 79] */
  mv: [number, number];
  state: SimState;
  sim: SimApi;
}

/** What route handlers may use from the simulator. */
export interface SimApi {
  readonly url: string;
  readonly options: Required<
    Pick<SimOptionsCore, 'transitionMs' | 'tokenTtlSeconds'>
  > &
    SimOptionsCore;
  tokens: Map<string, Token>;
  schedule(delayMs: number, fn: () => void): void;
  issueToken(
    t: Omit<Token, 'id' | 'issuedAt' | 'expiresAt' | 'auditId'>,
  ): Token;
}

export interface SimOptionsCore {
  tokenTtlSeconds?: number;
  /** delay of state changes: BUILD -> ACTIVE, creating -> available, deleting -> gone (ms) */
  transitionMs?: number;
  /** Keystone list_limit: longer listings are cut and flagged "truncated": true */
  keystoneListLimit?: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
  service: Service;
  auth: boolean;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(`HTTP ${status}`);
  }
}

export class RouteTable {
  readonly routes: Route[] = [];

  constructor(
    private readonly service: Service,
    private readonly prefix: string,
  ) {}

  add(method: string, pattern: string, handler: Handler, auth = true) {
    this.routes.push({
      method,
      re: new RegExp(`^${this.prefix}${pattern}$`),
      handler,
      service: this.service,
      auth,
    });
  }

  get(pattern: string, handler: Handler, auth = true) {
    this.add('GET', pattern, handler, auth);
  }

  post(pattern: string, handler: Handler, auth = true) {
    this.add('POST', pattern, handler, auth);
  }

  put(pattern: string, handler: Handler, auth = true) {
    this.add('PUT', pattern, handler, auth);
  }

  delete(pattern: string, handler: Handler, auth = true) {
    this.add('DELETE', pattern, handler, auth);
  }
}

export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

const REASONS: Record<number, [string, string]> = {
  400: ['badRequest', 'Bad Request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['itemNotFound', 'Not Found'],
  406: ['notAcceptable', 'Not Acceptable'],
  409: ['conflictingRequest', 'Conflict'],
  413: ['overLimit', 'Request Entity Too Large'],
  429: ['overLimit', 'Too Many Requests'],
  500: ['computeFault', 'Internal Server Error'],
  502: ['badGateway', 'Bad Gateway'],
  503: ['serviceUnavailable', 'Service Unavailable'],
  504: ['gatewayTimeout', 'Gateway Timeout'],
};

/** The error body each service really sends for a status. */
export function errorReply(
  service: Service,
  status: number,
  message?: string,
  neutronType?: string,
): Reply {
  const [name, title] = REASONS[status] ?? ['computeFault', 'Error'];
  const msg = message ?? title;
  if (status === 401) {
    return {
      status,
      body: {
        error: {
          code: 401,
          message:
            message ?? 'The request you have made requires authentication.',
          title: 'Unauthorized',
        },
      },
      headers: { 'www-authenticate': 'Keystone uri="/v3"' },
    };
  }
  switch (service) {
    case 'identity':
    case 'sim':
      return { status, body: { error: { code: status, message: msg, title } } };
    case 'compute':
    case 'volume':
      return { status, body: { [name]: { code: status, message: msg } } };
    case 'network':
      return {
        status,
        body: {
          NeutronError: {
            type: neutronType ?? `HTTP${title.replace(/ /g, '')}`,
            message: msg,
            detail: '',
          },
        },
      };
    case 'image':
      return {
        status,
        body: `${status} ${title}\n\n${msg}\n\n   `,
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
      };
    case 'placement':
    default:
      return {
        status,
        body: {
          errors: [
            {
              status,
              title,
              detail: msg,
              request_id: 'req-sim',
              code: 'placement.undefined_code',
            },
          ],
        },
      };
  }
}

export function fail(
  service: Service,
  status: number,
  message?: string,
  neutronType?: string,
): never {
  const r = errorReply(service, status, message, neutronType);
  throw new HttpError(r.status, r.body, r.headers);
}

/** The request's microversion is at least major.minor. */
export function mvAtLeast(ctx: Ctx, major: number, minor: number): boolean {
  return ctx.mv[0] > major || (ctx.mv[0] === major && ctx.mv[1] >= minor);
}

export function isAdmin(ctx: Ctx): boolean {
  return !!ctx.token?.roles.some(r => r.name === 'admin');
}

export function pageLimit(ctx: Ctx, service: Service, max = 1000): number {
  const raw = ctx.query.limit;
  if (raw === undefined) return max;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    fail(
      service,
      400,
      `Invalid input for field/attribute limit. Value: ${raw}.`,
    );
  return Math.min(n, max);
}

/** The same URL with marker replaced (keeps every other query parameter, like the real services). */
export function nextHref(
  base: string,
  path: string,
  search: URLSearchParams,
  marker: string,
  limit?: number,
): string {
  const q = new URLSearchParams(search);
  q.delete('marker');
  if (limit !== undefined && !q.has('limit')) q.set('limit', String(limit));
  q.set('marker', marker);
  return `${base}${path}?${q.toString()}`;
}

/**
 * Nova's next link (`ViewBuilder._get_next_link`): the request's query parameters sorted by name, then
 * `marker`; no `limit` is added when the request had none.
 */
export function novaNextHref(ctx: Ctx, marker: string): string {
  const params = [...ctx.search.entries()]
    .filter(([k]) => k !== 'marker')
    .sort(([a], [b]) => cmp(a, b));
  const q = new URLSearchParams(params);
  q.append('marker', marker);
  return `${ctx.sim.url}${ctx.path}?${q.toString()}`;
}

/**
 * Nova's `limit` (`common.get_limit_and_marker`): at most `CONF.api.max_limit` (1000), the maximum
 * when missing; `zeroMeansMax` for `common.limited` (offset paging), where 0 also means the maximum.
 * Links are emitted when a page holds exactly that many items.
 */
export function novaLimit(
  ctx: Ctx,
  { max = 1000, zeroMeansMax = false } = {},
): number {
  const raw = ctx.query.limit;
  if (raw === undefined) return max;
  const n = Number(raw);
  if (raw === '' || !Number.isInteger(n) || n < 0)
    fail(
      'compute',
      400,
      `Invalid input for query parameters limit. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`,
    );
  return n === 0 && zeroMeansMax ? max : Math.min(n, max);
}

export type { Obj };
