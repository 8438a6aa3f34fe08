/**
 * Approving or rejecting a guarded deletion batch (SPEC INV-21). Approval lifts only the guard (rule 3 of
 * INV-19): the batch must come from the type's latest complete listing, each candidate must still be
 * stored as live, and servers, volumes, snapshots, images, networks and ports still need a 404 on a direct
 * GET. Rejection records the decision and changes nothing else.
 */
import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { recordDeletions } from './deletions';
import { resolveLastSeen } from './lastSeen';
import { RunStore } from './runs';
import { InventoryType } from './types';
import { VERIFIED_TYPES, VerifyResult } from './writer';

export type GuardDecision = 'approved' | 'rejected';

export interface GuardDecisionResult {
  runId: string;
  type: InventoryType;
  decision: GuardDecision;
  candidates: number;
  /** deletion records written (approval only) */
  recorded: number;
  /** candidates left alone: seen again, already deleted, or not confirmed gone by GET */
  kept: number;
}

export class GuardedBatches {
  private readonly runs: RunStore;

  constructor(
    private readonly db: Knex,
    private readonly options: {
      verifier: (
        cloudId: string,
      ) => (type: InventoryType, id: string) => Promise<VerifyResult>;
      verifyLimit: number;
    },
  ) {
    this.runs = new RunStore(db);
  }

  async decide(input: {
    runId: string;
    type: InventoryType;
    decision: GuardDecision;
    actor: string;
    now?: Date;
  }): Promise<GuardDecisionResult> {
    const { runId, type, decision, actor } = input;
    const run = await this.runs.get(runId);
    if (!run) throw new NotFoundError(`No inventory run '${runId}'`);
    const candidateIds =
      run.types.find(t => t.type === type)?.deletions?.guarded?.candidateIds ??
      [];
    if (!candidateIds.length) {
      throw new ConflictError(
        `Run ${runId} has no guarded deletion batch of ${type}`,
      );
    }
    await this.assertUndecided(runId, type);
    await this.assertLatestListing(run.cloudId, runId, run.startedAt, type);

    const now = input.now ?? new Date();
    const chosen =
      decision === 'approved'
        ? await this.confirmedGone(
            run.cloudId,
            type,
            candidateIds,
            new Date(run.startedAt),
          )
        : [];
    const recorded = await this.db.transaction(async tx => {
      await tx('inventory_guard_decisions').insert({
        cloud_id: run.cloudId,
        run_id: runId,
        type,
        decision,
        decided_by: actor,
        decided_at: now,
        recorded: chosen.length,
        kept: candidateIds.length - chosen.length,
      });
      return recordDeletions(
        tx,
        { cloudId: run.cloudId, type, runId, now },
        chosen,
      );
    });
    return {
      runId,
      type,
      decision,
      candidates: candidateIds.length,
      recorded,
      kept: candidateIds.length - recorded,
    };
  }

  private async assertUndecided(runId: string, type: InventoryType) {
    const decided = await this.db('inventory_guard_decisions')
      .where({ run_id: runId, type })
      .first();
    if (decided) {
      throw new ConflictError(
        `The guarded ${type} deletions of run ${runId} were already ${decided.decision} by ${decided.decided_by}`,
      );
    }
  }

  /** A later complete listing of the type decides for itself: an old batch is stale. */
  private async assertLatestListing(
    cloudId: string,
    runId: string,
    startedAt: string,
    type: InventoryType,
  ) {
    const later = await this.db('inventory_runs')
      .where({ cloud_id: cloudId })
      .where('started_at', '>', new Date(startedAt))
      .whereNot('id', runId)
      .pluck('id');
    for (const id of later) {
      const status = (await this.runs.get(id))?.types.find(
        t => t.type === type,
      )?.status;
      if (status === 'complete' || status === 'complete_guarded') {
        throw new ConflictError(
          `Run ${id} listed ${type} completely after run ${runId}; that batch is stale`,
        );
      }
    }
  }

  /** The candidates still stored as live and, where INV-19 rule 4 applies, answered 404 by a GET. */
  private async confirmedGone(
    cloudId: string,
    type: InventoryType,
    ids: string[],
    guardedRunStart: Date,
  ) {
    const rows = [];
    for (let i = 0; i < ids.length; i += 500) {
      rows.push(
        ...(await this.db('inventory_resources')
          .where({ cloud_id: cloudId, type, deleted: false })
          .whereIn('id', ids.slice(i, i + 500))
          .select(
            'cloud_id',
            'type',
            'id',
            'name',
            'project_id',
            'domain_id',
            'content_hash',
            'version_no',
            'seen_in_sweep',
            'last_seen_run',
            'last_seen_at',
          )),
      );
    }
    await resolveLastSeen(this.db, rows);
    const verify = this.options.verifier(cloudId);
    const mustVerify = VERIFIED_TYPES.includes(type);
    const chosen = [];
    // seen again since the guarded run (e.g. by a later partial listing): present, not deleted
    const unseen = rows.filter(
      row =>
        new Date(row.last_seen_at as string).getTime() <
        guardedRunStart.getTime(),
    );
    for (const [i, row] of unseen.entries()) {
      const verified = mustVerify && i < this.options.verifyLimit;
      if (verified && (await verify(type, row.id)) !== 'gone') continue;
      chosen.push({
        row,
        verified,
        lastSeen: { run: row.last_seen_run, at: row.last_seen_at },
      });
    }
    return chosen;
  }
}
