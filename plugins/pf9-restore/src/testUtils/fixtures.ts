import type {
  Pf9Client,
  RestoreJob,
  RestoreJobStatus,
  RestoreJobStep,
} from '@internal/plugin-pf9-common';

/** A Pf9Client whose methods are jest mocks; pass the ones a test needs. */
export function mockPf9Client(
  methods: Partial<Record<keyof Pf9Client, jest.Mock>> = {},
): jest.Mocked<Pf9Client> {
  return {
    getAccessMe: jest.fn(),
    getRestoreConfig: jest.fn(),
    listRestorePoints: jest.fn(),
    listRestoreJobs: jest.fn(),
    getRestoreJob: jest.fn(),
    cancelRestoreJob: jest.fn(),
    listRestoreAudit: jest.fn(async () => ({
      items: [],
      page: 1,
      pageSize: 20,
      total: 0,
    })),
    ...methods,
  } as unknown as jest.Mocked<Pf9Client>;
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

/** A job as `GET /restore/jobs/:id` returns it; progress follows RST-14 from the steps. */
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
    createdBy: 'user:development/guest',
    executedBy: 'user:development/guest',
    canceledBy: null,
    createdAt: '2026-11-26T09:00:00.000Z',
    updatedAt: '2026-11-26T09:00:00.000Z',
    finishedAt: null,
    resultServerId: null,
    recoveredServerId: null,
    retryOf: null,
    queuePosition: null,
    error: null,
    plan: {} as RestoreJob['plan'],
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
