import { DataDirLockedError } from '../../adapters/sqlite/data-dir-lock.ts';
import { ConfigError, loadLocalConfig } from '../../config.ts';
import { createLocalSystem } from './local-system.ts';
import { createShutdown, STOP_SIGNALS } from './shutdown.ts';

let config: ReturnType<typeof loadLocalConfig>;
try {
  config = loadLocalConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`dofs: ${error.message}\n`);
  process.exit(2);
}

// A storage thread that dies is a bug: exit non-zero (after its log line) so a supervisor restarts DOFS;
// what was acknowledged is in SQLite.
let system: ReturnType<typeof createLocalSystem>;
try {
  system = createLocalSystem(config, { onFatal: () => process.exit(1) });
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error;
  process.stderr.write(`dofs: ${error.message}\n`);
  process.exit(3);
}
const { shutdown, onSignal } = createShutdown({
  stop: () => system.stop(),
  logger: system.logger,
  deadlineMs: config.shutdownTimeoutMs,
  exit: (code) => process.exit(code),
});
for (const signal of STOP_SIGNALS) process.on(signal, () => onSignal(signal));

// Started by a wrapper (the `dofs` launcher, which names itself in DOFS_PARENT_PID, or `npm start`), DOFS stops
// when that wrapper is gone: a wrapper killed with SIGKILL cannot forward anything, and a server left
// running under pid 1 is a process nobody is watching. Started directly (a service manager, nohup), it stays.
const parent = Number(process.env.DOFS_PARENT_PID) || (process.env.npm_lifecycle_event ? process.ppid : 0);
if (parent > 1) {
  setInterval(() => {
    if (process.ppid !== parent) shutdown('parent process exited', { parent_pid: parent });
  }, 500).unref();
}

try {
  await system.start();
} catch (error) {
  system.logger.error('start failed', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
