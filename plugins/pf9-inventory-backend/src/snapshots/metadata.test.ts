import {
  assignmentFromMetadata,
  autoSnapshotFlag,
  metadataRetention,
  PolicyRef,
  policyNames,
} from './metadata';

const policies = new Map<string, PolicyRef>([
  ['daily_5', { name: 'daily_5', enabled: true, defaultRetention: 5 }],
  ['monthly_1st', { name: 'monthly_1st', enabled: true, defaultRetention: 1 }],
  ['old', { name: 'old', enabled: false, defaultRetention: 3 }],
]);

describe('auto_snapshot (SNAP-5)', () => {
  it.each([
    [{ auto_snapshot: 'true' }, true],
    [{ auto_snapshot: 'TRUE' }, true],
    [{ auto_snapshot: ' Yes ' }, true],
    [{ auto_snapshot: '1' }, true],
    [{ auto_snapshot: 'false' }, false],
    [{ auto_snapshot: 'on' }, false],
    [{ auto_snapshot: '' }, false],
    [{}, undefined],
  ])('%j → %s', (metadata, expected) => {
    expect(autoSnapshotFlag(metadata as Record<string, string>)).toBe(expected);
  });
});

describe('policy names (SNAP-5)', () => {
  it.each([
    [{ snapshot_policies: 'daily_5' }, ['daily_5']],
    [
      { snapshot_policies: ' Daily_5 ; monthly_1st,daily_5,, ' },
      ['daily_5', 'monthly_1st'],
    ],
    [
      { snapshot_policies: '', snapshot_policy: 'Monthly_1st' },
      ['monthly_1st'],
    ],
    [{ snapshot_policies: ' ; ', snapshot_policy: 'daily_5' }, ['daily_5']],
    [
      { snapshot_policies: 'daily_5', snapshot_policy: 'monthly_1st' },
      ['daily_5'],
    ],
    [{}, []],
  ])('%j → %j', (metadata, expected) => {
    expect(policyNames(metadata as Record<string, string>)).toEqual(expected);
  });
});

describe('retention lookup (SNAP-6)', () => {
  const daily = policies.get('daily_5')!;
  it.each([
    [{}, 5, 'defaultRetention'],
    [{ retention: '2' }, 2, 'retention'],
    [
      { retention: '2', snapshot_retention_daily_5: '3' },
      3,
      'snapshot_retention_daily_5',
    ],
    [
      {
        retention: '2',
        snapshot_retention_daily_5: '3',
        retention_daily_5: '4',
      },
      4,
      'retention_daily_5',
    ],
    [{ retention_monthly_1st: '9' }, 5, 'defaultRetention'],
    [{ retention_daily_5: '365' }, 365, 'retention_daily_5'],
    [{ retention_daily_5: '0' }, null, 'retention_daily_5'],
    [{ retention_daily_5: '366' }, null, 'retention_daily_5'],
    [{ retention_daily_5: '7d' }, null, 'retention_daily_5'],
    [{ retention_daily_5: '2.5' }, null, 'retention_daily_5'],
    [{ retention_daily_5: '-1' }, null, 'retention_daily_5'],
    // an invalid winner does not fall through to a valid later key
    [{ retention_daily_5: 'x', retention: '3' }, null, 'retention_daily_5'],
  ])('%j → %s from %s', (metadata, retention, source) => {
    expect(
      metadataRetention(metadata as Record<string, string>, daily),
    ).toEqual({ retention, retentionSource: source });
  });
});

describe('assignment from metadata (SNAP-5 – SNAP-7)', () => {
  it.each<[string, Record<string, string>, object]>([
    [
      'no auto_snapshot',
      { snapshot_policies: 'daily_5' },
      { source: 'none', enabled: false, pairs: [] },
    ],
    [
      'opted out',
      { auto_snapshot: 'no', snapshot_policies: 'daily_5' },
      { source: 'metadata', enabled: false, pairs: [] },
    ],
    [
      'no policy',
      { auto_snapshot: 'true' },
      {
        source: 'metadata',
        enabled: true,
        misconfigured: 'no_policy',
        pairs: [],
      },
    ],
    [
      'one policy with default retention',
      { auto_snapshot: 'true', snapshot_policies: 'daily_5', sla_days: '2' },
      {
        enabled: true,
        slaDays: '2',
        pairs: [
          {
            policy: 'daily_5',
            retention: 5,
            retentionSource: 'defaultRetention',
          },
        ],
      },
    ],
    [
      'unknown, disabled and invalid retention',
      {
        auto_snapshot: 'yes',
        snapshot_policies: 'nope;old;daily_5;monthly_1st',
        retention_daily_5: 'abc',
        retention_monthly_1st: '2',
      },
      {
        enabled: true,
        pairs: [
          { policy: 'nope', retention: null, misconfigured: 'unknown_policy' },
          { policy: 'old', retention: 3, misconfigured: 'policy_disabled' },
          {
            policy: 'daily_5',
            retention: null,
            misconfigured: 'invalid_retention',
          },
          {
            policy: 'monthly_1st',
            retention: 2,
            retentionSource: 'retention_monthly_1st',
          },
        ],
      },
    ],
  ])('%s', (_name, metadata, expected) => {
    expect(assignmentFromMetadata(metadata, policies)).toMatchObject(expected);
  });

  it('a valid pair has no misconfigured reason', () => {
    const a = assignmentFromMetadata(
      { auto_snapshot: '1', snapshot_policies: 'monthly_1st' },
      policies,
    );
    expect(a.pairs[0].misconfigured).toBeUndefined();
  });
});
