import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FailedOrder, FailedOrderRepository } from '../../src/core/ports.ts';

function aFailure(order_id: string, failed_at: string, overrides: Partial<FailedOrder> = {}): FailedOrder {
  return {
    order_id,
    reason: 'attempt 3 failed',
    attempts: 3,
    message_id: `m-${order_id}`,
    body: `{"order_id":"${order_id}"}`,
    failed_at,
    ...overrides,
  };
}

/** The behaviour every FailedOrderRepository adapter must have. */
export function failedOrderRepositoryContract(
  adapter: string,
  make: () => FailedOrderRepository | Promise<FailedOrderRepository>,
) {
  describe(`FailedOrderRepository contract: ${adapter}`, () => {
    it('puts a record and reads it back', async () => {
      const repo = await make();
      const record = aFailure('o-1', '2026-01-01T00:00:00.000Z');
      await repo.put(record);
      assert.deepEqual(await repo.get('o-1'), record);
      assert.equal(await repo.count(), 1);
    });

    it('keeps one record per order when the same failure is recorded twice', async () => {
      const repo = await make();
      await repo.put(aFailure('o-1', '2026-01-01T00:00:00.000Z'));
      await repo.put(aFailure('o-1', '2026-01-01T00:00:05.000Z', { reason: 'again' }));
      assert.equal(await repo.count(), 1);
      assert.equal((await repo.get('o-1'))?.reason, 'again');
    });

    it('lists newest failure first across pages', async () => {
      const repo = await make();
      for (let i = 0; i < 5; i++) await repo.put(aFailure(`o-${i}`, `2026-01-01T00:00:0${i}.000Z`));
      const first = await repo.list({ limit: 2 });
      assert.deepEqual(
        first.items.map((r) => r.order_id),
        ['o-4', 'o-3'],
      );
      assert.ok(first.cursor);
      const rest = await repo.list({ limit: 10, cursor: first.cursor });
      assert.deepEqual(
        rest.items.map((r) => r.order_id),
        ['o-2', 'o-1', 'o-0'],
      );
      assert.equal(rest.cursor, undefined);
    });

    it('deletes a record; deleting a missing one is a no-op', async () => {
      const repo = await make();
      await repo.put(aFailure('o-1', '2026-01-01T00:00:00.000Z'));
      await repo.delete('o-1');
      await repo.delete('o-1');
      assert.equal(await repo.get('o-1'), undefined);
      assert.equal(await repo.count(), 0);
    });

    it('filters by reason, pages the matches, and counts them and every reason', async () => {
      const repo = await make();
      const reasons = [
        'attempt 3 failed',
        'no stock',
        'attempt 3 failed',
        'no stock',
        'attempt 3 failed',
        'gone',
      ];
      for (const [i, reason] of reasons.entries())
        await repo.put(aFailure(`o-${i}`, `2026-01-01T00:00:0${i}.000Z`, { reason }));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repo.list({ reason: 'attempt 3 failed', limit: 2, ...(cursor ? { cursor } : {}) });
        assert.ok(page.items.every((r) => r.reason === 'attempt 3 failed'));
        seen.push(...page.items.map((r) => r.order_id));
        cursor = page.cursor;
      } while (cursor);
      assert.deepEqual(seen, ['o-4', 'o-2', 'o-0']);
      assert.deepEqual((await repo.list({ reason: 'unheard of', limit: 10 })).items, []);
      assert.equal(await repo.count(), 6);
      assert.equal(await repo.count({ reason: 'no stock' }), 2);
      assert.equal(await repo.count({ reason: 'unheard of' }), 0);
      assert.deepEqual(await repo.countByReason(10), [
        { reason: 'attempt 3 failed', count: 3 },
        { reason: 'no stock', count: 2 },
        { reason: 'gone', count: 1 },
      ]);
      assert.deepEqual(await repo.countByReason(2), [
        { reason: 'attempt 3 failed', count: 3 },
        { reason: 'no stock', count: 2 },
      ]);
      await repo.put(aFailure('o-1', '2026-01-01T00:00:09.000Z', { reason: 'gone' }));
      assert.deepEqual(
        await repo.countByReason(10),
        [
          { reason: 'attempt 3 failed', count: 3 },
          { reason: 'gone', count: 2 },
          { reason: 'no stock', count: 1 },
        ],
        'a record put again under another reason moves to that group; ties by reason',
      );
    });

    it('matches the whole reason, however long', async () => {
      const repo = await make();
      const long = `failed: ${'x'.repeat(900)}`;
      await repo.put(aFailure('o-1', '2026-01-01T00:00:01.000Z', { reason: `${long}a` }));
      await repo.put(aFailure('o-2', '2026-01-01T00:00:02.000Z', { reason: `${long}b` }));
      const page = await repo.list({ reason: `${long}b`, limit: 10 });
      assert.deepEqual(
        page.items.map((r) => r.order_id),
        ['o-2'],
      );
      assert.equal(await repo.count({ reason: `${long}a` }), 1);
    });
  });
}
