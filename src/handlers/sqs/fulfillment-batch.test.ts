import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sqsEvent, sqsRecord } from '../../../test/support/builders.ts';
import type { FulfillOrderResult } from '../../core/fulfill-order.ts';
import { createFulfillmentBatchHandler, FulfillmentAttemptFailed } from './fulfillment-batch.ts';

/** A fulfilment that fails the ids in `failing` and takes `ms` for each, so batches overlap. */
function fulfilment(failing: Set<string>, ms = 0) {
  return async (orderId: string): Promise<FulfillOrderResult> => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return failing.has(orderId)
      ? { ok: false, error: `attempt for ${orderId} failed` }
      : { ok: true, status: 'FULFILLED', skipped: false };
  };
}

const record = (orderId: string) => sqsRecord(JSON.stringify({ order_id: orderId }), { messageId: orderId });

describe('fulfilment batch handler', () => {
  it('reports exactly the failed records of each batch, however the batches overlap or follow', async () => {
    const handle = createFulfillmentBatchHandler(fulfilment(new Set(['a2', 'b1', 'c3']), 5));
    // Two batches at once (each needs a processor of its own), then a third reusing a finished one.
    const [a, b] = await Promise.all([
      handle(sqsEvent(record('a1'), record('a2'))),
      handle(sqsEvent(record('b1'), record('b2'))),
    ]);
    const c = await handle(sqsEvent(record('c1'), record('c3'), sqsRecord('not json', { messageId: 'c4' })));
    assert.deepEqual(a.batchItemFailures, [{ itemIdentifier: 'a2' }]);
    assert.deepEqual(b.batchItemFailures, [{ itemIdentifier: 'b1' }]);
    // Records are processed in parallel: failures are reported in the order they finish.
    assert.deepEqual(c.batchItemFailures.map((f) => f.itemIdentifier).sort(), ['c3', 'c4']);
    const clean = await handle(sqsEvent(record('d1')));
    assert.deepEqual(clean.batchItemFailures, [], 'nothing left over from earlier batches');
  });

  it('fails a record with an error that names the attempt and skips the stack trace it does not need', () => {
    const error = new FulfillmentAttemptFailed('fulfilment attempt 2 failed (simulated)');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'FulfillmentAttemptFailed');
    assert.equal(error.message, 'fulfilment attempt 2 failed (simulated)');
    assert.doesNotMatch(error.stack ?? '', /\n {4}at /, 'an expected outcome: no frames captured');
  });

  it('leaves stack traces of every other error as they were', () => {
    const original = Error.stackTraceLimit;
    Error.stackTraceLimit = 7;
    try {
      new FulfillmentAttemptFailed('attempt failed');
      assert.equal(Error.stackTraceLimit, 7, 'the limit it lowered is put back');
      assert.match(new Error('a bug').stack ?? '', /\n {4}at /, 'the next error still has its frames');
    } finally {
      Error.stackTraceLimit = original;
    }
  });
});
