/**
 * The `jobs` table: rows that workers of any backend instance claim, keep alive by heartbeat and hand
 * back. Every state change is a compare-and-set on (state, owner), so two instances never both own a row.
 */
import { Knex } from 'knex';

export type JobState = 'queued' | 'running' | 'done';

export interface ClaimedJob {
  id: string;
  kind: string;
  groupKey: string | null;
  /** times the job was taken over from a dead owner (or a handler crash) */
  resumeCount: number;
  /** true when an earlier owner worked on it (the handler re-verifies what it did) */
  resumed: boolean;
}

export interface ClaimLimits {
  /** jobs of this kind running at once over every instance */
  maxConcurrent: number;
  /** jobs of this kind and one group_key running at once */
  maxPerGroup: number;
}

export interface ClaimRequest extends ClaimLimits {
  kind: string;
  ownerId: string;
  /** a running job whose heartbeat is older than this belongs to a dead owner */
  staleAfterMs: number;
  /** the most this instance takes now (its free local slots) */
  take: number;
}

/** Any fixed 64-bit key: serialises claim rounds of all instances on PostgreSQL. */
const CLAIM_LOCK_KEY = 7_241_901_117;

interface JobRow {
  id: string;
  kind: string;
  state: JobState;
  group_key: string | null;
  owner_id: string | null;
  heartbeat_at: unknown;
  resume_count: number;
  created_at: unknown;
}

export function isPostgres(db: Knex): boolean {
  return String(db.client.config.client).startsWith('p');
}

export class JobStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds a queued job; pass the caller's transaction so the job exists only if its business row does. */
  async enqueue(
    input: { id: string; kind: string; groupKey: string | null },
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<void> {
    const now = this.now();
    await trx('jobs').insert({
      id: input.id,
      kind: input.kind,
      state: 'queued',
      group_key: input.groupKey,
      owner_id: null,
      heartbeat_at: null,
      resume_count: 0,
      created_at: now,
      updated_at: now,
    });
  }

  /**
   * One claim round. On PostgreSQL a transaction-level advisory lock makes the limit count and the claim
   * one atomic step across instances, and candidate rows are read `FOR UPDATE SKIP LOCKED` so a row that
   * another transaction is changing (a cancel, a heartbeat) is passed over instead of waited for. SQLite
   * serves one process through one connection, so its transaction alone is enough.
   */
  async claim(req: ClaimRequest): Promise<ClaimedJob[]> {
    if (req.take <= 0) return [];
    return this.db.transaction(async trx => {
      const pg = isPostgres(this.db);
      if (pg) {
        await trx.raw('SELECT pg_advisory_xact_lock(?)', [CLAIM_LOCK_KEY]);
      }
      const now = this.now();
      const staleBefore = new Date(now.getTime() - req.staleAfterMs);
      const live: Array<{ group_key: string | null }> = await trx('jobs')
        .where({ kind: req.kind, state: 'running' })
        .andWhere('heartbeat_at', '>=', staleBefore)
        .select('group_key');
      const perGroup = new Map<string, number>();
      for (const r of live) {
        const g = r.group_key ?? '';
        perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
      }
      let running = live.length;
      let query = trx<JobRow>('jobs')
        .where('kind', req.kind)
        .andWhere(q =>
          q
            .where('state', 'queued')
            .orWhere(r =>
              r
                .where('state', 'running')
                .andWhere(h =>
                  h
                    .where('heartbeat_at', '<', staleBefore)
                    .orWhereNull('heartbeat_at'),
                ),
            ),
        )
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(200)
        .select('*');
      if (pg) query = query.forUpdate().skipLocked();
      const candidates = await query;
      const claimed: ClaimedJob[] = [];
      for (const row of candidates) {
        if (claimed.length >= req.take || running >= req.maxConcurrent) break;
        const g = row.group_key ?? '';
        if ((perGroup.get(g) ?? 0) >= req.maxPerGroup) continue;
        const takeover = row.state === 'running';
        const resumeCount = row.resume_count + (takeover ? 1 : 0);
        const changed = await trx('jobs')
          .where({ id: row.id, state: row.state })
          .andWhere(q =>
            row.owner_id === null
              ? q.whereNull('owner_id')
              : q.where('owner_id', row.owner_id),
          )
          .update({
            state: 'running',
            owner_id: req.ownerId,
            heartbeat_at: now,
            resume_count: resumeCount,
            updated_at: now,
          });
        if (!changed) continue;
        running++;
        perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
        claimed.push({
          id: row.id,
          kind: row.kind,
          groupKey: row.group_key,
          resumeCount,
          resumed: takeover || row.heartbeat_at !== null,
        });
      }
      return claimed;
    });
  }

  /** Keeps a job alive; false when this owner no longer holds it (taken over, or finished elsewhere). */
  async heartbeat(id: string, ownerId: string): Promise<boolean> {
    const changed = await this.db('jobs')
      .where({ id, owner_id: ownerId, state: 'running' })
      .update({ heartbeat_at: this.now(), updated_at: this.now() });
    return changed > 0;
  }

  async finish(id: string, ownerId: string): Promise<boolean> {
    const changed = await this.db('jobs')
      .where({ id, owner_id: ownerId, state: 'running' })
      .update({ state: 'done', updated_at: this.now() });
    return changed > 0;
  }

  /**
   * Hands a running job back to the queue: on a clean shutdown (not counted) or after its handler
   * threw (counted as a resume, so a job that keeps crashing ends up failing).
   */
  async release(
    id: string,
    ownerId: string,
    options: { countAsResume: boolean },
  ): Promise<boolean> {
    const changed = await this.db('jobs')
      .where({ id, owner_id: ownerId, state: 'running' })
      .update({
        state: 'queued',
        owner_id: null,
        resume_count: options.countAsResume
          ? this.db.raw('resume_count + 1')
          : this.db.raw('resume_count'),
        updated_at: this.now(),
      });
    return changed > 0;
  }

  /** Drops a job nobody runs yet (e.g. a PENDING restore that was canceled). */
  async discardQueued(
    id: string,
    trx: Knex | Knex.Transaction = this.db,
  ): Promise<boolean> {
    const changed = await trx('jobs')
      .where({ id, state: 'queued' })
      .update({ state: 'done', updated_at: this.now() });
    return changed > 0;
  }

  /** 1-based positions of queued jobs among the queued jobs of their kind, oldest first (RST-15). */
  async queuePositions(ids: string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (!ids.length) return result;
    const mine: JobRow[] = await this.db('jobs')
      .whereIn('id', ids)
      .andWhere('state', 'queued')
      .select('*');
    for (const kind of new Set(mine.map(r => r.kind))) {
      const queue: Array<{ id: string }> = await this.db('jobs')
        .where({ kind, state: 'queued' })
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .select('id');
      queue.forEach((r, i) => {
        if (ids.includes(r.id)) result.set(r.id, i + 1);
      });
    }
    return result;
  }
}
