import { loadLambdaConfig } from '../../../config.ts';
import { createFulfillmentBatchHandler } from '../../../handlers/sqs/fulfillment-batch.ts';
import { buildFulfillOrder } from '../aws-system.ts';
import { lambdaHandler } from '../lambda-handler.ts';

const config = loadLambdaConfig('fulfill-order');

/** order_queue event source mapping with ReportBatchItemFailures: failed attempts come back, the rest are deleted. */
export const handler = lambdaHandler('dofs-fulfill', (deps) =>
  createFulfillmentBatchHandler(buildFulfillOrder(config, deps)),
);
