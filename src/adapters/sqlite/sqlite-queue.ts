import { randomUUID } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import type { Clock, PollableQueue, QueueDepth, ReceivedMessage } from '../../core/ports.ts';
import type { SqliteStore } from './database.ts';

export interface QueueOptions {
  name: string;
  visibilityTimeoutMs: number;
  clock: Clock;
  /** SQS redrive policy: on the receive that would exceed maxReceiveCount the message moves to the DLQ. */
  deadLetter?: { queue: SqliteQueue; maxReceiveCount: number };
}

/** What an operator asks of a queue besides its depth (the local stand-ins for SQS's queue attributes). */
export interface QueueHealth extends QueueDepth {
  /** Age of the oldest message in the queue, visible or not (SQS ApproximateAgeOfOldestMessage); null when empty. */
  oldestAgeMs: number | null;
}

/**
 * A queue with SQS standard-queue semantics in the `messages` table, modelled on goqite: a receive is one
 * atomic `UPDATE … RETURNING` claim that bumps the receive count and hides the message for the visibility
 * timeout; only a delete with the current receipt handle removes it.
 */
export class SqliteQueue implements PollableQueue {
  readonly name: string;
  readonly #store: SqliteStore;
  readonly #options: QueueOptions;
  readonly #listeners: (() => void)[] = [];
  readonly #send: StatementSync;
  readonly #claim: StatementSync;
  readonly #moveToDlq: StatementSync;
  readonly #delete: StatementSync;
  readonly #depth: StatementSync;
  readonly #nextVisible: StatementSync;
  #removed = 0;
  readonly #health: StatementSync;
  readonly #sentAt: StatementSync;

  constructor(store: SqliteStore, options: QueueOptions) {
    this.#store = store;
    const { db } = store;
    this.#options = options;
    this.name = options.name;
    this.#send = db.prepare(`INSERT INTO messages (message_id, queue, body, sent_at, visible_at)
      VALUES (?, ?, ?, ?, ?)`);
    // The claim looks only at the head of the queue (the first `max` visible messages in the messages_ready
    // index, which covers the subquery), never at the whole visible backlog: a receive costs the same at any
    // depth. It claims a message whatever its receive count; one it took past the redrive policy's
    // maxReceiveCount is then moved to the DLQ instead of delivered (SQS's rule), by seq. One statement per
    // receive: a separate move-to-DLQ scan of the head cost nearly as much as the claim, on every receive,
    // for the few receives that move anything.
    this.#claim = db.prepare(`UPDATE messages
      SET receive_count = receive_count + 1, visible_at = :invisible_until,
          first_received_at = coalesce(first_received_at, :now)
      WHERE seq IN (SELECT seq FROM messages WHERE queue = :queue AND visible_at <= :now
                    ORDER BY visible_at, seq LIMIT :max)
      RETURNING seq, message_id, body, receive_count, sent_at, first_received_at`);
    this.#moveToDlq = db.prepare(`UPDATE messages
      SET queue = ?, receive_count = 0, first_received_at = NULL, visible_at = ? WHERE seq = ?`);
    this.#delete = db.prepare('DELETE FROM messages WHERE seq = ? AND queue = ? AND receive_count = ?');
    this.#depth = db.prepare(`SELECT coalesce(sum(visible_at <= :now), 0) AS visible,
      coalesce(sum(visible_at > :now), 0) AS in_flight FROM messages WHERE queue = :queue`);
    this.#nextVisible = db.prepare(
      'SELECT min(visible_at) AS at FROM messages WHERE queue = :queue AND visible_at > :now',
    );
    // Within a queue, seq follows sent_at (a send takes the next seq; a move to the DLQ keeps both), so the
    // oldest message is the one with the smallest seq: found in the messages_ready index the depth already
    // scans (seq is its rowid), with one row read for its sent_at instead of one per message.
    this.#health = db.prepare(`SELECT coalesce(sum(visible_at <= :now), 0) AS visible,
      coalesce(sum(visible_at > :now), 0) AS in_flight, min(seq) AS oldest_seq
      FROM messages WHERE queue = :queue`);
    this.#sentAt = db.prepare('SELECT sent_at FROM messages WHERE seq = ?');
  }

  async send(body: string): Promise<{ messageId: string }> {
    const messageId = randomUUID();
    const now = this.#options.clock.now();
    await this.#store.run(() => this.#send.run(messageId, this.name, body, now, now));
    this.notify();
    return { messageId };
  }

  async receive(max: number): Promise<ReceivedMessage[]> {
    const now = this.#options.clock.now();
    const deadLetter = this.#options.deadLetter;
    let moved = 0;
    // Atomically: a move that failed must not leave its batch claimed but never delivered.
    const messages = await this.#store.run(() =>
      this.#store.atomically(() => {
        const rows = this.#claim.all({
          queue: this.name,
          now,
          max,
          invisible_until: now + this.#options.visibilityTimeoutMs,
        });
        const received: ReceivedMessage[] = [];
        for (const row of rows) {
          const receiveCount = Number(row.receive_count);
          if (deadLetter && receiveCount > deadLetter.maxReceiveCount) {
            this.#moveToDlq.run(deadLetter.queue.name, now, row.seq as number);
            moved += 1;
            continue;
          }
          received.push({
            messageId: row.message_id as string,
            body: row.body as string,
            receiptHandle: `${row.seq}:${receiveCount}`,
            receiveCount,
            sentAt: Number(row.sent_at),
            firstReceivedAt: Number(row.first_received_at),
          });
        }
        return received;
      }),
    );
    if (moved > 0) {
      this.#removed += moved;
      deadLetter?.queue.notify();
    }
    return messages.sort((a, b) => a.sentAt - b.sentAt);
  }

  async delete(receiptHandles: string[]): Promise<void> {
    if (receiptHandles.length === 0) return;
    await this.#store.run(() => {
      for (const handle of receiptHandles) {
        const [seq, count] = handle.split(':');
        this.#removed += Number(this.#delete.run(Number(seq), this.name, Number(count)).changes);
      }
    });
  }

  async depth(): Promise<QueueDepth> {
    const row = await this.#store.run(() =>
      this.#depth.get({ queue: this.name, now: this.#options.clock.now() }),
    );
    return { visible: Number(row?.visible ?? 0), inFlight: Number(row?.in_flight ?? 0) };
  }

  /** Depth and the age of the oldest message, read in one transaction. */
  async health(): Promise<QueueHealth> {
    const now = this.#options.clock.now();
    return this.#store.run(() => {
      const row = this.#health.get({ queue: this.name, now });
      const seq = row?.oldest_seq;
      const oldest = seq === null || seq === undefined ? undefined : this.#sentAt.get(Number(seq));
      return {
        visible: Number(row?.visible ?? 0),
        inFlight: Number(row?.in_flight ?? 0),
        oldestAgeMs: oldest ? Math.max(0, now - Number(oldest.sent_at)) : null,
      };
    });
  }

  async nextVisibleAt(): Promise<number | undefined> {
    const row = await this.#store.run(() =>
      this.#nextVisible.get({ queue: this.name, now: this.#options.clock.now() }),
    );
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /** Messages this queue object deleted or moved to its DLQ so far: what its consumers have finished. */
  get removed(): number {
    return this.#removed;
  }

  onMessage(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Wakes this queue's consumers. */
  notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
