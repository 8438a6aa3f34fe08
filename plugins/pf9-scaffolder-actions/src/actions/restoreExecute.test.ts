import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { RestoreJob } from '@internal/plugin-pf9-common';
import {
  RecordedRequest,
  restoreJob,
  startFakePf9Api,
  step,
} from '../__testUtils__/fakePf9Api';
import { createRestoreExecuteAction } from './restoreExecute';

const OLIVIA = 'user:default/olivia';
const OLIVIA_TO_PF9 = `Bearer ${mockCredentials.service.token({
  onBehalfOf: mockCredentials.user(OLIVIA),
  targetPluginId: 'pf9',
})}`;

function contextFor(input: Record<string, any>, signal?: AbortSignal) {
  return {
    ...createMockActionContext({
      input,
      logger: mockServices.logger.mock(),
    }),
    signal,
    getInitiatorCredentials: async () => mockCredentials.user(OLIVIA),
  };
}

/**
 * A pf9 API whose execute answers 202 and whose job reads walk through `states`, staying on the last;
 * `onCancel` answers POST cancel.
 */
function scriptedJobApi(states: RestoreJob[], onCancel?: () => RestoreJob) {
  let reads = 0;
  return (r: RecordedRequest) => {
    if (r.method === 'POST' && r.path === '/restore/plans/plan-1/execute') {
      return { status: 202, body: { jobId: 'job-1', status: 'PENDING' } };
    }
    if (r.method === 'GET' && r.path === '/restore/jobs/job-1') {
      const job = states[Math.min(reads, states.length - 1)];
      reads += 1;
      return { status: 200, body: job };
    }
    if (r.method === 'POST' && r.path === '/restore/jobs/job-1/cancel') {
      return onCancel ? { status: 200, body: onCancel() } : undefined;
    }
    return undefined;
  };
}

const t = (s: number) => `2026-11-26T09:00:${String(s).padStart(2, '0')}.000Z`;

describe('pf9:restore:execute', () => {
  let api: Awaited<ReturnType<typeof startFakePf9Api>>;
  afterEach(() => api?.close());

  it('executes as the initiating user, logs each step transition once and outputs the result', async () => {
    api = await startFakePf9Api(
      scriptedJobApi([
        restoreJob('PENDING', [
          step('VALIDATE', 'PENDING'),
          step('CREATE_SERVER', 'PENDING'),
        ]),
        restoreJob('RUNNING', [
          step('VALIDATE', 'SUCCEEDED', { startedAt: t(0), finishedAt: t(2) }),
          step('CREATE_SERVER', 'RUNNING', { startedAt: t(2) }),
        ]),
        restoreJob('RUNNING', [
          step('VALIDATE', 'SUCCEEDED', { startedAt: t(0), finishedAt: t(2) }),
          step('CREATE_SERVER', 'RUNNING', { startedAt: t(2) }),
        ]),
        restoreJob(
          'SUCCEEDED',
          [
            step('VALIDATE', 'SUCCEEDED', {
              startedAt: t(0),
              finishedAt: t(2),
            }),
            step('CREATE_SERVER', 'SUCCEEDED', {
              startedAt: t(2),
              finishedAt: t(14),
            }),
          ],
          { resultServerId: 'srv-2' },
        ),
      ]),
    );
    const ctx = contextFor({ planId: 'plan-1' });

    await createRestoreExecuteAction(api.caller, {
      pollIntervalMs: 5,
    }).handler(ctx as any);

    expect(api.requests[0]).toEqual({
      method: 'POST',
      path: '/restore/plans/plan-1/execute',
      authorization: OLIVIA_TO_PF9,
      body: { dryRun: false },
    });
    expect(api.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /restore/plans/plan-1/execute',
      'GET /restore/jobs/job-1',
      'GET /restore/jobs/job-1',
      'GET /restore/jobs/job-1',
      'GET /restore/jobs/job-1',
    ]);
    expect(api.requests.every(r => r.authorization === OLIVIA_TO_PF9)).toBe(
      true,
    );
    const lines = (ctx.logger.info as jest.Mock).mock.calls.map(c => c[0]);
    expect(lines).toEqual([
      'Executing plan plan-1 as restore job job-1',
      'Restore job job-1 is PENDING',
      'Restore job job-1 is RUNNING',
      '[50%] VALIDATE SUCCEEDED in 2.0 s',
      '[50%] CREATE_SERVER RUNNING',
      'Restore job job-1 is SUCCEEDED',
      '[100%] CREATE_SERVER SUCCEEDED in 12.0 s',
      'Restore job job-1 SUCCEEDED: server srv-2',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('jobId', 'job-1');
    expect(ctx.output).toHaveBeenCalledWith('status', 'SUCCEEDED');
    expect(ctx.output).toHaveBeenCalledWith('resultServerId', 'srv-2');
  });

  it('passes the confirmation and a dry-run, and logs what simulated steps would send', async () => {
    api = await startFakePf9Api(
      scriptedJobApi([
        restoreJob(
          'DRY_RUN_COMPLETED',
          [
            step('VALIDATE', 'SUCCEEDED'),
            step('DELETE_ORIGINAL', 'SIMULATED', {
              detail: { method: 'DELETE', path: '/servers/srv-1' },
            }),
          ],
          { dryRun: true },
        ),
      ]),
    );
    const ctx = contextFor({
      planId: 'plan-1',
      confirm: 'DELETE AND RESTORE web-1',
      dryRun: true,
    });

    await createRestoreExecuteAction(api.caller, {
      pollIntervalMs: 5,
    }).handler(ctx as any);

    expect(api.requests[0].body).toEqual({
      confirm: 'DELETE AND RESTORE web-1',
      dryRun: true,
    });
    expect(ctx.logger.info).toHaveBeenCalledWith(
      '[50%] DELETE_ORIGINAL SIMULATED: would send {"method":"DELETE","path":"/servers/srv-1"}',
    );
    expect(ctx.output).toHaveBeenCalledWith('status', 'DRY_RUN_COMPLETED');
  });

  it('fails the step when the job ends FAILED, logging the failed step', async () => {
    api = await startFakePf9Api(
      scriptedJobApi([
        restoreJob(
          'FAILED',
          [
            step('VALIDATE', 'SUCCEEDED'),
            step('WAIT_SERVER_ACTIVE', 'FAILED', {
              error: 'No valid host was found',
            }),
          ],
          { error: 'WAIT_SERVER_ACTIVE: No valid host was found' },
        ),
      ]),
    );
    const ctx = contextFor({ planId: 'plan-1' });

    await expect(
      createRestoreExecuteAction(api.caller, { pollIntervalMs: 5 }).handler(
        ctx as any,
      ),
    ).rejects.toThrow(
      'Restore job job-1 ended FAILED: WAIT_SERVER_ACTIVE: No valid host was found',
    );
    expect(ctx.logger.error).toHaveBeenCalledWith(
      '[50%] WAIT_SERVER_ACTIVE FAILED: No valid host was found',
    );
    expect(ctx.output).toHaveBeenCalledWith('status', 'FAILED');
  });

  it('cancels the job when the task is canceled', async () => {
    const controller = new AbortController();
    const running = restoreJob('RUNNING', [step('CREATE_VOLUMES', 'RUNNING')]);
    let cancelBody: unknown;
    api = await startFakePf9Api(r => {
      if (r.path === '/restore/jobs/job-1/cancel') cancelBody = r.body;
      return scriptedJobApi([running], () => ({
        ...running,
        status: 'CANCEL_REQUESTED',
      }))(r);
    });
    const ctx = contextFor({ planId: 'plan-1' }, controller.signal);
    (ctx.logger.info as jest.Mock).mockImplementation((line: string) => {
      if (line.includes('CREATE_VOLUMES RUNNING')) controller.abort();
    });

    await expect(
      createRestoreExecuteAction(api.caller, {
        pollIntervalMs: 60_000,
      }).handler(ctx as any),
    ).rejects.toThrow('Task canceled while restore job job-1 was running');
    const cancel = api.requests.find(r => r.path.endsWith('/cancel'));
    expect(cancel?.authorization).toBe(OLIVIA_TO_PF9);
    expect(cancelBody).toEqual({ reason: 'scaffolder task canceled' });
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      'Restore job job-1 is CANCEL_REQUESTED',
    );
  });

  it('follows the job of a recovered task instead of executing the plan again', async () => {
    api = await startFakePf9Api(
      scriptedJobApi([
        restoreJob('SUCCEEDED', [step('VALIDATE', 'SUCCEEDED')], {
          resultServerId: 'srv-2',
        }),
      ]),
    );
    const ctx = {
      ...contextFor({ planId: 'plan-1' }),
      // the task's stored checkpoint from before the scaffolder restarted
      checkpoint: async () => 'job-1',
    };

    await createRestoreExecuteAction(api.caller, {
      pollIntervalMs: 5,
    }).handler(ctx as any);

    expect(api.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /restore/jobs/job-1',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('status', 'SUCCEEDED');
  });

  it('keeps following the job through a passing API outage', async () => {
    let reads = 0;
    const done = restoreJob('SUCCEEDED', [step('VALIDATE', 'SUCCEEDED')]);
    api = await startFakePf9Api(r => {
      if (r.method === 'POST') {
        return { status: 202, body: { jobId: 'job-1', status: 'PENDING' } };
      }
      reads += 1;
      return reads < 3
        ? {
            status: 503,
            body: { error: { name: 'ServiceUnavailableError', message: 'x' } },
          }
        : { status: 200, body: done };
    });
    const ctx = contextFor({ planId: 'plan-1' });

    await createRestoreExecuteAction(api.caller, {
      pollIntervalMs: 5,
    }).handler(ctx as any);

    expect(reads).toBe(3);
    expect(ctx.logger.warn).toHaveBeenCalledTimes(2);
    expect(ctx.output).toHaveBeenCalledWith('status', 'SUCCEEDED');
  });

  it('does not poll when the execution is refused', async () => {
    api = await startFakePf9Api(() => ({
      status: 409,
      body: {
        error: {
          name: 'ConflictError',
          message: 'confirmation does not match',
          details: { code: 'CONFIRMATION_MISMATCH' },
        },
      },
    }));
    const ctx = contextFor({ planId: 'plan-1', confirm: 'yes' });

    await expect(
      createRestoreExecuteAction(api.caller, { pollIntervalMs: 5 }).handler(
        ctx as any,
      ),
    ).rejects.toThrow('confirmation does not match');
    expect(api.requests).toHaveLength(1);
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
