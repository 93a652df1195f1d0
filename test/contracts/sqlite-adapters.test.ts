import { after } from 'node:test';
import type { SqliteDatabase } from '../../src/adapters/sqlite/database.ts';
import { openDatabase } from '../../src/adapters/sqlite/database.ts';
import { SqliteExecutionJournal } from '../../src/adapters/sqlite/sqlite-execution-journal.ts';
import { SqliteFailedOrderRepository } from '../../src/adapters/sqlite/sqlite-failed-order-repository.ts';
import { SqliteOrderRepository } from '../../src/adapters/sqlite/sqlite-order-repository.ts';
import { SqliteQueue } from '../../src/adapters/sqlite/sqlite-queue.ts';
import { ManualClock } from '../support/builders.ts';
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

orderRepositoryContract('sqlite', () => new SqliteOrderRepository(freshDb()));
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
