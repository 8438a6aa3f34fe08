import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { restorePlan, startFakePf9Api } from '../__testUtils__/fakePf9Api';
import { createRestorePlanAction } from './restorePlan';

const OLIVIA = 'user:default/olivia';
/** The token the mock auth service issues for a call to pf9 on behalf of Olivia. */
const OLIVIA_TO_PF9 = `Bearer ${mockCredentials.service.token({
  onBehalfOf: mockCredentials.user(OLIVIA),
  targetPluginId: 'pf9',
})}`;

/** An action context run by Olivia; the test utils ignore a getInitiatorCredentials option, hence the spread. */
function contextFor(input: Record<string, any>) {
  return {
    ...createMockActionContext({
      input,
      logger: mockServices.logger.mock(),
    }),
    getInitiatorCredentials: async () => mockCredentials.user(OLIVIA),
  };
}

describe('pf9:restore:plan', () => {
  let api: Awaited<ReturnType<typeof startFakePf9Api>>;
  afterEach(() => api?.close());

  it('plans as the initiating user and outputs the plan', async () => {
    api = await startFakePf9Api(r =>
      r.method === 'POST' && r.path === '/restore/plans'
        ? {
            status: 201,
            body: restorePlan({
              planId: 'plan-42',
              mode: 'replace',
              confirmationText: 'DELETE AND RESTORE web-1',
              warnings: [{ code: 'NO_KEYPAIR', message: 'keypair gone' }],
            }),
          }
        : undefined,
    );
    const ctx = contextFor({
      serverId: 'srv-1',
      restorePointId: 'snap-1',
      mode: 'replace',
      ipStrategy: 'MANUAL_IP',
      manualIps: { 'net-1': '10.0.0.25' },
      newName: '  ',
      dataVolumes: 'skip',
      cloudId: 'demo',
    });

    await createRestorePlanAction(api.caller).handler(ctx as any);

    expect(api.requests).toEqual([
      {
        method: 'POST',
        path: '/restore/plans',
        authorization: OLIVIA_TO_PF9,
        body: {
          cloudId: 'demo',
          serverId: 'srv-1',
          restorePointId: 'snap-1',
          mode: 'replace',
          ipStrategy: 'MANUAL_IP',
          manualIps: { 'net-1': '10.0.0.25' },
          dataVolumes: 'skip',
        },
      },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('planId', 'plan-42');
    expect(ctx.output).toHaveBeenCalledWith('eligible', true);
    expect(ctx.output).toHaveBeenCalledWith(
      'confirmationText',
      'DELETE AND RESTORE web-1',
    );
    expect(ctx.output).toHaveBeenCalledWith('warnings', [
      { code: 'NO_KEYPAIR', message: 'keypair gone' },
    ]);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      'Warning NO_KEYPAIR: keypair gone',
    );
  });

  it('defaults to a side-by-side restore with new addresses', async () => {
    api = await startFakePf9Api(() => ({ status: 201, body: restorePlan() }));
    const ctx = contextFor({ serverId: 'srv-1', restorePointId: 'snap-1' });

    await createRestorePlanAction(api.caller).handler(ctx as any);

    expect(api.requests[0].body).toEqual({
      serverId: 'srv-1',
      restorePointId: 'snap-1',
      mode: 'side_by_side',
      ipStrategy: 'NEW_IPS',
    });
  });

  it('fails the step with the blockers when the restore is not eligible', async () => {
    api = await startFakePf9Api(() => ({
      status: 201,
      body: restorePlan({
        eligible: false,
        blockers: [
          { code: 'SERVER_LOCKED', message: 'the server is locked' },
          { code: 'QUOTA', message: 'cores: need 4, 2 left' },
        ],
      }),
    }));
    const ctx = contextFor({ serverId: 'srv-1', restorePointId: 'snap-1' });

    await expect(
      createRestorePlanAction(api.caller).handler(ctx as any),
    ).rejects.toThrow(
      'The restore of web-1 is blocked: SERVER_LOCKED: the server is locked; QUOTA: cores: need 4, 2 left',
    );
    expect(ctx.output).toHaveBeenCalledWith('eligible', false);
  });

  it('fails the step with the API error when the request is refused', async () => {
    api = await startFakePf9Api(() => ({
      status: 409,
      body: {
        error: {
          name: 'ConflictError',
          message: 'image-booted server: choose a server image snapshot',
        },
      },
    }));
    const ctx = contextFor({ serverId: 'srv-1', restorePointId: 'snap-1' });

    await expect(
      createRestorePlanAction(api.caller).handler(ctx as any),
    ).rejects.toThrow('image-booted server: choose a server image snapshot');
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
