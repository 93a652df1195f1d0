import { MemoryExecutionJournal } from '../../src/adapters/memory/memory-execution-journal.ts';
import { MemoryOrderRepository } from '../../src/adapters/memory/memory-order-repository.ts';
import { MemoryQueue } from '../../src/adapters/memory/memory-queue.ts';
import { TransientError } from '../../src/core/errors.ts';
import type { OrderRepository } from '../../src/core/ports.ts';
import { createStoreOrder } from '../../src/core/store-order.ts';
import { createSubmitOrder } from '../../src/core/submit-order.ts';
import { createValidateOrder } from '../../src/core/validate-order.ts';
import { LocalOrderWorkflow, sendToQueueTask } from '../../src/workflow/local-order-workflow.ts';
import { loadOrderWorkflowDefinition } from '../../src/workflow/order-workflow-definition.ts';
import type { WorkflowEngineName } from '../../src/workflow/workflow-engines.ts';
import { ManualClock, recordingLogger } from './builders.ts';

/**
 * The real ASL run in-process against memory adapters, with millisecond retry intervals. STANDARD (the
 * default here) journals executions; EXPRESS runs without a journal, as `npm start` does by default.
 */
export function localWorkflowHarness(
  options: {
    orders?: OrderRepository;
    journal?: MemoryExecutionJournal;
    engine?: WorkflowEngineName;
    type?: 'EXPRESS' | 'STANDARD';
    /** While it answers true, every SendToQueue fails with a transient error (a locked or full disk). */
    sendFails?: () => boolean;
  } = {},
) {
  const clock = new ManualClock();
  const orders = options.orders ?? new MemoryOrderRepository();
  const queue = new MemoryQueue({ name: 'order_queue', visibilityTimeoutMs: 1000, clock });
  const journal = options.journal ?? new MemoryExecutionJournal();
  const logger = recordingLogger();
  let ids = 0;
  const workflow = new LocalOrderWorkflow({
    definition: loadOrderWorkflowDefinition(),
    tasks: {
      ValidateOrder: createValidateOrder(),
      StoreOrder: createStoreOrder({ orders, clock }),
      SendToQueue: sendToQueueTask({
        send: async (body) => {
          if (options.sendFails?.()) throw new TransientError('storage unavailable: database is busy');
          return queue.send(body);
        },
      }),
    },
    ...(options.type === 'EXPRESS' ? {} : { journal }),
    clock,
    logger,
    retryIntervalMs: 1,
    engine: options.engine ?? 'compiled',
  });
  const submitOrder = createSubmitOrder({
    workflow,
    orders,
    ids: { orderId: () => `generated-${++ids}`, submissionId: () => `submission-${++ids}` },
    clock,
  });
  return { clock, orders, queue, journal, logger, workflow, submitOrder };
}
