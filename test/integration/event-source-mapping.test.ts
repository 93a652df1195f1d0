import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PurgeQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startEventSourceMapping } from '../support/event-source-mapping.ts';
import { eventually } from '../support/eventually.ts';
import { type Fauxqs, startFauxqs } from '../support/fauxqs.ts';

/**
 * The event source mapping emulation the AWS host suite relies on, against fauxqs: ReportBatchItemFailures
 * deletes only the records not reported; a thrown error, or a failure naming no record of the batch, brings
 * the whole batch back; the redrive policy moves a message to the DLQ on the receive after the last.
 */
describe('event source mapping emulation (fauxqs)', () => {
  let sqs: Fauxqs;
  let queues: Awaited<ReturnType<Fauxqs['createOrderQueues']>>;
  before(async () => {
    sqs = await startFauxqs('local-1');
    queues = await sqs.createOrderQueues({ maxReceiveCount: 2, visibilityTimeoutSeconds: 1 });
  });
  after(() => sqs.stop());

  async function run(bodies: string[], handler: (event: SQSEvent) => Promise<unknown>) {
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.orderQueue.url,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
    const mapping = startEventSourceMapping({
      sqs: sqs.client,
      queueUrl: queues.orderQueue.url,
      queueArn: queues.orderQueue.arn,
      region: 'local-1',
      handler: () => handler as never,
      reportBatchItemFailures: true,
    });
    return mapping;
  }

  it('hands Lambda-shaped records over and deletes only the ones not reported as failed', async () => {
    const events: SQSEvent[] = [];
    const mapping = await run(['ok-1', 'fail-1', 'ok-2'], async (event): Promise<SQSBatchResponse> => {
      events.push(event);
      return {
        batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    try {
      // fail-1: received twice (maxReceiveCount 2), then moved to the DLQ on the third receive.
      await eventually(async () => (await sqs.depth(queues.orderDlq.url)).visible === 1, 5_000, 25);
      const record = events[0]?.Records[0];
      assert.deepEqual(
        [
          record?.eventSource,
          record?.eventSourceARN,
          record?.awsRegion,
          record?.attributes.ApproximateReceiveCount,
        ],
        ['aws:sqs', queues.orderQueue.arn, 'local-1', '1'],
      );
      assert.ok(record?.receiptHandle && record.md5OfBody && record.attributes.SentTimestamp);
      assert.deepEqual(mapping.deliveries.map((d) => [d.body, d.receiveCount, d.outcome]).sort(), [
        ['fail-1', 1, 'retried'],
        ['fail-1', 2, 'retried'],
        ['ok-1', 1, 'deleted'],
        ['ok-2', 1, 'deleted'],
      ]);
    } finally {
      await mapping.stop();
      await sqs.client.send(new PurgeQueueCommand({ QueueUrl: queues.orderDlq.url }));
    }
  });

  for (const [what, handler] of [
    ['a thrown error', async () => Promise.reject(new Error('boom'))],
    [
      'a failure naming no record of the batch',
      async () => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] }),
    ],
  ] as const) {
    it(`brings the whole batch back after ${what}`, async () => {
      let calls = 0;
      const mapping = await run(['a', 'b'], async () => {
        calls += 1;
        return calls === 1 ? handler() : { batchItemFailures: [] };
      });
      try {
        await eventually(
          async () => mapping.deliveries.filter((d) => d.outcome === 'deleted').length === 2,
          5_000,
          25,
        );
        assert.deepEqual(mapping.deliveries.map((d) => [d.body, d.receiveCount, d.outcome]).sort(), [
          ['a', 1, 'retried'],
          ['a', 2, 'deleted'],
          ['b', 1, 'retried'],
          ['b', 2, 'deleted'],
        ]);
      } finally {
        await mapping.stop();
      }
    });
  }
});
