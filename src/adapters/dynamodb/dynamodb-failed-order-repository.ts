import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../../core/errors.ts';
import type { FailedOrder, FailedOrderRepository, Page } from '../../core/ports.ts';
import { toFailedOrder } from '../storage/failed-order-record.ts';
import { jsonBytes, MAX_PAGE_BYTES, takePage } from '../storage/page-budget.ts';
import { FAILED_ORDERS_TIME_INDEX } from './tables.ts';

const KIND = 'FAILED';
const failedKey = (r: Pick<FailedOrder, 'failed_at' | 'order_id'>) => `${r.failed_at}#${r.order_id}`;

/** The failed_orders table in DynamoDB (PK order_id), listed newest first through a time index. */
export class DynamoDbFailedOrderRepository implements FailedOrderRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #maxPageBytes: number;

  constructor(client: DynamoDBDocumentClient, table: string, options: { maxPageBytes?: number } = {}) {
    this.#client = client;
    this.#table = table;
    this.#maxPageBytes = options.maxPageBytes ?? MAX_PAGE_BYTES;
  }

  async put(record: FailedOrder): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...record, kind: KIND, failed_key: failedKey(record) },
      }),
    );
  }

  async get(orderId: string): Promise<FailedOrder | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { order_id: orderId }, ConsistentRead: true }),
    );
    return Item ? toFailedOrder(Item) : undefined;
  }

  async list(query: { limit: number; cursor?: string }): Promise<Page<FailedOrder>> {
    let before: string | undefined;
    if (query.cursor !== undefined) {
      before = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!before.includes('#'))
        throw new BadRequestError('cursor is not valid; pass back the cursor from the previous page');
    }
    const { Items = [] } = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: FAILED_ORDERS_TIME_INDEX,
        KeyConditionExpression: before ? 'kind = :k AND failed_key < :before' : 'kind = :k',
        ExpressionAttributeValues: before ? { ':k': KIND, ':before': before } : { ':k': KIND },
        ScanIndexForward: false,
        Limit: query.limit + 1,
      }),
    );
    const page = takePage(Items, query.limit, this.#maxPageBytes, jsonBytes);
    const items = page.rows.map(toFailedOrder);
    const last = items.at(-1);
    return page.more && last
      ? { items, cursor: Buffer.from(failedKey(last)).toString('base64url') }
      : { items };
  }

  async delete(orderId: string): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#table, Key: { order_id: orderId } }));
  }

  async count(): Promise<number> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: FAILED_ORDERS_TIME_INDEX,
          KeyConditionExpression: 'kind = :k',
          ExpressionAttributeValues: { ':k': KIND },
          Select: 'COUNT',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      total += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return total;
  }
}
