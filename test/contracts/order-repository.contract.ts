import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrderStatus } from '../../src/core/order.ts';
import type { OrderRepository } from '../../src/core/ports.ts';
import { anOrder } from '../support/builders.ts';

/** The behaviour every OrderRepository adapter must have. */
export function orderRepositoryContract(
  adapter: string,
  make: () => OrderRepository | Promise<OrderRepository>,
) {
  describe(`OrderRepository contract: ${adapter}`, () => {
    it('creates an order and reads it back unchanged', async () => {
      const repo = await make();
      const order = anOrder({ itemCount: 2, customer_id: null });
      assert.deepEqual(await repo.create(order), { created: true });
      assert.deepEqual(await repo.get(order.order_id), order);
    });

    it('returns undefined for an unknown id', async () => {
      assert.equal(await (await make()).get('nope'), undefined);
    });

    it('does not overwrite an existing order and returns the one already stored', async () => {
      const repo = await make();
      const first = anOrder();
      await repo.create(first);
      const result = await repo.create({
        ...first,
        submission_id: 'other',
        items: [{ product_id: 'x', quantity: 9 }],
      });
      assert.deepEqual(result, { created: false, existing: first });
      assert.deepEqual(await repo.get(first.order_id), first);
    });

    it('applies a transition only from the expected status', async () => {
      const repo = await make();
      const order = anOrder();
      await repo.create(order);
      const moved = await repo.transition(order.order_id, OrderStatus.PENDING, {
        status: OrderStatus.FULFILLED,
        countAttempt: true,
        updated_at: '2026-02-01T00:00:00.000Z',
      });
      assert.equal(moved, true);
      const stored = await repo.get(order.order_id);
      assert.equal(stored?.status, OrderStatus.FULFILLED);
      assert.equal(stored?.attempts, 1);
      assert.equal(stored?.updated_at, '2026-02-01T00:00:00.000Z');
      const replay = await repo.transition(order.order_id, OrderStatus.PENDING, {
        status: OrderStatus.FULFILLED,
        countAttempt: true,
        updated_at: '2026-02-02T00:00:00.000Z',
      });
      assert.equal(replay, false, 'a replayed transition is a no-op');
      assert.equal((await repo.get(order.order_id))?.attempts, 1);
    });

    it('counts attempts, resets them and counts redrives', async () => {
      const repo = await make();
      const order = anOrder();
      await repo.create(order);
      const at = '2026-02-01T00:00:00.000Z';
      await repo.transition(order.order_id, 'PENDING', {
        countAttempt: true,
        last_error: 'boom',
        updated_at: at,
      });
      await repo.transition(order.order_id, 'PENDING', {
        countAttempt: true,
        last_error: 'boom 2',
        updated_at: at,
      });
      assert.equal(
        await repo.transition(order.order_id, 'PENDING', { status: 'FAILED', updated_at: at }),
        true,
      );
      const failed = await repo.get(order.order_id);
      assert.equal(failed?.attempts, 2);
      assert.equal(failed?.last_error, 'boom 2', 'an omitted last_error is left as it was');
      await repo.transition(order.order_id, 'FAILED', {
        status: 'PENDING',
        resetAttempts: true,
        countRedrive: true,
        last_error: null,
        updated_at: at,
      });
      const redriven = await repo.get(order.order_id);
      assert.deepEqual(
        {
          status: redriven?.status,
          attempts: redriven?.attempts,
          redrives: redriven?.redrives,
          last_error: redriven?.last_error,
        },
        { status: 'PENDING', attempts: 0, redrives: 1, last_error: null },
      );
    });

    it('keeps the not-yet-queued mark, and clears it only while it is set (a compare-and-set)', async () => {
      const repo = await make();
      const order = anOrder({ queued: false });
      await repo.create(order);
      assert.deepEqual(await repo.get(order.order_id), order, 'read back with queued: false');
      const unqueued = { status: OrderStatus.PENDING, unqueued: true } as const;
      assert.equal(await repo.transition(order.order_id, unqueued, { queued: true }), true);
      const marked = await repo.get(order.order_id);
      assert.equal(marked?.queued, undefined, 'queued is the absence of the mark');
      assert.equal(marked?.updated_at, order.updated_at, 'an omitted updated_at is left as it was');
      assert.equal(await repo.transition(order.order_id, unqueued, { queued: true }), false);
      assert.equal(await repo.transition(order.order_id, 'PENDING', { queued: false }), true);
      assert.equal((await repo.get(order.order_id))?.queued, false);
    });

    it('applies a transition only when every part of its condition holds', async () => {
      const repo = await make();
      const order = anOrder({ attempts: 0, updated_at: '2026-02-01T00:00:00.000Z' });
      await repo.create(order);
      const change = { last_error: 'seen' };
      const id = order.order_id;
      assert.equal(await repo.transition(id, { status: 'PENDING', attempts: 1 }, change), false);
      assert.equal(await repo.transition(id, { status: 'PENDING', unqueued: true }, change), false);
      assert.equal(
        await repo.transition(id, { status: 'PENDING', updated_at: '2026-02-01T00:00:00.001Z' }, change),
        false,
      );
      assert.equal(
        await repo.transition(id, { status: 'PENDING', updatedBefore: '2026-02-01T00:00:00.000Z' }, change),
        false,
        'not before itself',
      );
      assert.equal((await repo.get(id))?.last_error, null, 'no failed condition changed anything');
      assert.equal(
        await repo.transition(
          id,
          {
            status: 'PENDING',
            attempts: 0,
            updated_at: '2026-02-01T00:00:00.000Z',
            updatedBefore: '2026-02-01T00:00:00.001Z',
          },
          { ...change, updated_at: '2026-02-02T00:00:00.000Z' },
        ),
        true,
      );
      assert.deepEqual(
        [(await repo.get(id))?.last_error, (await repo.get(id))?.updated_at],
        ['seen', '2026-02-02T00:00:00.000Z'],
      );
    });

    it('lets exactly one of many concurrent conditional transitions win (the redrive claim)', async () => {
      const repo = await make();
      const order = anOrder({ status: 'FAILED', attempts: 3 });
      await repo.create(order);
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          repo.transition(order.order_id, 'FAILED', {
            status: 'PENDING',
            resetAttempts: true,
            countRedrive: true,
            queued: false,
            updated_at: `2026-02-01T00:00:${String(i).padStart(2, '0')}.000Z`,
          }),
        ),
      );
      assert.equal(claims.filter(Boolean).length, 1);
      const claimed = await repo.get(order.order_id);
      assert.deepEqual(
        [claimed?.status, claimed?.attempts, claimed?.redrives, claimed?.queued],
        ['PENDING', 0, 1, false],
      );
      // A claim that expired is taken over by exactly one caller too.
      const takeovers = await Promise.all(
        Array.from({ length: 20 }, () =>
          repo.transition(
            order.order_id,
            { status: 'PENDING', attempts: 0, unqueued: true, updatedBefore: '2027-01-01T00:00:00.000Z' },
            { updated_at: '2027-01-01T00:00:00.000Z' },
          ),
        ),
      );
      assert.equal(takeovers.filter(Boolean).length, 1);
    });

    it('does not transition an unknown order', async () => {
      assert.equal(
        await (await make()).transition('ghost', 'PENDING', { status: 'FAILED', updated_at: 'x' }),
        false,
      );
    });

    it('lists newest first, filters by status and pages with a cursor without gaps or repeats', async () => {
      const repo = await make();
      const orders = Array.from({ length: 7 }, (_, i) =>
        anOrder({ created_at: `2026-03-01T00:00:0${i}.000Z`, status: i % 2 ? 'FULFILLED' : 'PENDING' }),
      );
      for (const order of orders) await repo.create(order);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repo.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((o) => o.order_id));
        cursor = page.cursor;
      } while (cursor);
      assert.deepEqual(seen, orders.map((o) => o.order_id).reverse());
      const fulfilled = await repo.list({ status: 'FULFILLED', limit: 10 });
      assert.deepEqual(
        fulfilled.items.map((o) => o.order_id),
        orders
          .filter((o) => o.status === 'FULFILLED')
          .map((o) => o.order_id)
          .reverse(),
      );
      assert.equal(fulfilled.cursor, undefined);
    });

    it('counts orders by status, with zero for statuses that have none', async () => {
      const repo = await make();
      await repo.create(anOrder({ status: 'PENDING' }));
      await repo.create(anOrder({ status: 'PENDING' }));
      await repo.create(anOrder({ status: 'FAILED' }));
      assert.deepEqual(await repo.countByStatus(), { PENDING: 2, FULFILLED: 0, FAILED: 1 });
    });

    it('rejects a malformed cursor with a clear error', async () => {
      await assert.rejects((await make()).list({ limit: 1, cursor: 'not-a-cursor' }), /cursor is not valid/);
    });
  });
}
