import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import {
  failedOrdersTableDefinition,
  orderHistoryTableDefinition,
  ordersTableDefinition,
} from '../../src/adapters/dynamodb/tables.ts';

/** dynalite (an in-process DynamoDB) on 127.0.0.1, with the DOFS tables created on demand. */
export async function startDynalite() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const raw = new DynamoDBClient({
    endpoint,
    region: 'local-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  let tables = 0;
  return {
    endpoint,
    client,
    /** Creates a fresh set of tables and returns their names. */
    async freshTables() {
      tables += 1;
      const names = {
        orders: `orders-${tables}`,
        orderHistory: `order-history-${tables}`,
        failedOrders: `failed-orders-${tables}`,
      };
      await raw.send(new CreateTableCommand(ordersTableDefinition(names.orders)));
      await raw.send(new CreateTableCommand(orderHistoryTableDefinition(names.orderHistory)));
      await raw.send(new CreateTableCommand(failedOrdersTableDefinition(names.failedOrders)));
      return names;
    },
    async stop() {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
