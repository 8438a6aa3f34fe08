import { mockServices } from '@backstage/backend-test-utils';
import type {
  RestoreJob,
  RestoreJobStatus,
  RestoreJobStep,
  RestorePlan,
} from '@internal/plugin-pf9-common';
import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { Pf9ApiCaller } from '../pf9Api';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** What the fake answers to one request: a status and a JSON body. */
export type FakeRoute = (
  request: RecordedRequest,
) => { status: number; body: unknown } | undefined;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/**
 * A real HTTP server standing in for the pf9 API (`/api/pf9/...`), recording every request with its
 * Authorization header. Unrouted requests get 404.
 */
export async function startFakePf9Api(route: FakeRoute) {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '').replace(/^\/api\/pf9/, ''),
      authorization: req.headers.authorization,
      body: await readBody(req),
    };
    requests.push(recorded);
    const answer = route(recorded) ?? {
      status: 404,
      body: { error: { name: 'NotFoundError', message: 'no such route' } },
    };
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/api/pf9`;
  const caller = new Pf9ApiCaller({
    auth: mockServices.auth(),
    discovery: {
      getBaseUrl: async () => baseUrl,
      getExternalBaseUrl: async () => baseUrl,
    },
  });
  return {
    caller,
    requests,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

export function restorePlan(overrides: Partial<RestorePlan> = {}): RestorePlan {
  return {
    planId: 'plan-1',
    cloudId: 'demo',
    serverId: 'srv-1',
    serverName: 'web-1',
    projectId: 'proj-1',
    mode: 'side_by_side',
    ipStrategy: 'NEW_IPS',
    restorePoint: {
      id: 'snap-1',
      kind: 'volume_snapshot',
      name: 'daily',
      volumeId: 'vol-1',
      managed: true,
      policy: 'daily',
      createdAt: '2026-11-26T08:00:00.000Z',
      sizeGb: 10,
      status: 'available',
    },
    eligible: true,
    blockers: [],
    warnings: [],
    actions: [
      { step: 'VALIDATE', description: 'check the plan again, live' },
      { step: 'CREATE_SERVER', description: 'boot web-1-restored' },
    ],
    networkPlan: [],
    quota: [],
    carryOver: {
      name: 'web-1-restored-20261126-0900',
      flavorId: 'm1.small',
      availabilityZone: 'nova',
      metadata: {},
      tags: [],
      description: null,
      serverGroupId: null,
      keyName: null,
      userData: { present: false, sizeBytes: 0 },
    },
    expiresAt: '2026-11-26T10:00:00.000Z',
    confirmationText: null,
    ...overrides,
  };
}

export function step(
  name: RestoreJobStep['name'],
  status: RestoreJobStep['status'],
  extra: Partial<RestoreJobStep> = {},
): RestoreJobStep {
  return {
    name,
    status,
    startedAt: null,
    finishedAt: null,
    error: null,
    detail: null,
    ...extra,
  };
}

export function restoreJob(
  status: RestoreJobStatus,
  steps: RestoreJobStep[],
  overrides: Partial<RestoreJob> = {},
): RestoreJob {
  const done = steps.filter(
    s => s.status === 'SUCCEEDED' || s.status === 'SKIPPED',
  ).length;
  return {
    id: 'job-1',
    cloudId: 'demo',
    serverId: 'srv-1',
    serverName: 'web-1',
    projectId: 'proj-1',
    mode: 'side_by_side',
    ipStrategy: 'NEW_IPS',
    restorePointId: 'snap-1',
    status,
    dryRun: false,
    createdBy: 'user:default/olivia',
    executedBy: 'user:default/olivia',
    canceledBy: null,
    createdAt: '2026-11-26T09:00:00.000Z',
    updatedAt: '2026-11-26T09:00:00.000Z',
    finishedAt: null,
    resultServerId: null,
    recoveredServerId: null,
    retryOf: null,
    queuePosition: null,
    error: null,
    plan: restorePlan(),
    steps,
    ledger: [],
    progress: {
      totalSteps: steps.length,
      doneSteps: done,
      currentStep: steps.find(s => s.status === 'RUNNING')?.name ?? null,
      percent: Math.floor((done / steps.length) * 100),
    },
    cancelReason: null,
    safetySnapshotIds: [],
    warnings: [],
    ...overrides,
  };
}
