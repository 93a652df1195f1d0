import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger, PollableQueue, ReceivedMessage } from '../../core/ports.ts';

export interface PollerOptions {
  queue: PollableQueue;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  batchSize: number;
  /** Concurrent batches, like an event source mapping's concurrency. */
  concurrency: number;
  logger: Logger;
  /** Longest sleep when the queue looks empty; a send wakes the poller at once. */
  idleWaitMs?: number;
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

  private readonly options: PollerOptions;

  constructor(options: PollerOptions) {
    this.options = options;
    options.queue.onMessage(() => this.#signal());
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = Array.from({ length: this.options.concurrency }, () => this.#loop());
  }

  /** Stops receiving and resolves once the batches in flight have finished. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#signal();
    await Promise.all(this.#loops);
  }

  #signal(): void {
    this.#pendingWake = true;
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
  }

  async #loop(): Promise<void> {
    const { queue, logger } = this.options;
    while (this.#running) {
      let messages: ReceivedMessage[];
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
      await this.#deliver(messages);
    }
  }

  async #deliver(messages: ReceivedMessage[]): Promise<void> {
    const { queue, logger, handler } = this.options;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(queue.name, m)) };
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
      return;
    }
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

  async #idle(): Promise<void> {
    if (this.#pendingWake || !this.#running) return;
    const idleWait = this.options.idleWaitMs ?? 1000;
    const next = await this.options.queue.nextVisibleAt().catch(() => undefined);
    const wait = next === undefined ? idleWait : Math.max(1, Math.min(idleWait, next - Date.now()));
    // A send may have signalled while nextVisibleAt was pending; sleeping now would miss that wake-up.
    if (this.#pendingWake || !this.#running) return;
    await this.#sleep(wait);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }
}
