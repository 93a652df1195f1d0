// The WAL checkpointer (a worker thread; see checkpointer.ts). It owns a second connection to the database
// and moves committed pages from the WAL into the database file, with the fsyncs that takes, so that the
// storage thread's commits only append to the WAL.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort;
if (!port) throw new Error('checkpointer-thread.ts runs as a worker thread');
const { path, intervalMs, restartPages } = workerData as {
  path: string;
  intervalMs: number;
  restartPages: number;
};

const db = new DatabaseSync(path);
// A RESTART checkpoint waits for the writer's transaction in progress (milliseconds) to end.
db.exec('PRAGMA busy_timeout = 2000');
const statements = {
  PASSIVE: db.prepare('PRAGMA wal_checkpoint(PASSIVE)'),
  RESTART: db.prepare('PRAGMA wal_checkpoint(RESTART)'),
};
const checkpoint = (mode: 'PASSIVE' | 'RESTART') =>
  statements[mode].get() as { busy: number; log: number; checkpointed: number };

// Set from the moment a RESTART is wanted until it has run: no passive checkpoint meanwhile.
let restarting = false;

const timer = setInterval(() => {
  if (restarting) return;
  try {
    const { log } = checkpoint('PASSIVE');
    // Under sustained writes a passive checkpoint never sees the end of the WAL, so the writer never gets
    // to start it over: past `restartPages` a RESTART does, in a moment without a writer that the writing
    // thread makes for it (it holds its next transaction, see SqliteDatabase.pauseWrites; its operations
    // wait asynchronously). The writes wait while the RESTART copies what the last passive checkpoint left
    // and syncs the file, so a second passive one first copies, and syncs, what came in during the first,
    // without holding anyone.
    if (log > restartPages) {
      checkpoint('PASSIVE');
      restarting = true;
      port.postMessage({ type: 'pause-writes' });
    }
  } catch (error) {
    port.postMessage({ type: 'error', error: String(error) });
  }
}, intervalMs);

const restart = (): void => {
  try {
    // A RESTART that could not get the writer out of the way answers busy = 1 rather than failing.
    if (checkpoint('RESTART').busy)
      port.postMessage({ type: 'error', error: 'RESTART checkpoint was blocked' });
  } catch (error) {
    port.postMessage({ type: 'error', error: String(error) });
  } finally {
    restarting = false;
    port.postMessage({ type: 'resume-writes' });
  }
};

port.on('message', (message: { type: 'stop' | 'writes-paused' }) => {
  if (message.type === 'writes-paused') {
    restart();
    return;
  }
  if (message.type !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.postMessage({ type: 'stopped' });
  port.close();
});
port.postMessage({ type: 'ready' });
