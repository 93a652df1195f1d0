import type { MessagePort, Worker } from 'node:worker_threads';
import { DofsError, TransientError } from '../../core/errors.ts';

/**
 * Calls between the HTTP thread and the storage thread (worker_threads). Calls made during one event-loop
 * turn travel as one message, and so do the answers: at thousands of calls per second the cost of crossing
 * threads is paid per turn, not per call. Errors keep their name and message, and the typed ones their
 * type: a TransientError (SQLite busy, full, I/O) is still answered 503 + Retry-After, a bad cursor 400.
 */

type Port = MessagePort | Worker;

export type Call = [id: number, target: string, method: string, args: unknown[]];
export type Answer = [id: number, ok: true, value: unknown] | [id: number, ok: false, error: SerializedError];
interface SerializedError {
  name: string;
  message: string;
  transient: boolean;
  /** A DofsError: its name is what callers (and the HTTP edge) go by. */
  dofs: boolean;
}

export type RpcMessage<Event = unknown> =
  | { type: 'calls'; calls: Call[] }
  | { type: 'answers'; answers: Answer[] }
  | { type: 'events'; events: Event[] };

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error))
    return { name: 'Error', message: String(error), transient: false, dofs: false };
  return {
    name: error.name,
    message: error.message,
    transient: error instanceof TransientError,
    dofs: error instanceof DofsError,
  };
}

function revive(error: SerializedError): Error {
  if (error.transient) return new TransientError(error.message);
  if (error.dofs) return new DofsError(error.name, error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

/**
 * Collects items and posts them as one message at the end of the current event-loop turn, or as soon as
 * `maxItems` are waiting: under load one turn of the HTTP thread parses hundreds of requests, and holding
 * all their calls to its end left the other thread idle meanwhile (and then this one, waiting for answers).
 * `schedule` says when the end is: by default the check phase (setImmediate), after everything the poll
 * phase brought in.
 */
export class Batcher<T> {
  #items: T[] = [];
  #scheduled = false;
  readonly #post: (items: T[]) => void;
  readonly #maxItems: number;
  readonly #schedule: (flush: () => void) => void;

  constructor(
    post: (items: T[]) => void,
    maxItems = 64,
    schedule: (flush: () => void) => void = (flush) => setImmediate(flush),
  ) {
    this.#post = post;
    this.#maxItems = maxItems;
    this.#schedule = schedule;
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length >= this.#maxItems) {
      this.flush();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#post(items);
  }
}

/** The calling side. `closed` rejects every call made after (and every answer still owed at) close. */
export class RpcClient {
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  readonly #calls: Batcher<Call>;
  #nextId = 1;
  #closed: Error | undefined;

  /**
   * `maxBatch`: calls per message at most. The first call of a batch waits for the rest to be made (each an
   * HTTP request parsed and validated, ~50 µs), and the other thread runs a message's calls in one go: 16
   * keeps both waits to about a millisecond; a message costs the other thread a few µs.
   */
  constructor(port: Port, maxBatch = 16) {
    this.#calls = new Batcher(
      (calls) => port.postMessage({ type: 'calls', calls } satisfies RpcMessage),
      maxBatch,
    );
  }

  /** Feed every `answers` message of the port here. */
  receive(answers: Answer[]): void {
    for (const answer of answers) {
      const waiting = this.#pending.get(answer[0]);
      if (!waiting) continue;
      this.#pending.delete(answer[0]);
      if (answer[1]) waiting.resolve(answer[2]);
      else waiting.reject(revive(answer[2]));
    }
  }

  call(target: string, method: string, args: unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#calls.push([id, target, method, args]);
    });
  }

  close(reason: Error): void {
    this.#closed = reason;
    for (const waiting of this.#pending.values()) waiting.reject(reason);
    this.#pending.clear();
  }
}

type AsyncMethodOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

/** The async methods of a service, as callable from the other thread. */
export type Remote<T> = Pick<T, AsyncMethodOf<T>>;

/** Every service of S as seen from the other thread. */
export type RemoteServices<S> = { readonly [K in keyof S]: Remote<S[K]> };

/**
 * The calling side of S, typed from S: `services.orders.get(id)` becomes a call of `orders.get` in the other
 * thread. A Proxy, so that the method names come from the interface and are never listed by hand; the
 * function of each method is made once and kept.
 */
export function remoteServices<S extends object>(client: RpcClient): RemoteServices<S> {
  const services = new Map<string, object>();
  const service = (target: string) => {
    const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    return new Proxy(
      {},
      {
        get(_, method) {
          // Not a method of the service: a symbol, or `then` when someone awaits the stand-in itself.
          if (typeof method !== 'string' || method === 'then') return undefined;
          let fn = methods.get(method);
          if (!fn) {
            fn = (...args: unknown[]) => client.call(target, method, args);
            methods.set(method, fn);
          }
          return fn;
        },
      },
    );
  };
  return new Proxy({} as RemoteServices<S>, {
    get(_, target) {
      if (typeof target !== 'string' || target === 'then') return undefined;
      let found = services.get(target);
      if (!found) {
        found = service(target);
        services.set(target, found);
      }
      return found;
    },
  });
}

/**
 * The serving side: runs each call on `services[target][method]` and answers once it settles. Answers leave
 * at the end of the task that settled them (most settle together, when a commit resolves them), not a turn
 * later: a setImmediate scheduled then would wait behind the next poll phase, calls and all.
 */
export function serveRpc<S extends object>(port: MessagePort, services: S): (calls: Call[]) => void {
  const targets = services as Record<string, object>;
  const answers = new Batcher<Answer>(
    (batch) => port.postMessage({ type: 'answers', answers: batch } satisfies RpcMessage),
    64,
    (flush) => process.nextTick(flush),
  );
  return (calls) => {
    for (const [id, target, method, args] of calls) {
      let result: Promise<unknown>;
      try {
        const fn = (targets[target] as Record<string, unknown> | undefined)?.[method];
        if (typeof fn !== 'function') throw new Error(`no method ${target}.${method} in the storage thread`);
        result = Promise.resolve(fn.apply(targets[target], args));
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(
        (value) => answers.push([id, true, value]),
        (error: unknown) => answers.push([id, false, serialize(error)]),
      );
    }
  };
}
