/**
 * RST-17 on the simulator: a failure injected at every step of both modes leaves no resource the job
 * created, leaves a side-by-side original untouched, and leaves a replaced server either restarted as it
 * was (before the point of no return) or recovered under its name (after it).
 */
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import type { FaultSpec, Simulator } from '@internal/openstack-sim';
import type { RestoreMode, RestoreStepName } from '@internal/plugin-pf9-common';
import { Knex } from 'knex';
import { migrated } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import {
  Fixture,
  jobResources,
  plan,
  planRequest,
  restoreInstance,
  serverFingerprint,
  serversNamed,
  waitForStatus,
  startRestoreSim,
} from './__testUtils__/executorHarness';

jest.setTimeout(600_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const SERVER = '/compute/v2.1/servers/[^/]+$';

interface Injection {
  /** the step at whose start the fault is installed (the step before, for faults that show in a wait) */
  at?: RestoreStepName;
  fault: FaultSpec;
  /** a keypair problem is only a warning (RST-9) */
  warning?: string;
}

const INJECTIONS: Partial<Record<RestoreStepName, Injection>> = {
  VALIDATE: { fault: { method: 'GET', pathPattern: SERVER, status: 500 } },
  PREPARE_CREDENTIALS: {
    fault: { method: 'POST', pathPattern: '^/v3/auth/tokens$', status: 500 },
  },
  QUOTA_CHECK: {
    fault: {
      method: 'GET',
      pathPattern: '(os-quota-sets|quotas)/',
      status: 500,
    },
  },
  STOP_ORIGINAL: {
    fault: { method: 'POST', pathPattern: '/action$', status: 500 },
  },
  SAFETY_SNAPSHOT: {
    fault: { method: 'POST', pathPattern: '/snapshots$', status: 500 },
  },
  WAIT_SAFETY_SNAPSHOT: {
    at: 'SAFETY_SNAPSHOT',
    fault: {
      method: 'POST',
      pathPattern: '/snapshots$',
      buildError: 'backend full',
    },
  },
  PROTECT_ORIGINAL_VOLUMES: {
    fault: {
      method: 'PUT',
      pathPattern: '/os-volume_attachments/',
      status: 500,
    },
  },
  DELETE_ORIGINAL: {
    fault: { method: 'DELETE', pathPattern: SERVER, status: 500 },
  },
  WAIT_ORIGINAL_DELETED: {
    fault: { method: 'GET', pathPattern: SERVER, status: 500 },
  },
  RELEASE_PORTS: {
    fault: { method: 'GET', pathPattern: '/v2.0/ports/[^/]+$', status: 500 },
  },
  CREATE_VOLUMES: {
    fault: { method: 'POST', pathPattern: '/volumes$', status: 500 },
  },
  WAIT_VOLUMES: {
    at: 'CREATE_VOLUMES',
    fault: {
      method: 'POST',
      pathPattern: '/volumes$',
      buildError: 'no space left',
    },
  },
  PREPARE_KEYPAIR: {
    fault: { method: 'POST', pathPattern: '/os-keypairs$', status: 500 },
    warning: 'KEYPAIR_UNAVAILABLE',
  },
  CREATE_PORTS: {
    fault: { method: 'POST', pathPattern: '/v2.0/ports$', status: 500 },
  },
  CREATE_SERVER: {
    fault: {
      method: 'POST',
      pathPattern: '/compute/v2.1/servers$',
      status: 500,
    },
  },
  WAIT_SERVER_ACTIVE: {
    at: 'CREATE_SERVER',
    fault: {
      method: 'POST',
      pathPattern: '/compute/v2.1/servers$',
      buildError: 'No valid host was found',
    },
  },
  ATTACH_DATA_VOLUMES: {
    fault: {
      method: 'POST',
      pathPattern: '/os-volume_attachments$',
      status: 500,
    },
  },
  VERIFY: { fault: { method: 'GET', pathPattern: SERVER, status: 500 } },
  FINALIZE: {
    fault: { method: 'DELETE', pathPattern: '/os-keypairs/', status: 500 },
    warning: 'KEYPAIR_NOT_REMOVED',
  },
};

const SIDE_BY_SIDE_STEPS: RestoreStepName[] = [
  'VALIDATE',
  'PREPARE_CREDENTIALS',
  'QUOTA_CHECK',
  'CREATE_VOLUMES',
  'WAIT_VOLUMES',
  'PREPARE_KEYPAIR',
  'CREATE_PORTS',
  'CREATE_SERVER',
  'WAIT_SERVER_ACTIVE',
  'ATTACH_DATA_VOLUMES',
  'VERIFY',
  'FINALIZE',
];
const REPLACE_ONLY: RestoreStepName[] = [
  'STOP_ORIGINAL',
  'SAFETY_SNAPSHOT',
  'WAIT_SAFETY_SNAPSHOT',
  'PROTECT_ORIGINAL_VOLUMES',
  'DELETE_ORIGINAL',
  'WAIT_ORIGINAL_DELETED',
  'RELEASE_PORTS',
];
/** replace failures from here on find the original gone: rollback recovers it */
const PAST_POINT_OF_NO_RETURN = new Set<RestoreStepName>([
  'WAIT_ORIGINAL_DELETED',
  'RELEASE_PORTS',
  ...SIDE_BY_SIDE_STEPS.slice(3),
]);

const cases: Array<[TestDatabaseId, RestoreMode, RestoreStepName]> = [];
for (const [id] of databases.eachSupportedId()) {
  for (const step of SIDE_BY_SIDE_STEPS) cases.push([id, 'side_by_side', step]);
  for (const step of [
    ...SIDE_BY_SIDE_STEPS.slice(0, 3),
    ...REPLACE_ONLY,
    ...SIDE_BY_SIDE_STEPS.slice(3),
  ]) {
    cases.push([id, 'replace', step]);
  }
}

describe('restore rollback with a failure at every step', () => {
  let sim: Simulator;
  let fixture: Fixture;

  beforeEach(async () => {
    ({ sim, fixture } = await startRestoreSim('app-1'));
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it.each(cases)('%s %s: failure at %s', async (id, mode, step) => {
    const db: Knex = await migrated(await databases.init(id));
    const injection = INJECTIONS[step]!;
    const before = serverFingerprint(sim, fixture.serverId);
    const p = await plan(db, sim, planRequest(fixture, { mode }));
    const instance = restoreInstance(db, sim, {
      onStepStart: async (_jobId, current) => {
        if (current === (injection.at ?? step))
          sim.faults.add({ times: 1, ...injection.fault });
      },
    });
    instance.runner.start();
    await instance.control.execute({
      jobId: p.planId,
      dryRun: false,
      actor: 'user:default/op',
    });
    const status = await waitForStatus(db, p.planId);
    await instance.runner.stop();
    const job = await db('restore_jobs').where({ id: p.planId }).first();
    const left = jobResources(sim, p.planId);
    const ledger = await db('restore_ledger').where({ job_id: p.planId });

    const warnings: string[] = JSON.parse(job.warnings ?? '[]').map(
      (w: any) => w.code,
    );
    const failedStep = await db('restore_steps')
      .where({ job_id: p.planId, name: step })
      .first();
    const presentCreated = ledger.filter(
      e => e.created_by_job && e.state === 'present',
    );
    const kept = new Set(
      ledger.filter(e => e.state === 'kept').map(e => e.resource_id),
    );
    const named = serversNamed(sim, fixture.serverName).map(s => [
      s.id,
      s.status,
    ]);
    const observed = {
      status,
      stepStatus: failedStep.status,
      warned: injection.warning ? warnings.includes(injection.warning) : null,
      volumes: left.volumes,
      keypairs: injection.warning ? null : left.keypairs,
      images: left.images,
      servers: left.servers,
      portsNotKept: left.ports.filter(portId => !kept.has(portId)),
      snapshots: [...left.snapshots].sort(),
      presentCreated: presentCreated.length,
      original: serverFingerprint(sim, fixture.serverId),
      named,
    };
    expect(observed).toEqual(
      expectedOutcome(mode, step, injection, { job, before, fixture }),
    );
  });
});

/** What the table expects after the failure at `step` (RST-9 warnings, RST-17 rollback and recovery). */
function expectedOutcome(
  mode: RestoreMode,
  step: RestoreStepName,
  injection: Injection,
  x: { job: any; before: unknown; fixture: Fixture },
) {
  if (injection.warning) {
    // the restore succeeds; only the keypair part failed
    const result = x.job.result_server_id;
    return {
      status: 'SUCCEEDED',
      stepStatus: 'SUCCEEDED',
      warned: true,
      volumes: expect.any(Array),
      keypairs: null,
      images: [],
      servers: [result],
      portsNotKept: [],
      snapshots:
        mode === 'replace'
          ? [...JSON.parse(x.job.safety_snapshot_ids)].sort()
          : [],
      presentCreated: expect.any(Number),
      original: mode === 'replace' ? null : x.before,
      named: mode === 'replace' ? [[result, 'ACTIVE']] : expect.any(Array),
    };
  }
  const recovered = mode === 'replace' && PAST_POINT_OF_NO_RETURN.has(step);
  return {
    status: 'FAILED',
    stepStatus: 'FAILED',
    warned: null,
    volumes: [],
    keypairs: [],
    images: [],
    // after the point of no return: one ACTIVE server of the original name, recovered
    servers: recovered ? [x.job.recovered_server_id] : [],
    portsNotKept: [],
    snapshots: recovered
      ? [...JSON.parse(x.job.safety_snapshot_ids)].sort()
      : [],
    presentCreated: 0,
    // before it (and always in side_by_side): the original exactly as it was
    original: recovered ? null : x.before,
    named: recovered
      ? [[x.job.recovered_server_id, 'ACTIVE']]
      : [[x.fixture.serverId, 'ACTIVE']],
  };
}
