/**
 * Runs one inventory sync in a forked Node process (bench/lib/syncWorker.ts) and returns its figures.
 * `nodeFlags` are added to the worker's flags (e.g. `--cpu-prof`).
 */
import { fork } from 'child_process';
import { resolve } from 'path';
import type { SyncWorkerInput, SyncWorkerResult } from './syncWorker';

export type { SyncWorkerResult };

export function runSyncChild(
  input: SyncWorkerInput,
  nodeFlags: string[] = [],
): Promise<SyncWorkerResult> {
  return new Promise((ok, fail) => {
    const child = fork(
      resolve(__dirname, 'syncWorker.ts'),
      [JSON.stringify(input)],
      {
        execArgv: [
          '--expose-gc',
          '--require',
          '@backstage/cli/config/nodeTransform.cjs',
          ...nodeFlags,
        ],
        cwd: resolve(__dirname, '../..'),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let result: SyncWorkerResult | undefined;
    child.on('message', m => {
      result = m as SyncWorkerResult;
    });
    child.once('error', fail);
    child.once('exit', code => {
      if (result) ok(result);
      else fail(new Error(`sync worker exited (${code}) without a result`));
    });
  });
}
