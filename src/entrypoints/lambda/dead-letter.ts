import { buildDeadLetterOrder } from '../../composition/aws.ts';
import { loadLambdaConfig } from '../../config.ts';
import { createDeadLetterBatchHandler } from '../sqs/dead-letter-batch.ts';
import { sqsLambda } from './sqs-lambda.ts';

const config = loadLambdaConfig('dead-letter');

/** order_dlq event source mapping: records failed_orders and marks orders FAILED; emits OrdersDeadLettered. */
export const handler = sqsLambda('dofs-dead-letter', (deps) =>
  createDeadLetterBatchHandler(buildDeadLetterOrder(config, deps)),
);
