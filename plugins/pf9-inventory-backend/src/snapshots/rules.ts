/**
 * Assignment rules (SPEC SNAP-9): their input schema and how a rule's `match` is tested against a
 * volume. Pure; storage is in assignmentStore.ts, precedence in resolve.ts.
 */
import { z } from 'zod';
import type { CinderVolume } from '../openstack';
import { POLICY_NAME } from './policies';

const oneOrMany = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(1),
]);

export const ruleMatchSchema = z
  .object({
    domain_id: oneOrMany.optional(),
    domain_name: oneOrMany.optional(),
    project_id: oneOrMany.optional(),
    project_name: oneOrMany.optional(),
    tenant_name: oneOrMany.optional(),
    project_name_glob: z.string().min(1).optional(),
    volume_name_prefix: z.string().min(1).optional(),
    volume_name_contains: z.string().min(1).optional(),
    volume_type: z.string().min(1).optional(),
    availability_zone: z.string().min(1).optional(),
    bootable: z.boolean().optional(),
    attached: z.boolean().optional(),
    min_size_gb: z.number().nonnegative().optional(),
    max_size_gb: z.number().nonnegative().optional(),
    metadata_equals: z.record(z.string().min(1), z.string()).optional(),
    metadata_contains: z
      .record(z.string().min(1), z.union([z.string(), z.array(z.string())]))
      .optional(),
  })
  .strict();

export type RuleMatch = z.infer<typeof ruleMatchSchema>;

export const RULE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const retentionSchema = z.record(
  z.string().regex(POLICY_NAME),
  z.number().int().min(1).max(365),
);

const ruleFields = {
  priority: z.number().int().min(0).max(10000),
  action: z.enum(['include', 'exclude']),
  enabled: z.boolean(),
  match: ruleMatchSchema,
  policies: z.array(z.string().regex(POLICY_NAME)),
  retention: retentionSchema,
  description: z.string().max(1000).nullable(),
};

/** The cross-field rules of SNAP-9 (policies only on include rules; retention keys among them). */
function checkRuleShape(
  rule: {
    action: string;
    policies: string[];
    retention: Record<string, number>;
    match: RuleMatch;
  },
  ctx: z.RefinementCtx,
) {
  if (rule.action === 'include' && rule.policies.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['policies'],
      message: 'an include rule needs at least one policy',
    });
  }
  if (rule.action === 'exclude' && rule.policies.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['policies'],
      message: 'an exclude rule carries no policies',
    });
  }
  for (const key of Object.keys(rule.retention)) {
    if (!rule.policies.includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['retention', key],
        message: 'must be one of the rule’s own policies',
      });
    }
  }
  const { min_size_gb: min, max_size_gb: max } = rule.match;
  if (min !== undefined && max !== undefined && min > max) {
    ctx.addIssue({
      code: 'custom',
      path: ['match', 'min_size_gb'],
      message: 'must not exceed max_size_gb',
    });
  }
}

/** A rule as the API accepts it; the defaults of SNAP-9 applied. */
export const ruleInputSchema = z
  .object({
    name: z.string().regex(RULE_NAME, 'must match ^[A-Za-z0-9_.-]{1,64}$'),
    priority: ruleFields.priority.default(1000),
    action: ruleFields.action,
    enabled: ruleFields.enabled.default(true),
    match: ruleFields.match.default({}),
    policies: ruleFields.policies.default([]),
    retention: ruleFields.retention.default({}),
    description: ruleFields.description.default(null),
  })
  .strict()
  .superRefine(checkRuleShape);

export type RuleInput = z.infer<typeof ruleInputSchema>;

/** A change to a stored rule: any field but the name; the merged rule is checked again. */
export const ruleUpdateSchema = z
  .object({
    priority: ruleFields.priority.optional(),
    action: ruleFields.action.optional(),
    enabled: ruleFields.enabled.optional(),
    match: ruleFields.match.optional(),
    policies: ruleFields.policies.optional(),
    retention: ruleFields.retention.optional(),
    description: ruleFields.description.optional(),
  })
  .strict();

export interface SnapshotRule extends RuleInput {
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

/** What a rule can see of a volume. */
export interface VolumeFacts {
  volume: CinderVolume;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
}

const lower = (s: string | null | undefined) => String(s ?? '').toLowerCase();

function anyOf(
  expected: string | string[],
  actual: string | null,
  caseInsensitive: boolean,
): boolean {
  if (actual === null) return false;
  const values = Array.isArray(expected) ? expected : [expected];
  return caseInsensitive
    ? values.some(v => lower(v) === lower(actual))
    : values.includes(actual);
}

/** `*` any run of characters, `?` one character; case-insensitive like the other name keys. */
function globMatches(glob: string, value: string | null): boolean {
  if (value === null) return false;
  const pattern = glob
    .split('')
    .map(c => {
      if (c === '*') return '.*';
      if (c === '?') return '.';
      return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${pattern}$`, 'i').test(value);
}

function isTrue(value: unknown): boolean {
  return value === true || lower(String(value)) === 'true';
}

/** Every present key must hold (SNAP-9); an empty match holds for every volume. */
export function ruleMatches(match: RuleMatch, facts: VolumeFacts): boolean {
  const v = facts.volume;
  const md = v.metadata ?? {};
  const size = Number(v.size);
  const checks: Array<[unknown, () => boolean]> = [
    [match.domain_id, () => anyOf(match.domain_id!, facts.domainId, false)],
    [
      match.domain_name,
      () => anyOf(match.domain_name!, facts.domainName, true),
    ],
    [match.project_id, () => anyOf(match.project_id!, facts.projectId, false)],
    [
      match.project_name,
      () => anyOf(match.project_name!, facts.projectName, true),
    ],
    [
      match.tenant_name,
      () => anyOf(match.tenant_name!, facts.projectName, true),
    ],
    [
      match.project_name_glob,
      () => globMatches(match.project_name_glob!, facts.projectName),
    ],
    [
      match.volume_name_prefix,
      () => String(v.name ?? '').startsWith(match.volume_name_prefix!),
    ],
    [
      match.volume_name_contains,
      () => String(v.name ?? '').includes(match.volume_name_contains!),
    ],
    [match.volume_type, () => v.volume_type === match.volume_type],
    [
      match.availability_zone,
      () => v.availability_zone === match.availability_zone,
    ],
    [match.bootable, () => isTrue(v.bootable) === match.bootable],
    [match.attached, () => Boolean(v.attachments?.length) === match.attached],
    [match.min_size_gb, () => size >= match.min_size_gb!],
    [match.max_size_gb, () => size <= match.max_size_gb!],
    [
      match.metadata_equals,
      () =>
        Object.entries(match.metadata_equals!).every(
          ([k, want]) => md[k] === want,
        ),
    ],
    [
      match.metadata_contains,
      () =>
        Object.entries(match.metadata_contains!).every(([k, want]) => {
          const have = md[k];
          if (have === undefined || have === null) return false;
          const parts = Array.isArray(want) ? want : [want];
          return parts.some(part => String(have).includes(part));
        }),
    ],
  ];
  return checks.every(([present, holds]) => present === undefined || holds());
}

/** Rules in evaluation order: priority ascending, then name ascending (SNAP-8). */
export function byPriority<T extends { priority: number; name: string }>(
  a: T,
  b: T,
): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.name === b.name) return 0;
  return a.name < b.name ? -1 : 1;
}

/** The API warning for an enabled exclude catch-all (SNAP-9). */
export function ruleWarnings(
  rule: Pick<RuleInput, 'action' | 'match' | 'enabled'>,
): string[] {
  return rule.action === 'exclude' && Object.keys(rule.match).length === 0
    ? [
        'an exclude rule with an empty match excludes every volume that no exclusion, manual assignment or owner metadata decides',
      ]
    : [];
}
