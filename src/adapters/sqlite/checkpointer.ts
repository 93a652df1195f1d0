import { Worker } from 'node:worker_threads';
import type { Logger } from '../../core/ports.ts';

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Runs WAL checkpoints on a thread of their own. A checkpoint copies pages into the database file and
 * fsyncs it; run by SQLite's automatic checkpoint, that happened inside a COMMIT on the thread that writes,
 * about once per 1,000 pages, and took half of every commit's cost under load. The writing connection turns
 * automatic checkpoints off (`PRAGMA wal_autocheckpoint = 0`) and this thread checkpoints every
 * `intervalMs`. Durability is unchanged: commits are in the WAL either way, and the WAL is what recovery reads.
 */
export async function startCheckpointer(
  path: string,
  logger: Logger,
  options: {
    intervalMs?: number;
    restartPages?: number;
    /**
     * The writing connection, held for each RESTART (SqliteDatabase.pauseWrites). Without it a RESTART
     * waits for a gap between the writer's transactions, which a writer busy every turn never leaves.
     */
    writer?: { pauseWrites(): Promise<() => void> };
    /** Longest hold of the writes for one RESTART, should the checkpointer not answer. */
    maxPauseMs?: number;
  } = {},
): Promise<Checkpointer> {
  const worker = new Worker(new URL('./checkpointer-thread.ts', import.meta.url), {
    // It allocates next to nothing: a small heap keeps the process's memory for the threads that work.
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    workerData: {
      path,
      intervalMs: options.intervalMs ?? 100,
      // 256 MiB of WAL: each RESTART holds the writes for a moment; at 4,000 orders/s 16,384 pages meant
      // one every 2 s.
      restartPages: options.restartPages ?? 65_536,
    },
  });
  let stopped: () => void = () => undefined;
  const maxPauseMs = options.maxPauseMs ?? 5000;
  // The release of the writes held for a RESTART in progress (a no-op when none is).
  let resumeWrites: () => void = () => undefined;
  let pauseTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  const resume = () => {
    clearTimeout(pauseTimer);
    resumeWrites();
    resumeWrites = () => undefined;
  };
  const pauseForRestart = () => {
    const paused = options.writer?.pauseWrites() ?? Promise.resolve(() => undefined);
    void paused.then((release) => {
      if (stopping) {
        release();
        return;
      }
      resumeWrites = release;
      pauseTimer = setTimeout(() => {
        logger.warn('WAL checkpoint RESTART did not finish in time; writes resume', {
          max_pause_ms: maxPauseMs,
        });
        resume();
      }, maxPauseMs);
      pauseTimer.unref();
      worker.postMessage({ type: 'writes-paused' });
    });
  };
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { type: string; error?: string }) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'stopped') stopped();
      else if (message.type === 'error') logger.warn('WAL checkpoint failed', { error: message.error });
      else if (message.type === 'pause-writes') pauseForRestart();
      else if (message.type === 'resume-writes') resume();
    });
  });
  worker.on('error', (error) => {
    logger.error('checkpointer thread failed', { error: String(error) });
    resume();
    stopped();
  });
  return {
    async stop() {
      stopping = true;
      worker.postMessage({ type: 'stop' });
      await done;
      resume();
      await worker.terminate();
    },
  };
}
