import type { SnapshotPolicy } from '../snapshots/policies';
import { pairKey } from '../snapshots/assignments';
import {
  evaluateCompliance,
  EvaluationInput,
  rollUp,
  rollUpBy,
} from './evaluate';

const policy = (p: Partial<SnapshotPolicy>): SnapshotPolicy => ({
  name: 'daily_5',
  frequency: 'daily',
  dayOfWeek: null,
  dayOfMonth: null,
  windowStart: '00:00',
  windowHours: 24,
  timezone: 'UTC',
  defaultRetention: 5,
  enabled: true,
  description: null,
  createdAt: '',
  updatedAt: '',
  ...p,
});
const POLICIES = [
  policy({}),
  policy({
    name: 'monthly_1st',
    frequency: 'monthly',
    dayOfMonth: 1,
    windowHours: 72,
    defaultRetention: 1,
  }),
  policy({ name: 'off', enabled: false }),
];

const AT = new Date('2026-11-26T08:00:00Z');
const LONG_AGO = new Date('2026-01-01T00:00:00Z');

function volume(id: string, metadata: Record<string, string>, project = 'p1') {
  return {
    id,
    name: id,
    status: 'available',
    size: 1,
    created_at: '2025-06-01T00:00:00.000000',
    'os-vol-tenant-attr:tenant_id': project,
    metadata,
  };
}
function snap(
  volumeId: string,
  policyName: string,
  createdAt: string,
  status = 'available',
) {
  return {
    id: `${volumeId}-${createdAt}`,
    name: null,
    status,
    size: 1,
    volume_id: volumeId,
    created_at: createdAt.replace('Z', ''),
    metadata: {
      created_by: 'p9_auto_snapshots',
      policy: policyName,
      original_volume_id: volumeId,
    },
  };
}

function input(
  volumes: any[],
  snapshots: any[],
  extra: Partial<EvaluationInput> = {},
): EvaluationInput {
  const firstProtectedAt = new Map<string, Date>();
  for (const v of volumes) {
    for (const p of ['daily_5', 'monthly_1st', 'off', 'nope'])
      firstProtectedAt.set(pairKey(v.id, p), LONG_AGO);
  }
  return {
    at: AT,
    live: {
      volumes,
      snapshots,
      projects: new Map([['p1', { name: 'proj-1', domainId: 'd1' }]]),
      domains: new Map([['d1', 'dom-1']]),
      servers: new Map(),
    },
    policies: POLICIES,
    firstProtectedAt,
    latestAttempts: new Map(),
    ...extra,
  };
}

const daily = { auto_snapshot: 'true', snapshot_policies: 'daily_5' };

describe('CMP-1 pair status', () => {
  it.each<[string, any[], any[], Partial<EvaluationInput>, string]>([
    [
      'a snapshot after the last closed window start',
      [volume('v', daily)],
      [snap('v', 'daily_5', '2026-11-25T03:00:00Z')],
      {},
      'compliant',
    ],
    [
      'only an older snapshot',
      [volume('v', daily)],
      [snap('v', 'daily_5', '2026-11-24T23:00:00Z')],
      {},
      'missing',
    ],
    [
      'a snapshot in error does not count',
      [volume('v', daily)],
      [snap('v', 'daily_5', '2026-11-25T03:00:00Z', 'error')],
      {},
      'missing',
    ],
    [
      'a manual snapshot never counts (CMP-4)',
      [volume('v', daily)],
      [{ ...snap('v', 'daily_5', '2026-11-25T03:00:00Z'), metadata: {} }],
      {},
      'missing',
    ],
    [
      'protected since after the last closed window start',
      [volume('v', daily)],
      [],
      {
        firstProtectedAt: new Map([
          [pairKey('v', 'daily_5'), new Date('2026-11-25T10:00:00Z')],
        ]),
      },
      'pending',
    ],
    [
      'never stored as protected: protection begins now',
      [volume('v', daily)],
      [],
      { firstProtectedAt: new Map() },
      'pending',
    ],
    [
      'the latest attempt was quota blocked',
      [volume('v', daily)],
      [],
      {
        latestAttempts: new Map([
          [
            pairKey('v', 'daily_5'),
            { action: 'quota_blocked', period: '2026-11-26' },
          ],
        ]),
      },
      'quota_blocked',
    ],
    [
      'a quota block of an older period does not count',
      [volume('v', daily)],
      [],
      {
        latestAttempts: new Map([
          [
            pairKey('v', 'daily_5'),
            { action: 'quota_blocked', period: '2026-11-20' },
          ],
        ]),
      },
      'missing',
    ],
    [
      'a disabled policy',
      [volume('v', { auto_snapshot: 'true', snapshot_policies: 'off' })],
      [],
      {},
      'misconfigured',
    ],
    [
      'an unknown policy',
      [volume('v', { auto_snapshot: 'true', snapshot_policies: 'nope' })],
      [],
      {},
      'misconfigured',
    ],
    [
      'invalid retention',
      [volume('v', { ...daily, retention_daily_5: '0' })],
      [snap('v', 'daily_5', '2026-11-25T03:00:00Z')],
      {},
      'misconfigured',
    ],
    [
      'enabled without a policy',
      [volume('v', { auto_snapshot: 'true' })],
      [],
      {},
      'misconfigured',
    ],
    [
      'monthly: the snapshot of this month’s window keeps it compliant mid-month',
      [
        volume('v', {
          auto_snapshot: 'true',
          snapshot_policies: 'monthly_1st',
        }),
      ],
      [snap('v', 'monthly_1st', '2026-11-01T01:00:00Z')],
      {},
      'compliant',
    ],
    ['no auto_snapshot', [volume('v', {})], [], {}, 'unprotected'],
  ])('%s → %s', (_name, volumes, snapshots, extra, expected) => {
    const rows = evaluateCompliance(input(volumes, snapshots, extra));
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe(expected);
  });
});

describe('CMP-2 roll-ups', () => {
  const rows = evaluateCompliance(
    input(
      [
        volume('a', {
          auto_snapshot: 'true',
          snapshot_policies: 'daily_5,monthly_1st',
        }),
        volume('b', daily),
        volume('c', daily, 'p2'),
        volume('d', {}),
      ],
      [
        snap('a', 'daily_5', '2026-11-25T03:00:00Z'),
        snap('a', 'monthly_1st', '2026-11-01T03:00:00Z'),
        snap('b', 'daily_5', '2026-11-01T03:00:00Z'),
      ],
      {
        firstProtectedAt: new Map([
          [pairKey('a', 'daily_5'), LONG_AGO],
          [pairKey('a', 'monthly_1st'), LONG_AGO],
          [pairKey('b', 'daily_5'), LONG_AGO],
        ]),
      },
    ),
  );

  it('counts pairs, the pair percentage and volumes', () => {
    const all = rollUp('all', null, rows);
    expect(all.pairs).toEqual({
      compliant: 2,
      pending: 1,
      missing: 1,
      quota_blocked: 0,
      misconfigured: 0,
    });
    expect(all.compliancePct).toBe(66.7);
    expect(all.volumes).toEqual({
      compliant: 1,
      nonCompliant: 1,
      pending: 1,
      unprotected: 1,
    });
  });

  it('groups by project and by policy; n/a without a denominator', () => {
    const byProject = rollUpBy(rows, 'project');
    expect(byProject.map(g => [g.key, g.compliancePct])).toEqual([
      ['p1', 66.7],
      ['p2', null],
    ]);
    expect(rollUpBy(rows, 'policy').map(g => g.key)).toEqual([
      'daily_5',
      'monthly_1st',
    ]);
  });
});
