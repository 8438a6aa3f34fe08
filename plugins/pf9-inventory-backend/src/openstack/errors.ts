/**
 * Typed errors of the OpenStack client. Every failure names the service, the call and, when the
 * server answered, its status, request id and own message, so that a run record or a job ledger can
 * say exactly what went wrong (never a bare "fetch failed").
 */

export type OpenStackErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'OVER_LIMIT'
  | 'BAD_REQUEST'
  | 'SERVER_ERROR'
  | 'HTTP_ERROR'
  | 'TIMEOUT'
  | 'CONNECTION'
  | 'READ_ONLY'
  | 'CATALOG'
  | 'CONFIG';

export interface OpenStackErrorDetails {
  service: string;
  method: string;
  /** path and query of the call (no host, no token) */
  path: string;
  status?: number;
  /** x-openstack-request-id or x-compute-request-id of the response */
  requestId?: string;
  /** the message the service put in its error body */
  serverMessage?: string;
  /** e.g. Neutron's `IpAddressAlreadyAllocated` or Nova's `itemNotFound` */
  serverType?: string;
  cause?: unknown;
}

export class OpenStackError extends Error {
  readonly code: OpenStackErrorCode;
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly serverMessage?: string;
  readonly serverType?: string;
  /** what a listing had fetched before this error stopped it (never silently dropped) */
  partial?: { items: unknown[]; pages: number };

  constructor(
    code: OpenStackErrorCode,
    details: OpenStackErrorDetails,
    message?: string,
  ) {
    const what = `${details.service} ${details.method} ${details.path}`;
    const status = details.status !== undefined ? ` -> ${details.status}` : '';
    const server = details.serverMessage ? `: ${details.serverMessage}` : '';
    const rid = details.requestId ? ` (request ${details.requestId})` : '';
    super(message ?? `${what}${status}${server}${rid}`, {
      cause: details.cause,
    });
    this.name = new.target.name;
    this.code = code;
    this.service = details.service;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.requestId = details.requestId;
    this.serverMessage = details.serverMessage;
    this.serverType = details.serverType;
  }
}

export class OpenStackUnauthorizedError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    super('UNAUTHORIZED', d);
  }
}
export class OpenStackForbiddenError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    super('FORBIDDEN', d);
  }
}
export class OpenStackNotFoundError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    super('NOT_FOUND', d);
  }
}
export class OpenStackConflictError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    super('CONFLICT', d);
  }
}
/** 413 (quota exceeded) and 429 (rate limited): Nova, Cinder and Neutron say `overLimit`. */
export class OpenStackOverLimitError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    super('OVER_LIMIT', d);
  }
}
export class OpenStackBadRequestError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    super('BAD_REQUEST', d);
  }
}
export class OpenStackServerError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    super('SERVER_ERROR', d);
  }
}
export class OpenStackTimeoutError extends OpenStackError {
  constructor(d: OpenStackErrorDetails, readonly phase: 'connect' | 'read') {
    super('TIMEOUT', d, `${d.service} ${d.method} ${d.path}: ${phase} timeout`);
  }
}
export class OpenStackConnectionError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    const cause = d.cause as { code?: string; message?: string } | undefined;
    const why = cause?.code ?? cause?.message ?? 'connection failed';
    super(
      'CONNECTION',
      d,
      `${d.service} ${d.method} ${d.path}: cannot reach the service (${why})`,
    );
  }
}
/** A read-only client (dry-run, COM-8) was asked to send a mutating request. Nothing was sent. */
export class ReadOnlyViolationError extends OpenStackError {
  constructor(d: OpenStackErrorDetails) {
    super(
      'READ_ONLY',
      d,
      `read-only OpenStack client refused ${d.method} ${d.service} ${d.path}`,
    );
  }
}
/** The token catalog has no endpoint for a service type, interface and region. */
export class OpenStackCatalogError extends OpenStackError {
  constructor(service: string, message: string) {
    super('CATALOG', { service, method: '-', path: '-' }, message);
  }
}
export class OpenStackConfigError extends OpenStackError {
  constructor(message: string) {
    super('CONFIG', { service: 'config', method: '-', path: '-' }, message);
  }
}

/** Pulls the service's own message out of the error bodies OpenStack services send. */
export function parseServerMessage(body: string): {
  message?: string;
  type?: string;
} {
  const text = body.trim();
  if (!text) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Glance and some proxies answer text/plain or HTML: keep the first meaningful line
    const line = text
      .replace(/<[^>]+>/g, ' ')
      .split(/\n+/)
      .map(l => l.trim())
      .filter(Boolean);
    return { message: line.slice(0, 3).join(' ').slice(0, 500) };
  }
  if (!json || typeof json !== 'object') return { message: String(json) };
  const obj = json as Record<string, any>;
  if (obj.NeutronError && typeof obj.NeutronError === 'object') {
    return {
      message: obj.NeutronError.message,
      type: obj.NeutronError.type,
    };
  }
  if (obj.error && typeof obj.error === 'object') {
    return { message: obj.error.message, type: obj.error.title };
  }
  if (Array.isArray(obj.errors) && obj.errors[0]) {
    // Placement
    return {
      message: obj.errors[0].detail ?? obj.errors[0].title,
      type: obj.errors[0].code,
    };
  }
  // Nova / Cinder: {"itemNotFound": {"code": 404, "message": ...}}, {"overLimit": {...}}
  const keys = Object.keys(obj);
  if (keys.length === 1 && obj[keys[0]] && typeof obj[keys[0]] === 'object') {
    const inner = obj[keys[0]];
    if (typeof inner.message === 'string')
      return { message: inner.message, type: keys[0] };
  }
  if (typeof obj.message === 'string') return { message: obj.message };
  if (typeof obj.title === 'string') return { message: obj.title };
  return {};
}

/** Maps an HTTP error status to the matching typed error. */
export function errorForStatus(d: OpenStackErrorDetails): OpenStackError {
  const status = d.status ?? 0;
  if (status === 400) return new OpenStackBadRequestError(d);
  if (status === 401) return new OpenStackUnauthorizedError(d);
  if (status === 403) return new OpenStackForbiddenError(d);
  if (status === 404) return new OpenStackNotFoundError(d);
  if (status === 409) return new OpenStackConflictError(d);
  if (status === 413 || status === 429) return new OpenStackOverLimitError(d);
  if (status >= 500) return new OpenStackServerError(d);
  return new OpenStackError('HTTP_ERROR', d);
}
