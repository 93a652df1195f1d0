import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SqliteDatabase } from '../../src/adapters/sqlite/database.ts';
import { openDatabase } from '../../src/adapters/sqlite/database.ts';
import { SqliteExecutionJournal } from '../../src/adapters/sqlite/sqlite-execution-journal.ts';
import { SqliteFailedOrderRepository } from '../../src/adapters/sqlite/sqlite-failed-order-repository.ts';
import { SqliteOrderRepository } from '../../src/adapters/sqlite/sqlite-order-repository.ts';
import { SqliteQueue } from '../../src/adapters/sqlite/sqlite-queue.ts';
import { anOrder, ManualClock } from '../support/builders.ts';
import { executionJournalContract } from './execution-journal.contract.ts';
import { failedOrderRepositoryContract } from './failed-order-repository.contract.ts';
import { orderRepositoryContract } from './order-repository.contract.ts';
import { pollableQueueContract } from './pollable-queue.contract.ts';

const opened: SqliteDatabase[] = [];
function freshDb(): SqliteDatabase {
  const db = openDatabase(':memory:');
  opened.push(db);
  return db;
}
after(() => {
  for (const db of opened) db.close();
});

orderRepositoryContract('sqlite', (options) => new SqliteOrderRepository(freshDb(), options));
failedOrderRepositoryContract('sqlite', () => new SqliteFailedOrderRepository(freshDb()));
executionJournalContract('sqlite', () => new SqliteExecutionJournal(freshDb()));
pollableQueueContract('sqlite', () => {
  const db = freshDb();
  const clock = new ManualClock();
  const dlq = new SqliteQueue(db, { name: 'order_dlq', visibilityTimeoutMs: 1000, clock });
  const queue = new SqliteQueue(db, {
    name: 'order_queue',
    visibilityTimeoutMs: 1000,
    clock,
    deadLetter: { queue: dlq, maxReceiveCount: 3 },
  });
  return { queue, dlq, clock };
});

describe('SqliteOrderRepository history storage', () => {
  it('stores at most maxEvents rows per order', async () => {
    const db = freshDb();
    const repo = new SqliteOrderRepository(db, { maxEvents: 3 });
    const order = anOrder();
    await repo.create(order);
    for (let i = 0; i < 5; i++)
      await repo.transition(order.order_id, 'PENDING', {
        countAttempt: true,
        event: { type: 'attempt_failed', at: '2026-01-01T00:00:00.000Z' },
      });
    const rows = db.db
      .prepare('SELECT seq FROM order_events WHERE order_id = ? ORDER BY seq')
      .all(order.order_id);
    assert.deepEqual(
      rows.map((r) => r.seq),
      [4, 5, 6],
    );
  });

  it('keeps a transition and its event together: neither when the event cannot be written', async () => {
    const db = freshDb();
    const repo = new SqliteOrderRepository(db);
    const order = anOrder();
    await repo.create(order);
    // An event row already in the way of the next seq makes the event insert fail after the UPDATE ran.
    db.db
      .prepare(
        "INSERT INTO order_events (order_id, seq, at, type, status, attempt, redrive) VALUES (?, 2, 'x', 'x', 'x', 0, 0)",
      )
      .run(order.order_id);
    const other = anOrder();
    const [lost, created] = await Promise.allSettled([
      repo.transition(order.order_id, 'PENDING', {
        status: 'FULFILLED',
        event: { type: 'fulfilled', at: '2026-01-01T00:00:00.000Z' },
      }),
      repo.create(other),
    ]);
    assert.equal(lost.status, 'rejected');
    assert.equal(created.status, 'fulfilled', 'the other writes of the same commit are kept');
    assert.equal((await repo.get(order.order_id))?.status, 'PENDING', 'the transition was undone');
    assert.ok(await repo.get(other.order_id));
  });
});

describe('SQLite order counts', () => {
  it('fills order_counts from the orders of a database opened for the first time without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dofs-counts-'));
    const path = join(dir, 'dofs.sqlite');
    try {
      const before = openDatabase(path);
      const repo = new SqliteOrderRepository(before);
      for (const status of ['PENDING', 'PENDING', 'FULFILLED', 'FAILED'] as const)
        await repo.create(anOrder({ status }));
      // What a database of the version before order_counts holds: the orders, no counts, no triggers.
      before.db.exec(`DROP TRIGGER order_counts_insert; DROP TRIGGER order_counts_update;
        DROP TRIGGER order_counts_delete; DROP TABLE order_counts`);
      before.close();
      const after = openDatabase(path);
      try {
        const reopened = new SqliteOrderRepository(after);
        assert.deepEqual(await reopened.countByStatus(), { PENDING: 2, FULFILLED: 1, FAILED: 1 });
        await reopened.create(anOrder());
        assert.deepEqual(await reopened.countByStatus(), { PENDING: 3, FULFILLED: 1, FAILED: 1 });
      } finally {
        after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
