import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFailedOrderRepository } from '../../src/adapters/dynamodb/dynamodb-failed-order-repository.ts';
import { DynamoDbOrderRepository } from '../../src/adapters/dynamodb/dynamodb-order-repository.ts';
import { anOrder } from '../support/builders.ts';
import { startDynalite } from '../support/dynalite.ts';
import { failedOrderRepositoryContract } from './failed-order-repository.contract.ts';
import { orderRepositoryContract } from './order-repository.contract.ts';

let db: Awaited<ReturnType<typeof startDynalite>>;
before(async () => {
  db = await startDynalite();
});
after(async () => {
  await db.stop();
});

orderRepositoryContract('dynamodb (dynalite)', async (options) => {
  const tables = await db.freshTables();
  return new DynamoDbOrderRepository(
    db.client,
    { orders: tables.orders, history: tables.orderHistory },
    options,
  );
});
failedOrderRepositoryContract(
  'dynamodb (dynalite)',
  async () => new DynamoDbFailedOrderRepository(db.client, (await db.freshTables()).failedOrders),
);

describe('DynamoDbOrderRepository history storage', () => {
  it('stores at most maxEvents events per order: the order item holds the newest, the table the others', async () => {
    const tables = await db.freshTables();
    const repo = new DynamoDbOrderRepository(
      db.client,
      { orders: tables.orders, history: tables.orderHistory },
      { maxEvents: 3 },
    );
    const order = anOrder();
    await repo.create(order);
    for (let i = 0; i < 5; i++)
      await repo.transition(order.order_id, 'PENDING', {
        countAttempt: true,
        event: { type: 'attempt_failed', at: '2026-01-01T00:00:00.000Z' },
      });
    const { Items = [] } = await db.client.send(
      new QueryCommand({
        TableName: tables.orderHistory,
        KeyConditionExpression: 'order_id = :o',
        ExpressionAttributeValues: { ':o': order.order_id },
      }),
    );
    assert.deepEqual(
      Items.map((item) => item.seq),
      [4, 5],
    );
    assert.deepEqual(
      (await repo.history(order.order_id))?.events.map((e) => e.seq),
      [4, 5, 6],
    );
  });
});
