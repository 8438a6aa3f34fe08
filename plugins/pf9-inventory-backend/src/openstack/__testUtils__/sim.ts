/** Helpers for the client's tests: simulator clouds and a tiny programmable HTTP server. */
import http, { IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import type { Simulator } from '@internal/openstack-sim';
import { ADMIN_PASSWORD, USER_PASSWORD } from '@internal/openstack-sim';
import type { CloudConfig } from '../../config';
import { createOpenStackClient, OpenStackClientOptions } from '../client';
import { SentRequest } from '../request';
import { TokenCache } from '../tokenCache';

export function simCloud(
  sim: Simulator,
  overrides: Partial<CloudConfig> = {},
): CloudConfig {
  return {
    id: 'sim',
    auth: {
      url: sim.authUrl,
      username: 'admin',
      password: ADMIN_PASSWORD,
      userDomain: 'Default',
      projectName: 'admin',
      projectDomain: 'Default',
    },
    region: 'RegionOne',
    interface: 'public',
    insecure: false,
    ...overrides,
  };
}

/** A client with fast retries, its own token cache and a record of every request it sent. */
export function simClient(
  sim: Simulator,
  options: OpenStackClientOptions & { cloud?: Partial<CloudConfig> } = {},
) {
  const sent: SentRequest[] = [];
  const { cloud, ...rest } = options;
  const client = createOpenStackClient(simCloud(sim, cloud), {
    retryBaseDelayMs: 5,
    tokenCache: new TokenCache(),
    ...rest,
    onRequest: r => {
      sent.push(r);
      rest.onRequest?.(r);
    },
  });
  return { client, sent };
}

/** A non-admin user of the scenario with a role on some project. */
export function memberUser(sim: Simulator): {
  username: string;
  domainId: string;
  projectId: string;
  password: string;
} {
  const adminRole = sim.state.roles.all().find(r => r.name === 'admin')!;
  const admins = new Set(
    sim.state.roleAssignments
      .filter(a => a.roleId === adminRole.id)
      .map(a => a.actorId),
  );
  for (const a of sim.state.roleAssignments) {
    if (a.actorType !== 'user' || !a.scope.project || admins.has(a.actorId))
      continue;
    const user = sim.state.users.get(a.actorId);
    if (!user || user.enabled === false) continue;
    if (sim.state.passwords.get(a.actorId) !== USER_PASSWORD) continue;
    return {
      username: String(user.name),
      domainId: String(user.domain_id),
      projectId: a.scope.project,
      password: USER_PASSWORD,
    };
  }
  throw new Error('scenario has no non-admin project member');
}

export interface FakeServer {
  url: string;
  requests: Array<{
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
  }>;
  close(): Promise<void>;
}

/** A tiny HTTP server for behaviours the simulator cannot produce (Retry-After, odd paging). */
export async function startFakeServer(
  handler: (
    req: IncomingMessage,
    res: ServerResponse,
    index: number,
  ) => void | Promise<void>,
): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const index = requests.length;
    requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
    });
    req.resume();
    req.on('end', () => {
      Promise.resolve(handler(req, res, index)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * A fake Keystone + one service in one server: answers token requests with a catalog whose every
 * service points at this server, and everything else with `handler`.
 */
export async function startFakeCloud(
  handler: (
    req: IncomingMessage,
    res: ServerResponse,
    index: number,
  ) => void | Promise<void>,
  roles: string[] = ['admin'],
): Promise<FakeServer & { authUrl: string }> {
  let base = '';
  const server = await startFakeServer((req, res, index) => {
    if (req.method === 'POST' && req.url === '/v3/auth/tokens') {
      const endpoints = (path: string) => [
        {
          interface: 'public',
          region_id: 'RegionOne',
          region: 'RegionOne',
          url: `${base}${path}`,
        },
      ];
      json(
        res,
        201,
        {
          token: {
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
            issued_at: new Date().toISOString(),
            methods: ['password'],
            user: { id: 'u1', name: 'admin' },
            project: { id: 'p1', name: 'admin', domain: { id: 'default' } },
            roles: roles.map(name => ({ id: name, name })),
            catalog: [
              { type: 'identity', endpoints: endpoints('/v3') },
              { type: 'compute', endpoints: endpoints('/compute/v2.1') },
              { type: 'volumev3', endpoints: endpoints('/volume/v3/p1') },
              { type: 'network', endpoints: endpoints('/network') },
              { type: 'image', endpoints: endpoints('/image') },
              { type: 'placement', endpoints: endpoints('/placement') },
            ],
          },
        },
        { 'x-subject-token': 'tok-1' },
      );
      return undefined;
    }
    if (
      req.method === 'GET' &&
      /^\/(compute|volume|placement)\/$/.test(req.url ?? '')
    ) {
      // no microversions advertised: the client sends no header
      json(res, 200, { versions: [] });
      return undefined;
    }
    return handler(req, res, index);
  });
  base = server.url;
  return { ...server, authUrl: `${server.url}/v3` };
}

export function fakeCloudConfig(authUrl: string): CloudConfig {
  return {
    id: 'fake',
    auth: {
      url: authUrl,
      username: 'admin',
      password: 'x',
      userDomain: 'Default',
      projectName: 'admin',
      projectDomain: 'Default',
    },
    interface: 'public',
    insecure: false,
  };
}
