import { OrderInvalidError, TransientError } from '../../core/errors.ts';
import { markValidated } from '../../core/order.ts';
import type { createAcceptOrder, Submission, SubmitOrderResult } from '../../core/submit-order.ts';
import type { AcceptAnswer } from './storage-protocol.ts';

export interface AdmissionOptions {
  /** Intake executions started per turn of the storage thread at most. */
  perTurn: number;
  /**
   * Visible messages in order_queue past which intake only replaces what the consumers finish: a new order
   * is started for each message they have taken off the queue (deleted or dead-lettered) since.
   */
  backlogLimit: number;
  /** The visible backlog, as last sampled. */
  backlog: () => number;
  /** Messages the consumers have finished so far (a running total). */
  finished: () => number;
  /** How long an order may wait to be admitted before it is answered 503 (retry later). */
  maxWaitMs: number;
}

/**
 * Admission of orders into the storage thread, which also runs the consumers. Without it a burst of intake
 * took the thread from the consumers: the backlog grew without bound and first attempts waited seconds. Each
 * turn starts at most `perTurn` executions, and while the backlog is over its limit only as many as the
 * consumers finished since the last turn, so intake and fulfilment share the thread and the backlog stays
 * bounded. What waits stays in a FIFO (and its HTTP request open); past `maxWaitMs` it is refused with a
 * TransientError (503 + Retry-After), never dropped silently.
 */
export class Admission {
  readonly #options: AdmissionOptions;
  readonly #waiting: { start: () => void; refuse: (error: Error) => void; since: number }[] = [];
  #startedThisTurn = 0;
  #turnScheduled = false;
  #finishedAtTurn: number;
  #allowance: number;

  constructor(options: AdmissionOptions) {
    this.#options = options;
    this.#finishedAtTurn = options.finished();
    this.#allowance = options.perTurn;
  }

  /** Runs `work` now if this turn's allowance has room, else when a later turn's has. */
  run<T>(work: () => Promise<T>): Promise<T> {
    this.#scheduleTurn();
    if (this.#waiting.length === 0 && this.#startedThisTurn < this.#allowance) {
      this.#startedThisTurn += 1;
      return work();
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({
        start: () => work().then(resolve, reject),
        refuse: reject,
        since: performance.now(),
      });
    });
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** The next turn: at once after this one, or a millisecond on while nothing may start (no busy loop). */
  #scheduleTurn(idle = false): void {
    if (this.#turnScheduled) return;
    this.#turnScheduled = true;
    if (idle) setTimeout(() => this.#turn(), 1);
    else setImmediate(() => this.#turn());
  }

  #turn(): void {
    this.#turnScheduled = false;
    const { perTurn, backlogLimit } = this.#options;
    const finished = this.#options.finished();
    const finishedSince = finished - this.#finishedAtTurn;
    this.#finishedAtTurn = finished;
    this.#allowance =
      this.#options.backlog() > backlogLimit ? Math.min(perTurn, Math.max(0, finishedSince)) : perTurn;
    this.#startedThisTurn = 0;
    const refuseBefore = performance.now() - this.#options.maxWaitMs;
    while (this.#waiting.length > 0 && (this.#waiting[0]?.since ?? 0) < refuseBefore) {
      this.#waiting
        .shift()
        ?.refuse(new TransientError('DOFS is overloaded: the fulfilment backlog is full; retry later'));
    }
    while (this.#waiting.length > 0 && this.#startedThisTurn < this.#allowance) {
      this.#startedThisTurn += 1;
      this.#waiting.shift()?.start();
    }
    if (this.#waiting.length > 0) this.#scheduleTurn(this.#allowance === 0);
  }
}

/** The intake result as it crosses threads: plain data (an Error's own fields would not survive the copy). */
export function toAnswer(result: SubmitOrderResult): AcceptAnswer {
  if (result.ok) return result;
  return result.error instanceof OrderInvalidError
    ? { ok: false, invalid: result.error.errors }
    : { ok: false, conflict: true };
}

/**
 * The storage thread's intake: runs acceptOrder (the ASL workflow, whose Task states write through the
 * database's `early` view, so an order's StoreOrder, SendToQueue and queued mark share one commit) when
 * admission lets it, and answers only once what it wrote (and read) is committed: a 202 still means durable.
 */
export function createIntake(deps: {
  acceptOrder: ReturnType<typeof createAcceptOrder>;
  store: { readonly mark: number; whenCommitted(mark: number): Promise<void> };
  admission: Admission;
}) {
  const { acceptOrder, store, admission } = deps;
  const accept = async (submission: Submission): Promise<AcceptAnswer> => {
    const mark = store.mark;
    // The HTTP thread of this process validated the order with the one schema before sending it here.
    const result = await acceptOrder({ ...submission, order: markValidated(submission.order) });
    await store.whenCommitted(mark);
    return toAnswer(result);
  };
  return {
    accept: (submission: Submission) => admission.run(() => accept(submission)),
  };
}
