/**
 * The OpenStack simulator in a child process: its CPU (routing, filtering, JSON.stringify of every
 * page) runs on its own event loop and core, so it does not count against the client measured in
 * the benchmarking process.
 */
import { ChildProcess, spawn } from 'child_process';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import type { RequestLogEntry } from '../../packages/openstack-sim/src/faults';

export interface SimChild {
  /** Keystone URL, e.g. http://127.0.0.1:40123/v3 */
  authUrl: string;
  /** the simulator's root URL */
  url: string;
  pid: number;
  /** the scenario build time the simulator reports (generation only) */
  buildMs: number;
  /** from spawn to OPENSTACK_SIM_READY (Node start, TypeScript transform, build, listen) */
  readyMs: number;
  resources: number;
  /** CPU time (user + system) of the simulator process so far, in ms (Linux /proc) */
  cpuMs(): number;
  requestCount(): Promise<number>;
  requests(): Promise<RequestLogEntry[]>;
  clearRequests(): Promise<void>;
  stop(): Promise<void>;
}

export type { RequestLogEntry } from '../../packages/openstack-sim/src/faults';

const REPO = resolve(__dirname, '../..');
const CLOCK_TICKS_PER_S = 100;

export async function startSimChild(
  scenario: string,
  seed = 1,
): Promise<SimChild> {
  const started = Date.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      resolve(REPO, 'packages/openstack-sim/bin/openstack-sim'),
      '--scenario',
      scenario,
      '--seed',
      String(seed),
      '--port',
      '0',
      '--token-ttl',
      '86400',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const { authUrl, buildMs, resources } = await new Promise<{
    authUrl: string;
    buildMs: number;
    resources: number;
  }>((ok, fail) => {
    let out = '';
    let buildMsSeen = NaN;
    let resourcesSeen = NaN;
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const built = /\((\d+) resources, built in (\d+) ms\)/.exec(out);
      if (built) {
        resourcesSeen = Number(built[1]);
        buildMsSeen = Number(built[2]);
      }
      const ready = /OPENSTACK_SIM_READY url=(\S+)/.exec(out);
      if (ready) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        ok({
          authUrl: ready[1],
          buildMs: buildMsSeen,
          resources: resourcesSeen,
        });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', code =>
      fail(new Error(`simulator exited (${code}) before it was ready`)),
    );
  });
  const readyMs = Date.now() - started;
  const url = authUrl.replace(/\/v3$/, '');
  const pid = child.pid!;
  const admin = async (method: string, path: string) => {
    const res = await fetch(`${url}${path}`, { method });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
    return res.json() as Promise<any>;
  };
  return {
    authUrl,
    url,
    pid,
    buildMs,
    readyMs,
    resources,
    cpuMs() {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // fields[11] = utime, fields[12] = stime (the 14th and 15th of the whole line)
        return (
          ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S
        );
      } catch {
        return NaN;
      }
    },
    async requestCount() {
      return (await admin('GET', '/_sim/requests')).requests.length;
    },
    async requests() {
      return (await admin('GET', '/_sim/requests')).requests;
    },
    async clearRequests() {
      await admin('DELETE', '/_sim/requests');
    },
    stop() {
      return new Promise<void>(done => {
        if (child.exitCode !== null) {
          done();
          return;
        }
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    },
  };
}
