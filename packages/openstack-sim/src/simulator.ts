import { randomBytes } from 'crypto';
import http, { IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { cinderRoutes, CINDER_MAX_MV } from './cinder';
import { FaultRegistry, FaultSpec, RequestLogEntry } from './faults';
import { glanceRoutes } from './glance';
import {
  Ctx,
  HttpError,
  Reply,
  Route,
  Service,
  SimApi,
  SimOptionsCore,
  Token,
  errorReply,
} from './http';
import { keystoneRoutes } from './keystone';
import { neutronRoutes } from './neutron';
import { novaRoutes, NOVA_MAX_MV } from './nova';
import { placementRoutes, PLACEMENT_MAX_MV } from './placement';
import { ScenarioName, ScenarioSize, generateScenario } from './scenario';
import { SimState } from './state';

export interface SimulatorOptions extends SimOptionsCore {
  scenario?: ScenarioName | ScenarioSize;
  seed?: number;
  /** 0 (default) picks a free port */
  port?: number;
  host?: string;
  /** largest request log kept in memory (oldest entries are dropped) */
  requestLogLimit?: number;
}

export interface Simulator {
  /** http://host:port */
  url: string;
  /** Keystone v3 URL: http://host:port/v3 */
  authUrl: string;
  port: number;
  state: SimState;
  faults: FaultRegistry;
  requestLog: RequestLogEntry[];
  tokens: Map<string, Token>;
  /** all issued tokens expire now: every further call with them gets 401 */
  expireAllTokens(): void;
  /** apply due state changes (done before every request anyway) */
  tick(): void;
  /** milliseconds the scenario took to build */
  buildMs: number;
  close(): Promise<void>;
}

const ROUTES: Route[] = [
  ...keystoneRoutes().routes,
  ...novaRoutes().routes,
  ...cinderRoutes().routes,
  ...neutronRoutes().routes,
  ...glanceRoutes().routes,
  ...placementRoutes().routes,
];

function serviceOf(path: string): Service {
  if (path.startsWith('/compute')) return 'compute';
  if (path.startsWith('/volume')) return 'volume';
  if (path.startsWith('/network')) return 'network';
  if (path.startsWith('/image')) return 'image';
  if (path.startsWith('/placement')) return 'placement';
  return 'identity';
}

function parseMv(
  raw: string | undefined,
  fallback: string,
  max: string,
): [number, number] | 'bad' {
  let v = (raw ?? fallback).trim();
  if (v === 'latest') v = max;
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m) return 'bad';
  const [maj, min] = [Number(m[1]), Number(m[2])];
  const [xMaj, xMin] = max.split('.').map(Number);
  if (maj > xMaj || (maj === xMaj && min > xMin)) return 'bad';
  return [maj, min];
}

function microversion(
  service: Service,
  headers: IncomingMessage['headers'],
): { mv: [number, number] | 'bad'; headers: Record<string, string> } {
  const generic = String(headers['openstack-api-version'] ?? '');
  const pick = (name: string) => {
    const m = new RegExp(`(?:^|,)\\s*${name}\\s+([^,\\s]+)`, 'i').exec(generic);
    return m ? m[1] : undefined;
  };
  switch (service) {
    case 'compute': {
      const raw =
        (headers['x-openstack-nova-api-version'] as string | undefined) ??
        pick('compute');
      const mv = parseMv(raw, '2.1', NOVA_MAX_MV);
      const s = mv === 'bad' ? '' : `${mv[0]}.${mv[1]}`;
      return {
        mv,
        headers: {
          'openstack-api-version': `compute ${s}`,
          'x-openstack-nova-api-version': s,
          vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
        },
      };
    }
    case 'volume': {
      const mv = parseMv(pick('volume'), '3.0', CINDER_MAX_MV);
      return {
        mv,
        headers:
          mv === 'bad'
            ? {}
            : {
                'openstack-api-version': `volume ${mv[0]}.${mv[1]}`,
                vary: 'OpenStack-API-Version',
              },
      };
    }
    case 'placement': {
      const mv = parseMv(pick('placement'), '1.0', PLACEMENT_MAX_MV);
      return {
        mv,
        headers:
          mv === 'bad'
            ? {}
            : {
                'openstack-api-version': `placement ${mv[0]}.${mv[1]}`,
                vary: 'openstack-api-version',
              },
      };
    }
    default:
      return { mv: [0, 0] as [number, number], headers: {} };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSimulator(
  options: SimulatorOptions = {},
): Promise<Simulator> {
  const opts = {
    tokenTtlSeconds: 3600,
    transitionMs: 1000,
    ...options,
  };
  const faults = new FaultRegistry();
  const requestLog: RequestLogEntry[] = [];
  const logLimit = options.requestLogLimit ?? 100000;
  const tokens = new Map<string, Token>();
  const pending: { at: number; fn: () => void }[] = [];
  // assigned once the scenario is built (after the port is known)
  // eslint-disable-next-line prefer-const
  let state: SimState | undefined;
  const hanging = new Set<ServerResponse>();
  let url = '';

  const tick = () => {
    if (!pending.length) return;
    const now = Date.now();
    for (let i = 0; i < pending.length; ) {
      if (pending[i].at <= now) {
        const [job] = pending.splice(i, 1);
        job.fn();
        if (state) state.generation++;
      } else i++;
    }
  };

  const api: SimApi = {
    get url() {
      return url;
    },
    options: opts,
    tokens,
    schedule(delayMs, fn) {
      if (delayMs <= 0) fn();
      else pending.push({ at: Date.now() + delayMs, fn });
    },
    issueToken(t) {
      const now = Date.now();
      const token: Token = {
        ...t,
        id: `gAAAAA${randomBytes(48).toString('base64url')}`,
        issuedAt: now,
        expiresAt: now + opts.tokenTtlSeconds * 1000,
        auditId: randomBytes(16).toString('base64url').slice(0, 22),
      };
      tokens.set(token.id, token);
      return token;
    },
  };

  const send = (
    res: ServerResponse,
    reply: Reply,
    extra: Record<string, string> = {},
  ) => {
    const headers: Record<string, string> = {
      'x-openstack-request-id': `req-${randomBytes(16)
        .toString('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}`,
      ...extra,
      ...(reply.headers ?? {}),
    };
    let payload = '';
    if (
      reply.body !== undefined &&
      reply.body !== null &&
      reply.status !== 204
    ) {
      if (typeof reply.body === 'string') payload = reply.body;
      else {
        payload = JSON.stringify(reply.body);
        if (!headers['content-type'])
          headers['content-type'] = 'application/json';
      }
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(payload);
  };

  const simAdmin = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    search: URLSearchParams,
  ) => {
    const body = req.method === 'POST' ? await readBody(req) : '';
    const json = (status: number, b: unknown) => send(res, { status, body: b });
    if (path === '/_sim/faults') {
      if (req.method === 'GET') return json(200, { faults: faults.list() });
      if (req.method === 'DELETE') {
        faults.clear();
        return json(200, { faults: [] });
      }
      if (req.method === 'POST') {
        try {
          const spec = JSON.parse(body || '{}');
          const specs: FaultSpec[] = Array.isArray(spec) ? spec : [spec];
          return json(201, { faults: specs.map(s => faults.add(s)) });
        } catch (e) {
          return json(400, { error: String(e) });
        }
      }
    }
    const fm = /^\/_sim\/faults\/(\d+)$/.exec(path);
    if (fm && req.method === 'DELETE') {
      faults.remove(Number(fm[1]));
      return json(200, { faults: faults.list() });
    }
    if (path === '/_sim/requests') {
      if (req.method === 'DELETE') {
        requestLog.length = 0;
        return json(200, { requests: [] });
      }
      const since = Number(search.get('since') ?? 0);
      return json(200, { requests: requestLog.slice(since) });
    }
    if (path === '/_sim/expire-tokens' && req.method === 'POST') {
      expireAllTokens();
      return json(200, { expired: true });
    }
    if (path === '/_sim/state')
      return json(200, { ready: !!state, counts: state?.counts() });
    return json(404, { error: 'unknown simulator route' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const u = new URL(req.url ?? '/', 'http://sim');
    let path = u.pathname.replace(/\/{2,}/g, '/');
    if (
      path.length > 1 &&
      path.endsWith('/') &&
      !/^\/(v3|compute|volume|network|image|placement|compute\/v2\.1|volume\/v3|network\/v2\.0)\/$/.test(
        path,
      )
    )
      path = path.slice(0, -1);
    const method = (req.method ?? 'GET').toUpperCase();
    if (path.startsWith('/_sim/')) {
      await simAdmin(req, res, path, u.searchParams);
      return;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) if (!(k in query)) query[k] = v;
    const service = serviceOf(path);
    let status = 500;
    const log = () => {
      requestLog.push({
        method,
        path,
        query,
        status,
        time: new Date(started).toISOString(),
        durationMs: Date.now() - started,
      });
      if (requestLog.length > logLimit * 1.1)
        requestLog.splice(0, requestLog.length - logLimit);
    };
    const reply = (r: Reply, extra?: Record<string, string>) => {
      status = r.status;
      send(res, r, extra);
      log();
    };
    try {
      const fault = faults.match(method, path);
      if (fault?.timeout) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        status = 0;
        log();
        return;
      }
      if (fault?.delayMs) await new Promise(r => setTimeout(r, fault.delayMs));
      const rawBody =
        method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
      if (fault?.status) {
        reply(
          errorReply(service, fault.status, `Injected fault (${fault.status})`),
        );
        return;
      }
      if (!state) {
        reply(
          errorReply(
            service,
            503,
            'The simulator is still building its scenario.',
          ),
        );
        return;
      }
      tick();
      let route: Route | undefined;
      let params: string[] = [];
      let pathMatched = false;
      for (const r of ROUTES) {
        const m = r.re.exec(path);
        if (!m) continue;
        pathMatched = true;
        if (r.method !== method && !(method === 'HEAD' && r.method === 'GET'))
          continue;
        route = r;
        params = m
          .slice(1)
          .map(p => (p === undefined ? '' : decodeURIComponent(p)));
        break;
      }
      if (!route) {
        reply(
          errorReply(
            service,
            pathMatched ? 405 : 404,
            pathMatched
              ? 'Method not allowed'
              : `The resource could not be found.`,
          ),
        );
        return;
      }
      let token: Token | undefined;
      if (route.auth) {
        const t = tokens.get(String(req.headers['x-auth-token'] ?? ''));
        if (!t || t.expiresAt <= Date.now()) {
          reply(errorReply(service, 401));
          return;
        }
        token = t;
      }
      const mvInfo = microversion(route.service, req.headers);
      if (mvInfo.mv === 'bad') {
        reply(errorReply(route.service, 406, 'Version not supported'));
        return;
      }
      let body: any = undefined;
      if (rawBody) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          reply(errorReply(route.service, 400, 'Malformed request body'));
          return;
        }
      }
      const ctx: Ctx = {
        method,
        path,
        query,
        search: u.searchParams,
        headers: req.headers,
        body,
        params,
        token,
        truncate: !!fault?.truncate,
        buildError: fault?.buildError,
        mv: mvInfo.mv,
        state,
        sim: api,
      };
      let out: Reply;
      // a write may change objects in place: derived figures (quota usage) are recomputed after it
      const write = method !== 'GET' && method !== 'HEAD';
      if (write) state.generation++;
      try {
        out = await route.handler(ctx);
        if (write) state.generation++;
      } catch (e) {
        if (write) state.generation++;
        if (e instanceof HttpError)
          out = { status: e.status, body: e.body, headers: e.headers };
        else {
          out = errorReply(
            route.service,
            500,
            `Unexpected error: ${(e as Error).message}`,
          );
        }
      }
      reply(out, mvInfo.headers);
    } catch (e) {
      if (!res.headersSent) reply(errorReply(service, 500, String(e)));
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () =>
      resolve(),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  url = `http://${
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  }:${port}`;
  const t0 = Date.now();
  state = generateScenario(url, options.scenario ?? 'tiny', options.seed ?? 1);
  const buildMs = Date.now() - t0;

  function expireAllTokens() {
    const past = Date.now() - 1;
    for (const t of tokens.values()) t.expiresAt = past;
  }

  return {
    url,
    authUrl: `${url}/v3`,
    port,
    state,
    faults,
    requestLog,
    tokens,
    expireAllTokens,
    tick,
    buildMs,
    close: () =>
      new Promise<void>(resolve => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
