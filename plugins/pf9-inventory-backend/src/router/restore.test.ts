import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import request from 'supertest';
import { startTinySim } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import {
  bootVolumeOf,
  dataVolumesOf,
  fixtureClient,
  pickServer,
  snapshotVolume,
  TEST_USER_DATA_KEY,
  writesSince,
} from '../restore/__testUtils__/planFixtures';
import { prepareSim } from '../snapshots/__testUtils__/sim';
import { startPf9Backend } from './__testUtils__/backend';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** Callers by role: static tokens whose subjects are mapped to pf9 roles (ACL-2). */
const USERS = {
  superadmin: 'service:external:alice-bot',
  technical: 'service:external:tina-bot',
  operator: 'service:external:olga-bot',
  viewer: 'service:external:vera-bot',
};
const TOKENS = Object.fromEntries(
  Object.values(USERS).map(ref => [
    ref.replace('service:external:', ''),
    `${ref.replace('service:external:', '')}-token-0123456789`,
  ]),
);
const as = (who: keyof typeof USERS) =>
  `Bearer ${TOKENS[USERS[who].replace('service:external:', '')]}`;
const api = (path: string) => `/api/pf9/restore${path}`;

const access = {
  roles: Object.fromEntries(
    Object.entries(USERS).map(([role, ref]) => [role, [ref]]),
  ),
};

it('runs on PostgreSQL when the test command provides it', () => {
  const required = process.env.PF9_REQUIRE_POSTGRES === '1';
  expect(!required || databases.supports('POSTGRES_15')).toBe(true);
});

describe.each(databases.eachSupportedId())('restore routes (%p)', dbId => {
  let sim: Simulator;
  let db: Knex;
  let server: any;
  let stop: () => Promise<void>;
  let vm: any;
  let snapshotId: string;

  beforeAll(async () => {
    sim = await startTinySim();
    prepareSim(sim);
    db = await databases.init(dbId);
    const backend = await startPf9Backend({
      db,
      databases,
      tokens: TOKENS,
      pf9: {
        clouds: [simCloud(sim)],
        access,
        restore: { enabled: true, userDataKey: TEST_USER_DATA_KEY },
      },
    });
    server = backend.server;
    stop = () => backend.stop();
    vm = pickServer(sim, 'volume');
    snapshotId = await snapshotVolume(
      fixtureClient(sim),
      bootVolumeOf(sim, vm.id).id,
    );
  });

  afterAll(async () => {
    await stop();
    await sim.close();
    await closeSharedAgents();
  });

  const planBody = (extra: object = {}) => ({
    serverId: vm.id,
    restorePointId: snapshotId,
    mode: 'side_by_side',
    ipStrategy: 'NEW_IPS',
    dataVolumes: 'skip',
    ...extra,
  });

  async function createPlan(
    extra: object = {},
    who: keyof typeof USERS = 'operator',
  ) {
    const res = await request(server)
      .post(api('/plans'))
      .set('Authorization', as(who))
      .send(planBody(extra));
    expect(res.body).toMatchObject({ planId: expect.any(String) });
    expect(res.status).toBe(201);
    return res.body;
  }

  const jobCount = async () =>
    Number((await db('restore_jobs').count({ n: '*' }))[0].n);
  const statusOf = async (id: string) =>
    (await db('restore_jobs').where({ id }).first()).status;
  const audits = (eventId: string) =>
    db('audit_events').where({ event_id: eventId }).orderBy('id');

  it('answers GET /config', async () => {
    const res = await request(server)
      .get(api('/config'))
      .set('Authorization', as('viewer'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      enabled: true,
      serviceUserConfigured: true,
      planTtlMinutes: 60,
      maxConcurrentJobs: 3,
    });
  });

  it.each([
    [{ serverId: undefined }, 'serverId'],
    [{ mode: 'sideways' }, 'mode'],
    [{ ipStrategy: 'SOME_IPS' }, 'ipStrategy'],
    [{ ipStrategy: 'MANUAL_IP' }, 'manualIps'],
    [
      { ipStrategy: 'MANUAL_IP', manualIps: { net: 'not-an-ip' } },
      'manualIps.net',
    ],
    [{ dataVolumes: 'all' }, 'dataVolumes'],
    [{ extra: true }, 'extra'],
  ])(
    '400 for a plan body %j, naming %s, storing nothing',
    async (extra, field) => {
      const before = await jobCount();
      const res = await request(server)
        .post(api('/plans'))
        .set('Authorization', as('operator'))
        .send(planBody(extra));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
      expect(await jobCount()).toBe(before);
    },
  );

  it('plans with GET calls only, accepts the legacy mode names and audits the user', async () => {
    const from = sim.requestLog.length;
    const plan = await createPlan({ mode: 'NEW' });
    expect(writesSince(sim, from)).toEqual([]);
    expect(plan).toMatchObject({
      mode: 'side_by_side',
      eligible: true,
      serverId: vm.id,
    });
    expect(await statusOf(plan.planId)).toBe('PLANNED');
    const replace = await createPlan({ mode: 'REPLACE' });
    expect(replace.mode).toBe('replace');
    const events = await audits('restore.plan.create');
    expect(events.map(e => e.actor)).toEqual([USERS.operator, USERS.operator]);
    expect(JSON.parse(events[0].details)).toMatchObject({
      jobId: plan.planId,
      serverId: vm.id,
      mode: 'side_by_side',
      ipStrategy: 'NEW_IPS',
      outcome: 'success',
    });
    const job = await request(server)
      .get(api(`/jobs/${plan.planId}`))
      .set('Authorization', as('viewer'));
    expect(job.status).toBe(200);
    const skipped = job.body.steps.filter(
      (s: any) => s.status === 'SKIPPED',
    ).length;
    expect(job.body.progress).toEqual({
      totalSteps: 20,
      doneSteps: skipped,
      currentStep: 'VALIDATE',
      percent: Math.floor((skipped / 20) * 100),
    });
    expect(job.body.queuePosition).toBeNull();
  });

  it('refuses a Cinder snapshot for an image-booted server with 409 RESTORE_POINT_UNSUPPORTED', async () => {
    const imageBooted = pickServer(sim, 'image', { withDataVolume: true });
    const dataSnapshot = await snapshotVolume(
      fixtureClient(sim),
      dataVolumesOf(sim, imageBooted.id)[0].id,
    );
    const res = await request(server)
      .post(api('/plans'))
      .set('Authorization', as('operator'))
      .send(
        planBody({ serverId: imageBooted.id, restorePointId: dataSnapshot }),
      );
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'image-booted server: choose a server image snapshot',
    );
    expect(res.body.error.details.code).toBe('RESTORE_POINT_UNSUPPORTED');
  });

  it('refuses replace execution to viewer, operator and technical (403) and leaves the job PLANNED', async () => {
    const plan = await createPlan({ mode: 'replace' });
    for (const who of ['viewer', 'operator', 'technical'] as const) {
      const res = await request(server)
        .post(api(`/plans/${plan.planId}/execute`))
        .set('Authorization', as(who))
        .send({ confirm: plan.confirmationText });
      expect(res.status).toBe(403);
    }
    expect(await statusOf(plan.planId)).toBe('PLANNED');
  });

  it('a wrong confirmation gives 409 CONFIRMATION_MISMATCH and changes nothing', async () => {
    const plan = await createPlan({ mode: 'replace' });
    const from = sim.requestLog.length;
    const res = await request(server)
      .post(api(`/plans/${plan.planId}/execute`))
      .set('Authorization', as('superadmin'))
      .send({ confirm: `DELETE AND RESTORE ${vm.name}x` });
    expect(res.status).toBe(409);
    expect(res.body.error.details.code).toBe('CONFIRMATION_MISMATCH');
    expect(await statusOf(plan.planId)).toBe('PLANNED');
    expect(writesSince(sim, from)).toEqual([]);
    const [event] = (await audits('restore.execute')).filter(
      e => e.target_id === plan.planId,
    );
    expect(event).toMatchObject({ actor: USERS.superadmin, outcome: 'fail' });
  });

  it('refuses an expired plan with 409 PLAN_EXPIRED and marks it EXPIRED', async () => {
    const plan = await createPlan();
    await db('restore_jobs')
      .where({ id: plan.planId })
      .update({ expires_at: new Date(Date.now() - 60_000) });
    const res = await request(server)
      .post(api(`/plans/${plan.planId}/execute`))
      .set('Authorization', as('technical'))
      .send({});
    expect(res.status).toBe(409);
    expect(res.body.error.details.code).toBe('PLAN_EXPIRED');
    expect(await statusOf(plan.planId)).toBe('EXPIRED');
  });

  it('executes a dry-run as technical: 202 PENDING, audited with the user', async () => {
    const plan = await createPlan();
    const res = await request(server)
      .post(api(`/plans/${plan.planId}/execute`))
      .set('Authorization', as('technical'))
      .send({ dryRun: true });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ jobId: plan.planId, status: 'PENDING' });
    const [event] = (await audits('restore.execute')).filter(
      e => e.target_id === plan.planId,
    );
    expect(event).toMatchObject({ actor: USERS.technical, outcome: 'success' });
    expect(JSON.parse(event.details)).toMatchObject({
      dryRun: true,
      serverId: vm.id,
    });
  });

  it('cancels a PLANNED job, retries it as a new plan (not as operator), and lists jobs with filters newest first', async () => {
    const plan = await createPlan({}, 'superadmin');
    const canceled = await request(server)
      .post(api(`/jobs/${plan.planId}/cancel`))
      .set('Authorization', as('technical'))
      .send({ reason: 'changed my mind' });
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('CANCELED');
    const [event] = (await audits('restore.cancel')).filter(
      e => e.target_id === plan.planId,
    );
    expect(event.actor).toBe(USERS.technical);

    const retry = await request(server)
      .post(api(`/jobs/${plan.planId}/retry`))
      .set('Authorization', as('operator'))
      .send({});
    expect(retry.status).toBe(403);
    const retried = await request(server)
      .post(api(`/jobs/${plan.planId}/retry`))
      .set('Authorization', as('superadmin'))
      .send({ ipStrategy: 'TRY_SAME_IPS' });
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({
      ipStrategy: 'TRY_SAME_IPS',
      serverId: vm.id,
    });
    expect(retried.body.planId).not.toBe(plan.planId);
    expect(
      (await db('restore_jobs').where({ id: retried.body.planId }).first())
        .retry_of,
    ).toBe(plan.planId);

    const list = await request(server)
      .get(api('/jobs'))
      .query({ createdBy: USERS.superadmin, status: 'CANCELED' })
      .set('Authorization', as('viewer'));
    expect(list.status).toBe(200);
    expect(list.body.items.map((j: any) => j.id)).toEqual([plan.planId]);

    const all = await request(server)
      .get(api('/jobs'))
      .query({ q: vm.name, pageSize: 100 })
      .set('Authorization', as('viewer'));
    const times = all.body.items.map((j: any) => j.createdAt);
    expect(times.length).toBeGreaterThan(1);
    expect([...times].sort().reverse()).toEqual(times);

    const bad = await request(server)
      .get(api('/jobs'))
      .query({ status: 'DONE' })
      .set('Authorization', as('viewer'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('status');
  });

  it('cleanup-storage needs the server name typed (409) and lists restore audit events newest first', async () => {
    const plan = await createPlan();
    const res = await request(server)
      .post(api(`/jobs/${plan.planId}/cleanup-storage`))
      .set('Authorization', as('superadmin'))
      .send({ deleteOldVolume: true, confirm: 'nope' });
    expect(res.status).toBe(409);
    expect(res.body.error.details.code).toBe('CONFIRMATION_MISMATCH');

    const audit = await request(server)
      .get(api('/audit'))
      .query({ serverId: vm.id })
      .set('Authorization', as('viewer'));
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThan(0);
    expect(
      audit.body.items.every((e: any) => e.eventId.startsWith('restore')),
    ).toBe(true);
    expect(audit.body.items.every((e: any) => e.serverId === vm.id)).toBe(true);
    const ids = audit.body.items.map((e: any) => e.id);
    expect([...ids].sort((a: number, b: number) => b - a)).toEqual(ids);
    expect(audit.body.items[0]).toMatchObject({
      eventId: 'restore.cleanup_storage',
      actor: USERS.superadmin,
      outcome: 'fail',
    });
  });
});

describe.each(databases.eachSupportedId())(
  'restore routes while disabled (%p)',
  dbId => {
    let server: any;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      const backend = await startPf9Backend({
        db: await databases.init(dbId),
        databases,
        tokens: TOKENS,
        pf9: {
          clouds: [
            {
              id: 'lab',
              auth: {
                url: 'http://127.0.0.1:9/v3',
                username: 'a',
                password: 'b',
              },
            },
          ],
          access,
        },
      });
      server = backend.server;
      stop = () => backend.stop();
    });
    afterAll(() => stop());

    it('answers /config and 503 RESTORE_DISABLED everywhere else', async () => {
      const config = await request(server)
        .get(api('/config'))
        .set('Authorization', as('viewer'));
      expect(config.status).toBe(200);
      expect(config.body.enabled).toBe(false);
      const calls = [
        request(server).get(api('/jobs')),
        request(server).get(api('/jobs/x')),
        request(server).get(api('/audit')),
        request(server).get(api('/servers/s1/restore-points')),
        request(server).post(api('/plans')).send({}),
        request(server).post(api('/plans/p1/execute')).send({}),
        request(server).post(api('/jobs/j1/cancel')).send({}),
        request(server).post(api('/jobs/j1/retry')).send({}),
        request(server).post(api('/jobs/j1/cleanup')).send({}),
        request(server).post(api('/jobs/j1/cleanup-storage')).send({}),
      ];
      for (const call of calls) {
        const res = await call.set('Authorization', as('superadmin'));
        expect(res.status).toBe(503);
        expect(res.body.error.details.code).toBe('RESTORE_DISABLED');
      }
    });
  },
);
