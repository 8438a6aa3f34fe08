import type {
  InventoryResource,
  InventoryRun,
  InventoryVersion,
} from '@internal/plugin-pf9-common';

export function server(n: number): InventoryResource {
  return {
    cloudId: 'demo',
    type: 'server',
    id: `srv-${String(n).padStart(4, '0')}`,
    name: `web-${n}`,
    projectId: 'p1',
    domainId: 'd1',
    status: 'ACTIVE',
    deleted: false,
    versionNo: 1,
    contentHash: 'h',
    firstSeenRunId: 'r1',
    lastSeenRunId: 'r1',
    lastSeenAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fields: { flavor_name: 'm1.small', vcpus: 1, ram_mb: 2048 },
    derived: { project_name: 'alpha', domain_name: 'Default' },
  };
}

export function version(
  versionNo: number,
  changeType: InventoryVersion['changeType'],
  normalised: Record<string, unknown>,
  changedFields: string[],
): InventoryVersion {
  return {
    versionNo,
    runId: `run-${versionNo}`,
    changeType,
    recordedAt: '2026-01-01T00:00:00.000Z',
    hash: `hash-${versionNo}`,
    changedFields,
    normalised,
  };
}

export function run(overrides: Partial<InventoryRun> = {}): InventoryRun {
  return {
    id: 'run-1',
    cloudId: 'demo',
    trigger: 'on_demand',
    triggeredBy: 'user:development/guest',
    status: 'partial',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:30.000Z',
    types: [
      {
        type: 'server',
        status: 'complete',
        count: 200,
        pages: 2,
        durationMs: 1200,
      },
      {
        type: 'project_quota',
        status: 'failed',
        count: 0,
        pages: 0,
        durationMs: 50,
        error: 'quota service unavailable',
      },
    ],
    deletionStats: { recorded: 0, verifiedByGet: 0, guardedTypes: [] },
    error: null,
    ...overrides,
  };
}
