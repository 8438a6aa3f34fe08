/* eslint-disable no-console */
/**
 * `yarn bench`: runs every benchmark of bench/ (each top-level `*.ts` but this runner), one after
 * the other, each in its own Node process, and passes extra arguments on (e.g. `--rounds 5`).
 */
import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import { basename, join } from 'path';

const dir = __dirname;
const benches = readdirSync(dir)
  .filter(f => f.endsWith('.ts') && f !== basename(__filename))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== bench/${file}`);
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      join(dir, file),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', cwd: join(dir, '..') },
  );
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${file} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exitCode = failed ? 1 : 0;
