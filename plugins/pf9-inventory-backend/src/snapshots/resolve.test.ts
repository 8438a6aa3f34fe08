import type { CinderVolume } from '../openstack';
import { PolicyRef } from './metadata';
import {
  managedHash,
  metadataChange,
  metadataOwner,
  statedMetadata,
} from './ownership';
import { AssignmentSources, resolveAssignment } from './resolve';
import { ruleMatches, RuleMatch, VolumeFacts } from './rules';

const NOW = new Date('2026-06-01T12:00:00Z');
const policies = new Map<string, PolicyRef>([
  ['daily_5', { name: 'daily_5', enabled: true, defaultRetention: 5 }],
  ['monthly_1st', { name: 'monthly_1st', enabled: true, defaultRetention: 1 }],
  ['old', { name: 'old', enabled: false, defaultRetention: 2 }],
]);

function facts(
  volume: Partial<CinderVolume> = {},
  more: Partial<VolumeFacts> = {},
): VolumeFacts {
  return {
    volume: {
      id: 'v1',
      name: 'db-data-1',
      status: 'in-use',
      size: 50,
      metadata: {},
      ...volume,
    } as CinderVolume,
    projectId: 'p1',
    projectName: 'Finance-Prod',
    domainId: 'd1',
    domainName: 'Corp',
    ...more,
  };
}

const include = (
  name: string,
  priority: number,
  match: RuleMatch,
  policy = 'daily_5',
) => ({
  name,
  priority,
  action: 'include' as const,
  enabled: true,
  match,
  policies: [policy],
  retention: {},
});

function sources(over: Partial<AssignmentSources> = {}): AssignmentSources {
  return {
    rules: [],
    manual: new Map(),
    exclusions: new Map(),
    adoptUnmarkedMetadata: false,
    ...over,
  };
}

describe('SNAP-8 precedence', () => {
  const ownerSet = { auto_snapshot: 'true', snapshot_policies: 'monthly_1st' };
  const all = sources({
    rules: [include('all', 1000, {})],
    manual: new Map([
      [
        'v1',
        {
          volumeId: 'v1',
          policies: ['daily_5'],
          retention: { daily_5: 2 },
          note: null,
        },
      ],
    ]),
    exclusions: new Map([
      ['v1', { volumeId: 'v1', reason: 'scratch', expiresAt: null }],
    ]),
  });

  it('an exclusion that has not expired wins over everything', () => {
    const a = resolveAssignment(
      facts({ metadata: ownerSet }),
      all,
      policies,
      NOW,
    );
    expect(a).toMatchObject({ source: 'exclusion', enabled: false });
  });

  it('an expired exclusion no longer applies; then the manual assignment wins', () => {
    const expired = sources({
      ...all,
      exclusions: new Map([
        [
          'v1',
          {
            volumeId: 'v1',
            reason: 'x',
            expiresAt: '2026-05-01T00:00:00Z',
          },
        ],
      ]),
    });
    const a = resolveAssignment(
      facts({ metadata: ownerSet }),
      expired,
      policies,
      NOW,
    );
    expect(a.source).toBe('manual');
    expect(a.pairs).toEqual([
      { policy: 'daily_5', retention: 2, retentionSource: 'assignment' },
    ]);
  });

  it('owner metadata wins over rules; an exclude rule over any include rule', () => {
    const rules = sources({
      rules: [
        include('first', 1, {}),
        {
          ...include('never', 9000, { project_name: 'finance-prod' }),
          action: 'exclude' as const,
          policies: [],
        },
      ],
    });
    expect(
      resolveAssignment(facts({ metadata: ownerSet }), rules, policies, NOW)
        .source,
    ).toBe('metadata');
    expect(resolveAssignment(facts(), rules, policies, NOW)).toMatchObject({
      source: 'rule:never',
      enabled: false,
      matchedRule: 'never',
    });
  });

  it('the first include rule by (priority, name) decides, with the policy default retention', () => {
    const rules = sources({
      rules: [
        include('b', 10, {}, 'monthly_1st'),
        include('a', 10, { volume_name_prefix: 'db-' }),
        include('z', 5, { volume_name_prefix: 'web-' }),
      ],
    });
    const a = resolveAssignment(facts(), rules, policies, NOW);
    expect(a).toMatchObject({ source: 'rule:a', matchedRule: 'a' });
    expect(a.pairs).toEqual([
      { policy: 'daily_5', retention: 5, retentionSource: 'defaultRetention' },
    ]);
  });

  it('a disabled policy makes the pair misconfigured; nothing applies → none', () => {
    const rules = sources({ rules: [include('r', 1, {}, 'old')] });
    expect(resolveAssignment(facts(), rules, policies, NOW).pairs[0]).toEqual(
      expect.objectContaining({ misconfigured: 'policy_disabled' }),
    );
    expect(resolveAssignment(facts(), sources(), policies, NOW).source).toBe(
      'none',
    );
  });

  it('metadata we wrote is not owner-set: the rules decide again; edited metadata is the owner’s', () => {
    const ours = statedMetadata('rule:gone', [
      { policy: 'daily_5', retention: 3 },
    ]);
    const a = resolveAssignment(
      facts({ metadata: ours }),
      sources(),
      policies,
      NOW,
    );
    expect(a.source).toBe('none');
    const edited = { ...ours, retention_daily_5: '9' };
    const b = resolveAssignment(
      facts({ metadata: edited }),
      sources(),
      policies,
      NOW,
    );
    expect(b).toMatchObject({ source: 'metadata', ownerEdited: true });
    expect(b.pairs[0].retention).toBe(9);
  });

  it('adoptUnmarkedMetadata lets the rules take over unmarked owner metadata', () => {
    const adopt = sources({
      rules: [include('r', 1, {})],
      adoptUnmarkedMetadata: true,
    });
    expect(
      resolveAssignment(facts({ metadata: ownerSet }), adopt, policies, NOW)
        .source,
    ).toBe('rule:r');
  });
});

describe('rule match keys (SNAP-9)', () => {
  it.each<[RuleMatch, boolean]>([
    [{}, true],
    [{ domain_name: 'CORP' }, true],
    [{ domain_id: ['d9', 'd1'] }, true],
    [{ project_name: 'finance-prod' }, true],
    [{ tenant_name: 'other' }, false],
    [{ project_name_glob: 'finance-*' }, true],
    [{ project_name_glob: 'fin?nce-dev' }, false],
    [{ volume_name_contains: 'data' }, true],
    [{ volume_type: 'ssd' }, true],
    [{ availability_zone: 'az2' }, false],
    [{ bootable: false }, true],
    [{ attached: true }, true],
    [{ min_size_gb: 51 }, false],
    [{ max_size_gb: 50, min_size_gb: 50 }, true],
    [{ metadata_equals: { tier: 'gold' } }, true],
    [{ metadata_equals: { tier: 'silver' } }, false],
    [{ metadata_contains: { owner: ['bob', 'team-a'] } }, true],
    [{ metadata_contains: { missing: 'x' } }, false],
    [{ project_name: 'finance-prod', volume_type: 'hdd' }, false],
  ])('%j matches: %p', (match, expected) => {
    const f = facts({
      volume_type: 'ssd',
      availability_zone: 'az1',
      bootable: 'false',
      attachments: [{ server_id: 's1' }] as any,
      metadata: { tier: 'gold', owner: 'team-a/alice' },
    });
    expect(ruleMatches(match, f)).toBe(expected);
  });
});

describe('ownership marker (SNAP-10)', () => {
  it('hashes the values we wrote and notices edits', () => {
    const md = statedMetadata('manual', [
      { policy: 'daily_5', retention: 3 },
      { policy: 'monthly_1st', retention: 1 },
    ]);
    expect(md.snapshot_managed_hash).toMatch(/^[0-9a-f]{12}$/);
    expect(md.snapshot_managed_hash).toBe(managedHash(md));
    expect(metadataOwner(md)).toBe('us');
    expect(metadataOwner({ ...md, retention_monthly_1st: '2' })).toBe('edited');
    expect(metadataOwner({ ...md, unrelated: 'x' })).toBe('us');
    expect(metadataOwner({ auto_snapshot: 'no' })).toBe('owner');
    expect(metadataOwner({ other: 'x' })).toBe('nobody');
  });

  it('never overwrites owner keys; removes only our keys', () => {
    const wanted = statedMetadata('rule:r', [
      { policy: 'daily_5', retention: 3 },
    ]);
    expect(
      metadataChange({ retention_daily_5: '9' }, wanted, {
        adoptUnmarked: false,
      }),
    ).toEqual({ set: {}, remove: [] });
    expect(
      metadataChange({ auto_snapshot: 'false' }, wanted, {
        adoptUnmarked: false,
      }),
    ).toEqual({ set: {}, remove: [] });
    const fresh = metadataChange({ team: 'a' }, wanted, {
      adoptUnmarked: false,
    });
    expect(fresh.set).toEqual(wanted);

    const two = statedMetadata('rule:r', [
      { policy: 'daily_5', retention: 3 },
      { policy: 'monthly_1st', retention: 1 },
    ]);
    const shrink = metadataChange({ ...two, team: 'a' }, wanted, {
      adoptUnmarked: false,
    });
    expect(shrink.remove).toEqual(['retention_monthly_1st']);
    expect(shrink.set).toMatchObject({ snapshot_policies: 'daily_5' });
    expect(
      metadataChange({ ...two, team: 'a' }, null, {
        adoptUnmarked: false,
      }).remove.sort(),
    ).toEqual(
      [
        'auto_snapshot',
        'retention_daily_5',
        'retention_monthly_1st',
        'snapshot_managed_by',
        'snapshot_managed_hash',
        'snapshot_policies',
      ].sort(),
    );
  });
});
