/**
 * The HTTP layer under every OpenStack call: one bounded keep-alive agent, timeouts, retries of
 * idempotent calls (OSC-5), a per-service concurrency limit (OSC-7), TLS settings (OSC-9) and the
 * read-only guard of dry-runs (COM-8). It knows nothing about tokens; session.ts adds those.
 */
import { readFileSync } from 'fs';
import { Agent, Dispatcher, request as undiciRequest } from 'undici';
import {
  OpenStackConnectionError,
  OpenStackError,
  OpenStackErrorDetails,
  OpenStackTimeoutError,
  ReadOnlyViolationError,
  errorForStatus,
  parseServerMessage,
} from './errors';
import { ConcurrencyLimiter } from './limiter';

/** The subset of Backstage's LoggerService the client uses. */
export interface OpenStackLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export const silentLogger: OpenStackLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export interface TransportOptions {
  /** TCP/TLS connect timeout (default 10 s) */
  connectTimeoutMs?: number;
  /** time allowed for the response headers and between body chunks (default 60 s) */
  readTimeoutMs?: number;
  /** retries of GET/HEAD/DELETE on connection errors, 429, 502, 503, 504 (default 3) */
  retries?: number;
  /** first backoff delay; doubles per retry with ±20 % jitter (default 1000 ms) */
  retryBaseDelayMs?: number;
  /** longest Retry-After honoured (default 120 s); longer values fail the call */
  maxRetryAfterMs?: number;
  /** requests in flight per service and client (default 8) */
  concurrency?: number;
  /** cap of open connections per origin in the shared agent (default 16) */
  maxConnectionsPerOrigin?: number;
  /** refuse every method other than GET and HEAD before anything is sent */
  readOnly?: boolean;
  caFile?: string;
  insecure?: boolean;
  logger?: OpenStackLogger;
  /** replaces the shared agent (tests) */
  dispatcher?: Dispatcher;
  /** sees every request just before it is sent (metrics, tests) */
  onRequest?: (info: SentRequest) => void;
  /**
   * awaited before each request other than authentication is sent: a caller that cannot keep up with
   * what it receives holds its requests back (the inventory sync's write backlog)
   */
  beforeSend?: () => Promise<void>;
  /** replaces setTimeout-based sleeping (tests) */
  sleep?: (ms: number) => Promise<void>;
}

export interface SentRequest {
  service: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  attempt: number;
}

export interface HttpRequest {
  service: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** the Keystone token request: allowed in read-only mode, never retried */
  authRequest?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  requestId?: string;
  json<T = any>(): T;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'DELETE']);
const READ_METHODS = new Set(['GET', 'HEAD']);
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Connection failures and connect timeouts are retried; a read timeout is not (the service got the
 * request and is slow: repeating it adds load), nor is a certificate problem (it will not heal).
 */
function isRetryableFailure(err: OpenStackError): boolean {
  if (err instanceof OpenStackTimeoutError) return err.phase === 'connect';
  if (err.code !== 'CONNECTION') return false;
  const cause = err.cause as { code?: string } | undefined;
  const code = String(cause?.code ?? '');
  return !/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
}

/**
 * Agents are shared per TLS setting: every client of the process reuses the same few keep-alive
 * connections, so N concurrent jobs never open N pools (a Cinder API worker stalls beyond about
 * 100 open connections).
 */
const sharedAgents = new Map<string, Agent>();

function sharedAgent(o: {
  connectTimeoutMs: number;
  connections: number;
  caFile?: string;
  insecure?: boolean;
}): Agent {
  const key = JSON.stringify([
    o.connectTimeoutMs,
    o.connections,
    o.caFile ?? '',
    !!o.insecure,
  ]);
  let agent = sharedAgents.get(key);
  if (!agent) {
    agent = new Agent({
      connections: o.connections,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
      connect: {
        timeout: o.connectTimeoutMs,
        rejectUnauthorized: !o.insecure,
        ...(o.caFile ? { ca: readFileSync(o.caFile) } : {}),
      },
    });
    sharedAgents.set(key, agent);
  }
  return agent;
}

/** Closes the shared agents (end of tests, process shutdown). */
export async function closeSharedAgents(): Promise<void> {
  const agents = [...sharedAgents.values()];
  sharedAgents.clear();
  await Promise.all(agents.map(a => a.close().catch(() => undefined)));
}

const defaultSleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** Path and query of a URL, for error messages and logs (never the host's credentials). */
export function displayPath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/** Retry-After in ms (delta-seconds or an HTTP date), undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function headerRecord(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined)
      out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export class HttpTransport {
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly concurrency: number;
  readonly readOnly: boolean;
  readonly logger: OpenStackLogger;
  private readonly dispatcher: Dispatcher;
  private readonly limiters = new Map<string, ConcurrencyLimiter>();
  private readonly onRequest?: (info: SentRequest) => void;
  private readonly beforeSend?: () => Promise<void>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: TransportOptions = {}) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.readTimeoutMs = options.readTimeoutMs ?? 60_000;
    this.retries = options.retries ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 1000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.concurrency = options.concurrency ?? 8;
    this.readOnly = !!options.readOnly;
    this.logger = options.logger ?? silentLogger;
    this.onRequest = options.onRequest;
    this.beforeSend = options.beforeSend;
    this.sleep = options.sleep ?? defaultSleep;
    this.dispatcher =
      options.dispatcher ??
      sharedAgent({
        connectTimeoutMs: this.connectTimeoutMs,
        connections:
          options.maxConnectionsPerOrigin ?? Math.max(16, this.concurrency),
        caFile: options.caFile,
        insecure: options.insecure,
      });
  }

  /**
   * COM-8: a read-only client refuses every method but GET and HEAD before anything is sent.
   * (The Keystone token request is the one POST it makes: without it nothing can be read.)
   */
  assertAllowed(service: string, method: string, url: string): void {
    if (this.readOnly && !READ_METHODS.has(method.toUpperCase())) {
      throw new ReadOnlyViolationError({
        service,
        method: method.toUpperCase(),
        path: displayPath(url),
      });
    }
  }

  /** The limiter of one service (exposed so tests and metrics can read `maxActive`). */
  limiter(service: string): ConcurrencyLimiter {
    let l = this.limiters.get(service);
    if (!l) {
      l = new ConcurrencyLimiter(this.concurrency);
      this.limiters.set(service, l);
    }
    return l;
  }

  /**
   * Sends one request, retrying idempotent ones. Returns every response with a status below 400
   * (including 300, which Keystone, Cinder and Glance use for their version documents); throws a
   * typed OpenStackError otherwise.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const details = (extra: Partial<OpenStackErrorDetails> = {}) => ({
      service: req.service,
      method,
      path: displayPath(req.url),
      ...extra,
    });
    if (!req.authRequest) this.assertAllowed(req.service, method, req.url);
    if (this.beforeSend && !req.authRequest) await this.beforeSend();
    const retryable = IDEMPOTENT.has(method) && !req.authRequest;
    const maxAttempts = retryable ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.limiter(req.service).run(() =>
          this.once(req, method, attempt),
        );
      } catch (e) {
        const err = this.mapFailure(e, details());
        if (isRetryableFailure(err) && attempt < maxAttempts) {
          const delay = this.backoff(attempt);
          this.logger.warn(
            `OpenStack ${err.message}; retry ${attempt}/${this.retries} in ${delay} ms`,
          );
          await this.sleep(delay);
          continue;
        }
        throw err;
      }
      if (res.status < 400) return res;
      const server = parseServerMessage(res.text);
      const err = errorForStatus(
        details({
          status: res.status,
          requestId: res.requestId,
          serverMessage: server.message,
          serverType: server.type,
        }),
      );
      if (RETRY_STATUSES.has(res.status) && attempt < maxAttempts) {
        let delay = this.backoff(attempt);
        if (res.status === 429 || res.status === 503) {
          const after = parseRetryAfter(res.headers['retry-after']);
          if (after !== undefined) {
            if (after > this.maxRetryAfterMs) throw err;
            delay = after;
          }
        }
        this.logger.warn(
          `OpenStack ${err.message}; retry ${attempt}/${this.retries} in ${delay} ms`,
        );
        await this.sleep(delay);
        continue;
      }
      throw err;
    }
  }

  /** 1 s, 2 s, 4 s (times the base) with ±20 % jitter. */
  backoff(attempt: number): number {
    const base = this.retryBaseDelayMs * 2 ** (attempt - 1);
    const jitter = 1 + (Math.random() * 0.4 - 0.2);
    return Math.round(base * jitter);
  }

  private async once(
    req: HttpRequest,
    method: string,
    attempt: number,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(req.headers ?? {}),
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    this.onRequest?.({
      service: req.service,
      method,
      url: req.url,
      headers: { ...headers },
      attempt,
    });
    const res = await undiciRequest(req.url, {
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      dispatcher: this.dispatcher,
      headersTimeout: this.readTimeoutMs,
      bodyTimeout: this.readTimeoutMs,
    });
    const text = await res.body.text();
    const h = headerRecord(res.headers);
    return {
      status: res.statusCode,
      headers: h,
      text,
      requestId: h['x-openstack-request-id'] ?? h['x-compute-request-id'],
      json<T>() {
        return (text ? JSON.parse(text) : {}) as T;
      },
    };
  }

  private mapFailure(e: unknown, d: OpenStackErrorDetails): OpenStackError {
    if (e instanceof OpenStackError) return e;
    const err = e as { code?: string; cause?: { code?: string } };
    const code = err?.code ?? err?.cause?.code ?? '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new OpenStackTimeoutError({ ...d, cause: e }, 'read');
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new OpenStackTimeoutError({ ...d, cause: e }, 'connect');
    }
    return new OpenStackConnectionError({ ...d, cause: e });
  }
}
