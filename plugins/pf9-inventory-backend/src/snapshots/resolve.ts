/**
 * The effective assignment of a volume (SPEC SNAP-8): exclusion, manual assignment, owner-set
 * metadata, rules, nothing — the first that applies wins. One function, used by the assignment job,
 * its preview, the cycle and the compliance evaluation, so that they never disagree.
 */
import {
  assignmentFromMetadata,
  MisconfiguredReason,
  PairAssignment,
  PolicyRef,
  VolumeAssignment,
} from './metadata';
import { metadataOwner } from './ownership';
import { byPriority, ruleMatches, SnapshotRule, VolumeFacts } from './rules';

export interface ManualAssignment {
  volumeId: string;
  policies: string[];
  retention: Record<string, number>;
  note: string | null;
}

export interface Exclusion {
  volumeId: string;
  reason: string;
  expiresAt: string | null;
}

/** What decides besides the volume's own metadata. */
export interface AssignmentSources {
  rules: Array<
    Pick<
      SnapshotRule,
      | 'name'
      | 'priority'
      | 'action'
      | 'enabled'
      | 'match'
      | 'policies'
      | 'retention'
    >
  >;
  manual: ReadonlyMap<string, ManualAssignment>;
  exclusions: ReadonlyMap<string, Exclusion>;
  /** SNAP-10: treat unmarked owner metadata as rule-managed (a one-time migration) */
  adoptUnmarkedMetadata: boolean;
}

export const NO_SOURCES: AssignmentSources = {
  rules: [],
  manual: new Map(),
  exclusions: new Map(),
  adoptUnmarkedMetadata: false,
};

export interface EffectiveAssignment extends VolumeAssignment {
  matchedRule: string | null;
  /** our marker is present but the values were edited: owner-set now (info event) */
  ownerEdited: boolean;
}

/** SNAP-6 for a manual or rule assignment: its retention, else the policy's default. */
function statedPairs(
  policies: string[],
  retention: Record<string, number>,
  policyMap: ReadonlyMap<string, PolicyRef>,
): { pairs: PairAssignment[]; misconfigured?: 'no_policy' } {
  if (!policies.length) return { pairs: [], misconfigured: 'no_policy' };
  const pairs = policies.map((name): PairAssignment => {
    const policy = policyMap.get(name);
    if (!policy) {
      return {
        policy: name,
        retention: null,
        retentionSource: 'unknown',
        misconfigured: 'unknown_policy',
      };
    }
    const own = retention[name];
    const base = {
      policy: name,
      retention: own ?? policy.defaultRetention,
      retentionSource: own === undefined ? 'defaultRetention' : 'assignment',
    };
    const misconfigured: MisconfiguredReason | undefined = policy.enabled
      ? undefined
      : 'policy_disabled';
    return misconfigured ? { ...base, misconfigured } : base;
  });
  return { pairs };
}

export function resolveAssignment(
  facts: VolumeFacts,
  sources: AssignmentSources,
  policyMap: ReadonlyMap<string, PolicyRef>,
  now: Date,
): EffectiveAssignment {
  const md = facts.volume.metadata ?? {};
  const slaDays = md.sla_days ?? null;
  const off = (
    source: VolumeAssignment['source'],
    matchedRule: string | null,
  ) => ({
    source,
    enabled: false,
    pairs: [],
    slaDays,
    matchedRule,
    ownerEdited: false,
  });
  const id = facts.volume.id;

  const exclusion = sources.exclusions.get(id);
  if (
    exclusion &&
    (!exclusion.expiresAt || Date.parse(exclusion.expiresAt) > now.getTime())
  ) {
    return off('exclusion', null);
  }

  const manual = sources.manual.get(id);
  if (manual) {
    const stated = statedPairs(manual.policies, manual.retention, policyMap);
    return {
      source: 'manual',
      enabled: true,
      ...stated,
      slaDays,
      matchedRule: null,
      ownerEdited: false,
    };
  }

  const owner = metadataOwner(md);
  const ownerDecides =
    md.auto_snapshot !== undefined &&
    (owner === 'edited' ||
      (owner === 'owner' && !sources.adoptUnmarkedMetadata));
  if (ownerDecides) {
    return {
      ...assignmentFromMetadata(md, policyMap),
      matchedRule: null,
      ownerEdited: owner === 'edited',
    };
  }

  const enabled = sources.rules.filter(r => r.enabled).sort(byPriority);
  const exclude = enabled.find(
    r => r.action === 'exclude' && ruleMatches(r.match, facts),
  );
  if (exclude) return off(`rule:${exclude.name}`, exclude.name);
  const include = enabled.find(
    r => r.action === 'include' && ruleMatches(r.match, facts),
  );
  if (include) {
    return {
      source: `rule:${include.name}`,
      enabled: true,
      ...statedPairs(include.policies, include.retention, policyMap),
      slaDays,
      matchedRule: include.name,
      ownerEdited: false,
    };
  }
  return off('none', null);
}
