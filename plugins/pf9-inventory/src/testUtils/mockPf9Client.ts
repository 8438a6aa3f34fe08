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
    ...methods,
  } as unknown as jest.Mocked<Pf9Client>;
}
