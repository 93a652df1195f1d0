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
  });
}
