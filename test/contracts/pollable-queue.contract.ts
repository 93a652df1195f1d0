import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PollableQueue } from '../../src/core/ports.ts';
import type { ManualClock } from '../support/builders.ts';

export interface QueuePair {
  queue: PollableQueue;
  dlq: PollableQueue;
  clock: ManualClock;
}

/**
 * SQS standard-queue semantics every PollableQueue adapter must have. `make` builds a queue with a
 * 1000 ms visibility timeout and a redrive policy of maxReceiveCount 3 to `dlq`.
 */
export function pollableQueueContract(adapter: string, make: () => QueuePair) {
  describe(`PollableQueue contract: ${adapter}`, () => {
    it('delivers a sent message with its body, id and a receive count of 1', async () => {
      const { queue } = make();
      const { messageId } = await queue.send('{"order_id":"a"}');
      const [message, ...rest] = await queue.receive(10);
      assert.equal(rest.length, 0);
      assert.equal(message?.messageId, messageId);
      assert.equal(message?.body, '{"order_id":"a"}');
      assert.equal(message?.receiveCount, 1);
    });

    it('hides a received message until its visibility timeout ends, then delivers it again', async () => {
      const { queue, clock } = make();
      await queue.send('x');
      assert.equal((await queue.receive(10)).length, 1);
      assert.equal((await queue.receive(10)).length, 0, 'invisible while in flight');
      assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 1 });
      assert.equal(await queue.nextVisibleAt(), clock.now() + 1000);
      clock.advance(999);
      assert.equal((await queue.receive(10)).length, 0);
      clock.advance(1);
      const [again] = await queue.receive(10);
      assert.equal(again?.receiveCount, 2);
    });

    it('removes a message deleted with its current receipt handle', async () => {
      const { queue, clock } = make();
      await queue.send('x');
      const [message] = await queue.receive(10);
      await queue.delete([message?.receiptHandle ?? '']);
      clock.advance(5000);
      assert.equal((await queue.receive(10)).length, 0);
      assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 0 });
    });

    it('ignores a stale receipt handle from an earlier receive', async () => {
      const { queue, clock } = make();
      await queue.send('x');
      const [first] = await queue.receive(10);
      clock.advance(1000);
      const [second] = await queue.receive(10);
      await queue.delete([first?.receiptHandle ?? '']);
      assert.deepEqual(
        await queue.depth(),
        { visible: 0, inFlight: 1 },
        'still owned by the second receiver',
      );
      await queue.delete([second?.receiptHandle ?? '']);
      assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 0 });
    });

    it('returns at most the batch size and claims each message once', async () => {
      const { queue } = make();
      for (let i = 0; i < 25; i++) await queue.send(`m${i}`);
      const a = await queue.receive(10);
      const b = await queue.receive(10);
      const c = await queue.receive(10);
      assert.deepEqual([a.length, b.length, c.length], [10, 10, 5]);
      const ids = new Set([...a, ...b, ...c].map((m) => m.messageId));
      assert.equal(ids.size, 25, 'no message is delivered to two receivers');
    });

    it('moves a message to the DLQ on the receive that would exceed maxReceiveCount', async () => {
      const { queue, dlq, clock } = make();
      const { messageId } = await queue.send('poison');
      for (let receive = 1; receive <= 3; receive++) {
        const [message] = await queue.receive(10);
        assert.equal(message?.receiveCount, receive);
        clock.advance(1000);
      }
      assert.deepEqual(await queue.receive(10), [], 'the fourth receive moves it instead of delivering it');
      assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 0 });
      const [dead] = await dlq.receive(10);
      assert.equal(dead?.messageId, messageId);
      assert.equal(dead?.body, 'poison');
      assert.equal(dead?.receiveCount, 1, 'the DLQ counts its own receives');
    });

    it('never delivers an exhausted message, however many there are, and dead-letters each', async () => {
      const { queue, dlq, clock } = make();
      // More exhausted messages than one receive takes, so some lie beyond its first look at the head.
      for (let i = 0; i < 12; i++) await queue.send(`poison-${i}`);
      for (let receive = 1; receive <= 3; receive++) {
        assert.equal((await queue.receive(10)).length + (await queue.receive(10)).length, 12);
        if (receive < 3) clock.advance(1000);
      }
      // Ahead of them (visible earlier): more fresh messages than one receive takes.
      for (let i = 0; i < 25; i++) await queue.send(`fresh-${i}`);
      clock.advance(1000);
      const delivered: string[] = [];
      for (let batch = await queue.receive(10); batch.length > 0; batch = await queue.receive(10)) {
        delivered.push(...batch.map((m) => m.body));
      }
      assert.deepEqual(
        delivered.filter((body) => body.startsWith('poison')),
        [],
        'none delivered a 4th time',
      );
      assert.equal(delivered.length, 25);
      const dead = [...(await dlq.receive(10)), ...(await dlq.receive(10))];
      assert.equal(dead.length, 12);
    });

    it('wakes listeners on send and the DLQ listeners on a dead-letter move', async () => {
      const { queue, dlq, clock } = make();
      let queueWakes = 0;
      let dlqWakes = 0;
      queue.onMessage(() => queueWakes++);
      dlq.onMessage(() => dlqWakes++);
      await queue.send('x');
      assert.equal(queueWakes, 1);
      for (let i = 0; i < 4; i++) {
        await queue.receive(1);
        clock.advance(1000);
      }
      assert.equal(dlqWakes, 1);
    });
  });
}
