import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFailedOrderRepository } from '../../adapters/dynamodb/dynamodb-failed-order-repository.ts';
import { DynamoDbOrderRepository } from '../../adapters/dynamodb/dynamodb-order-repository.ts';
import { randomSource, systemClock, systemIds } from '../../adapters/node/runtime.ts';
import { SqsMessageSender } from '../../adapters/sqs/sqs-message-sender.ts';
import { StepFunctionsOrderWorkflow } from '../../adapters/stepfunctions/step-functions-order-workflow.ts';
import type { LambdaConfig } from '../../config.ts';
import { createDeadLetterOrder } from '../../core/dead-letter-order.ts';
import { createFulfillOrder } from '../../core/fulfill-order.ts';
import { createOrderQueries } from '../../core/order-queries.ts';
import type { Logger, OrderMetrics } from '../../core/ports.ts';
import { createRedriveOrders } from '../../core/redrive-orders.ts';
import { createStoreOrder } from '../../core/store-order.ts';
import { createSubmitOrder } from '../../core/submit-order.ts';
import { createHttpApp } from '../../handlers/http/http-app.ts';

// The AWS host: one builder per Lambda function, each given only the configuration that function reads.
// Clients are created once per cold start by the entry point that calls the builder.

function documentClient() {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function buildApi(config: LambdaConfig<'api'>, deps: { logger: Logger; metrics: OrderMetrics }) {
  const dynamo = documentClient();
  const orders = new DynamoDbOrderRepository(dynamo, {
    orders: config.ORDERS_TABLE,
    history: config.ORDER_HISTORY_TABLE,
  });
  const failedOrders = new DynamoDbFailedOrderRepository(dynamo, config.FAILED_ORDERS_TABLE);
  const queue = new SqsMessageSender(new SQSClient({}), config.ORDER_QUEUE_URL);
  const workflow = new StepFunctionsOrderWorkflow(new SFNClient({}), config.STATE_MACHINE_ARN, {
    type: config.WORKFLOW_TYPE,
  });
  const queries = createOrderQueries({ orders, failedOrders });
  return createHttpApp({
    submitOrder: createSubmitOrder({ workflow, orders, ids: systemIds, clock: systemClock, queue }),
    queries,
    redrive: createRedriveOrders({ orders, failedOrders, queue, clock: systemClock, logger: deps.logger }),
    // Counting a DynamoDB table costs a read per item: the deployed health check stays a liveness check.
    health: async () => ({}),
    logger: deps.logger,
    metrics: deps.metrics,
  });
}

export function buildStoreOrder(config: LambdaConfig<'store-order'>) {
  return createStoreOrder({
    orders: new DynamoDbOrderRepository(documentClient(), { orders: config.ORDERS_TABLE }),
    clock: systemClock,
  });
}

export function buildFulfillOrder(
  config: LambdaConfig<'fulfill-order'>,
  deps: { logger: Logger; metrics: OrderMetrics },
) {
  return createFulfillOrder({
    orders: new DynamoDbOrderRepository(documentClient(), {
      orders: config.ORDERS_TABLE,
      history: config.ORDER_HISTORY_TABLE,
    }),
    clock: systemClock,
    random: randomSource(config.DOFS_RANDOM_SEED),
    successRate: config.FULFILLMENT_SUCCESS_RATE,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}

export function buildDeadLetterOrder(
  config: LambdaConfig<'dead-letter'>,
  deps: { logger: Logger; metrics: OrderMetrics },
) {
  const dynamo = documentClient();
  return createDeadLetterOrder({
    orders: new DynamoDbOrderRepository(dynamo, {
      orders: config.ORDERS_TABLE,
      history: config.ORDER_HISTORY_TABLE,
    }),
    failedOrders: new DynamoDbFailedOrderRepository(dynamo, config.FAILED_ORDERS_TABLE),
    clock: systemClock,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}
