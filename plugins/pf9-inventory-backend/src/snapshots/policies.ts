/**
 * Snapshot policies (SPEC SNAP-1): stored records, validated on every write; the product seeds
 * `daily_5`, `monthly_1st` and `monthly_15th` (migration). A policy that a stored assignment references
 * cannot be deleted (409), only disabled.
 */
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { z } from 'zod';
import {
  DEFAULT_WINDOW_HOURS,
  Frequency,
  isValidTimezone,
  MAX_WINDOW_HOURS,
  PolicySchedule,
} from './schedule';

export interface SnapshotPolicy extends PolicySchedule {
  name: string;
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  defaultRetention: number;
  enabled: boolean;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export const POLICY_NAME = /^[a-z0-9_]{1,64}$/;
export const POLICY_IN_USE_CODE = 'SNAPSHOT_POLICY_IN_USE';

const fields = {
  frequency: z.enum(['daily', 'weekly', 'monthly']),
  dayOfWeek: z.number().int().min(1).max(7).nullable(),
  dayOfMonth: z.number().int().min(1).max(31).nullable(),
  windowStart: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (00:00–23:59)'),
  windowHours: z.number().int().min(1),
  timezone: z
    .string()
    .min(1)
    .refine(isValidTimezone, 'must be an IANA timezone'),
  defaultRetention: z.number().int().min(1).max(365),
  enabled: z.boolean(),
  description: z.string().max(1000).nullable(),
};

/** A new policy: name, frequency and retention are required; the rest has SNAP-1 defaults. */
export const createPolicySchema = z
  .object({
    name: z.string().regex(POLICY_NAME, 'must match ^[a-z0-9_]{1,64}$'),
    frequency: fields.frequency,
    dayOfWeek: fields.dayOfWeek.optional(),
    dayOfMonth: fields.dayOfMonth.optional(),
    windowStart: fields.windowStart.optional(),
    windowHours: fields.windowHours.optional(),
    timezone: fields.timezone.optional(),
    defaultRetention: fields.defaultRetention,
    enabled: fields.enabled.optional(),
    description: fields.description.optional(),
  })
  .strict();

/** A change: any field but the name. */
export const updatePolicySchema = z
  .object({
    frequency: fields.frequency.optional(),
    dayOfWeek: fields.dayOfWeek.optional(),
    dayOfMonth: fields.dayOfMonth.optional(),
    windowStart: fields.windowStart.optional(),
    windowHours: fields.windowHours.optional(),
    timezone: fields.timezone.optional(),
    defaultRetention: fields.defaultRetention.optional(),
    enabled: fields.enabled.optional(),
    description: fields.description.optional(),
  })
  .strict();

type Draft = Omit<SnapshotPolicy, 'createdAt' | 'updatedAt'>;

/** Rules and manual assignments that name the policy (SNAP-1: they also block its deletion). */
async function statedReferences(tx: Knex, policy: string): Promise<number> {
  const names = (rows: Array<{ policies: string }>) =>
    rows.filter(r => (JSON.parse(r.policies) as string[]).includes(policy))
      .length;
  return (
    names(await tx('snapshot_rules').select('policies')) +
    names(await tx('snapshot_manual_assignments').select('policies'))
  );
}

/** The cross-field rules of SNAP-1; throws InputError naming the field. */
export function checkPolicy(p: Draft): void {
  const problems: string[] = [];
  if (p.frequency === 'weekly' && p.dayOfWeek === null)
    problems.push('dayOfWeek: is required for a weekly policy');
  if (p.frequency !== 'weekly' && p.dayOfWeek !== null)
    problems.push('dayOfWeek: is allowed for weekly policies only');
  if (p.frequency === 'monthly' && p.dayOfMonth === null)
    problems.push('dayOfMonth: is required for a monthly policy');
  if (p.frequency !== 'monthly' && p.dayOfMonth !== null)
    problems.push('dayOfMonth: is allowed for monthly policies only');
  if (p.windowHours > MAX_WINDOW_HOURS[p.frequency])
    problems.push(
      `windowHours: must not exceed the period length (${
        MAX_WINDOW_HOURS[p.frequency]
      } hours for a ${p.frequency} policy)`,
    );
  if (problems.length)
    throw new InputError(`Invalid body: ${problems.join('; ')}`);
}

function toPolicy(row: any): SnapshotPolicy {
  return {
    name: row.name,
    frequency: row.frequency as Frequency,
    dayOfWeek: row.day_of_week ?? null,
    dayOfMonth: row.day_of_month ?? null,
    windowStart: row.window_start,
    windowHours: Number(row.window_hours),
    timezone: row.timezone,
    defaultRetention: Number(row.default_retention),
    enabled: Boolean(row.enabled),
    description: row.description ?? null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function toRow(p: Draft) {
  return {
    frequency: p.frequency,
    day_of_week: p.dayOfWeek,
    day_of_month: p.dayOfMonth,
    window_start: p.windowStart,
    window_hours: p.windowHours,
    timezone: p.timezone,
    default_retention: p.defaultRetention,
    enabled: p.enabled,
    description: p.description,
  };
}

/** A day field after an update: the input's value, else the stored one if the frequency still uses it. */
function dayField(
  input: number | null | undefined,
  used: boolean,
  stored: number | null,
): number | null {
  if (input !== undefined) return input;
  return used ? stored : null;
}

export class PolicyStore {
  constructor(private readonly db: Knex) {}

  async list(): Promise<SnapshotPolicy[]> {
    return (await this.db('snapshot_policies').orderBy('name')).map(toPolicy);
  }

  async get(name: string): Promise<SnapshotPolicy | undefined> {
    const row = await this.db('snapshot_policies').where({ name }).first();
    return row ? toPolicy(row) : undefined;
  }

  async create(
    input: z.infer<typeof createPolicySchema>,
  ): Promise<SnapshotPolicy> {
    const draft: Draft = {
      name: input.name,
      frequency: input.frequency,
      dayOfWeek: input.dayOfWeek ?? null,
      dayOfMonth: input.dayOfMonth ?? null,
      windowStart: input.windowStart ?? '00:00',
      windowHours: input.windowHours ?? DEFAULT_WINDOW_HOURS[input.frequency],
      timezone: input.timezone ?? 'UTC',
      defaultRetention: input.defaultRetention,
      enabled: input.enabled ?? true,
      description: input.description ?? null,
    };
    checkPolicy(draft);
    if (await this.get(draft.name)) {
      throw new ConflictError(`Policy '${draft.name}' already exists`);
    }
    const now = new Date();
    await this.db('snapshot_policies').insert({
      name: draft.name,
      ...toRow(draft),
      created_at: now,
      updated_at: now,
    });
    return (await this.get(draft.name))!;
  }

  async update(
    name: string,
    input: z.infer<typeof updatePolicySchema>,
  ): Promise<{ before: SnapshotPolicy; after: SnapshotPolicy }> {
    const before = await this.get(name);
    if (!before) throw new NotFoundError(`No policy '${name}'`);
    const frequency = input.frequency ?? before.frequency;
    const draft: Draft = {
      ...before,
      ...Object.fromEntries(
        Object.entries(input).filter(([, v]) => v !== undefined),
      ),
      frequency,
      // a frequency change drops the day field of the old frequency unless the input sets it
      dayOfWeek: dayField(
        input.dayOfWeek,
        frequency === 'weekly',
        before.dayOfWeek,
      ),
      dayOfMonth: dayField(
        input.dayOfMonth,
        frequency === 'monthly',
        before.dayOfMonth,
      ),
    };
    checkPolicy(draft);
    await this.db('snapshot_policies')
      .where({ name })
      .update({ ...toRow(draft), updated_at: new Date() });
    return { before, after: (await this.get(name))! };
  }

  /** Deletes an unreferenced policy; a policy an assignment references gives 409 (SNAP-1). */
  async delete(name: string): Promise<SnapshotPolicy> {
    return this.db.transaction(async tx => {
      const row = await tx('snapshot_policies').where({ name }).first();
      if (!row) throw new NotFoundError(`No policy '${name}'`);
      const [{ n: stored }] = await tx('snapshot_assignments')
        .where({ policy: name })
        .count({ n: '*' });
      const n = Number(stored) + (await statedReferences(tx, name));
      if (n > 0) {
        const error = new ConflictError(
          `Policy '${name}' is referenced by ${n} assignment(s); disable it instead`,
        );
        Object.assign(error, {
          details: { code: POLICY_IN_USE_CODE, assignments: Number(n) },
        });
        throw error;
      }
      await tx('snapshot_policies').where({ name }).delete();
      return toPolicy(row);
    });
  }
}
