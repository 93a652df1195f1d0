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

const timer = setInterval(() => {
  try {
    const { log } = checkpoint('PASSIVE');
    // Under sustained writes a passive checkpoint never sees the end of the WAL, so the writer never gets
    // to start it over: past `restartPages` a RESTART briefly holds new writes (their waits are
    // asynchronous) and the WAL starts from the beginning again. Writes wait while it copies what the
    // last passive checkpoint left and syncs the file (8-130 ms measured under load), so a second passive
    // one first copies, and syncs, what came in during the first without holding anyone.
    if (log > restartPages) {
      checkpoint('PASSIVE');
      checkpoint('RESTART');
    }
  } catch (error) {
    port.postMessage({ type: 'error', error: String(error) });
  }
}, intervalMs);

port.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.postMessage({ type: 'stopped' });
  port.close();
});
port.postMessage({ type: 'ready' });
