import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LocalConfig } from '../../config.ts';
import type { Logger, OrderMetrics, PollableQueue } from '../../core/ports.ts';
import type { StorageCommand, StorageEvent, StorageServices, StoredQueue } from './storage-protocol.ts';
import { type RemoteServices, RpcClient, type RpcMessage, remoteServices } from './thread-rpc.ts';

/** Where the storage thread's events go on this thread. */
export interface StorageEventSinks {
  logger: Logger;
  metrics: Pick<OrderMetrics, 'attempted' | 'completed'>;
  /** The storage thread died: every call still owed has been rejected. */
  onFatal(error: unknown): void;
}

/**
 * The HTTP thread's end of the storage thread (./storage-thread.ts): starts it, and offers its services
 * typed from StorageServices. Calls of one event-loop turn cross as one message (thread-rpc.ts).
 */
export function startStorageThread(config: LocalConfig) {
  const worker = new Worker(new URL('./storage-thread.ts', import.meta.url), {
    workerData: config,
    // The storage thread (and the checkpointer it starts) load their TypeScript through Node's compile
    // cache, in the directory module.enableCompileCache() uses by default unless NODE_COMPILE_CACHE names
    // another: a thread that strips TypeScript itself keeps the stripper, about 13 MB of RSS, for its life.
    env: {
      ...process.env,
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache'),
    },
  });
  const rpc = new RpcClient(worker);
  const services = remoteServices<StorageServices>(rpc);
  let sinks: StorageEventSinks | undefined;
  let ready: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  started.catch(() => undefined); // observed by whoever awaits `started`
  let stopped: () => void = () => undefined;
  const workerStopped = new Promise<void>((resolve) => {
    stopped = resolve;
  });

  const apply = (event: StorageEvent) => {
    switch (event[0]) {
      case 'log':
        sinks?.logger[event[1]](event[2], event[3]);
        break;
      case 'attempted':
        sinks?.metrics.attempted(event[1]);
        break;
      case 'completed':
        sinks?.metrics.completed(event[1], event[2]);
        break;
      case 'ready':
        ready();
        break;
      case 'stopped':
        stopped();
        break;
    }
  };
  worker.on('message', (message: RpcMessage<StorageEvent>) => {
    if (message.type === 'answers') rpc.receive(message.answers);
    else if (message.type === 'events') for (const event of message.events) apply(event);
  });
  worker.on('error', (error) => {
    sinks?.logger.error('storage thread failed', { error: String(error) });
    rpc.close(new Error('the storage thread failed'));
    failed(error);
    stopped();
    sinks?.onFatal(error);
  });
  const command = (message: StorageCommand) => worker.postMessage(message);

  return {
    services,
    /** Resolves once the database is open; rejects if the thread failed first. */
    started,
    /**
     * Where events go. Set once the receivers exist; events only arrive on a later turn than this
     * function's return, so none is missed.
     */
    connect(to: StorageEventSinks): void {
      sinks = to;
    },
    /** A queue of the storage thread, as a PollableQueue here (its consumers live there, so none listens here). */
    queue(name: 'order_queue' | 'order_dlq'): PollableQueue {
      const remote: RemoteServices<StorageServices>[typeof name] = services[name];
      return {
        name,
        send: (body) => remote.send(body),
        receive: (max) => remote.receive(max),
        delete: (handles) => remote.delete(handles),
        depth: () => remote.depth(),
        nextVisibleAt: () => remote.nextVisibleAt(),
        onMessage() {},
      } satisfies StoredQueue & Pick<PollableQueue, 'name' | 'onMessage'>;
    },
    startConsumers(): void {
      command({ type: 'start-consumers' });
    },
    /** Lets the consumers' batches finish, closes the database and ends the thread. */
    async stop(): Promise<void> {
      command({ type: 'stop' });
      await workerStopped;
      rpc.close(new Error('DOFS is stopped'));
      await worker.terminate();
    },
  };
}

export type StorageThread = ReturnType<typeof startStorageThread>;
