/**
 * Stored rules, manual assignments and exclusions (SPEC SNAP-9, SNAP-11), validated on every write:
 * an unknown policy is a 400 and changes nothing. Owns `snapshot_rules`, `snapshot_manual_assignments`
 * and `snapshot_exclusions`.
 */
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { z } from 'zod';
import { POLICY_NAME } from './policies';
import { AssignmentSources, Exclusion, ManualAssignment } from './resolve';
import {
  RuleInput,
  ruleInputSchema,
  ruleUpdateSchema,
  SnapshotRule,
} from './rules';

const VOLUME_ID = z.string().min(1).max(64);

export const manualInputSchema = z
  .object({
    volumeId: VOLUME_ID,
    policies: z.array(z.string().regex(POLICY_NAME)).min(1),
    retention: z
      .record(z.string().regex(POLICY_NAME), z.number().int().min(1).max(365))
      .default({}),
    note: z.string().max(1000).nullable().default(null),
  })
  .strict()
  .superRefine((m, ctx) => {
    for (const key of Object.keys(m.retention)) {
      if (!m.policies.includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['retention', key],
          message: 'must be one of the assignment’s own policies',
        });
      }
    }
  });

export const exclusionInputSchema = z
  .object({
    volumeId: VOLUME_ID,
    reason: z.string().min(1).max(1000),
    expiresAt: z.string().datetime({ offset: true }).nullable().default(null),
  })
  .strict();

export interface StoredManual extends ManualAssignment {
  cloudId: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredExclusion extends Exclusion {
  cloudId: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

const iso = (v: unknown) => new Date(v as string).toISOString();

function toRule(row: any): SnapshotRule {
  return {
    name: row.name,
    priority: Number(row.priority),
    action: row.action,
    enabled: Boolean(row.enabled),
    match: JSON.parse(row.match),
    policies: JSON.parse(row.policies),
    retention: JSON.parse(row.retention),
    description: row.description,
    updatedBy: row.updated_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function toManual(row: any): StoredManual {
  return {
    cloudId: row.cloud_id,
    volumeId: row.volume_id,
    policies: JSON.parse(row.policies),
    retention: JSON.parse(row.retention),
    note: row.note,
    updatedBy: row.updated_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function toExclusion(row: any): StoredExclusion {
  return {
    cloudId: row.cloud_id,
    volumeId: row.volume_id,
    reason: row.reason,
    expiresAt: row.expires_at ? iso(row.expires_at) : null,
    updatedBy: row.updated_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export class AssignmentStore {
  constructor(private readonly db: Knex) {}

  /** 400 naming the field when a policy is not defined (SNAP-9). */
  async checkPolicies(names: string[], field: string): Promise<void> {
    if (!names.length) return;
    const known = new Set(
      (
        await this.db('snapshot_policies').whereIn('name', names).select('name')
      ).map(r => r.name),
    );
    const unknown = names.filter(n => !known.has(n));
    if (unknown.length) {
      throw new InputError(
        `Invalid body: ${field}: unknown policy ${unknown.join(', ')}`,
      );
    }
  }

  async listRules(): Promise<SnapshotRule[]> {
    const rows = await this.db('snapshot_rules').orderBy([
      { column: 'priority', order: 'asc' },
      { column: 'name', order: 'asc' },
    ]);
    return rows.map(toRule);
  }

  async getRule(name: string): Promise<SnapshotRule | undefined> {
    const row = await this.db('snapshot_rules').where({ name }).first();
    return row ? toRule(row) : undefined;
  }

  async createRule(input: RuleInput, actor: string): Promise<SnapshotRule> {
    await this.checkPolicies(input.policies, 'policies');
    if (await this.getRule(input.name)) {
      throw new ConflictError(`Rule '${input.name}' already exists`);
    }
    const now = new Date();
    await this.db('snapshot_rules').insert({
      ...this.ruleRow(input),
      name: input.name,
      updated_by: actor,
      created_at: now,
      updated_at: now,
    });
    return (await this.getRule(input.name))!;
  }

  async updateRule(
    name: string,
    input: z.infer<typeof ruleUpdateSchema>,
    actor: string,
  ): Promise<{ before: SnapshotRule; after: SnapshotRule }> {
    const before = await this.getRule(name);
    if (!before) throw new NotFoundError(`No rule '${name}'`);
    const merged = {
      ...before,
      ...Object.fromEntries(
        Object.entries(input).filter(([, v]) => v !== undefined),
      ),
    } as SnapshotRule;
    // an exclude rule carries no policies; switching to exclude drops them unless given
    if (input.action === 'exclude' && input.policies === undefined) {
      merged.policies = [];
      merged.retention = {};
    }
    const checked = ruleInputSchema.safeParse({
      name,
      priority: merged.priority,
      action: merged.action,
      enabled: merged.enabled,
      match: merged.match,
      policies: merged.policies,
      retention: merged.retention,
      description: merged.description,
    });
    if (!checked.success) {
      throw new InputError(
        `Invalid body: ${checked.error.issues
          .map(i => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    }
    await this.checkPolicies(merged.policies, 'policies');
    await this.db('snapshot_rules')
      .where({ name })
      .update({
        ...this.ruleRow(merged),
        updated_by: actor,
        updated_at: new Date(),
      });
    return { before, after: (await this.getRule(name))! };
  }

  async deleteRule(name: string): Promise<SnapshotRule> {
    const before = await this.getRule(name);
    if (!before) throw new NotFoundError(`No rule '${name}'`);
    await this.db('snapshot_rules').where({ name }).delete();
    return before;
  }

  private ruleRow(rule: Omit<RuleInput, 'name'>) {
    return {
      priority: rule.priority,
      action: rule.action,
      enabled: rule.enabled,
      match: JSON.stringify(rule.match),
      policies: JSON.stringify(rule.policies),
      retention: JSON.stringify(rule.retention),
      description: rule.description,
    };
  }

  async listManual(cloudId: string): Promise<StoredManual[]> {
    const rows = await this.db('snapshot_manual_assignments')
      .where({ cloud_id: cloudId })
      .orderBy('volume_id');
    return rows.map(toManual);
  }

  async getManual(cloudId: string, volumeId: string) {
    const row = await this.db('snapshot_manual_assignments')
      .where({ cloud_id: cloudId, volume_id: volumeId })
      .first();
    return row ? toManual(row) : undefined;
  }

  /** Creates or replaces the volume's manual assignment (`volume_id` is unique). */
  async putManual(
    cloudId: string,
    input: z.infer<typeof manualInputSchema>,
    actor: string,
  ): Promise<{ before?: StoredManual; after: StoredManual }> {
    await this.checkPolicies(input.policies, 'policies');
    const before = await this.getManual(cloudId, input.volumeId);
    const now = new Date();
    const row = {
      policies: JSON.stringify(input.policies),
      retention: JSON.stringify(input.retention),
      note: input.note,
      updated_by: actor,
      updated_at: now,
    };
    const key = { cloud_id: cloudId, volume_id: input.volumeId };
    if (before)
      await this.db('snapshot_manual_assignments').where(key).update(row);
    else
      await this.db('snapshot_manual_assignments').insert({
        ...key,
        ...row,
        created_at: now,
      });
    return { before, after: (await this.getManual(cloudId, input.volumeId))! };
  }

  async deleteManual(cloudId: string, volumeId: string): Promise<StoredManual> {
    const before = await this.getManual(cloudId, volumeId);
    if (!before)
      throw new NotFoundError(`No manual assignment for volume ${volumeId}`);
    await this.db('snapshot_manual_assignments')
      .where({ cloud_id: cloudId, volume_id: volumeId })
      .delete();
    return before;
  }

  async listExclusions(cloudId: string): Promise<StoredExclusion[]> {
    const rows = await this.db('snapshot_exclusions')
      .where({ cloud_id: cloudId })
      .orderBy('volume_id');
    return rows.map(toExclusion);
  }

  async getExclusion(cloudId: string, volumeId: string) {
    const row = await this.db('snapshot_exclusions')
      .where({ cloud_id: cloudId, volume_id: volumeId })
      .first();
    return row ? toExclusion(row) : undefined;
  }

  async putExclusion(
    cloudId: string,
    input: z.infer<typeof exclusionInputSchema>,
    actor: string,
  ): Promise<{ before?: StoredExclusion; after: StoredExclusion }> {
    const before = await this.getExclusion(cloudId, input.volumeId);
    const now = new Date();
    const row = {
      reason: input.reason,
      expires_at: input.expiresAt ? new Date(input.expiresAt) : null,
      updated_by: actor,
      updated_at: now,
    };
    const key = { cloud_id: cloudId, volume_id: input.volumeId };
    if (before) await this.db('snapshot_exclusions').where(key).update(row);
    else
      await this.db('snapshot_exclusions').insert({
        ...key,
        ...row,
        created_at: now,
      });
    return {
      before,
      after: (await this.getExclusion(cloudId, input.volumeId))!,
    };
  }

  async deleteExclusion(
    cloudId: string,
    volumeId: string,
  ): Promise<StoredExclusion> {
    const before = await this.getExclusion(cloudId, volumeId);
    if (!before) throw new NotFoundError(`No exclusion for volume ${volumeId}`);
    await this.db('snapshot_exclusions')
      .where({ cloud_id: cloudId, volume_id: volumeId })
      .delete();
    return before;
  }

  /** Everything besides the volume metadata that decides a cloud's assignments. */
  async sources(
    cloudId: string,
    options: { adoptUnmarkedMetadata: boolean; draftRules?: RuleInput[] },
  ): Promise<AssignmentSources> {
    return {
      rules: options.draftRules ?? (await this.listRules()),
      manual: new Map(
        (await this.listManual(cloudId)).map(m => [m.volumeId, m]),
      ),
      exclusions: new Map(
        (await this.listExclusions(cloudId)).map(e => [e.volumeId, e]),
      ),
      adoptUnmarkedMetadata: options.adoptUnmarkedMetadata,
    };
  }
}

export { ruleInputSchema, ruleUpdateSchema };
