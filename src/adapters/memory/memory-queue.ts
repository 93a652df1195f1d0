import { randomUUID } from 'node:crypto';
import type { Clock, PollableQueue, QueueDepth, ReceivedMessage } from '../../core/ports.ts';

interface StoredMessage {
  seq: number;
  messageId: string;
  body: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
}

export interface MemoryQueueOptions {
  name: string;
  visibilityTimeoutMs: number;
  clock: Clock;
  deadLetter?: { queue: MemoryQueue; maxReceiveCount: number };
}

/** In-memory queue with the same SQS semantics as SqliteQueue (visibility timeout, receive count, redrive). */
export class MemoryQueue implements PollableQueue {
  readonly name: string;
  readonly #messages = new Map<number, StoredMessage>();
  readonly #listeners: (() => void)[] = [];
  #seq = 0;

  readonly options: MemoryQueueOptions;

  constructor(options: MemoryQueueOptions) {
    this.options = options;
    this.name = options.name;
  }

  async send(body: string) {
    const messageId = randomUUID();
    const now = this.options.clock.now();
    this.#accept({
      messageId,
      body,
      sentAt: now,
      visibleAt: now,
      receiveCount: 0,
      firstReceivedAt: undefined,
    });
    return { messageId };
  }

  #accept(message: Omit<StoredMessage, 'seq'>) {
    this.#seq += 1;
    this.#messages.set(this.#seq, { ...message, seq: this.#seq });
    for (const listener of this.#listeners) listener();
  }

  async receive(max: number): Promise<ReceivedMessage[]> {
    const now = this.options.clock.now();
    const dl = this.options.deadLetter;
    const visible = [...this.#messages.values()]
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt || a.seq - b.seq);
    const received: ReceivedMessage[] = [];
    for (const message of visible) {
      if (dl && message.receiveCount >= dl.maxReceiveCount) {
        this.#messages.delete(message.seq);
        dl.queue.#accept({ ...message, visibleAt: now, receiveCount: 0, firstReceivedAt: undefined });
        continue;
      }
      if (received.length >= max) continue;
      message.receiveCount += 1;
      message.visibleAt = now + this.options.visibilityTimeoutMs;
      message.firstReceivedAt ??= now;
      received.push({
        messageId: message.messageId,
        body: message.body,
        receiptHandle: `${message.seq}:${message.receiveCount}`,
        receiveCount: message.receiveCount,
        sentAt: message.sentAt,
        firstReceivedAt: message.firstReceivedAt,
      });
    }
    return received;
  }

  async delete(receiptHandles: string[]) {
    for (const handle of receiptHandles) {
      const [seq, count] = handle.split(':').map(Number);
      const message = this.#messages.get(seq ?? -1);
      if (message && message.receiveCount === count) this.#messages.delete(message.seq);
    }
  }

  async depth(): Promise<QueueDepth> {
    const now = this.options.clock.now();
    let visible = 0;
    for (const m of this.#messages.values()) if (m.visibleAt <= now) visible += 1;
    return { visible, inFlight: this.#messages.size - visible };
  }

  async nextVisibleAt() {
    const now = this.options.clock.now();
    const times = [...this.#messages.values()].map((m) => m.visibleAt).filter((t) => t > now);
    return times.length ? Math.min(...times) : undefined;
  }

  onMessage(listener: () => void) {
    this.#listeners.push(listener);
  }
}
