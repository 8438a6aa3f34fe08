import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import permissionBackend from '@backstage/plugin-permission-backend';
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import request from 'supertest';
import { startTinySim } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { pf9PermissionPolicyModule } from '../permissions/policy';
import { pf9Plugin } from '../plugin';
import { prepareSim } from '../snapshots/__testUtils__/sim';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const TOKENS = {
  admin: 'admin-token-0123456789',
  viewer: 'viewer-token-0123456789',
  scoped: 'scoped-token-0123456789',
};
const auth = (who: keyof typeof TOKENS) => `Bearer ${TOKENS[who]}`;

describe('snapshot and compliance routes', () => {
  let sim: Simulator;
  let db: Knex;
  let server: any;
  let scopedDomain: string;

  beforeAll(async () => {
    sim = await startTinySim();
    prepareSim(sim);
    db = await databases.init('SQLITE_3');
    scopedDomain = sim.state.projects
      .all()
      .find(p => p.domain_id !== 'default')!.domain_id;
    const config = {
      pf9: {
        clouds: [simCloud(sim)],
        access: {
          roles: {
            admin: ['service:external:admin-bot'],
            viewer: [
              'service:external:viewer-bot',
              'service:external:scoped-bot',
            ],
          },
          scopes: [
            { group: 'service:external:scoped-bot', domainIds: [scopedDomain] },
          ],
        },
        inventory: { schedule: { initialDelay: { hours: 1 } } },
        export: { schedule: { enabled: false } },
        snapshots: { enabled: false },
        monitoring: { allowAnonymousScrape: true },
      },
      permission: { enabled: true },
      backend: {
        auth: {
          externalAccess: Object.entries(TOKENS).map(([who, token]) => ({
            type: 'static',
            options: { token, subject: `${who}-bot` },
          })),
        },
      },
    };
    ({ server } = await startTestBackend({
      features: [
        pf9Plugin,
        permissionBackend,
        pf9PermissionPolicyModule,
        mockServices.rootConfig.factory({ data: config }),
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          async factory({ plugin }) {
            const knex =
              plugin.getId() === 'pf9' ? db : await databases.init('SQLITE_3');
            return mockServices.database({ knex });
          },
        }),
        permissionsServiceFactory,
        authServiceFactory,
        httpAuthServiceFactory,
      ],
    }));
  });

  afterAll(async () => {
    await sim.close();
    await closeSharedAgents();
  });

  const api = (path: string) => `/api/pf9${path}`;

  async function waitForRun(runId: string) {
    for (let i = 0; i < 200; i++) {
      const res = await request(server)
        .get(api(`/snapshots/runs/${runId}`))
        .set('Authorization', auth('viewer'));
      if (res.body.status !== 'running') return res.body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`run ${runId} did not finish`);
  }

  async function audits(eventId: string) {
    return db('audit_events').where({ event_id: eventId }).orderBy('id');
  }

  it('lists the seeded policies', async () => {
    const res = await request(server)
      .get(api('/snapshots/policies'))
      .set('Authorization', auth('viewer'));
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: any) => p.name)).toEqual([
      'daily_5',
      'monthly_15th',
      'monthly_1st',
    ]);
    expect(res.body.items[0]).toMatchObject({
      frequency: 'daily',
      defaultRetention: 5,
      windowStart: '00:00',
      windowHours: 24,
      timezone: 'UTC',
    });
  });

  it.each([
    [{ name: 'Bad-Name', frequency: 'daily', defaultRetention: 3 }, /name/],
    [{ name: 'w', frequency: 'weekly', defaultRetention: 3 }, /dayOfWeek/],
    [
      { name: 'd', frequency: 'daily', dayOfMonth: 3, defaultRetention: 3 },
      /dayOfMonth/,
    ],
    [
      { name: 'd', frequency: 'daily', defaultRetention: 0 },
      /defaultRetention/,
    ],
    [
      {
        name: 'd',
        frequency: 'daily',
        defaultRetention: 3,
        timezone: 'Mars/Base',
      },
      /timezone/,
    ],
    [
      { name: 'd', frequency: 'daily', defaultRetention: 3, windowHours: 25 },
      /windowHours/,
    ],
    [
      {
        name: 'd',
        frequency: 'daily',
        defaultRetention: 3,
        windowStart: '24:00',
      },
      /windowStart/,
    ],
    [
      { name: 'd', frequency: 'daily', defaultRetention: 3, extra: 1 },
      /Unrecognized|extra/,
    ],
  ])('rejects %j with 400 and changes nothing', async (body, message) => {
    const res = await request(server)
      .post(api('/snapshots/policies'))
      .set('Authorization', auth('admin'))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect(await db('snapshot_policies').count({ n: '*' })).toEqual([{ n: 3 }]);
  });

  it('creates, updates and deletes a policy, audited; a referenced policy cannot be deleted', async () => {
    const created = await request(server)
      .post(api('/snapshots/policies'))
      .set('Authorization', auth('admin'))
      .send({
        name: 'weekly_sun',
        frequency: 'weekly',
        dayOfWeek: 7,
        timezone: 'Europe/Berlin',
        defaultRetention: 4,
      });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ windowHours: 48, enabled: true });

    const denied = await request(server)
      .put(api('/snapshots/policies/weekly_sun'))
      .set('Authorization', auth('viewer'))
      .send({ enabled: false });
    expect(denied.status).toBe(403);

    const updated = await request(server)
      .put(api('/snapshots/policies/weekly_sun'))
      .set('Authorization', auth('admin'))
      .send({ frequency: 'monthly', dayOfMonth: 31, windowHours: 72 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ dayOfWeek: null, dayOfMonth: 31 });

    await db('snapshot_assignments').insert({
      cloud_id: 'sim',
      volume_id: 'v-ref',
      policy: 'weekly_sun',
      source: 'metadata',
      first_protected_at: new Date(),
      evaluated_at: new Date(),
    });
    const conflict = await request(server)
      .delete(api('/snapshots/policies/weekly_sun'))
      .set('Authorization', auth('admin'));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.details).toEqual({
      code: 'SNAPSHOT_POLICY_IN_USE',
      assignments: 1,
    });
    await db('snapshot_assignments').where({ volume_id: 'v-ref' }).delete();

    const gone = await request(server)
      .delete(api('/snapshots/policies/weekly_sun'))
      .set('Authorization', auth('admin'));
    expect(gone.status).toBe(204);

    const events = await db('audit_events')
      .where({ target_type: 'snapshot_policy', target_id: 'weekly_sun' })
      .orderBy('id');
    expect(events.map(e => [e.event_id, e.outcome, e.actor])).toEqual([
      ['snapshot.policy.create', 'success', 'service:external:admin-bot'],
      ['snapshot.policy.update', 'success', 'service:external:admin-bot'],
      ['snapshot.policy.delete', 'fail', 'service:external:admin-bot'],
      ['snapshot.policy.delete', 'success', 'service:external:admin-bot'],
    ]);
  });

  it.each([
    [{ name: 'r', action: 'include', policies: [] }, /policies/],
    [
      { name: 'r', action: 'include', policies: ['nope'] },
      /policies: unknown policy nope/,
    ],
    [
      {
        name: 'r',
        action: 'include',
        policies: ['daily_5'],
        match: { colour: 'red' },
      },
      /match: .*colour|match.*Unrecognized/,
    ],
    [
      {
        name: 'r',
        action: 'include',
        policies: ['daily_5'],
        match: { min_size_gb: 'big' },
      },
      /match.min_size_gb/,
    ],
    [
      {
        name: 'r',
        action: 'include',
        policies: ['daily_5'],
        retention: { monthly_1st: 2 },
      },
      /retention.monthly_1st/,
    ],
    [{ name: 'r', action: 'exclude', policies: ['daily_5'] }, /policies/],
  ])(
    'rejects the rule %j with 400 naming the field, and keeps the rule set',
    async (body, message) => {
      const res = await request(server)
        .post(api('/snapshots/rules'))
        .set('Authorization', auth('admin'))
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(await db('snapshot_rules').count({ n: '*' })).toEqual([{ n: 0 }]);
    },
  );

  it('manages rules, manual assignments and exclusions, audited with the user; previews with GETs only', async () => {
    const denied = await request(server)
      .post(api('/snapshots/rules'))
      .set('Authorization', auth('viewer'))
      .send({ name: 'r', action: 'exclude' });
    expect(denied.status).toBe(403);

    const catchAll = await request(server)
      .post(api('/snapshots/rules'))
      .set('Authorization', auth('admin'))
      .send({ name: 'nothing', action: 'exclude', enabled: false });
    expect(catchAll.status).toBe(201);
    expect(catchAll.body.warnings).toHaveLength(1);

    const rule = await request(server)
      .post(api('/snapshots/rules'))
      .set('Authorization', auth('admin'))
      .send({
        name: 'big',
        action: 'include',
        priority: 10,
        match: { min_size_gb: 1 },
        policies: ['monthly_15th'],
        retention: { monthly_15th: 2 },
      });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({
      priority: 10,
      enabled: true,
      warnings: [],
    });
    const updated = await request(server)
      .put(api('/snapshots/rules/big'))
      .set('Authorization', auth('admin'))
      .send({ priority: 20 });
    expect(updated.body.priority).toBe(20);

    const inUse = await request(server)
      .delete(api('/snapshots/policies/monthly_15th'))
      .set('Authorization', auth('admin'));
    expect(inUse.status).toBe(409);

    const volume = sim.state.volumes.all()[0];
    const manual = await request(server)
      .put(api('/snapshots/assignments/manual'))
      .set('Authorization', auth('admin'))
      .send({ volumeId: volume.id, policies: ['daily_5'], note: 'db' });
    expect(manual.status).toBe(200);
    const badManual = await request(server)
      .put(api('/snapshots/assignments/manual'))
      .set('Authorization', auth('admin'))
      .send({
        volumeId: volume.id,
        policies: ['daily_5'],
        retention: { daily_5: 0 },
      });
    expect(badManual.status).toBe(400);
    expect(badManual.body.error.message).toMatch(/retention.daily_5/);
    const exclusion = await request(server)
      .put(api('/snapshots/exclusions'))
      .set('Authorization', auth('admin'))
      .send({ volumeId: 'v-x', reason: 'scratch', expiresAt: 'soon' });
    expect(exclusion.status).toBe(400);
    expect(exclusion.body.error.message).toMatch(/expiresAt/);

    const before = JSON.stringify(sim.state.volumes.all());
    const logStart = sim.requestLog.length;
    const preview = await request(server)
      .post(api('/snapshots/assignments/preview'))
      .set('Authorization', auth('admin'))
      .send({
        rules: [{ name: 'draft', action: 'include', policies: ['daily_5'] }],
        pageSize: 1000,
      });
    expect(preview.status).toBe(200);
    const writes = sim.requestLog
      .slice(logStart)
      .filter(
        r =>
          !['GET', 'HEAD'].includes(r.method) &&
          !(r.method === 'POST' && r.path === '/v3/auth/tokens'),
      );
    expect(writes).toEqual([]);
    expect(JSON.stringify(sim.state.volumes.all())).toBe(before);
    const row = preview.body.items.find((o: any) => o.volumeId === volume.id);
    expect(row.proposed).toMatchObject({ source: 'manual' });
    expect(preview.body.summary.volumes).toBe(preview.body.total);

    const events = await db('audit_events')
      .whereIn('event_id', [
        'snapshot.rule.create',
        'snapshot.rule.update',
        'snapshot.assignment.manual.put',
      ])
      .where({ outcome: 'success' })
      .orderBy('id');
    expect(events.map(e => [e.event_id, e.actor])).toEqual([
      ['snapshot.rule.create', 'service:external:admin-bot'],
      ['snapshot.rule.create', 'service:external:admin-bot'],
      ['snapshot.rule.update', 'service:external:admin-bot'],
      ['snapshot.assignment.manual.put', 'service:external:admin-bot'],
    ]);

    // clean up for the tests that follow
    for (const name of ['big', 'nothing']) {
      await request(server)
        .delete(api(`/snapshots/rules/${name}`))
        .set('Authorization', auth('admin'));
    }
    await request(server)
      .delete(api(`/snapshots/assignments/manual/${volume.id}`))
      .set('Authorization', auth('admin'));
    expect(await db('snapshot_rules').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('runs a dry-run and a cycle (202), refuses a second one while it runs (409), and serves the records', async () => {
    const forbidden = await request(server)
      .post(api('/snapshots/runs'))
      .set('Authorization', auth('viewer'))
      .send({ dryRun: true });
    expect(forbidden.status).toBe(403);
    const bad = await request(server)
      .post(api('/snapshots/runs'))
      .set('Authorization', auth('admin'))
      .send({ policies: ['nope'] });
    expect(bad.status).toBe(400);

    const dry = await request(server)
      .post(api('/snapshots/runs'))
      .set('Authorization', auth('admin'))
      .send({ dryRun: true });
    expect(dry.status).toBe(202);
    const dryRun = await waitForRun(dry.body.runId);
    expect(dryRun).toMatchObject({ dryRun: true, status: 'completed' });

    sim.faults.add({
      method: 'GET',
      pathPattern: '/volumes/detail$',
      delayMs: 500,
      times: 1,
    });
    const first = await request(server)
      .post(api('/snapshots/runs'))
      .set('Authorization', auth('admin'))
      .send({});
    expect(first.status).toBe(202);
    const second = await request(server)
      .post(api('/snapshots/runs'))
      .set('Authorization', auth('admin'))
      .send({});
    expect(second.status).toBe(409);
    expect(second.body.error.details).toEqual({
      code: 'SNAPSHOT_CYCLE_RUNNING',
      runId: first.body.runId,
    });
    const run = await waitForRun(first.body.runId);
    expect(run.status).toBe('completed');
    expect(run.counts.created).toBeGreaterThan(0);

    const list = await request(server)
      .get(api('/snapshots/runs?pageSize=1'))
      .set('Authorization', auth('viewer'));
    expect(list.body).toMatchObject({ page: 1, pageSize: 1, total: 2 });

    const records = await request(server)
      .get(api(`/snapshots/runs/${run.id}/records?action=created`))
      .set('Authorization', auth('viewer'));
    expect(records.body.total).toBe(run.counts.created);
    expect(records.body.items[0]).toMatchObject({
      action: 'created',
      policy: 'daily_5',
      snapshot: expect.objectContaining({ status: expect.any(String) }),
    });
    const scoped = await request(server)
      .get(api(`/snapshots/runs/${run.id}/records`))
      .set('Authorization', auth('scoped'));
    expect(
      scoped.body.items.every((r: any) => r.domainId === scopedDomain),
    ).toBe(true);

    const triggers = await audits('snapshot.run.trigger');
    expect(triggers.map(e => e.outcome)).toEqual([
      'success',
      'success',
      'fail',
    ]);
  });

  it('serves the latest compliance evaluation (stored after the cycle), scope-filtered, and metrics', async () => {
    // the evaluation runs right after the cycle's record is finalised
    let res = await request(server)
      .get(api('/compliance'))
      .set('Authorization', auth('viewer'));
    for (let i = 0; i < 100 && !res.body.evaluatedAt; i++) {
      await new Promise(r => setTimeout(r, 50));
      res = await request(server)
        .get(api('/compliance'))
        .set('Authorization', auth('viewer'));
    }
    expect(res.status).toBe(200);
    expect(res.body.evaluatedAt).toEqual(expect.any(String));
    expect(res.body.total).toBeGreaterThan(0);
    expect(res.body.summary.pairs).toBeDefined();

    const summary = await request(server)
      .get(api('/compliance/summary?groupBy=policy'))
      .set('Authorization', auth('viewer'));
    expect(summary.body.groups.map((g: any) => g.key)).toContain('daily_5');

    const scoped = await request(server)
      .get(api('/compliance?pageSize=1000'))
      .set('Authorization', auth('scoped'));
    expect(
      scoped.body.items.every((r: any) => r.domainId === scopedDomain),
    ).toBe(true);
    const bad = await request(server)
      .get(api('/compliance?status=fine'))
      .set('Authorization', auth('viewer'));
    expect(bad.status).toBe(400);

    const evaluate = await request(server)
      .post(api('/compliance/evaluations'))
      .set('Authorization', auth('admin'))
      .send({});
    expect(evaluate.status).toBe(201);

    const metrics = await request(server).get(api('/metrics'));
    expect(metrics.text).toMatch(
      /pf9_snapshots_created_total\{cloud="sim",policy="daily_5"\} [1-9]/,
    );
    expect(metrics.text).toMatch(
      /pf9_snapshot_compliance_pairs\{cloud="sim",policy="daily_5",status="pending"\}/,
    );
    expect(metrics.text).toMatch(
      /pf9_snapshot_evaluation_timestamp_seconds\{cloud="sim"\}/,
    );
  });
  it('lists manual snapshots of the latest evaluation (CMP-4) and exports a run (XLSX/CSV)', async () => {
    const evaluate = await request(server)
      .post(api('/compliance/evaluations'))
      .set('Authorization', auth('admin'))
      .send({});
    expect(evaluate.status).toBe(201);
    const manual = sim.state.snapshots
      .all()
      .filter(s => s.metadata?.created_by !== 'p9_auto_snapshots');
    const res = await request(server)
      .get(api('/compliance/manual-snapshots?pageSize=1000'))
      .set('Authorization', auth('viewer'));
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(manual.length);
    expect(res.body.items.map((i: any) => i.snapshotId).sort()).toEqual(
      manual.map(s => s.id).sort(),
    );
    const scoped = await request(server)
      .get(api('/compliance/manual-snapshots?pageSize=1000'))
      .set('Authorization', auth('scoped'));
    expect(
      scoped.body.items.every((i: any) => i.domainId === scopedDomain),
    ).toBe(true);

    const runs = await request(server)
      .get(api('/snapshots/runs'))
      .set('Authorization', auth('viewer'));
    const runId = runs.body.items[0].id;
    const xlsx = await request(server)
      .get(api(`/snapshots/runs/${runId}/export?format=xlsx`))
      .set('Authorization', auth('viewer'))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-disposition']).toContain(
      `pf9-snapshot-run-sim-${runId}.xlsx`,
    );
    // an XLSX file is a ZIP archive
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    const records = await request(server)
      .get(
        api(
          '/snapshots/records?action=created&policy=daily_5&since=2020-01-01T00:00:00Z',
        ),
      )
      .set('Authorization', auth('viewer'));
    expect(records.status).toBe(200);
    expect(records.body.total).toBeGreaterThan(0);
    expect(
      records.body.items.every(
        (r: any) => r.action === 'created' && r.policy === 'daily_5',
      ),
    ).toBe(true);
    const scopedRecords = await request(server)
      .get(api('/snapshots/records?pageSize=1000'))
      .set('Authorization', auth('scoped'));
    expect(
      scopedRecords.body.items.every((r: any) => r.domainId === scopedDomain),
    ).toBe(true);
    const badSince = await request(server)
      .get(api('/snapshots/records?since=yesterday'))
      .set('Authorization', auth('viewer'));
    expect(badSince.status).toBe(400);
    expect(badSince.body.error.message).toMatch(/since/);

    const bad = await request(server)
      .get(api(`/snapshots/runs/${runId}/export?format=pdf`))
      .set('Authorization', auth('viewer'));
    expect(bad.status).toBe(400);
    expect(
      await db('audit_events')
        .where({ event_id: 'snapshot.run.export' })
        .count({ n: '*' }),
    ).toEqual([{ n: 1 }]);
  });

  it('cancels a running run (202, audited with the user); 404 unknown, 409 not running, 403 viewer', async () => {
    // a run held by another instance: only its stored row exists here
    await db('snapshot_runs').insert({
      id: 'run-elsewhere',
      cloud_id: 'elsewhere',
      trigger: 'api',
      triggered_by: 'user:default/someone',
      dry_run: false,
      catch_up: false,
      policies: null,
      status: 'running',
      started_at: new Date(),
      timeout_ms: 3_600_000,
    });
    const denied = await request(server)
      .post(api('/snapshots/runs/run-elsewhere/cancel'))
      .set('Authorization', auth('viewer'));
    expect(denied.status).toBe(403);
    const unknown = await request(server)
      .post(api('/snapshots/runs/no-such-run/cancel'))
      .set('Authorization', auth('admin'));
    expect(unknown.status).toBe(404);

    const accepted = await request(server)
      .post(api('/snapshots/runs/run-elsewhere/cancel'))
      .set('Authorization', auth('admin'));
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      id: 'run-elsewhere',
      status: 'running',
      cancelRequestedBy: expect.stringContaining('admin-bot'),
    });
    const row = await db('snapshot_runs')
      .where({ id: 'run-elsewhere' })
      .first();
    expect(row.cancel_requested_at).not.toBeNull();

    await db('snapshot_runs')
      .where({ id: 'run-elsewhere' })
      .update({ status: 'canceled', finished_at: new Date() });
    const finished = await request(server)
      .post(api('/snapshots/runs/run-elsewhere/cancel'))
      .set('Authorization', auth('admin'));
    expect(finished.status).toBe(409);

    const events = await audits('snapshot.run.cancel');
    expect(events.map(e => [e.outcome, e.target_id])).toEqual([
      ['success', 'run-elsewhere'],
      ['fail', 'run-elsewhere'],
    ]);
    expect(events[0].actor).toContain('admin-bot');
  });

  it('lists orphaned managed snapshots (SNAP-20) scope-filtered; 400 on an unknown parameter', async () => {
    const all = await request(server)
      .get(api('/snapshots/orphans'))
      .set('Authorization', auth('viewer'));
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      complete: true,
      items: expect.any(Array),
    });
    const scoped = await request(server)
      .get(api('/snapshots/orphans'))
      .set('Authorization', auth('scoped'));
    expect(scoped.status).toBe(200);
    expect(scoped.body.items).toEqual(
      all.body.items.filter((o: any) => o.domainId === scopedDomain),
    );
    const bad = await request(server)
      .get(api('/snapshots/orphans?volume=x'))
      .set('Authorization', auth('viewer'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/volume/);
  });
});
