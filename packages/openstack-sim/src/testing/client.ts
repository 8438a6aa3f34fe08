import type { Simulator } from '../simulator';

export interface CallResult {
  status: number;
  body: any;
  headers: Headers;
}

export async function call(
  sim: Simulator,
  method: string,
  path: string,
  opts: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<CallResult> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      ...(opts.token ? { 'x-auth-token': opts.token } : {}),
      ...(opts.body !== undefined
        ? { 'content-type': 'application/json' }
        : {}),
      ...(opts.headers ?? {}),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  let body: any = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, body, headers: res.headers };
}

export async function adminToken(
  sim: Simulator,
): Promise<{ token: string; projectId: string; body: any }> {
  const r = await call(sim, 'POST', '/v3/auth/tokens', {
    body: {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: 'admin',
              domain: { name: 'Default' },
              password: 'demo-admin',
            },
          },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    },
  });
  if (r.status !== 201)
    throw new Error(`auth failed: ${r.status} ${JSON.stringify(r.body)}`);
  return {
    token: r.headers.get('x-subject-token')!,
    projectId: r.body.token.project.id,
    body: r.body,
  };
}
