/**
 * The assignment job (SPEC SNAP-10) and its dry-run preview (SNAP-11).
 *
 * The job lists volumes live (complete listing required; otherwise it changes nothing), resolves
 * every volume's assignment (resolve.ts), stores the result per volume and per pair, and writes
 * rule- and manual-based results back to the volume metadata with our ownership marker. The preview
 * computes the same with a read-only client and stores nothing.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import type { CloudConfig } from '../config';
import { matchesScope, Scope } from '../inventory/query';
import {
  createOpenStackClient,
  mapWithConcurrency,
  OpenStackClient,
} from '../openstack';
import { replaceAssignments, StoredPair } from './assignments';
import { AssignmentStore } from './assignmentStore';
import { readLiveVolumes, volumeFacts } from './live';
import { PairAssignment } from './metadata';
import { MetadataChange, metadataChange, statedMetadata } from './ownership';
import { PolicyStore } from './policies';
import { EffectiveAssignment, resolveAssignment } from './resolve';
import { RuleInput } from './rules';

export interface AssignmentJobSettings {
  /** SNAP-10: write rule and manual results to the volume metadata (default true) */
  writeMetadata: boolean;
  /** SNAP-10: treat unmarked owner metadata as rule-managed (default false) */
  adoptUnmarkedMetadata: boolean;
}

export const DEFAULT_ASSIGNMENT_SETTINGS: AssignmentJobSettings = {
  writeMetadata: true,
  adoptUnmarkedMetadata: false,
};

/** A volume's assignment as the API shows it. */
export interface AssignmentView {
  source: string;
  matchedRule: string | null;
  enabled: boolean;
  misconfigured: string | null;
  policies: Array<{
    policy: string;
    retention: number | null;
    misconfigured: string | null;
  }>;
}

export interface VolumeAssignmentOutcome {
  volumeId: string;
  volumeName: string | null;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
  /** as stored by the last job, null when never evaluated */
  current: AssignmentView | null;
  proposed: AssignmentView;
  /** the metadata keys the job sets and removes (empty without writeMetadata) */
  metadataChanges: MetadataChange;
  ownerEdited: boolean;
}

export interface AssignmentJobResult {
  cloudId: string;
  evaluatedAt: string;
  volumes: number;
  protectedVolumes: number;
  bySource: Record<string, number>;
  metadataWritten: number;
  metadataFailed: number;
  ownerEdited: string[];
}

function view(a: EffectiveAssignment): AssignmentView {
  return {
    source: a.source,
    matchedRule: a.matchedRule,
    enabled: a.enabled,
    misconfigured: a.misconfigured ?? null,
    policies: a.pairs.map((p: PairAssignment) => ({
      policy: p.policy,
      retention: p.retention,
      misconfigured: p.misconfigured ?? null,
    })),
  };
}

function storedView(row: any): AssignmentView {
  return {
    source: row.source,
    matchedRule: row.matched_rule,
    enabled: Boolean(row.enabled),
    misconfigured: row.misconfigured,
    policies: JSON.parse(row.policies),
  };
}

/** The metadata a result states: only rule and manual results are written (SNAP-10). */
function wantedMetadata(a: EffectiveAssignment): Record<string, string> | null {
  const managed = a.source === 'manual' || a.source.startsWith('rule:');
  if (!managed || !a.enabled || a.misconfigured) return null;
  return statedMetadata(a.source, a.pairs);
}

export interface AssignmentJobOptions {
  db: Knex;
  clouds: CloudConfig[];
  logger: LoggerService;
  settings?: Partial<AssignmentJobSettings>;
  clientFactory?: (
    cloud: CloudConfig,
    options: { readOnly: boolean },
  ) => OpenStackClient;
  now?: () => Date;
}

/** Metadata writes in flight. */
const WRITE_CONCURRENCY = 8;

export class AssignmentJob {
  readonly store: AssignmentStore;
  private readonly policies: PolicyStore;
  readonly settings: AssignmentJobSettings;
  private readonly now: () => Date;

  constructor(private readonly options: AssignmentJobOptions) {
    this.store = new AssignmentStore(options.db);
    this.policies = new PolicyStore(options.db);
    this.settings = { ...DEFAULT_ASSIGNMENT_SETTINGS, ...options.settings };
    this.now = options.now ?? (() => new Date());
  }

  private client(cloudId: string, readOnly: boolean): OpenStackClient {
    const cloud = this.cloud(cloudId);
    return this.options.clientFactory
      ? this.options.clientFactory(cloud, { readOnly })
      : createOpenStackClient(cloud, { readOnly });
  }

  private cloud(cloudId: string): CloudConfig {
    const cloud = this.options.clouds.find(c => c.id === cloudId);
    if (!cloud) throw new Error(`unknown cloud '${cloudId}'`);
    return cloud;
  }

  /** Resolves every volume of the cloud; `draftRules` replace the stored rules (preview). */
  private async evaluate(
    cloudId: string,
    client: OpenStackClient,
    draftRules?: RuleInput[],
  ) {
    const live = await readLiveVolumes(client);
    const policyMap = new Map(
      (await this.policies.list()).map(p => [p.name, p]),
    );
    const sources = await this.store.sources(cloudId, {
      adoptUnmarkedMetadata: this.settings.adoptUnmarkedMetadata,
      draftRules,
    });
    const now = this.now();
    const current = new Map(
      (
        await this.options.db('snapshot_volume_assignments').where({
          cloud_id: cloudId,
        })
      ).map(r => [r.volume_id, storedView(r)]),
    );
    const outcomes = live.volumes.map(volume => {
      const facts = volumeFacts(volume, live);
      const assignment = resolveAssignment(facts, sources, policyMap, now);
      const changes = this.settings.writeMetadata
        ? metadataChange(volume.metadata ?? {}, wantedMetadata(assignment), {
            adoptUnmarked: this.settings.adoptUnmarkedMetadata,
          })
        : { set: {}, remove: [] };
      const outcome: VolumeAssignmentOutcome = {
        volumeId: volume.id,
        volumeName: volume.name ?? null,
        projectId: facts.projectId,
        projectName: facts.projectName,
        domainId: facts.domainId,
        domainName: facts.domainName,
        current: current.get(volume.id) ?? null,
        proposed: view(assignment),
        metadataChanges: changes,
        ownerEdited: assignment.ownerEdited,
      };
      return { outcome, assignment };
    });
    return { outcomes, now };
  }

  /** The volume's project and domain as last evaluated (for scope checks). */
  async volumeOwner(
    cloudId: string,
    volumeId: string,
  ): Promise<
    { projectId: string | null; domainId: string | null } | undefined
  > {
    const row = await this.options
      .db('snapshot_volume_assignments')
      .where({ cloud_id: cloudId, volume_id: volumeId })
      .first('project_id', 'domain_id');
    return row
      ? { projectId: row.project_id, domainId: row.domain_id }
      : undefined;
  }

  /** The items whose volume lies in the scope (as last evaluated); all when unscoped. */
  async inScope<T extends { volumeId: string }>(
    cloudId: string,
    scope: Scope,
    items: T[],
  ): Promise<T[]> {
    if (!scope) return items;
    const owners = new Map(
      (
        await this.options
          .db('snapshot_volume_assignments')
          .where({ cloud_id: cloudId })
          .select('volume_id', 'project_id', 'domain_id')
      ).map(r => [
        r.volume_id,
        { projectId: r.project_id, domainId: r.domain_id },
      ]),
    );
    return items.filter(item => {
      const owner = owners.get(item.volumeId);
      return owner !== undefined && matchesScope(scope, owner);
    });
  }

  /** Does the outcome change the stored assignment or the volume metadata? */
  changes(o: VolumeAssignmentOutcome): boolean {
    return (
      JSON.stringify(o.current) !== JSON.stringify(o.proposed) ||
      Object.keys(o.metadataChanges.set).length > 0 ||
      o.metadataChanges.remove.length > 0
    );
  }

  summarise(outcomes: VolumeAssignmentOutcome[]) {
    const bySource: Record<string, number> = {};
    for (const o of outcomes) {
      bySource[o.proposed.source] = (bySource[o.proposed.source] ?? 0) + 1;
    }
    return {
      volumes: outcomes.length,
      protectedVolumes: outcomes.filter(o => o.proposed.enabled).length,
      changed: outcomes.filter(o => this.changes(o)).length,
      metadataWrites: outcomes.filter(
        o =>
          Object.keys(o.metadataChanges.set).length ||
          o.metadataChanges.remove.length,
      ).length,
      bySource,
    };
  }

  /** SNAP-11: what the job would do, with a read-only client; nothing is written anywhere. */
  async preview(
    cloudId: string,
    draftRules?: RuleInput[],
  ): Promise<VolumeAssignmentOutcome[]> {
    const client = this.client(cloudId, true);
    const { outcomes } = await this.evaluate(cloudId, client, draftRules);
    return outcomes.map(o => o.outcome);
  }

  /** SNAP-10: one run of the assignment job. */
  async run(cloudId: string): Promise<AssignmentJobResult> {
    const client = this.client(cloudId, false);
    const { outcomes, now } = await this.evaluate(cloudId, client);
    await this.storeResults(cloudId, outcomes, now);
    const result: AssignmentJobResult = {
      cloudId,
      evaluatedAt: now.toISOString(),
      volumes: outcomes.length,
      protectedVolumes: 0,
      bySource: {},
      metadataWritten: 0,
      metadataFailed: 0,
      ownerEdited: [],
    };
    for (const { outcome, assignment } of outcomes) {
      const kind = assignment.source.startsWith('rule:')
        ? 'rule'
        : assignment.source;
      result.bySource[kind] = (result.bySource[kind] ?? 0) + 1;
      if (assignment.enabled) result.protectedVolumes++;
      if (assignment.ownerEdited) {
        result.ownerEdited.push(outcome.volumeId);
        this.options.logger.info(
          `snapshots: the protection metadata of volume ${outcome.volumeId} was edited by someone else; it is owner-set now and never overwritten`,
        );
      }
    }
    const writes = outcomes.filter(
      ({ outcome: o }) =>
        Object.keys(o.metadataChanges.set).length ||
        o.metadataChanges.remove.length,
    );
    await mapWithConcurrency(writes, WRITE_CONCURRENCY, async ({ outcome }) => {
      try {
        await this.writeMetadata(client, outcome);
        result.metadataWritten++;
      } catch (e) {
        result.metadataFailed++;
        this.options.logger.warn(
          `snapshots: metadata of volume ${
            outcome.volumeId
          } not written: ${String(e)}`,
        );
      }
    });
    return result;
  }

  private async writeMetadata(
    client: OpenStackClient,
    outcome: VolumeAssignmentOutcome,
  ): Promise<void> {
    const { set, remove } = outcome.metadataChanges;
    if (Object.keys(set).length) {
      await client.blockStorage.setVolumeMetadata(outcome.volumeId, set);
    }
    for (const key of remove) {
      await client.blockStorage.deleteVolumeMetadataKey(outcome.volumeId, key);
    }
  }

  private async storeResults(
    cloudId: string,
    outcomes: Array<{
      outcome: VolumeAssignmentOutcome;
      assignment: EffectiveAssignment;
    }>,
    now: Date,
  ): Promise<void> {
    const rows = outcomes.map(({ outcome: o, assignment: a }) => ({
      cloud_id: cloudId,
      volume_id: o.volumeId,
      project_id: o.projectId,
      domain_id: o.domainId,
      source: a.source,
      matched_rule: a.matchedRule,
      enabled: a.enabled,
      policies: JSON.stringify(o.proposed.policies),
      retention: JSON.stringify(
        Object.fromEntries(a.pairs.map(p => [p.policy, p.retention])),
      ),
      misconfigured: a.misconfigured ?? null,
      evaluated_at: now,
    }));
    await this.options.db.transaction(async tx => {
      await tx('snapshot_volume_assignments')
        .where({ cloud_id: cloudId })
        .delete();
      // SQLite allows 999 bound values per statement
      for (let i = 0; i < rows.length; i += 60) {
        await tx('snapshot_volume_assignments').insert(rows.slice(i, i + 60));
      }
    });
    await replaceAssignments(
      this.options.db,
      cloudId,
      protectedPairs(outcomes),
      now,
    );
  }
}

/** The stored (volume, policy) pairs of the enabled, defined-policy assignments. */
export function protectedPairs(
  outcomes: Array<{
    outcome: Pick<
      VolumeAssignmentOutcome,
      'volumeId' | 'projectId' | 'domainId'
    >;
    assignment: EffectiveAssignment;
  }>,
): StoredPair[] {
  return outcomes.flatMap(({ outcome: o, assignment: a }) =>
    a.enabled
      ? a.pairs
          .filter(p => p.misconfigured !== 'unknown_policy')
          .map(p => ({
            volumeId: o.volumeId,
            policy: p.policy,
            source: a.source,
            projectId: o.projectId,
            domainId: o.domainId,
          }))
      : [],
  );
}
