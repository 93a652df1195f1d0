import { MemoryExecutionJournal } from '../../src/adapters/memory/memory-execution-journal.ts';
import { MemoryFailedOrderRepository } from '../../src/adapters/memory/memory-failed-order-repository.ts';
import { MemoryOrderRepository } from '../../src/adapters/memory/memory-order-repository.ts';
import { MemoryQueue } from '../../src/adapters/memory/memory-queue.ts';
import { ManualClock } from '../support/builders.ts';
import { executionJournalContract } from './execution-journal.contract.ts';
import { failedOrderRepositoryContract } from './failed-order-repository.contract.ts';
import { orderRepositoryContract } from './order-repository.contract.ts';
import { pollableQueueContract } from './pollable-queue.contract.ts';

orderRepositoryContract('memory', (options) => new MemoryOrderRepository(options));
failedOrderRepositoryContract('memory', () => new MemoryFailedOrderRepository());
executionJournalContract('memory', () => new MemoryExecutionJournal());
pollableQueueContract('memory', () => {
  const clock = new ManualClock();
  const dlq = new MemoryQueue({ name: 'order_dlq', visibilityTimeoutMs: 1000, clock });
  const queue = new MemoryQueue({
    name: 'order_queue',
    visibilityTimeoutMs: 1000,
    clock,
    deadLetter: { queue: dlq, maxReceiveCount: 3 },
  });
  return { queue, dlq, clock };
});
