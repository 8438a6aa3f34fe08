/**
 * One authenticated session against one cloud: Keystone v3 auth (OSC-1), endpoints from the token
 * catalog (OSC-2), microversions (OSC-3) and the admin-role check (OSC-6). Every job builds its own
 * session (OSC-8); only tokens (TokenCache) and version documents (versionDocuments.ts) are shared.
 */
import { ResolvedCloud, credentialKey, normaliseAuthUrl } from './clouds';
import {
  OpenStackCatalogError,
  OpenStackError,
  OpenStackNotFoundError,
  OpenStackUnauthorizedError,
} from './errors';
import {
  DESIRED_MICROVERSIONS,
  MicroversionService,
  NegotiatedVersion,
  compareVersions,
  microversionHeader,
  minVersion,
  versionDocumentUrl,
} from './microversions';
import { HttpResponse, HttpTransport, OpenStackLogger } from './request';
import { sharedVersionRange } from './versionDocuments';
import {
  CatalogEntry,
  TokenCache,
  TokenInfo,
  sharedTokenCache,
} from './tokenCache';

export type ServiceType =
  | 'identity'
  | 'compute'
  | 'block-storage'
  | 'network'
  | 'image'
  | 'placement';

/** Catalog types tried per service, in order (Cinder: block-storage, then volumev3). */
const CATALOG_TYPES: Record<ServiceType, string[]> = {
  identity: ['identity'],
  compute: ['compute'],
  'block-storage': ['block-storage', 'volumev3'],
  network: ['network'],
  image: ['image'],
  placement: ['placement'],
};

/** Re-authenticate when less than this remains (OSC-1). */
export const REAUTH_MARGIN_MS = 5 * 60_000;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** exact microversion for this call (must not exceed the server's max) */
  microversion?: string;
}

export interface SessionOptions {
  tokenCache?: TokenCache;
  logger?: OpenStackLogger;
  /** desired microversions per service (defaults: Nova 2.79, Cinder 3.60, Placement 1.29) */
  desiredMicroversions?: Partial<Record<MicroversionService, string>>;
}

export class OpenStackSession {
  readonly cloud: ResolvedCloud;
  readonly transport: HttpTransport;
  private readonly cache: TokenCache;
  private readonly cacheKey: string;
  private readonly logger: OpenStackLogger;
  private readonly desired: Record<MicroversionService, string>;
  private readonly negotiations = new Map<
    MicroversionService,
    Promise<NegotiatedVersion>
  >();
  /** endpoint URLs per token (they come from its catalog and project), selected once, not per call */
  private readonly endpoints = new WeakMap<
    TokenInfo,
    Map<ServiceType, string>
  >();

  constructor(
    cloud: ResolvedCloud,
    transport: HttpTransport,
    options: SessionOptions = {},
  ) {
    this.cloud = cloud;
    this.transport = transport;
    this.cache = options.tokenCache ?? sharedTokenCache;
    this.cacheKey = credentialKey(cloud.auth);
    this.logger = options.logger ?? transport.logger;
    this.desired = {
      ...DESIRED_MICROVERSIONS,
      ...options.desiredMicroversions,
    };
  }

  /** A valid token: the cached one unless it is close to expiry. */
  async token(): Promise<TokenInfo> {
    return this.cache.obtain(
      this.cacheKey,
      t => !needsRenewal(t),
      () => this.authenticate(),
    );
  }

  /** Forgets `tokenId` (refused with 401) and authenticates again (or joins a renewal in flight). */
  async renewToken(tokenId: string): Promise<TokenInfo> {
    this.cache.invalidate(this.cacheKey, tokenId);
    return this.token();
  }

  async isAdmin(): Promise<boolean> {
    const t = await this.token();
    return t.roles.some(r => r.toLowerCase() === 'admin');
  }

  /** The endpoint URL of a service (no trailing slash), with Cinder's project filled in. */
  async endpoint(service: ServiceType): Promise<string> {
    return this.endpointOf(await this.token(), service);
  }

  private endpointOf(token: TokenInfo, service: ServiceType): string {
    let byService = this.endpoints.get(token);
    if (!byService) {
      byService = new Map();
      this.endpoints.set(token, byService);
    }
    let url = byService.get(service);
    if (url === undefined) {
      url = selectEndpoint(
        token.catalog,
        service,
        this.cloud.interface,
        this.cloud.region,
        token.projectId,
      );
      byService.set(service, url);
    }
    return url;
  }

  /** The negotiated microversion of a service (reads the version document once per session). */
  async microversion(service: MicroversionService): Promise<NegotiatedVersion> {
    let p = this.negotiations.get(service);
    if (!p) {
      p = this.negotiate(service);
      this.negotiations.set(service, p);
      // a failed negotiation is retried by the next call instead of sticking
      p.catch(() => this.negotiations.delete(service));
    }
    return p;
  }

  /**
   * Sends one call to a service. `path` is relative to the service endpoint, or an absolute URL
   * (a `next` link). On a 401 the session re-authenticates once and repeats the call once.
   */
  async request(
    service: ServiceType,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResponse> {
    // refuse a write of a read-only client before any traffic (not even a version document)
    this.transport.assertAllowed(service, method, path);
    let token = await this.token();
    const url = buildUrl(this.endpointOf(token, service), path, options.query);
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (isMicroversionService(service)) {
      const mv = await this.microversion(service);
      const version = options.microversion ?? mv.version;
      if (options.microversion && mv.serverMax) {
        if (compareVersions(options.microversion, mv.serverMax) > 0) {
          throw new OpenStackError(
            'BAD_REQUEST',
            { service, method, path },
            `${service} microversion ${options.microversion} needed, server max is ${mv.serverMax}`,
          );
        }
      }
      if (version) Object.assign(headers, microversionHeader(service, version));
    }
    try {
      return await this.send(service, method, url, headers, token, options);
    } catch (e) {
      if (!(e instanceof OpenStackUnauthorizedError)) throw e;
      this.logger.info(
        `OpenStack ${service} ${method} got 401; re-authenticating once`,
        { cloud: this.cloud.id, requestId: e.requestId },
      );
      token = await this.renewToken(token.id);
      return await this.send(service, method, url, headers, token, options);
    }
  }

  /** `request` that parses the JSON body (an empty body gives `{}`). */
  async json<T = any>(
    service: ServiceType,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    return (await this.request(service, method, path, options)).json<T>();
  }

  private send(
    service: ServiceType,
    method: string,
    url: string,
    headers: Record<string, string>,
    token: TokenInfo,
    options: RequestOptions,
  ) {
    this.logger.debug(`OpenStack ${method} ${url}`, {
      cloud: this.cloud.id,
      microversion:
        headers['X-OpenStack-Nova-API-Version'] ??
        headers['OpenStack-API-Version'],
    });
    return this.transport.send({
      service,
      method,
      url,
      headers: { ...headers, 'X-Auth-Token': token.id },
      body: options.body,
    });
  }

  private async negotiate(
    service: MicroversionService,
  ): Promise<NegotiatedVersion> {
    const desired = this.desired[service];
    const endpoint = await this.endpoint(service);
    const docUrl = versionDocumentUrl(service, endpoint);
    const { min, max } = await sharedVersionRange(service, docUrl, async () =>
      (
        await this.transport.send({ service, method: 'GET', url: docUrl })
      ).json(),
    );
    const version = max ? minVersion(desired, max) : undefined;
    const negotiated: NegotiatedVersion = {
      service,
      desired,
      version,
      serverMax: max,
      serverMin: min,
    };
    this.logger.debug(
      `OpenStack ${service} microversion ${
        version ?? 'none'
      } (desired ${desired}, server ${min ?? '?'}..${max ?? '?'})`,
      { cloud: this.cloud.id },
    );
    return negotiated;
  }

  private async authenticate(): Promise<TokenInfo> {
    const a = this.cloud.auth;
    const body = authBody(this.cloud);
    let res: HttpResponse;
    try {
      res = await this.transport.send({
        service: 'identity',
        method: 'POST',
        url: `${a.authUrl}/auth/tokens`,
        body,
        authRequest: true,
      });
    } catch (e) {
      // Keystone answers 404 ("Could not find Application Credential") for an unknown or deleted
      // application credential: for callers that is an authentication failure like a 401
      if (e instanceof OpenStackNotFoundError) {
        throw new OpenStackUnauthorizedError({
          service: e.service,
          method: e.method,
          path: e.path,
          status: e.status,
          requestId: e.requestId,
          serverMessage: e.serverMessage,
          serverType: e.serverType,
        });
      }
      throw e;
    }
    const id = res.headers['x-subject-token'];
    if (!id) {
      throw new OpenStackError(
        'UNAUTHORIZED',
        {
          service: 'identity',
          method: 'POST',
          path: '/v3/auth/tokens',
          status: res.status,
          requestId: res.requestId,
        },
        'Keystone answered without X-Subject-Token',
      );
    }
    const t = res.json<{ token: any }>().token ?? {};
    const token: TokenInfo = {
      id,
      expiresAt: new Date(t.expires_at),
      issuedAt: t.issued_at ? new Date(t.issued_at) : undefined,
      userId: t.user?.id,
      userName: t.user?.name,
      projectId: t.project?.id,
      projectName: t.project?.name,
      projectDomainId: t.project?.domain?.id,
      domainId: t.domain?.id,
      roles: (t.roles ?? []).map((r: { name: string }) => r.name),
      catalog: t.catalog ?? [],
      methods: t.methods ?? [],
    };
    if (Number.isNaN(token.expiresAt.getTime())) {
      // no usable expiry: treat it as short-lived rather than eternal
      token.expiresAt = new Date(Date.now() + REAUTH_MARGIN_MS * 2);
    }
    this.logger.debug(
      `OpenStack authenticated ${this.cloud.id} (${
        a.method
      }), token until ${token.expiresAt.toISOString()}`,
    );
    return token;
  }
}

/**
 * True when the token should be renewed: less than 5 minutes left, or, for tokens whose whole
 * lifetime is under 10 minutes, less than half of it (so that short-lived tokens are not renewed
 * on every call).
 */
export function needsRenewal(t: TokenInfo, now = Date.now()): boolean {
  const left = t.expiresAt.getTime() - now;
  const lifetime = t.issuedAt
    ? t.expiresAt.getTime() - t.issuedAt.getTime()
    : Infinity;
  const margin = Math.min(REAUTH_MARGIN_MS, lifetime / 2);
  return left < margin;
}

function isMicroversionService(s: ServiceType): s is MicroversionService {
  return s === 'compute' || s === 'block-storage' || s === 'placement';
}

function domainRef(id?: string, name?: string) {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

/** The body of POST /v3/auth/tokens for the resolved credential. */
export function authBody(cloud: ResolvedCloud): unknown {
  const a = cloud.auth;
  if (a.method === 'application_credential') {
    const cred: Record<string, unknown> = a.applicationCredentialId
      ? { id: a.applicationCredentialId, secret: a.applicationCredentialSecret }
      : {
          name: a.applicationCredentialName,
          secret: a.applicationCredentialSecret,
          user: a.userId
            ? { id: a.userId }
            : {
                name: a.username,
                domain: domainRef(a.userDomainId, a.userDomainName),
              },
        };
    // an application credential carries its own scope: sending one is an error
    return {
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: cred,
        },
      },
    };
  }
  const user: Record<string, unknown> = a.userId
    ? { id: a.userId, password: a.password }
    : {
        name: a.username,
        domain: domainRef(a.userDomainId, a.userDomainName),
        password: a.password,
      };
  let scope: unknown;
  if (a.projectId) scope = { project: { id: a.projectId } };
  else if (a.projectName)
    scope = {
      project: {
        name: a.projectName,
        domain: domainRef(a.projectDomainId, a.projectDomainName),
      },
    };
  else if (a.domainId || a.domainName)
    scope = { domain: domainRef(a.domainId, a.domainName) };
  return {
    auth: {
      identity: { methods: ['password'], password: { user } },
      ...(scope ? { scope } : {}),
    },
  };
}

/**
 * Picks the endpoint of a service from the catalog by type, interface and region, and fills a
 * project template (`%(project_id)s`, `$(project_id)s`, `%(tenant_id)s`) or replaces Cinder's
 * trailing project segment with the project the token is scoped to.
 */
export function selectEndpoint(
  catalog: CatalogEntry[],
  service: ServiceType,
  iface: string,
  region: string | undefined,
  projectId: string | undefined,
): string {
  for (const type of CATALOG_TYPES[service]) {
    const entry = catalog.find(c => c.type === type);
    if (!entry) continue;
    const ep = entry.endpoints.find(
      e =>
        e.interface === iface &&
        (!region || e.region_id === region || e.region === region),
    );
    if (!ep) continue;
    const url = fillProject(ep.url, service, projectId);
    // some catalogs list Keystone unversioned; every identity path we use is under /v3
    return service === 'identity' ? normaliseAuthUrl(url) : url;
  }
  const regions = new Set(
    catalog
      .filter(c => CATALOG_TYPES[service].includes(c.type))
      .flatMap(c =>
        c.endpoints.map(e => `${e.interface}@${e.region_id ?? e.region}`),
      ),
  );
  throw new OpenStackCatalogError(
    service,
    `no ${CATALOG_TYPES[service].join(
      ' or ',
    )} endpoint with interface '${iface}'${
      region ? ` in region '${region}'` : ''
    } in the token catalog${
      regions.size ? ` (found: ${[...regions].join(', ')})` : ''
    }`,
  );
}

const TEMPLATE = /[%$]\((project_id|tenant_id)\)s/g;
const HAS_TEMPLATE = /[%$]\((project_id|tenant_id)\)s/;

export function fillProject(
  url: string,
  service: ServiceType,
  projectId: string | undefined,
): string {
  let out = url.replace(/\/+$/, '');
  if (HAS_TEMPLATE.test(out)) {
    if (!projectId) {
      throw new OpenStackCatalogError(
        service,
        `the ${service} endpoint ${url} needs a project-scoped token`,
      );
    }
    return out.replace(TEMPLATE, projectId);
  }
  if (service === 'block-storage' && projectId) {
    // http://h:8776/v3/<project>: the project of the token, for every request (OSC-2)
    const u = new URL(out);
    const m = /^(.*\/v3)(\/[^/]+)?$/.exec(u.pathname);
    if (m) {
      u.pathname = `${m[1]}/${projectId}`;
      out = u.toString();
    }
  }
  return out;
}

/** Endpoint + relative path + query; absolute URLs (next links) are kept as they are. */
export function buildUrl(
  base: string,
  path: string,
  query?: RequestOptions['query'],
): string {
  const url = /^https?:\/\//.test(path)
    ? new URL(path)
    : new URL(`${base}${path.startsWith('/') ? '' : '/'}${path}`);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  return url.toString();
}
