import { after, before } from 'node:test';
import { DynamoDbFailedOrderRepository } from '../../src/adapters/dynamodb/dynamodb-failed-order-repository.ts';
import { DynamoDbOrderRepository } from '../../src/adapters/dynamodb/dynamodb-order-repository.ts';
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

orderRepositoryContract(
  'dynamodb (dynalite)',
  async () => new DynamoDbOrderRepository(db.client, (await db.freshTables()).orders),
);
failedOrderRepositoryContract(
  'dynamodb (dynalite)',
  async () => new DynamoDbFailedOrderRepository(db.client, (await db.freshTables()).failedOrders),
);
