#!/usr/bin/env node
// Launches the TypeScript CLI under the project's own Node 24 (the `node` package), whatever Node runs
// this file: the machine may have an older one on its PATH.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
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
const child = spawn(
  node,
  ['--max-semi-space-size=8', '--disable-warning=ExperimentalWarning', cli, ...process.argv.slice(2)],
  // DOFS_PARENT_PID: `dofs serve` stops if this launcher is killed outright (SIGKILL cannot be forwarded).
  { stdio: 'inherit', env: { ...process.env, DOFS_PARENT_PID: String(process.pid) } },
);
// A signal sent to this process (kill <pid>, a supervisor's stop) reaches the CLI: `dofs serve` stops
// gracefully instead of being left behind under pid 1 when the launcher dies. A Ctrl-C reaches both processes
// (the terminal signals the whole group); the server takes the forwarded copy as the same Ctrl-C.
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));
// Under npm (`npx dofs serve`, `npm run dofs`), a shell may stand between npm and this process: npm forwards
// its SIGTERM to that shell, which dies without passing it on. Then this process's parent changes, and it
// stops the CLI as if it had got the SIGTERM itself.
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) forward('SIGTERM');
  }, 500).unref();
}
child.on('error', (error) => {
  process.stderr.write(`dofs: cannot start ${node}: ${error.message}\n`);
  process.exit(1);
});
// The CLI's exit status, or 128 + the signal that ended it, as a shell reports it.
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
