import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { migrated } from '../inventory/__testUtils__/harness';
import { JobContext, JobRunner } from './runner';
import { JobStore } from './store';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

function runner(
  db: Knex,
  ownerId: string,
  extra: { staleAfterMs?: number } = {},
) {
  return new JobRunner({
    db,
    logger: mockServices.logger.mock(),
    ownerId,
    pollIntervalMs: 10,
    heartbeatMs: 20,
    staleAfterMs: extra.staleAfterMs ?? 5000,
  });
}

/** A handler that runs until released, and records who ran what. */
function gate() {
  const running = new Map<string, () => void>();
  const seen: Array<{
    id: string;
    resumed: boolean;
    resumesExhausted: boolean;
  }> = [];
  const handler = (ctx: JobContext) =>
    new Promise<void>((resolve, reject) => {
      seen.push({
        id: ctx.job.id,
        resumed: ctx.job.resumed,
        resumesExhausted: ctx.resumesExhausted,
      });
      running.set(ctx.job.id, resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
    });
  return { running, seen, handler };
}

async function until(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}

function otherPool(db: Knex) {
  const { client, connection } = db.client.config;
  if (!String(client).startsWith('p'))
    return { db, close: async () => undefined };
  const other = knexFactory({ client, connection, pool: { min: 0, max: 4 } });
  return { db: other, close: () => other.destroy() };
}

describe('durable job runner', () => {
  it('runs on PostgreSQL when the test command provides it', () => {
    const required = process.env.PF9_REQUIRE_POSTGRES === '1';
    expect(!required || databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'keeps the overall and per-group limits across two instances; the rest wait in order (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const second = otherPool(db);
      const store = new JobStore(db);
      const limits = { maxConcurrent: 3, maxPerGroup: 2 };
      const g = gate();
      const a = runner(db, 'a');
      const b = runner(second.db, 'b');
      a.register('work', g.handler, limits);
      b.register('work', g.handler, limits);
      const groups = ['p1', 'p1', 'p1', 'p2', 'p2', 'p3'];
      for (const [i, group] of groups.entries()) {
        await store.enqueue({ id: `job-${i}`, kind: 'work', groupKey: group });
        await new Promise(r => setTimeout(r, 2));
      }
      await Promise.all([a.poll(), b.poll(), a.poll(), b.poll()]);
      const running = await db('jobs')
        .where({ state: 'running' })
        .orderBy('id');
      // three at most overall, and job-2 waits: p1 already has two
      expect(running.map(r => r.id)).toEqual(['job-0', 'job-1', 'job-3']);
      const positions = await store.queuePositions([
        'job-2',
        'job-4',
        'job-5',
        'job-0',
      ]);
      expect(Object.fromEntries(positions)).toEqual({
        'job-2': 1,
        'job-4': 2,
        'job-5': 3,
      });

      g.running.get('job-0')!();
      await until(
        async () =>
          (await db('jobs').where({ id: 'job-0', state: 'done' })).length === 1,
      );
      await Promise.all([a.poll(), b.poll()]);
      // a freed p1 slot goes to job-2, the oldest waiting job whose group has room
      expect(
        (await db('jobs').where({ state: 'running' }).orderBy('id')).map(
          r => r.id,
        ),
      ).toEqual(['job-1', 'job-2', 'job-3']);
      a.kill();
      b.kill();
      await second.close();
    },
  );

  it.each(databases.eachSupportedId())(
    'takes over a job whose owner stopped heartbeating, and counts the resume (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const store = new JobStore(db);
      const g = gate();
      const limits = { maxConcurrent: 3, maxPerGroup: 3 };
      const dead = runner(db, 'dead');
      dead.register('work', g.handler, limits);
      await store.enqueue({ id: 'job-1', kind: 'work', groupKey: null });
      expect(await dead.poll()).toBe(1);
      dead.kill();

      const heir = runner(db, 'heir', { staleAfterMs: 150 });
      heir.register('work', g.handler, limits);
      expect(await heir.poll()).toBe(0); // the heartbeat is still fresh
      await new Promise(r => setTimeout(r, 200));
      expect(await heir.poll()).toBe(1);
      expect(await db('jobs').where({ id: 'job-1' }).first()).toMatchObject({
        owner_id: 'heir',
        resume_count: 1,
        state: 'running',
      });
      expect(g.seen.map(s => [s.id, s.resumed])).toEqual([
        ['job-1', false],
        ['job-1', true],
      ]);
      // the dead owner can no longer heartbeat or finish it
      expect(await store.heartbeat('job-1', 'dead')).toBe(false);
      expect(await store.finish('job-1', 'dead')).toBe(false);
      g.running.get('job-1')!();
      await heir.idle();
      expect(await db('jobs').where({ id: 'job-1' }).first()).toMatchObject({
        state: 'done',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'a clean stop hands jobs back uncounted; a crashing handler is re-queued until its resumes run out (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const store = new JobStore(db);
      const g = gate();
      const a = runner(db, 'a');
      a.register('work', g.handler, { maxConcurrent: 1, maxPerGroup: 1 });
      await store.enqueue({ id: 'job-1', kind: 'work', groupKey: null });
      await a.poll();
      await a.stop();
      expect(await db('jobs').where({ id: 'job-1' }).first()).toMatchObject({
        state: 'queued',
        owner_id: null,
        resume_count: 0,
      });

      const exhausted: boolean[] = [];
      const crashing = runner(db, 'c');
      crashing.register(
        'work',
        async ctx => {
          exhausted.push(ctx.resumesExhausted);
          if (!ctx.resumesExhausted) throw new Error('boom');
        },
        { maxConcurrent: 1, maxPerGroup: 1 },
      );
      for (let i = 0; i < 5; i++) {
        await crashing.poll();
        await crashing.idle();
      }
      // resumed more than 3 times: the handler is told to fail the job, and it ends
      expect(exhausted).toEqual([false, false, false, false, true]);
      expect(await db('jobs').where({ id: 'job-1' }).first()).toMatchObject({
        state: 'done',
        resume_count: 4,
      });
    },
  );
});
