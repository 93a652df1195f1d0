import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrderStatus } from '../../src/core/order.ts';
import type { NewOrderEvent, OrderEventType } from '../../src/core/order-history.ts';
import type { OrderRepository } from '../../src/core/ports.ts';
import { anOrder } from '../support/builders.ts';

let clock = Date.UTC(2026, 4, 1);
/** An event for a change, each one a millisecond after the last. */
function ev(type: OrderEventType, detail?: string): NewOrderEvent {
  clock += 1;
  return { type, at: new Date(clock).toISOString(), ...(detail === undefined ? {} : { detail }) };
}

/** The behaviour every OrderRepository adapter must have. */
export function orderRepositoryContract(
  adapter: string,
  make: (options?: { maxEvents?: number }) => OrderRepository | Promise<OrderRepository>,
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
        event: ev('fulfilled'),
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
        event: ev('fulfilled'),
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
        event: ev('attempt_failed', 'boom'),
      });
      await repo.transition(order.order_id, 'PENDING', {
        countAttempt: true,
        last_error: 'boom 2',
        updated_at: at,
        event: ev('attempt_failed', 'boom 2'),
      });
      assert.equal(
        await repo.transition(order.order_id, 'PENDING', {
          status: 'FAILED',
          updated_at: at,
          event: ev('dead_lettered'),
        }),
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
        event: ev('redriven'),
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
      assert.equal(
        await repo.transition(order.order_id, unqueued, { queued: true, event: ev('queued') }),
        true,
      );
      const marked = await repo.get(order.order_id);
      assert.equal(marked?.queued, undefined, 'queued is the absence of the mark');
      assert.equal(marked?.updated_at, order.updated_at, 'an omitted updated_at is left as it was');
      assert.equal(
        await repo.transition(order.order_id, unqueued, { queued: true, event: ev('queued') }),
        false,
      );
      assert.equal(
        await repo.transition(order.order_id, 'PENDING', { queued: false, event: ev('redriven') }),
        true,
      );
      assert.equal((await repo.get(order.order_id))?.queued, false);
    });

    it('applies a transition only when every part of its condition holds', async () => {
      const repo = await make();
      const order = anOrder({ attempts: 0, updated_at: '2026-02-01T00:00:00.000Z' });
      await repo.create(order);
      const change = { last_error: 'seen', event: ev('attempt_failed') };
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
            event: ev('redriven'),
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
            { updated_at: '2027-01-01T00:00:00.000Z', event: ev('redrive_resumed') },
          ),
        ),
      );
      assert.equal(takeovers.filter(Boolean).length, 1);
    });

    it('does not transition an unknown order', async () => {
      assert.equal(
        await (await make()).transition('ghost', 'PENDING', {
          status: 'FAILED',
          updated_at: 'x',
          event: ev('dead_lettered'),
        }),
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

    it('moves an order between the counts with each change of status, and only then', async () => {
      const repo = await make();
      const [a, b] = [anOrder(), anOrder()];
      await repo.create(a);
      await repo.create(b);
      const at = '2026-02-01T00:00:00.000Z';
      const fulfil = { status: OrderStatus.FULFILLED, updated_at: at, event: ev('fulfilled') };
      assert.equal(await repo.transition(a.order_id, OrderStatus.PENDING, fulfil), true);
      assert.equal(
        await repo.transition(a.order_id, OrderStatus.PENDING, fulfil),
        false,
        'no longer PENDING',
      );
      await repo.transition(b.order_id, OrderStatus.PENDING, {
        countAttempt: true,
        updated_at: at,
        event: ev('attempt_failed', 'boom'),
      });
      assert.deepEqual(await repo.countByStatus(), { PENDING: 1, FULFILLED: 1, FAILED: 0 });
      await repo.transition(b.order_id, OrderStatus.PENDING, {
        status: OrderStatus.FAILED,
        updated_at: at,
        event: ev('dead_lettered', 'exhausted'),
      });
      assert.deepEqual(await repo.countByStatus(), { PENDING: 0, FULFILLED: 1, FAILED: 1 });
    });

    it('rejects a malformed cursor with a clear error', async () => {
      await assert.rejects((await make()).list({ limit: 1, cursor: 'not-a-cursor' }), /cursor is not valid/);
    });

    it('searches by customer and by a created-at range, with status, paging through every match', async () => {
      const repo = await make();
      // Seven orders a minute apart for c-a, alternating PENDING / FULFILLED; noise for c-b and without a customer.
      const mine = Array.from({ length: 7 }, (_, i) =>
        anOrder({
          customer_id: 'c-a',
          created_at: `2026-04-01T00:0${i}:00.000Z`,
          status: i % 2 ? 'FULFILLED' : 'PENDING',
        }),
      );
      for (const order of [
        ...mine,
        anOrder({ customer_id: 'c-b', created_at: '2026-04-01T00:03:00.000Z' }),
        anOrder({ customer_id: null, created_at: '2026-04-01T00:03:30.000Z' }),
      ])
        await repo.create(order);
      const all = async (query: Omit<Parameters<OrderRepository['list']>[0], 'limit' | 'cursor'>) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await repo.list({ ...query, limit: 2, ...(cursor ? { cursor } : {}) });
          assert.ok(page.items.length <= 2);
          seen.push(...page.items.map((o) => o.order_id));
          cursor = page.cursor;
        } while (cursor);
        return seen;
      };
      const ids = (indexes: number[]) => indexes.map((i) => mine[i]?.order_id);
      assert.deepEqual(await all({ customer_id: 'c-a' }), ids([6, 5, 4, 3, 2, 1, 0]));
      assert.deepEqual(await all({ customer_id: 'c-a', status: 'PENDING' }), ids([6, 4, 2, 0]));
      assert.deepEqual(
        await all({
          customer_id: 'c-a',
          created_after: '2026-04-01T00:02:00.000Z',
          created_before: '2026-04-01T00:05:00.000Z',
        }),
        ids([4, 3, 2]),
        'created_after is inclusive, created_before exclusive',
      );
      const window = {
        created_after: '2026-04-01T00:02:00.000Z',
        created_before: '2026-04-01T00:04:00.000Z',
      };
      assert.equal((await all(window)).length, 4, 'a range over every customer: c-a 2 and 3, c-b, none');
      assert.deepEqual(await all({ ...window, status: 'FULFILLED' }), ids([3]));
      assert.deepEqual(await all({ created_after: '2026-04-01T00:05:00.000Z' }), ids([6, 5]));
      assert.deepEqual(await all({ created_before: '2026-04-01T00:01:00.000Z' }), ids([0]));
      assert.deepEqual(await all({ customer_id: 'c-none' }), []);
    });

    it("records an order's history: accepted at create, then one event per transition, oldest first", async () => {
      const repo = await make();
      const order = anOrder({ queued: false });
      await repo.create(order);
      const id = order.order_id;
      const at = (ms: number) => new Date(Date.UTC(2026, 5, 1) + ms).toISOString();
      assert.equal(
        await repo.transition(
          id,
          { status: 'PENDING', unqueued: true },
          { queued: true, event: { type: 'queued', at: at(10) } },
        ),
        true,
      );
      assert.equal(
        await repo.transition(id, 'PENDING', {
          countAttempt: true,
          last_error: 'no stock',
          updated_at: at(20),
          event: { type: 'attempt_failed', at: at(20), started_at: at(15), detail: 'no stock' },
        }),
        true,
      );
      assert.equal(
        await repo.transition(id, 'FULFILLED', { status: 'FAILED', event: ev('dead_lettered') }),
        false,
        'a refused transition',
      );
      await repo.transition(id, 'PENDING', {
        status: 'FAILED',
        updated_at: at(30),
        event: { type: 'dead_lettered', at: at(30), detail: 'no stock' },
      });
      await repo.transition(id, 'FAILED', {
        status: 'PENDING',
        resetAttempts: true,
        countRedrive: true,
        last_error: null,
        updated_at: at(40),
        event: { type: 'redriven', at: at(40) },
      });
      await repo.transition(id, 'PENDING', {
        status: 'FULFILLED',
        countAttempt: true,
        updated_at: at(50),
        event: { type: 'fulfilled', at: at(50), started_at: at(45) },
      });
      assert.deepEqual(await repo.history(id), {
        truncated: 0,
        events: [
          { seq: 1, type: 'accepted', at: order.created_at, status: 'PENDING', attempt: 0, redrive: 0 },
          { seq: 2, type: 'queued', at: at(10), status: 'PENDING', attempt: 0, redrive: 0 },
          {
            seq: 3,
            type: 'attempt_failed',
            at: at(20),
            started_at: at(15),
            detail: 'no stock',
            status: 'PENDING',
            attempt: 1,
            redrive: 0,
          },
          {
            seq: 4,
            type: 'dead_lettered',
            at: at(30),
            detail: 'no stock',
            status: 'FAILED',
            attempt: 1,
            redrive: 0,
          },
          { seq: 5, type: 'redriven', at: at(40), status: 'PENDING', attempt: 0, redrive: 1 },
          {
            seq: 6,
            type: 'fulfilled',
            at: at(50),
            started_at: at(45),
            status: 'FULFILLED',
            attempt: 1,
            redrive: 1,
          },
        ],
      });
    });

    it('answers no history for an unknown order, and records nothing for a create refused by an existing id', async () => {
      const repo = await make();
      assert.equal(await repo.history('ghost'), undefined);
      const order = anOrder();
      await repo.create({ ...order });
      const replay = await repo.create({ ...order, submission_id: 'again' });
      assert.equal(replay.created, false);
      assert.equal(
        (await repo.history(order.order_id))?.events.length,
        1,
        'a refused create records nothing',
      );
    });

    it('keeps the last maxEvents events of an order and counts the dropped ones', async () => {
      const repo = await make({ maxEvents: 4 });
      const order = anOrder();
      await repo.create(order);
      for (let i = 1; i <= 6; i++)
        await repo.transition(order.order_id, 'PENDING', {
          countAttempt: true,
          event: ev('attempt_failed', `attempt ${i}`),
        });
      const history = await repo.history(order.order_id);
      assert.deepEqual(
        history?.events.map((e) => [e.seq, e.attempt, e.detail]),
        [
          [4, 3, 'attempt 3'],
          [5, 4, 'attempt 4'],
          [6, 5, 'attempt 5'],
          [7, 6, 'attempt 6'],
        ],
      );
      assert.equal(history?.truncated, 3, 'accepted and the first two attempts were dropped');
      const other = anOrder();
      await repo.create(other);
      assert.equal((await repo.history(other.order_id))?.events.length, 1, 'the bound is per order');
    });

    it('records exactly one event per winning transition when writers race', async () => {
      const repo = await make();
      const order = anOrder({ queued: false });
      await repo.create(order);
      const id = order.order_id;
      // Attempts and the queued mark of one order, written at once (a message consumed while its sender is
      // still clearing the mark), and a claim only one of many wins.
      const results = await Promise.all([
        repo.transition(id, { status: 'PENDING', unqueued: true }, { queued: true, event: ev('queued') }),
        ...Array.from({ length: 5 }, () =>
          repo.transition(id, 'PENDING', { countAttempt: true, event: ev('attempt_failed', 'x') }),
        ),
        ...Array.from({ length: 5 }, () =>
          repo.transition(id, { status: 'PENDING', unqueued: true }, { queued: true, event: ev('queued') }),
        ),
      ]);
      const won = results.filter(Boolean).length;
      assert.equal(won, 6, 'the five attempts and one of the six queued marks');
      const history = await repo.history(id);
      assert.deepEqual(
        history?.events.map((e) => e.seq),
        Array.from({ length: won + 1 }, (_, i) => i + 1),
        'seqs 1..n without gaps',
      );
      assert.deepEqual(
        history?.events
          .filter((e) => e.type === 'attempt_failed')
          .map((e) => e.attempt)
          .sort(),
        [1, 2, 3, 4, 5],
        'each event carries the attempt count its own write made',
      );
      assert.equal(history?.events.filter((e) => e.type === 'queued').length, 1);
      assert.equal((await repo.get(id))?.attempts, 5);
    });
  });
}
