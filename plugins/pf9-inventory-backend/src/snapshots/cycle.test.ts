import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { startSimulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import { ComplianceService } from '../compliance/service';
import { migrated } from '../inventory/__testUtils__/harness';
import {
  closeSharedAgents,
  createOpenStackClient,
  TokenCache,
} from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { cycleEngine, eligibleVolumes, prepareSim } from './__testUtils__/sim';
import { CREATED_BY } from './live';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/tester';
const DAY = 86_400_000;

async function count(db: Knex, table: string, where: object = {}) {
  const [{ n }] = await db(table).where(where).count({ n: '*' });
  return Number(n);
}

describe('snapshot cycle', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({
      scenario: 'tiny',
      seed: 1,
      port: 0,
      transitionMs: 0,
    });
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it('runs on PostgreSQL when the test command provides it', () => {
    const required = process.env.PF9_REQUIRE_POSTGRES === '1';
    expect(!required || databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'dry-run sends only GET/HEAD and writes no business state (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      prepareSim(sim);
      const before = sim.state.snapshots.all().length;
      const logStart = sim.requestLog.length;
      const evaluations: string[] = [];
      const engine = cycleEngine(db, simCloud(sim), {
        onFinished: async run => {
          evaluations.push(run.id);
        },
      });
      const run = await engine.run('sim', 'api', USER, { dryRun: true });
      expect(run).toMatchObject({ dryRun: true, status: 'completed' });
      expect(run.counts.created).toBe(eligibleVolumes(sim).length);

      const sent = sim.requestLog.slice(logStart);
      expect(sent.length).toBeGreaterThan(0);
      const writes = sent.filter(
        r =>
          !['GET', 'HEAD'].includes(r.method) &&
          !(r.method === 'POST' && r.path === '/v3/auth/tokens'),
      );
      expect(writes).toEqual([]);
      expect(sim.state.snapshots.all().length).toBe(before);

      // only the run and its simulated actions are stored
      expect(await count(db, 'snapshot_assignments')).toBe(0);
      const actions = (await db('snapshot_records').distinct('action')).map(
        r => r.action,
      );
      expect(
        actions.every(a =>
          ['simulated_create', 'simulated_delete'].includes(a),
        ),
      ).toBe(true);
      expect(
        await count(db, 'snapshot_records', { action: 'simulated_create' }),
      ).toBe(eligibleVolumes(sim).length);
      expect(evaluations).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'creates one snapshot per due pair in the volume project, idempotently across a lost run (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      prepareSim(sim);
      const engine = cycleEngine(db, simCloud(sim));
      const due = eligibleVolumes(sim);
      expect(due.length).toBeGreaterThan(0);
      const before = new Set(sim.state.snapshots.all().map(s => s.id));

      const first = await engine.run('sim', 'scheduled', 'system:test');
      expect(first.status).toBe('completed');
      expect(first.counts.created).toBe(due.length);
      // SNAP-23: the run shows its batches
      expect(first.progress!.totalBatches).toBeGreaterThan(0);
      expect(first.progress).toMatchObject({
        completedBatches: first.progress!.totalBatches,
        progressPct: 100,
      });
      expect(first.progress!.estimatedFinishAt).not.toBeNull();
      const created = sim.state.snapshots.all().filter(s => !before.has(s.id));
      expect(created).toHaveLength(due.length);
      const today = new Date().toISOString().slice(0, 10);
      for (const s of created) {
        const volume = sim.state.volumes.get(s.volume_id)!;
        const project = volume['os-vol-tenant-attr:tenant_id'];
        expect(s['os-extended-snapshot-attributes:project_id']).toBe(project);
        expect(s.metadata).toMatchObject({
          created_by: 'p9_auto_snapshots',
          managed_by: 'pf9-ops',
          policy: 'daily_5',
          period: today,
          run_id: first.id,
          original_project_id: project,
          original_volume_id: volume.id,
        });
        expect(s.metadata.server_id).toBe(volume.attachments?.[0]?.server_id);
        expect(s.name).toMatch(/^auto-.+-daily_5-.+-\d{8}-\d{6}$/);
      }
      expect(await count(db, 'snapshot_assignments')).toBe(due.length);

      const second = await engine.run('sim', 'scheduled', 'system:test');
      expect(second.counts.created).toBe(0);

      // a backend killed after its creates: its run and records are gone, the snapshots are not
      await db('snapshot_records').delete();
      await db('snapshot_runs').delete();
      const third = await engine.run('sim', 'scheduled', 'system:test');
      expect(third.counts.created).toBe(0);
      expect(sim.state.snapshots.all().length).toBe(before.size + due.length);
    },
  );

  it.each(databases.eachSupportedId())(
    'SNAP-15: the next cycle follows its creates up to their current status (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const slow = await startSimulator({
        scenario: 'tiny',
        seed: 1,
        port: 0,
        transitionMs: 100,
      });
      try {
        prepareSim(slow);
        const engine = cycleEngine(db, simCloud(slow));
        const first = await engine.run('sim', 'scheduled', 'system:test');
        const created = await db('snapshot_records')
          .where({ run_id: first.id, action: 'created' })
          .select('snapshot_id', 'snapshot_status');
        expect(created.length).toBe(eligibleVolumes(slow).length);
        expect(created.every(r => r.snapshot_status === 'creating')).toBe(true);
        const gone = created[0].snapshot_id;
        await new Promise(resolve => setTimeout(resolve, 300));
        slow.state.snapshots.remove(gone);

        await engine.run('sim', 'scheduled', 'system:test');
        const followed = await db('snapshot_records')
          .where({ run_id: first.id, action: 'created' })
          .select('snapshot_id', 'snapshot_status');
        expect(
          followed.map(r => [r.snapshot_id, r.snapshot_status]).sort(),
        ).toEqual(
          created
            .map(r => [
              r.snapshot_id,
              r.snapshot_id === gone ? 'absent' : 'available',
            ])
            .sort(),
        );
      } finally {
        await slow.close();
      }
    },
  );

  it('fails a pair without project scope and never creates in the admin project', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    const victim = eligibleVolumes(sim)[0];
    const project = victim['os-vol-tenant-attr:tenant_id'];
    prepareSim(sim, { withoutRoleOn: [project] });
    const adminProject = sim.state.adminProjectId;
    const adminBefore = sim.state.snapshots
      .all()
      .filter(
        s => s['os-extended-snapshot-attributes:project_id'] === adminProject,
      ).length;
    const run = await cycleEngine(db, simCloud(sim)).run('sim', 'api', USER);
    expect(run.status).toBe('completed_with_errors');
    const failed = await db('snapshot_records').where({ action: 'failed' });
    expect(failed.length).toBe(
      eligibleVolumes(sim).filter(
        v => v['os-vol-tenant-attr:tenant_id'] === project,
      ).length,
    );
    expect(failed.every(r => r.reason.startsWith('no_project_scope'))).toBe(
      true,
    );
    expect(
      sim.state.snapshots
        .all()
        .filter(
          s => s['os-extended-snapshot-attributes:project_id'] === adminProject,
        ).length,
    ).toBe(adminBefore);
  });

  describe('retention', () => {
    /** A volume with a known set of snapshots: ours (daily_5, monthly_1st, kept, error) and a manual one. */
    function stage(metadata: Record<string, string>) {
      const volume = eligibleVolumes(sim).find(v => v.status === 'available')!;
      for (const s of sim.state.snapshots
        .all()
        .filter(x => x.volume_id === volume.id)) {
        sim.state.snapshots.remove(s.id);
      }
      Object.assign(volume.metadata, metadata);
      const project = volume['os-vol-tenant-attr:tenant_id'];
      const now = Date.now();
      const add = (
        id: string,
        daysAgo: number,
        md: Record<string, string> | null,
        status = 'available',
      ) =>
        sim.state.snapshots.add({
          id,
          name: id,
          volume_id: volume.id,
          status,
          size: volume.size,
          created_at: new Date(now - daysAgo * DAY)
            .toISOString()
            .replace('Z', ''),
          updated_at: null,
          description: null,
          metadata: md ?? { note: 'hand-made' },
          user_id: sim.state.adminUserId,
          'os-extended-snapshot-attributes:project_id': project,
          'os-extended-snapshot-attributes:progress': '100%',
        });
      const managed = (policy: string, extra: Record<string, string> = {}) => ({
        created_by: CREATED_BY,
        managed_by: 'pf9-ops',
        policy,
        original_volume_id: volume.id,
        original_project_id: project,
        ...extra,
      });
      add('snap-newest', 1, managed('daily_5', { period: 'p1' }));
      add('snap-older', 2, managed('daily_5', { period: 'p2' }));
      add('snap-oldest', 3, managed('daily_5', { period: 'p3' }));
      add('snap-legacy', 4, managed('daily_5')); // no period key
      add('snap-keep', 9, managed('daily_5', { keep: 'true' }));
      add('snap-monthly', 30, managed('monthly_1st', { period: '2026-10' }));
      add('snap-manual-1', 0.5, null);
      add('snap-manual-2', 10, null);
      add('snap-zombie', 0.5, managed('daily_5', { period: 'pz' }), 'error');
      add(
        'snap-creating',
        0.01,
        managed('daily_5', { period: 'pc' }),
        'creating',
      );
      return volume;
    }

    it.each(databases.eachSupportedId())(
      'deletes only our surplus of the pair, never the newest, never others (%p)',
      async id => {
        const db = await migrated(await databases.init(id));
        prepareSim(sim);
        const volume = stage({ retention_daily_5: '2' });
        const run = await cycleEngine(db, simCloud(sim)).run(
          'sim',
          'api',
          USER,
        );
        const deleted = await db('snapshot_records')
          .where({ volume_id: volume.id, action: 'deleted' })
          .orderBy('snapshot_id');
        expect(deleted.map(r => r.snapshot_id)).toEqual([
          'snap-legacy',
          'snap-oldest',
          'snap-zombie',
        ]);
        const left = sim.state.snapshots
          .all()
          .filter(s => s.volume_id === volume.id)
          .map(s => s.id);
        for (const kept of [
          'snap-newest',
          'snap-older',
          'snap-keep',
          'snap-monthly',
          'snap-manual-1',
          'snap-manual-2',
          'snap-creating',
        ]) {
          expect(left).toContain(kept);
        }
        expect(run.counts.deleted).toBeGreaterThanOrEqual(3);
      },
    );

    it.each(databases.eachSupportedId())(
      'SNAP-21: a snapshot whose last 3 deletions failed is left alone; fewer failures are retried (%p)',
      async id => {
        const db = await migrated(await databases.init(id));
        prepareSim(sim);
        const volume = stage({ retention_daily_5: '2' });
        // surplus: snap-oldest, snap-legacy, snap-zombie; earlier runs' delete outcomes, oldest first
        const outcomes: [string, string][] = [
          ['snap-oldest', 'deleted'],
          ['snap-oldest', 'delete_failed'],
          ['snap-oldest', 'delete_failed'],
          ['snap-oldest', 'delete_failed'],
          ['snap-legacy', 'delete_failed'],
          ['snap-legacy', 'delete_failed'],
          ['snap-legacy', 'delete_failed'],
          ['snap-legacy', 'already_absent'],
          ['snap-zombie', 'delete_failed'],
          ['snap-zombie', 'delete_failed'],
        ];
        for (const [snapshotId, action] of outcomes) {
          await db('snapshot_records').insert({
            run_id: 'earlier',
            cloud_id: 'sim',
            recorded_at: new Date(),
            volume_id: volume.id,
            action,
            snapshot_id: snapshotId,
          });
        }
        const logStart = sim.requestLog.length;
        const run = await cycleEngine(db, simCloud(sim)).run(
          'sim',
          'api',
          USER,
        );
        const deleted = await db('snapshot_records')
          .where({ run_id: run.id, volume_id: volume.id, action: 'deleted' })
          .orderBy('snapshot_id');
        expect(deleted.map(r => r.snapshot_id)).toEqual([
          'snap-legacy',
          'snap-zombie',
        ]);
        const deletes = sim.requestLog
          .slice(logStart)
          .filter(r => r.method === 'DELETE' && r.path.includes('/snapshots/'));
        expect(deletes.some(r => r.path.endsWith('/snap-oldest'))).toBe(false);
        expect(sim.state.snapshots.get('snap-oldest')).toBeDefined();
      },
    );

    /** stages the volume and sets its project's snapshot quota to what the project holds now */
    function stageQuotaFull(metadata: Record<string, string>) {
      const volume = stage(metadata);
      const project = volume['os-vol-tenant-attr:tenant_id'];
      sim.state.quotas.cinder.get(project)!.snapshots = sim.state.snapshots
        .all()
        .filter(
          s => s['os-extended-snapshot-attributes:project_id'] === project,
        ).length;
      return volume;
    }

    it.each(databases.eachSupportedId())(
      'SNAP-22 rotate: a quota-blocked pair at its full retention gives up its oldest snapshot, then creates (%p)',
      async id => {
        const db = await migrated(await databases.init(id));
        prepareSim(sim);
        // ours, available, not kept: newest, older, oldest, legacy = 4
        const volume = stageQuotaFull({ retention_daily_5: '4' });
        const run = await cycleEngine(db, simCloud(sim), {
          settings: { rotateBeforeCreateWhenQuotaBlocked: true },
        }).run('sim', 'api', USER);
        const records = await db('snapshot_records')
          .where({ run_id: run.id, volume_id: volume.id })
          .orderBy('id');
        expect(
          records
            .filter(r =>
              ['deleted', 'created', 'quota_blocked'].includes(r.action),
            )
            .map(r => [r.action, r.snapshot_id ?? null, r.reason]),
        ).toEqual([
          ['deleted', 'snap-legacy', 'rotate: quota blocked, keep 4'],
          ['created', expect.any(String), null],
          ['deleted', 'snap-zombie', 'zombie'],
        ]);
        const left = sim.state.snapshots
          .all()
          .filter(s => s.volume_id === volume.id)
          .map(s => s.id);
        for (const kept of [
          'snap-newest',
          'snap-older',
          'snap-oldest',
          'snap-keep',
          'snap-manual-1',
          'snap-manual-2',
        ]) {
          expect(left).toContain(kept);
        }
        expect(left).not.toContain('snap-legacy');
      },
    );

    it('SNAP-22 rotate: off by default, and never for a pair below its retention count', async () => {
      for (const [settings, retention] of [
        [{}, '4'],
        [{ rotateBeforeCreateWhenQuotaBlocked: true }, '5'],
      ] as const) {
        const db = await migrated(await databases.init('SQLITE_3'));
        prepareSim(sim);
        const volume = stageQuotaFull({ retention_daily_5: retention });
        const run = await cycleEngine(db, simCloud(sim), { settings }).run(
          'sim',
          'api',
          USER,
        );
        const actions = (
          await db('snapshot_records')
            .where({ run_id: run.id, volume_id: volume.id })
            .whereIn('action', ['deleted', 'created', 'quota_blocked'])
        ).map(r => [r.action, r.snapshot_id ?? null]);
        expect(actions).toEqual([
          ['quota_blocked', null],
          ['deleted', 'snap-zombie'],
        ]);
      }
    });

    it('retention 1 keeps exactly the newest available', async () => {
      const db = await migrated(await databases.init('SQLITE_3'));
      prepareSim(sim);
      const volume = stage({ retention_daily_5: '1' });
      await cycleEngine(db, simCloud(sim)).run('sim', 'api', USER);
      const left = sim.state.snapshots
        .all()
        .filter(
          s => s.volume_id === volume.id && s.metadata?.policy === 'daily_5',
        )
        .map(s => s.id)
        .sort();
      // the cycle's own new snapshot, the newest available, the kept one and the one still creating
      expect(left).toHaveLength(4);
      expect(left).toEqual(
        expect.arrayContaining(['snap-newest', 'snap-keep', 'snap-creating']),
      );
    });

    it('deletes nothing when the retention is misconfigured, but still creates', async () => {
      const db = await migrated(await databases.init('SQLITE_3'));
      prepareSim(sim);
      const volume = stage({ retention_daily_5: 'seven' });
      await cycleEngine(db, simCloud(sim)).run('sim', 'api', USER);
      const records = await db('snapshot_records').where({
        volume_id: volume.id,
      });
      // zombie cleanup of an error snapshot is not retention: it still happens
      expect(
        records.filter(r => r.action === 'deleted').map(r => r.snapshot_id),
      ).toEqual(['snap-zombie']);
      const created = records.find(r => r.action === 'created');
      expect(created.reason).toMatch(/misconfigured:invalid_retention/);
    });

    it('deletes and creates nothing when the snapshot listing failed', async () => {
      const db = await migrated(await databases.init('SQLITE_3'));
      prepareSim(sim);
      const volume = stage({ retention_daily_5: '1' });
      const before = sim.state.snapshots.all().length;
      sim.faults.add({
        method: 'GET',
        pathPattern: '/snapshots/detail$',
        status: 500,
      });
      const run = await cycleEngine(db, simCloud(sim)).run('sim', 'api', USER);
      expect(sim.state.snapshots.all().length).toBe(before);
      expect(run.counts.created).toBe(0);
      expect(run.counts.deleted).toBe(0);
      const skipped = await db('snapshot_records').where({
        volume_id: volume.id,
        action: 'skipped',
      });
      expect(skipped[0].reason).toMatch(/^listing_failed/);
    });

    it('a dry-run reports the deletions it would make and deletes nothing', async () => {
      const db = await migrated(await databases.init('SQLITE_3'));
      prepareSim(sim);
      const volume = stage({ retention_daily_5: '2' });
      const before = sim.state.snapshots.all().length;
      await cycleEngine(db, simCloud(sim)).run('sim', 'api', USER, {
        dryRun: true,
      });
      expect(sim.state.snapshots.all().length).toBe(before);
      const simulated = await db('snapshot_records')
        .where({ volume_id: volume.id, action: 'simulated_delete' })
        .orderBy('snapshot_id');
      expect(simulated.map(r => r.snapshot_id)).toEqual([
        'snap-legacy',
        'snap-oldest',
        'snap-zombie',
      ]);
    });
  });

  it('blocks creates beyond the project quota and records the reason', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    prepareSim(sim);
    const volume = eligibleVolumes(sim)[0];
    const project = volume['os-vol-tenant-attr:tenant_id'];
    const q = sim.state.quotas.cinder.get(project)!;
    q.snapshots = 0; // 0 means nothing allowed (PIT-17)
    const logger = mockServices.logger.mock();
    const run = await cycleEngine(db, simCloud(sim), { logger }).run(
      'sim',
      'api',
      USER,
    );
    const blocked = await db('snapshot_records').where({
      action: 'quota_blocked',
    });
    expect(blocked.length).toBe(
      eligibleVolumes(sim).filter(
        v => v['os-vol-tenant-attr:tenant_id'] === project,
      ).length,
    );
    expect(blocked.every(r => r.reason === 'snapshots_exceeded')).toBe(true);
    expect(run.counts.quotaBlocked).toBe(blocked.length);
    // SNAP-22: one event per run naming the affected project
    const events = logger.warn.mock.calls.filter(([m]) =>
      String(m).startsWith('snapshot_quota_blocked'),
    );
    expect(events).toHaveLength(1);
    expect(String(events[0][0])).toContain(
      sim.state.projects.get(project)!.name,
    );
  });

  it.each(databases.eachSupportedId())(
    'a cancel request stops the creates between batches; the run ends canceled with its counts so far (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      prepareSim(sim);
      const due = eligibleVolumes(sim);
      expect(due.length).toBeGreaterThan(2);
      const before = sim.state.snapshots.all().length;
      const engine = cycleEngine(db, simCloud(sim), {
        settings: { batchSize: 1, batchDelayMs: 20 },
      });
      // the request arrives (as from the route) once the first batch is done
      const setProgress = engine.runs.setProgress.bind(engine.runs);
      jest
        .spyOn(engine.runs, 'setProgress')
        .mockImplementation(async (runId, progress) => {
          await setProgress(runId, progress);
          if (progress.completedBatches === 1)
            await engine.runs.requestCancel(runId, USER);
        });
      const run = await engine.run('sim', 'api', 'system:test');
      expect(run).toMatchObject({
        status: 'canceled',
        cancelRequestedBy: USER,
      });
      const created = sim.state.snapshots.all().length - before;
      expect(created).toBeGreaterThan(0);
      expect(created).toBeLessThan(due.length);
      expect(run.counts.created).toBe(created);
      expect(run.progress).toMatchObject({ completedBatches: 1 });
      expect(
        await count(db, 'snapshot_records', {
          run_id: run.id,
          action: 'created',
        }),
      ).toBe(created);
      expect(await engine.runs.requestCancel(run.id, USER)).toBe(false);
    },
  );

  it('without a pause between batches, a cancel request stops the creates within about a second', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    prepareSim(sim);
    for (const v of sim.state.volumes.all()) {
      v.metadata = {
        ...v.metadata,
        auto_snapshot: 'true',
        snapshot_policies: 'daily_5',
      };
    }
    sim.state.generation++;
    const due = eligibleVolumes(sim);
    expect(due.length).toBeGreaterThanOrEqual(12);
    const before = sim.state.snapshots.all().length;
    sim.faults.add({
      method: 'POST',
      pathPattern: '/snapshots$',
      delayMs: 250,
    });
    const engine = cycleEngine(db, simCloud(sim), {
      settings: { batchSize: 1, batchDelayMs: 0, createConcurrency: 1 },
    });
    const { runId, done } = await engine.start('sim', 'api', 'system:test');
    await new Promise(r => setTimeout(r, 300));
    await engine.runs.requestCancel(runId, USER);
    const run = await done;
    expect(run.status).toBe('canceled');
    const created = sim.state.snapshots.all().length - before;
    // one create every 250 ms, a cancel read at most a second old: well before the end
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThan(due.length);
    expect(created).toBeLessThanOrEqual(8);
    expect(run.counts.created).toBe(created);
  });

  it('a failed insert of the records fails the run after the creates in hand, and no later records are written', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    prepareSim(sim);
    const engine = cycleEngine(db, simCloud(sim), {
      settings: { batchSize: 1, batchDelayMs: 0 },
    });
    const addRecords = jest
      .spyOn(engine.runs, 'addRecords')
      .mockRejectedValue(new Error('disk full'));
    const run = await engine.run('sim', 'api', 'system:test');
    expect(run.status).toBe('failed');
    expect(run.errorSummary).toContain('disk full');
    // the first insert failed: the ones after it were never sent
    expect(addRecords).toHaveBeenCalledTimes(1);
    expect(await count(db, 'snapshot_records', { run_id: run.id })).toBe(0);
  });

  it('refuses a second cycle of the same cloud while one runs (409)', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    prepareSim(sim);
    sim.faults.add({
      method: 'GET',
      pathPattern: '/volumes/detail$',
      delayMs: 500,
      times: 1,
    });
    const engine = cycleEngine(db, simCloud(sim));
    const { runId, done } = await engine.start('sim', 'api', USER);
    await expect(engine.start('sim', 'api', USER)).rejects.toMatchObject({
      name: 'ConflictError',
      runId,
    });
    await done;
  });

  it('evaluates compliance from the cycle: compliant, missing and pending pairs', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    prepareSim(sim);
    const engine = cycleEngine(db, simCloud(sim));
    await engine.run('sim', 'scheduled', 'system:test');
    const tokenCache = new TokenCache();
    const compliance = new ComplianceService({
      db,
      clouds: [simCloud(sim)],
      logger: {
        info() {},
        warn() {},
        error() {},
        debug() {},
        child() {
          return this;
        },
      } as any,
      clientFactory: c =>
        createOpenStackClient(c, { readOnly: true, tokenCache }),
    });
    // just protected: no closed window since protection began
    const fresh = await compliance.evaluate('sim', 'test');
    expect(fresh.rollups.overall.pairs.pending).toBeGreaterThan(0);
    expect(fresh.rollups.overall.pairs.compliant).toBe(0);

    // protected for two days: yesterday's window is closed, today's snapshot is after its start
    await db('snapshot_assignments').update({
      first_protected_at: new Date(Date.now() - 2 * DAY),
    });
    const later = await compliance.evaluate('sim', 'test');
    expect(later.rollups.overall.pairs.compliant).toBe(
      eligibleVolumes(sim).length,
    );
    const rows = await compliance.rows('sim', {}, undefined, {
      page: 1,
      pageSize: 100,
    });
    expect(rows.items.every(r => r.status !== 'unprotected')).toBe(true);
    // non-compliant rows first
    const RANK: Record<string, number> = { compliant: 2, pending: 1 };
    const ranks = rows.items.map(r => RANK[r.status] ?? 0);
    expect([...ranks].sort()).toEqual(ranks);
  });
});
