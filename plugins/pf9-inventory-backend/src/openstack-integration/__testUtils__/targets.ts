/**
 * The targets the integration suite runs against: the simulator always, the real oslab lab when
 * PF9_OSLAB_AUTH_URL is set. The same test bodies run on both, so every behaviour where they
 * differ shows up as a failing test.
 */
import { ADMIN_PASSWORD, startSimulator } from '@internal/openstack-sim';
import type { CloudConfig } from '../../config';

export interface RunningTarget {
  cloud: CloudConfig;
  /** how long to poll for a state change (creating → available, deleting → gone) */
  settleTimeoutMs: number;
  pollMs: number;
  stop(): Promise<void>;
}

export interface Target {
  name: 'sim' | 'lab';
  start(): Promise<RunningTarget>;
}

export const simTarget: Target = {
  name: 'sim',
  async start() {
    const sim = await startSimulator({
      scenario: 'tiny',
      seed: 1,
      port: 0,
      transitionMs: 150,
    });
    return {
      cloud: {
        id: 'sim',
        auth: {
          url: sim.authUrl,
          username: 'admin',
          password: ADMIN_PASSWORD,
          userDomain: 'Default',
          projectName: 'admin',
          projectDomain: 'Default',
        },
        region: 'RegionOne',
        interface: 'public',
        insecure: false,
      },
      settleTimeoutMs: 10_000,
      pollMs: 50,
      stop: () => sim.close(),
    };
  },
};

export function labTarget(authUrl: string): Target {
  return {
    name: 'lab',
    async start() {
      return {
        cloud: {
          id: 'oslab',
          auth: {
            url: authUrl,
            username: process.env.PF9_OSLAB_USERNAME ?? 'admin',
            password: process.env.PF9_OSLAB_PASSWORD ?? 'oslab-admin',
            userDomain: 'Default',
            projectName: 'admin',
            projectDomain: 'Default',
          },
          region: 'RegionOne',
          interface: 'public',
          insecure: false,
        },
        settleTimeoutMs: 90_000,
        pollMs: 1000,
        stop: async () => undefined,
      };
    },
  };
}

/** The simulator, plus the lab only when its URL is given (never a faked pass). */
export function integrationTargets(
  env: NodeJS.ProcessEnv = process.env,
): Target[] {
  const url = env.PF9_OSLAB_AUTH_URL;
  return url ? [simTarget, labTarget(url)] : [simTarget];
}

export async function waitUntil<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  pollMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise(r => setTimeout(r, pollMs));
  }
}
