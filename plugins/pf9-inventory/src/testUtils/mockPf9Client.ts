import type { Pf9Client } from '@internal/plugin-pf9-common';

/** A Pf9Client whose methods are jest mocks; pass the ones a test needs. */
export function mockPf9Client(
  methods: Partial<Record<keyof Pf9Client, jest.Mock>> = {},
): jest.Mocked<Pf9Client> {
  return {
    getHealth: jest.fn(),
    getAccessMe: jest.fn(),
    listResources: jest.fn(),
    getResource: jest.fn(),
    getHistory: jest.fn(),
    listRuns: jest.fn(),
    getRun: jest.fn(),
    triggerSync: jest.fn(),
    listDeletions: jest.fn(),
    createExport: jest.fn(),
    getExport: jest.fn(),
    downloadExport: jest.fn(),
    listComplianceRows: jest.fn(),
    getComplianceSummary: jest.fn(),
    evaluateCompliance: jest.fn(),
    downloadComplianceExport: jest.fn(),
    listSnapshotPolicies: jest.fn(),
    listSnapshotRuns: jest.fn(),
    getSnapshotRun: jest.fn(),
    listSnapshotRunRecords: jest.fn(),
    startSnapshotRun: jest.fn(),
    cancelSnapshotRun: jest.fn(),
    listSnapshotOrphans: jest.fn(async () => ({ items: [], complete: true })),
    listSnapshotRules: jest.fn(async () => ({ items: [] })),
    createSnapshotRule: jest.fn(),
    deleteSnapshotRule: jest.fn(),
    previewSnapshotAssignments: jest.fn(),
    ...methods,
  } as unknown as jest.Mocked<Pf9Client>;
}
