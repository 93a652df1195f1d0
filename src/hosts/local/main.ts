import { DataDirLockedError } from '../../adapters/sqlite/data-dir-lock.ts';
import { ConfigError, loadLocalConfig } from '../../config.ts';
import { createLocalSystem } from './local-system.ts';

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
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    system.logger.info('shutting down', { signal });
    system.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        system.logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  });
}

try {
  await system.start();
} catch (error) {
  system.logger.error('start failed', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
