/**
 * The snapshot cycle against the real OpenStack Zed lab, when PF9_OSLAB_AUTH_URL is set
 * (PF9_REQUIRE_OSLAB=1 makes its absence a failure, never a silent skip). Every snapshot the test
 * creates is deleted at the end; the lab's hand-made snapshots are never touched.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { ComplianceService } from '../compliance/service';
import { migrated } from '../inventory/__testUtils__/harness';
import {
  CinderSnapshot,
  closeSharedAgents,
  createOpenStackClient,
  OpenStackClient,
  OpenStackNotFoundError,
  resolveCloud,
  TokenCache,
} from '../openstack';
import {
  labTarget,
  RunningTarget,
  waitUntil,
} from '../openstack-integration/__testUtils__/targets';
import { cycleEngine } from './__testUtils__/sim';
import { projectScopedCloud, SnapshotCycleEngine } from './cycle';
import { isManaged } from './live';

jest.setTimeout(900_000);

const labUrl = process.env.PF9_OSLAB_AUTH_URL;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const PROTECTED = ['alpha-data-1', 'alpha-data-2', 'beta-data-1'];

describe('snapshot lab registration', () => {
  it('fails when PF9_REQUIRE_OSLAB=1 and the lab URL is missing', () => {
    const required = process.env.PF9_REQUIRE_OSLAB === '1';
    expect({
      required,
      labUrl: required ? labUrl ?? null : 'not required',
    }).not.toEqual({ required: true, labUrl: null });
  });
});

const labSuites = labUrl ? ['lab'] : [];

for (const suite of labSuites) {
  describe(`snapshot cycle on the OpenStack ${suite}`, () => {
    let target: RunningTarget;
    let db: Knex;
    let admin: OpenStackClient;
    let engine: SnapshotCycleEngine;
    const tokenCache = new TokenCache();
    let volumes: Map<string, { id: string; project: string; server?: string }>;
    let handMade: string[];

    const snapshotsOfProtected = async () =>
      (await admin.blockStorage.listSnapshots()).items.filter(s =>
        [...volumes.values()].some(v => v.id === s.volume_id),
      );
    const oursNow = async () =>
      (await snapshotsOfProtected()).filter(isManaged);

    beforeAll(async () => {
      target = await labTarget(labUrl!).start();
      db = await migrated(await databases.init('SQLITE_3'));
      admin = createOpenStackClient(target.cloud, { tokenCache });
      const all = (await admin.blockStorage.listVolumes()).items;
      volumes = new Map(
        PROTECTED.map(name => {
          const v = all.find(x => x.name === name);
          if (!v) throw new Error(`lab volume ${name} is missing`);
          return [
            name,
            {
              id: v.id,
              project: String(v['os-vol-tenant-attr:tenant_id']),
              server: v.attachments?.[0]?.server_id,
            },
          ];
        }),
      );
      const existing = await snapshotsOfProtected();
      const leftovers = existing.filter(isManaged);
      if (leftovers.length) {
        throw new Error(
          `managed snapshots already exist on the protected volumes: ${leftovers
            .map(s => s.id)
            .join(', ')}`,
        );
      }
      handMade = existing.map(s => s.id).sort();
      engine = cycleEngine(db, target.cloud, {
        clientFactory: (c, { readOnly }) =>
          createOpenStackClient(c, { readOnly, tokenCache }),
      });
    });

    afterAll(async () => {
      // delete every snapshot our runs created, each in its own project, and wait until it is gone
      const runIds = new Set(
        (await db('snapshot_runs').select('id')).map(r => r.id),
      );
      const mine = (await admin.blockStorage.listSnapshots()).items.filter(
        (s: CinderSnapshot) => runIds.has(String(s.metadata?.run_id)),
      );
      const lab = admin;
      for (const s of mine) {
        const project = String(s['os-extended-snapshot-attributes:project_id']);
        const scoped = createOpenStackClient(
          projectScopedCloud(resolveCloud(target.cloud), project),
          { tokenCache },
        );
        await waitUntil(
          `snapshot ${s.id} to leave transitional states`,
          async () => {
            const now = await lab.blockStorage.getSnapshot(s.id);
            return now.status === 'creating' ? undefined : true;
          },
          target.settleTimeoutMs,
          target.pollMs,
        ).catch(() => undefined);
        await scoped.blockStorage.deleteSnapshot(s.id).catch(() => undefined);
        await waitUntil(
          `snapshot ${s.id} to be deleted`,
          async () => {
            try {
              await lab.blockStorage.getSnapshot(s.id);
              return undefined;
            } catch (e) {
              if (e instanceof OpenStackNotFoundError) return true;
              throw e;
            }
          },
          target.settleTimeoutMs,
          target.pollMs,
        );
      }
      await target?.stop();
      await closeSharedAgents();
    });

    async function waitAvailable(count: number) {
      return waitUntil(
        `${count} managed snapshots to be available`,
        async () => {
          const ours = await oursNow();
          return ours.length === count &&
            ours.every(s => s.status === 'available')
            ? ours
            : undefined;
        },
        target.settleTimeoutMs,
        target.pollMs,
      );
    }

    it('creates exactly the due snapshots in each volume project, once per period; retention removes only our surplus; compliance reads compliant', async () => {
      // daily_5's window opens at the next full minute (UTC), for one hour; protection starts before it
      let opens = new Date(Math.ceil((Date.now() + 1000) / 60_000) * 60_000);
      if (opens.getTime() - Date.now() < 10_000)
        opens = new Date(opens.getTime() + 60_000);
      const hhmm = opens.toISOString().slice(11, 16);
      await db('snapshot_policies')
        .where({ name: 'daily_5' })
        .update({ window_start: hhmm, window_hours: 1, default_retention: 5 });

      const before = await engine.run('oslab', 'scheduled', 'system:lab-test');
      expect(before).toMatchObject({ status: 'skipped' });
      expect(before.counts.created).toBe(0);

      await new Promise(r =>
        setTimeout(r, opens.getTime() - Date.now() + 1000),
      );
      const first = await engine.run('oslab', 'scheduled', 'system:lab-test');
      expect(first.status).toBe('completed');
      expect(first.counts.created).toBe(3);
      const ours = await waitAvailable(3);
      for (const [name, v] of volumes) {
        const snap = ours.find(s => s.volume_id === v.id);
        expect(snap).toBeDefined();
        expect(snap!['os-extended-snapshot-attributes:project_id']).toBe(
          v.project,
        );
        expect(snap!.metadata).toMatchObject({
          created_by: 'p9_auto_snapshots',
          managed_by: 'pf9-ops',
          policy: 'daily_5',
          period: opens.toISOString().slice(0, 10),
          run_id: first.id,
          original_project_id: v.project,
          original_volume_id: v.id,
          ...(v.server ? { server_id: v.server } : {}),
        });
        expect(snap!.name).toContain(name);
      }

      const again = await engine.run('oslab', 'scheduled', 'system:lab-test');
      expect(again.counts.created).toBe(0);
      expect(await oursNow()).toHaveLength(3);

      // at the end of the window the period is closed and served
      const compliance = new ComplianceService({
        db,
        clouds: [target.cloud],
        logger: mockServices.logger.mock(),
        clientFactory: c =>
          createOpenStackClient(c, { readOnly: true, tokenCache }),
      });
      const evaluation = await compliance.evaluate(
        'oslab',
        'lab-test',
        new Date(opens.getTime() + 3600_000),
      );
      const rows = await compliance.rows(
        'oslab',
        { policy: 'daily_5' },
        undefined,
        { page: 1, pageSize: 100 },
      );
      expect(evaluation.rollups.byPolicy.map(g => g.key)).toContain('daily_5');
      for (const v of volumes.values()) {
        expect(rows.items.find(r => r.volumeId === v.id)?.status).toBe(
          'compliant',
        );
      }

      // a second period (the policy becomes monthly) with retention 1: the older one of ours goes
      const today = new Date();
      await db('snapshot_policies').where({ name: 'daily_5' }).update({
        frequency: 'monthly',
        day_of_month: today.getUTCDate(),
        window_start: '00:00',
        window_hours: 72,
        default_retention: 1,
      });
      const monthly = await engine.run('oslab', 'api', 'user:default/lab-test');
      expect(monthly.counts.created).toBe(3);
      expect(monthly.counts.deleted).toBe(0);
      await waitAvailable(6);
      const pruning = await engine.run('oslab', 'api', 'user:default/lab-test');
      expect(pruning.counts.created).toBe(0);
      expect(pruning.counts.deleted).toBe(3);
      const deleted = await db('snapshot_records').where({
        run_id: pruning.id,
        action: 'deleted',
      });
      expect(deleted.map(r => r.snapshot_id).sort()).toEqual(
        ours.map(s => s.id).sort(),
      );
      await waitUntil(
        'the surplus to be gone',
        async () => ((await oursNow()).length === 3 ? true : undefined),
        target.settleTimeoutMs,
        target.pollMs,
      );
      const left = await snapshotsOfProtected();
      expect(
        left
          .filter(s => !isManaged(s))
          .map(s => s.id)
          .sort(),
      ).toEqual(handMade);
      expect(
        (await oursNow()).every(s => s.metadata?.run_id === monthly.id),
      ).toBe(true);
    });
  });
}
