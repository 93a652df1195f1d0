import { loadLambdaConfig } from '../../../config.ts';
import { createDeadLetterBatchHandler } from '../../../handlers/sqs/dead-letter-batch.ts';
import { buildDeadLetterOrder } from '../aws-system.ts';
import { lambdaHandler } from '../lambda-handler.ts';

const config = loadLambdaConfig('dead-letter');

/** order_dlq event source mapping: records failed_orders and marks orders FAILED; emits OrdersDeadLettered. */
export const handler = lambdaHandler('dofs-dead-letter', (deps) =>
  createDeadLetterBatchHandler(buildDeadLetterOrder(config, deps)),
);
