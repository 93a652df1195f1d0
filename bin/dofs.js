#!/usr/bin/env node
// Launches the TypeScript CLI under the project's own Node 24 (the `node` package), whatever Node runs
// this file: the machine may have an older one on its PATH.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
let node = process.execPath;
if (Number(process.versions.node.split('.')[0]) < 24) {
  try {
    node = require.resolve('node/bin/node');
  } catch {
    process.stderr.write('dofs: Node 24 is needed; run npm install in the DOFS folder first\n');
    process.exit(2);
  }
}
const cli = fileURLToPath(new URL('../src/cli/dofs.ts', import.meta.url));
// The young generation capped as `npm start` caps it (package.json), for `dofs serve`: V8's default let
// the HTTP thread's heap alone add about 100 MB of RSS under load.
const result = spawnSync(
  node,
  ['--max-semi-space-size=16', '--disable-warning=ExperimentalWarning', cli, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
