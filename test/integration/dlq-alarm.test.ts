import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { MemoryFailedOrderRepository } from '../../src/adapters/memory/memory-failed-order-repository.ts';
import { MemoryQueue } from '../../src/adapters/memory/memory-queue.ts';
import { DlqAlarm } from '../../src/hosts/local/dlq-alarm.ts';
import { ManualClock, recordingLogger } from '../support/builders.ts';

const failure = (order_id: string) => ({
  order_id,
  reason: 'r',
  attempts: 3,
  message_id: 'm',
  body: '{}',
  failed_at: '2026-01-01T00:00:00.000Z',
});

/** A webhook receiver on 127.0.0.1 that answers 500 to the first `failFirst` posts. */
async function webhookReceiver(failFirst: number) {
  const received: Record<string, unknown>[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      calls += 1;
      if (calls <= failFirst) {
        res.writeHead(500).end();
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    calls: () => calls,
    close: () => new Promise((r) => server.close(r)),
  };
}

describe('DlqAlarm (local DLQ alarm)', () => {
  it('goes to ALARM at the threshold and back to OK below it, logging each change', async () => {
    const clock = new ManualClock();
    const dlq = new MemoryQueue({ name: 'order_dlq', visibilityTimeoutMs: 1000, clock });
    const failedOrders = new MemoryFailedOrderRepository();
    const logger = recordingLogger();
    const alarm = new DlqAlarm({ dlq, failedOrders, threshold: 2, logger });
    assert.equal((await alarm.evaluate()).state, 'OK');
    await failedOrders.put(failure('a'));
    assert.equal((await alarm.evaluate()).state, 'OK', 'one below the threshold');
    await dlq.send('{"order_id":"b"}');
    const alarmed = await alarm.evaluate();
    assert.deepEqual(
      [alarmed.state, alarmed.value, alarmed.threshold],
      ['ALARM', 2, 2],
      'DLQ messages count too',
    );
    await failedOrders.delete('a');
    assert.equal((await alarm.evaluate()).state, 'OK');
    assert.deepEqual(
      logger.lines.map((l) => [l.level, l.state]),
      [
        ['error', 'ALARM'],
        ['info', 'OK'],
      ],
    );
  });

  it('delivers each state change to the webhook, retrying a failed delivery', async () => {
    const hook = await webhookReceiver(1);
    try {
      const failedOrders = new MemoryFailedOrderRepository();
      const dlq = new MemoryQueue({ name: 'order_dlq', visibilityTimeoutMs: 1000, clock: new ManualClock() });
      const logger = recordingLogger();
      const alarm = new DlqAlarm({
        dlq,
        failedOrders,
        threshold: 1,
        logger,
        webhookUrl: hook.url,
        retryDelaysMs: [10, 10],
      });
      await failedOrders.put(failure('a'));
      await alarm.evaluate();
      await failedOrders.delete('a');
      await alarm.evaluate();
      await alarm.stop();
      assert.equal(hook.calls(), 3, 'one 500, one retry, then the OK notification');
      assert.deepEqual(
        hook.received.map((r) => [r.source, r.name, r.state, r.value]),
        [
          ['dofs', 'dofs-dlq-backlog', 'ALARM', 1],
          ['dofs', 'dofs-dlq-backlog', 'OK', 0],
        ],
      );
      assert.ok(
        logger.lines.some((l) => l.message === 'alarm webhook answered an error' && l.status === 500),
      );
    } finally {
      await hook.close();
    }
  });

  it('gives up after its retries and says so', async () => {
    const failedOrders = new MemoryFailedOrderRepository();
    const dlq = new MemoryQueue({ name: 'order_dlq', visibilityTimeoutMs: 1000, clock: new ManualClock() });
    const logger = recordingLogger();
    let attempts = 0;
    const alarm = new DlqAlarm({
      dlq,
      failedOrders,
      threshold: 1,
      logger,
      webhookUrl: 'http://127.0.0.1:9/unused',
      retryDelaysMs: [1, 1],
      fetch: async () => {
        attempts += 1;
        throw new Error('connection refused');
      },
    });
    await failedOrders.put(failure('a'));
    await alarm.evaluate();
    await alarm.stop();
    assert.equal(attempts, 3);
    assert.ok(logger.lines.some((l) => l.message === 'alarm webhook gave up'));
  });
});
