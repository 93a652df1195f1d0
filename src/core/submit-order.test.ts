import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOrder, anOrderBody, ManualClock } from '../../test/support/builders.ts';
import { MemoryOrderRepository } from '../adapters/memory/memory-order-repository.ts';
import { DofsError, OrderConflictError, OrderInvalidError, TransientError } from './errors.ts';
import { fingerprintOf, type OrderItem } from './order.ts';
import { encodeOrderMessage } from './order-message.ts';
import type { MessageSender, OrderRepository, OrderWorkflowInput, WorkflowRun } from './ports.ts';
import { createStoreOrder } from './store-order.ts';
import { createSubmitOrder, type SubmitOrderResult } from './submit-order.ts';

const items: OrderItem[] = [{ product_id: 'p-1', quantity: 2, price: 9.5 }];
const otherItems: OrderItem[] = [{ product_id: 'p-2', quantity: 1, price: 3 }];
const fingerprint = fingerprintOf({ customer_id: 'c-1', items });

type Answer = (input: OrderWorkflowInput) => Promise<WorkflowRun>;

/**
 * submitOrder with memory adapters. The workflow answers with `answer`; by default it is the intake as the
 * ASL runs it: StoreOrder's result in the output's `stored`, a typed error caught as a FAILED run (its
 * SendToQueue step is not submitOrder's concern).
 */
function setup(options: { answer?: Answer; orders?: OrderRepository; withQueue?: boolean } = {}) {
  const orders = options.orders ?? new MemoryOrderRepository();
  const storeOrder = createStoreOrder({ orders, clock: new ManualClock() });
  const intake: Answer = async (input) => {
    try {
      return { status: 'SUCCEEDED', output: { ...input, stored: await storeOrder(input) } };
    } catch (error) {
      if (!(error instanceof DofsError)) throw error;
      return { status: 'FAILED', error: error.name, cause: error.message };
    }
  };
  const answer = options.answer ?? intake;
  const runs: { input: OrderWorkflowInput; fingerprint: string }[] = [];
  const sent: string[] = [];
  const queue: MessageSender = {
    send: async (body) => {
      sent.push(body);
      return { messageId: `m-${sent.length}` };
    },
  };
  let submissions = 0;
  const submitOrder = createSubmitOrder({
    workflow: {
      run: async (input, fingerprint) => {
        runs.push({ input, fingerprint });
        return answer(input);
      },
    },
    orders,
    ids: { orderId: () => 'generated-1', submissionId: () => `submission-${++submissions}` },
    clock: new ManualClock(),
    ...(options.withQueue === false ? {} : { queue }),
  });
  return { submitOrder, orders, runs, sent };
}

function acceptedOrder(result: SubmitOrderResult) {
  assert.ok(result.ok, `refused: ${result.ok ? '' : result.error.message}`);
  return result;
}

function refusal(result: SubmitOrderResult) {
  assert.ok(!result.ok, 'accepted');
  return result.error;
}

const alreadyRan = (run: { sameInput: boolean; failedEarlier?: boolean }): Answer => {
  return async () => ({ status: 'ALREADY_RAN', ...run });
};

describe('submitOrder', () => {
  describe('a new order', () => {
    it('runs the workflow with the normalised order and a new submission, and answers with the stored order', async () => {
      const { submitOrder, orders, runs } = setup();
      const result = acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.deepEqual(runs, [
        {
          input: { submission_id: 'submission-1', order: { order_id: 'o-1', customer_id: 'c-1', items } },
          fingerprint,
        },
      ]);
      assert.equal(result.replayed, false);
      assert.deepEqual(
        [result.order.order_id, result.order.status, result.order.submission_id, result.order.fingerprint],
        ['o-1', 'PENDING', 'submission-1', fingerprint],
      );
      assert.equal((await orders.get('o-1'))?.submission_id, 'submission-1');
    });

    it('gives an order sent without an order_id a generated one', async () => {
      const { submitOrder, runs } = setup();
      const result = acceptedOrder(await submitOrder(anOrderBody({ items })));
      assert.equal(result.order.order_id, 'generated-1');
      assert.equal(runs[0]?.input.order.order_id, 'generated-1');
    });

    it('clears the not-yet-queued mark once its workflow has queued the order, and sends nothing itself', async () => {
      const { submitOrder, orders, sent } = setup();
      acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.equal((await orders.get('o-1'))?.queued, undefined, 'a later submission will not send it again');
      assert.deepEqual(sent, []);
    });

    it('answers all the same when clearing the mark fails: the order is queued either way', async () => {
      const orders = new MemoryOrderRepository();
      const failingMarks: OrderRepository = {
        create: (order) => orders.create(order),
        get: (id) => orders.get(id),
        list: (query) => orders.list(query),
        countByStatus: () => orders.countByStatus(),
        history: (id) => orders.history(id),
        transition: async () => {
          throw new TransientError('storage unavailable: database is busy');
        },
      };
      const { submitOrder } = setup({ orders: failingMarks });
      const result = acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.deepEqual([result.order.order_id, result.replayed], ['o-1', false]);
    });
  });

  describe('a resubmission with the same payload', () => {
    it('answers with the order the first submission stored, replayed', async () => {
      const { submitOrder } = setup();
      acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      const again = acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.equal(again.replayed, true);
      assert.equal(again.order.submission_id, 'submission-1');
    });

    it('reads the stored order when the execution of that name already ran', async () => {
      const { submitOrder, orders, sent } = setup({ answer: alreadyRan({ sameInput: true }) });
      await orders.create(anOrder({ order_id: 'o-1', items, status: 'FULFILLED', submission_id: 'earlier' }));
      const result = acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.deepEqual([result.order.status, result.replayed], ['FULFILLED', true]);
      assert.deepEqual(sent, []);
    });

    it('reads the stored order when the workflow output does not carry this order', async () => {
      const { submitOrder, orders } = setup({
        answer: async () => ({
          status: 'SUCCEEDED',
          output: { stored: { order: anOrder({ order_id: 'o-2' }) } },
        }),
      });
      await orders.create(anOrder({ order_id: 'o-1', items, submission_id: 'earlier' }));
      const result = acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.deepEqual(
        [result.order.order_id, result.order.submission_id, result.replayed],
        ['o-1', 'earlier', true],
      );
    });

    it('throws TransientError while the order that execution accepts is not stored yet', async () => {
      const { submitOrder } = setup({ answer: alreadyRan({ sameInput: true }) });
      await assert.rejects(submitOrder(anOrderBody({ order_id: 'o-1', items })), {
        name: 'TransientError',
        message: 'order o-1 is still being accepted; retry with the same order_id',
      });
    });
  });

  describe('an earlier submission stranded between storing and queueing', () => {
    const stranded = () =>
      anOrder({ order_id: 'o-1', items, status: 'PENDING', submission_id: 'earlier', queued: false });

    it('sends the message the failed execution never sent, and clears the mark', async () => {
      const { submitOrder, orders, sent } = setup({
        answer: alreadyRan({ sameInput: true, failedEarlier: true }),
      });
      await orders.create(stranded());
      const result = acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.deepEqual(sent, [encodeOrderMessage('o-1')]);
      assert.equal((await orders.get('o-1'))?.queued, undefined);
      assert.equal(result.replayed, false, 'this submission is the one that queued it');
    });

    it('sends nothing for an order that execution did queue', async () => {
      const { submitOrder, orders, sent } = setup({
        answer: alreadyRan({ sameInput: true, failedEarlier: true }),
      });
      await orders.create(anOrder({ order_id: 'o-1', items, status: 'PENDING', submission_id: 'earlier' }));
      const result = acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.deepEqual(sent, []);
      assert.equal(result.replayed, true);
    });

    it('sends nothing when the execution that ran did not fail', async () => {
      const { submitOrder, orders, sent } = setup({ answer: alreadyRan({ sameInput: true }) });
      await orders.create(stranded());
      acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.deepEqual(sent, []);
      assert.equal((await orders.get('o-1'))?.queued, false);
    });

    it('without a queue to send to, answers with the stored order and leaves the mark', async () => {
      const { submitOrder, orders } = setup({
        answer: alreadyRan({ sameInput: true, failedEarlier: true }),
        withQueue: false,
      });
      await orders.create(stranded());
      const result = acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.equal(result.replayed, true);
      assert.equal((await orders.get('o-1'))?.queued, false);
    });
  });

  describe('the same order id with another payload', () => {
    it('is refused with OrderConflict when the workflow finds the stored order differs', async () => {
      const { submitOrder } = setup();
      acceptedOrder(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      const error = refusal(await submitOrder(anOrderBody({ order_id: 'o-1', items: otherItems })));
      assert.ok(error instanceof OrderConflictError);
      assert.equal(error.message, 'order o-1 already exists with a different payload');
    });

    it('is refused with OrderConflict when the stored order it reads differs', async () => {
      const { submitOrder, orders } = setup({ answer: alreadyRan({ sameInput: true }) });
      await orders.create(anOrder({ order_id: 'o-1', items: otherItems }));
      assert.ok(
        refusal(await submitOrder(anOrderBody({ order_id: 'o-1', items }))) instanceof OrderConflictError,
      );
    });

    it('is refused with OrderConflict when the execution of that name ran for another input', async () => {
      const { submitOrder } = setup({ answer: alreadyRan({ sameInput: false }) });
      assert.ok(
        refusal(await submitOrder(anOrderBody({ order_id: 'o-1', items }))) instanceof OrderConflictError,
      );
    });
  });

  describe('an invalid order', () => {
    it('is refused with every failing field, without running the workflow', async () => {
      const { submitOrder, runs } = setup();
      const error = refusal(await submitOrder({ customer_id: 'c 1', items: [] }));
      assert.ok(error instanceof OrderInvalidError);
      assert.deepEqual(error.errors.map((e) => e.field).sort(), ['customer_id', 'items']);
      assert.deepEqual(runs, []);
    });

    it('is refused with the cause when the workflow finds it invalid', async () => {
      const { submitOrder } = setup({
        answer: async () => ({ status: 'FAILED', error: 'OrderInvalid', cause: 'total is too large' }),
      });
      const error = refusal(await submitOrder(anOrderBody({ order_id: 'o-1', items })));
      assert.ok(error instanceof OrderInvalidError);
      assert.deepEqual(error.errors, [{ field: 'body', message: 'total is too large' }]);
    });
  });

  describe('a workflow that fails for lack of infrastructure', () => {
    it('throws TransientError naming the workflow error, so the client retries', async () => {
      const { submitOrder } = setup({
        answer: async () => ({ status: 'FAILED', error: 'States.Timeout', cause: 'SendToQueue timed out' }),
      });
      await assert.rejects(submitOrder(anOrderBody({ order_id: 'o-1', items })), {
        name: 'TransientError',
        message: 'order o-1 could not be accepted (States.Timeout); retry with the same order_id',
      });
    });

    it('passes an error the workflow throws straight through', async () => {
      const failure = new TransientError('state machine throttled');
      const { submitOrder } = setup({
        answer: async () => {
          throw failure;
        },
      });
      await assert.rejects(
        submitOrder(anOrderBody({ order_id: 'o-1', items })),
        (error) => error === failure,
      );
    });
  });
});
