import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import validateAsl from 'asl-validator';
import { MemoryExecutionJournal } from '../../src/adapters/memory/memory-execution-journal.ts';
import { MemoryOrderRepository } from '../../src/adapters/memory/memory-order-repository.ts';
import { TransientError } from '../../src/core/errors.ts';
import { fingerprintOf, type Order } from '../../src/core/order.ts';
import {
  ORDER_WORKFLOW_PATH,
  placeholdersOf,
  renderDefinition,
} from '../../src/workflow/order-workflow-definition.ts';
import { anOrderBody } from '../support/builders.ts';
import { localWorkflowHarness as harness } from '../support/local-workflow.ts';

const AWS_VALUES = {
  validate_order_function_arn: 'arn:aws:lambda:eu-west-1:123456789012:function:dofs-validate-order',
  store_order_function_arn: 'arn:aws:lambda:eu-west-1:123456789012:function:dofs-store-order',
  order_queue_url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dofs-order-queue',
};

/** An OrderRepository whose create fails `times` times with a transient error first. */
class FlakyOrders extends MemoryOrderRepository {
  calls = 0;
  readonly times: number;
  constructor(times: number) {
    super();
    this.times = times;
  }
  override async create(order: Order) {
    this.calls += 1;
    if (this.calls <= this.times) throw new TransientError('database is busy');
    return super.create(order);
  }
}

describe('order workflow definition', () => {
  it('is valid ASL once its placeholders are filled', () => {
    const text = readFileSync(ORDER_WORKFLOW_PATH, 'utf8');
    assert.deepEqual(placeholdersOf(text), [
      'validate_order_function_arn',
      'store_order_function_arn',
      'order_queue_url',
    ]);
    const result = validateAsl(renderDefinition(text, AWS_VALUES));
    assert.deepEqual(result.errors, []);
    assert.equal(result.isValid, true);
  });

  it('follows templatefile(): a doubled dollar is a literal, any other template expression is refused', () => {
    const text = readFileSync(ORDER_WORKFLOW_PATH, 'utf8');
    const rendered = renderDefinition(text, AWS_VALUES) as { Comment: string };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text the comment must render to.
    assert.ok(rendered.Comment.includes('${order_queue_url}'), rendered.Comment);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${...} that Terraform would refuse.
    const unescaped = '{"Comment": "filled by ${...}"}';
    assert.throws(() => renderDefinition(unescaped, AWS_VALUES), /not a plain placeholder/);
    assert.throws(() => renderDefinition('{"A": "%{ if x }"}', AWS_VALUES), /not a plain placeholder/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an escaped and a real placeholder, as text.
    assert.deepEqual(placeholdersOf('{"A": "$${escaped}", "B": "${real}"}'), ['real']);
  });

  it('refuses to render with a placeholder missing', () => {
    const text = readFileSync(ORDER_WORKFLOW_PATH, 'utf8');
    assert.throws(() => renderDefinition(text, { order_queue_url: 'x' }), /validate_order_function_arn/);
  });
});

const variants = [
  { engine: 'compiled', type: 'STANDARD' },
  { engine: 'aws-local-stepfunctions', type: 'STANDARD' },
  { engine: 'compiled', type: 'EXPRESS' },
  { engine: 'aws-local-stepfunctions', type: 'EXPRESS' },
] as const;

for (const { engine: workflowEngine, type } of variants) {
  // Every harness of this suite runs this engine and workflow type.
  const engine = workflowEngine;
  const localWorkflowHarness = (options: Parameters<typeof harness>[0] = {}) => harness({ type, ...options });
  describe(`order workflow scenarios (real ASL, in-process, ${engine}, ${type})`, () => {
    it('stores a valid order as PENDING and enqueues exactly one message for it', async () => {
      const { submitOrder, orders, queue } = localWorkflowHarness({ engine });
      const result = await submitOrder(anOrderBody({ order_id: 'o-1' }));
      assert.ok(result.ok && !result.replayed);
      assert.equal((await orders.get('o-1'))?.status, 'PENDING');
      const messages = await queue.receive(10);
      assert.deepEqual(
        messages.map((m) => JSON.parse(m.body)),
        [{ order_id: 'o-1' }],
      );
    });

    it("records accepted and queued in the order's history; a replay or a conflict records nothing", async () => {
      const { submitOrder, orders } = localWorkflowHarness({ engine });
      await submitOrder(anOrderBody({ order_id: 'o-1' }));
      await submitOrder(anOrderBody({ order_id: 'o-1' }));
      await submitOrder(anOrderBody({ order_id: 'o-1', customer_id: 'someone-else' }));
      assert.deepEqual(
        (await orders.history('o-1'))?.events.map((e) => [e.seq, e.type, e.status]),
        [
          [1, 'accepted', 'PENDING'],
          [2, 'queued', 'PENDING'],
        ],
      );
    });

    it('generates an order id when the client sends none', async () => {
      const { submitOrder } = localWorkflowHarness({ engine });
      const result = await submitOrder(anOrderBody());
      assert.ok(result.ok);
      assert.match(result.order.order_id, /^generated-/);
    });

    it('fails an invalid order at CheckValidation with OrderInvalid: nothing stored, nothing queued', async () => {
      const { workflow, orders, queue } = localWorkflowHarness({ engine });
      const run = await workflow.run(
        { submission_id: 's', order: { order_id: 'bad', customer_id: null, items: [] } },
        'f',
      );
      assert.equal(run.status, 'FAILED');
      assert.equal(run.status === 'FAILED' && run.error, 'OrderInvalid');
      assert.equal(await orders.get('bad'), undefined);
      assert.deepEqual(await queue.depth(), { visible: 0, inFlight: 0 });
    });

    it('returns the current order for a duplicate with the same payload, without enqueuing again', async () => {
      const { submitOrder, queue } = localWorkflowHarness({ engine });
      await submitOrder(anOrderBody({ order_id: 'o-1' }));
      const again = await submitOrder(anOrderBody({ order_id: 'o-1' }));
      assert.ok(again.ok && again.replayed);
      assert.equal(again.order.order_id, 'o-1');
      assert.deepEqual(await queue.depth(), { visible: 1, inFlight: 0 });
    });

    it('answers OrderConflict for the same id with a different payload', async () => {
      const { submitOrder } = localWorkflowHarness({ engine });
      await submitOrder(anOrderBody({ order_id: 'o-1' }));
      const other = await submitOrder(anOrderBody({ order_id: 'o-1', customer_id: 'someone-else' }));
      assert.ok(!other.ok && other.error.name === 'OrderConflict');
    });

    it('catches OrderConflict in StoreOrder when two executions share an id (Express has no name dedupe)', async () => {
      const orders = new MemoryOrderRepository();
      const first = localWorkflowHarness({ orders, engine });
      const second = localWorkflowHarness({ orders, journal: new MemoryExecutionJournal(), engine });
      await first.submitOrder(anOrderBody({ order_id: 'o-1' }));
      const body = anOrderBody({ order_id: 'o-1', customer_id: 'c-2' });
      const run = await second.workflow.run(
        { submission_id: 's-2', order: { order_id: 'o-1', customer_id: 'c-2', items: body.items } },
        fingerprintOf({ customer_id: 'c-2', items: body.items }),
      );
      assert.deepEqual(run.status === 'FAILED' && [run.error, run.cause], [
        'OrderConflict',
        'An order with this order_id already exists with a different payload.',
      ]);
    });

    it('retries a transient store failure with backoff and then succeeds', async () => {
      const orders = new FlakyOrders(2);
      const { submitOrder, queue } = localWorkflowHarness({ orders, engine });
      const result = await submitOrder(anOrderBody({ order_id: 'o-1' }));
      assert.ok(result.ok);
      assert.equal(orders.calls, 3, 'two failures, then the third attempt stores it');
      assert.equal((await queue.depth()).visible, 1);
    });

    it('gives up after the Retry budget with a TransientError, and a later resubmission runs again', async () => {
      const orders = new FlakyOrders(5);
      const { submitOrder, queue } = localWorkflowHarness({ orders, engine });
      await assert.rejects(submitOrder(anOrderBody({ order_id: 'o-1' })), { name: 'TransientError' });
      assert.equal(orders.calls, 5, 'one attempt plus MaxAttempts 4 retries');
      const later = await submitOrder(anOrderBody({ order_id: 'o-1' }));
      assert.ok(later.ok && !later.replayed);
      assert.equal((await queue.depth()).visible, 1);
    });

    it('enqueues a stored order whose SendToQueue exhausted its retries when the same order is resubmitted', async () => {
      let failing = true;
      const { submitOrder, queue, orders } = localWorkflowHarness({ engine, sendFails: () => failing });
      const body = anOrderBody({ order_id: 'o-1' });
      await assert.rejects(submitOrder(body), { name: 'TransientError' });
      assert.deepEqual(
        [(await orders.get('o-1'))?.status, (await orders.get('o-1'))?.queued, (await queue.depth()).visible],
        ['PENDING', false, 0],
        'stored, never queued',
      );
      failing = false;
      const resubmitted = await submitOrder(body);
      assert.ok(resubmitted.ok && !resubmitted.replayed, 'this submission is the one that queued it: 202');
      assert.deepEqual(
        (await queue.receive(10)).map((m) => m.body),
        ['{"order_id":"o-1"}'],
      );
      assert.equal((await orders.get('o-1'))?.queued, undefined, 'marked as queued');
      const replay = await submitOrder(body);
      assert.ok(replay.ok && replay.replayed);
      assert.deepEqual(
        await queue.depth(),
        { visible: 0, inFlight: 1 },
        'a replay of a queued order sends nothing',
      );
    });

    it('enqueues the order for a concurrent duplicate that waited on a run whose SendToQueue failed', async () => {
      let sends = 0;
      // The first run's five tries fail (a locked database); the duplicate's run finds the order stored.
      const { submitOrder, queue } = localWorkflowHarness({ engine, sendFails: () => ++sends <= 5 });
      const body = anOrderBody({ order_id: 'o-1' });
      const [first, duplicate] = await Promise.allSettled([submitOrder(body), submitOrder(body)]);
      assert.equal(first.status === 'rejected' && first.reason.name, 'TransientError');
      assert.ok(duplicate.status === 'fulfilled' && duplicate.value.ok, 'the duplicate is accepted');
      assert.deepEqual(
        (await queue.receive(10)).map((m) => m.body),
        ['{"order_id":"o-1"}'],
        'and the order it was answered for has its message',
      );
    });

    // EXPRESS keeps no journal, so there is no execution to resume: a stored order that never reached the
    // queue is re-queued by the start-up reconciliation instead (test/integration/local-system.test.ts).
    if (type === 'STANDARD') {
      it('resumes an execution a crash left RUNNING and enqueues its stored order', async () => {
        const journal = new MemoryExecutionJournal();
        const orders = new MemoryOrderRepository();
        const crashed = localWorkflowHarness({ orders, journal, engine });
        const input = {
          submission_id: 's-1',
          order: { order_id: 'o-1', customer_id: 'c-1', items: [{ product_id: 'p', quantity: 1 }] },
        };
        const fingerprint = fingerprintOf(input.order);
        // The crash: journaled and stored, but the process died before SendToQueue.
        await journal.begin({ name: 'o-1', input: JSON.stringify(input), fingerprint, now: 0 });
        await crashed.orders.create({
          ...input.order,
          status: 'PENDING',
          attempts: 0,
          last_error: null,
          fingerprint,
          submission_id: 's-1',
          redrives: 0,
          created_at: 'x',
          updated_at: 'x',
        });
        const restarted = localWorkflowHarness({ orders, journal, engine });
        assert.equal(await restarted.workflow.resumeUnfinished(), 1);
        assert.deepEqual(
          (await restarted.queue.receive(10)).map((m) => m.body),
          ['{"order_id":"o-1"}'],
        );
        assert.deepEqual(await journal.listRunning(), []);
      });
    }

    it('runs concurrent duplicates once: the second waits for the first and gets the stored order', async () => {
      const { submitOrder, queue } = localWorkflowHarness({ engine });
      const [a, b] = await Promise.all([
        submitOrder(anOrderBody({ order_id: 'o-1' })),
        submitOrder(anOrderBody({ order_id: 'o-1' })),
      ]);
      assert.ok(a.ok && b.ok);
      assert.deepEqual([a.replayed, b.replayed].sort(), [false, true]);
      assert.equal((await queue.depth()).visible, 1);
    });
  });
}
