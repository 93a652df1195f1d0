import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { fingerprintOf, type Order, OrderStatus } from '../../src/core/order.ts';
import type { NewOrderEvent, OrderEventType } from '../../src/core/order-history.ts';
import type { Logger, TimerClock } from '../../src/core/ports.ts';

let counter = 0;

/** A stored order with sensible defaults; `items: n` makes n lines. */
export function anOrder(overrides: Partial<Order> & { itemCount?: number } = {}): Order {
  counter += 1;
  const { itemCount = 1, ...rest } = overrides;
  const items =
    rest.items ??
    Array.from({ length: itemCount }, (_, i) => ({ product_id: `p-${i + 1}`, quantity: i + 1, price: 10 }));
  const customer_id = rest.customer_id === undefined ? 'c-1' : rest.customer_id;
  const created_at = new Date(Date.UTC(2026, 0, 1, 0, 0, counter % 60, counter)).toISOString();
  return {
    order_id: `order-${counter}`,
    status: OrderStatus.PENDING,
    attempts: 0,
    last_error: null,
    submission_id: `submission-${counter}`,
    redrives: 0,
    created_at,
    updated_at: created_at,
    ...rest,
    customer_id,
    items,
    fingerprint: fingerprintOf({ customer_id, items }),
  };
}

/** A canonical request body. */
export function anOrderBody(overrides: Record<string, unknown> = {}) {
  return { customer_id: 'c-1', items: [{ product_id: 'p-1', quantity: 2, price: 9.5 }], ...overrides };
}

export function sqsRecord(body: string, overrides: Partial<SQSRecord> = {}): SQSRecord {
  counter += 1;
  return {
    messageId: `m-${counter}`,
    receiptHandle: `r-${counter}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local-1:000000000000:order_queue',
    awsRegion: 'local-1',
    ...overrides,
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A clock that moves only when told to; a timer set on it runs when `advance` passes its time. */
export class ManualClock implements TimerClock {
  #now: number;
  readonly #timers: { at: number; callback: () => void }[] = [];
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  setTimer(callback: () => void, ms: number): () => void {
    const timer = { at: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return () => {
      const index = this.#timers.indexOf(timer);
      if (index >= 0) this.#timers.splice(index, 1);
    };
  }
  /** Timers set and neither run nor cancelled yet: a poller asleep on this clock holds one. */
  get pendingTimers(): number {
    return this.#timers.length;
  }
  /** Moves time forward by `ms`, running each timer that comes due on the way, in time order, at its time. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let next: { at: number; callback: () => void } | undefined;
      for (const timer of this.#timers) if (timer.at <= until && (!next || timer.at < next.at)) next = timer;
      if (!next) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = until;
  }
}

/** A logger that keeps its lines for assertions. */
export function recordingLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const make = (bound: Record<string, unknown>): Logger => {
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      lines.push({ level, message, ...bound, ...fields });
    };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (f) => make({ ...bound, ...f }),
    };
  };
  return Object.assign(make({}), { lines });
}

/** An event for a transition a test makes itself, to arrange an order's state. */
export function anEvent(type: OrderEventType = 'queued', at = '2026-01-01T00:00:00.000Z'): NewOrderEvent {
  return { type, at };
}
