import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger, PollableQueue, ReceivedMessage, TimerClock } from '../../core/ports.ts';

export interface PollerOptions {
  queue: PollableQueue;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  batchSize: number;
  /** Concurrent batches, like an event source mapping's concurrency. */
  concurrency: number;
  logger: Logger;
  /** The queue's clock: visibility times are read on it, and the poller sleeps on its timers. */
  clock: TimerClock;
  /** Longest sleep when the queue looks empty; a send wakes the poller at once. */
  idleWaitMs?: number;
  /**
   * For a queue and handler whose writes resolve before they are committed (SqliteDatabase's early view): a
   * batch's receive, its handler's writes and its delete then share one transaction, and the poller waits
   * for its commit before it takes the next batch. A failed commit undoes the whole batch, so its messages
   * come back as if never received.
   */
  transactions?: { readonly mark: number; whenCommitted(mark: number): Promise<void> };
}

const REDELIVERY_WINDOW_MS = 10;

/** What a poller has done since it started (for the dashboard's consumer activity). */
export interface ConsumerStats {
  /** Batches handed to the handler. */
  batches: number;
  /** Records in those batches. */
  records: number;
  /** Records that came back as failures (reported, or all of a batch whose handler threw). */
  failedRecords: number;
  /** Batches with the handler now. */
  inFlightBatches: number;
  /** Concurrent batches at most. */
  concurrency: number;
  /** When the last batch was handed over (epoch ms), if any. */
  lastBatchAt: number | null;
}

function toRecord(queueName: string, message: ReceivedMessage): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'dofs-local',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local-1:000000000000:${queueName}`,
    awsRegion: 'local-1',
  };
}

/**
 * Behaves like a Lambda event source mapping for SQS with ReportBatchItemFailures: receives batches, hands
 * them to the handler as SQS events, deletes the records that did not fail. A handler that throws, or
 * that names a record not in the batch, fails the whole batch (as Lambda does); the messages come back
 * after their visibility timeout. A send to the queue wakes an idle poller: no polling delay.
 */
export class EventSourcePoller {
  #running = false;
  #loops: Promise<void>[] = [];
  readonly #sleepers = new Set<() => void>();
  #pendingWake = false;
  /** Sends since the last wake-up pass: it wakes one idle poller per batch of them, not all of them. */
  #sent = 0;
  #wakeScheduled = false;
  /** Whether one idle poller already sleeps until the next in-flight message becomes visible again. */
  #clockWatcher = false;
  readonly #stats: ConsumerStats;

  private readonly options: PollerOptions;

  constructor(options: PollerOptions) {
    this.options = options;
    this.#stats = {
      batches: 0,
      records: 0,
      failedRecords: 0,
      inFlightBatches: 0,
      concurrency: options.concurrency,
      lastBatchAt: null,
    };
    options.queue.onMessage(() => this.#signal());
  }

  /** A copy of the counters. */
  stats(): ConsumerStats {
    return { ...this.#stats };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = Array.from({ length: this.options.concurrency }, () => this.#loop());
  }

  /** Stops receiving and resolves once the batches in flight have finished. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const wake of this.#sleepers) wake();
    await Promise.all(this.#loops);
  }

  // Waking every idle poller on every send made most of them find nothing (half of all receives came back
  // empty under load, each one a write statement): the sends of one turn wake ceil(sends / batchSize).
  #signal(): void {
    this.#pendingWake = true;
    this.#sent += 1;
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    queueMicrotask(() => {
      this.#wakeScheduled = false;
      let wakes = Math.ceil(this.#sent / this.options.batchSize);
      this.#sent = 0;
      for (const wake of this.#sleepers) {
        if (wakes-- <= 0) break;
        wake();
      }
    });
  }

  async #loop(): Promise<void> {
    const { queue, logger } = this.options;
    const { transactions } = this.options;
    while (this.#running) {
      let messages: ReceivedMessage[];
      const mark = transactions?.mark ?? 0;
      try {
        this.#pendingWake = false;
        messages = await queue.receive(this.options.batchSize);
      } catch (error) {
        logger.error('receive failed', { queue: queue.name, error: String(error) });
        await this.#sleep(1000);
        continue;
      }
      if (messages.length === 0) {
        await this.#idle();
        continue;
      }
      // A full batch suggests more are waiting: another idle poller joins in.
      if (messages.length === this.options.batchSize) this.#wakeOne();
      await this.#deliver(messages);
      if (transactions) {
        try {
          await transactions.whenCommitted(mark);
        } catch (error) {
          logger.error('batch not committed; its messages will be redelivered', {
            queue: queue.name,
            error: String(error),
          });
        }
      }
      // A batch short of full means the queue was drained when it was received: receive again only if a
      // send came in since (most receives came back empty without this), else sleep as an empty one would.
      if (messages.length < this.options.batchSize) await this.#idle();
    }
  }

  async #deliver(messages: ReceivedMessage[]): Promise<void> {
    const { queue, logger, handler } = this.options;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(queue.name, m)) };
    const stats = this.#stats;
    stats.batches += 1;
    stats.records += messages.length;
    stats.inFlightBatches += 1;
    stats.lastBatchAt = this.options.clock.now();
    let failed: Set<string>;
    try {
      const response = await handler(event);
      const ids = new Set(messages.map((m) => m.messageId));
      const reported = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      failed = reported.every((id) => ids.has(id)) ? new Set(reported) : ids;
    } catch (error) {
      logger.error('batch handler threw; the whole batch will be retried', {
        queue: queue.name,
        error: String(error),
      });
      stats.failedRecords += messages.length;
      return;
    } finally {
      stats.inFlightBatches -= 1;
    }
    stats.failedRecords += failed.size;
    const done = messages.filter((m) => !failed.has(m.messageId)).map((m) => m.receiptHandle);
    try {
      await queue.delete(done);
    } catch (error) {
      logger.error('delete failed; messages will be redelivered', {
        queue: queue.name,
        error: String(error),
      });
    }
  }

  #wakeOne(): void {
    for (const wake of this.#sleepers) {
      wake();
      return;
    }
  }

  /**
   * Sleeps until a send wakes this poller or, for one idle poller only, until the next in-flight message
   * becomes visible again (plus a 10 ms batching window, so that redeliveries due within it come in one
   * receive rather than one each): when every idle poller woke for every redelivery, most found nothing.
   */
  async #idle(): Promise<void> {
    if (this.#pendingWake || !this.#running) return;
    const idleWait = this.options.idleWaitMs ?? 1000;
    if (this.#clockWatcher) {
      await this.#sleep(idleWait);
      return;
    }
    this.#clockWatcher = true;
    try {
      const next = await this.options.queue.nextVisibleAt().catch(() => undefined);
      const wait =
        next === undefined
          ? idleWait
          : Math.max(1, Math.min(idleWait, next - this.options.clock.now() + REDELIVERY_WINDOW_MS));
      // A send may have signalled while nextVisibleAt was pending; sleeping now would miss that wake-up.
      if (this.#pendingWake || !this.#running) return;
      await this.#sleep(wait);
    } finally {
      this.#clockWatcher = false;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        cancel();
        this.#sleepers.delete(wake);
        resolve();
      };
      const cancel = this.options.clock.setTimer(wake, ms);
      this.#sleepers.add(wake);
    });
  }
}
