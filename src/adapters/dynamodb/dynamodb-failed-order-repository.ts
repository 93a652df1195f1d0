import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../../core/errors.ts';
import type { FailedOrderSearch } from '../../core/order-search.ts';
import type { FailedOrder, FailedOrderRepository, Page, ReasonCount } from '../../core/ports.ts';
import { byCountThenReason, toFailedOrder } from '../storage/failed-order-record.ts';
import { jsonBytes, MAX_PAGE_BYTES, takePage } from '../storage/page-budget.ts';
import { batchGet } from './batch-get.ts';
import { FAILED_ORDERS_REASON_INDEX, FAILED_ORDERS_TIME_INDEX } from './tables.ts';

const KIND = 'FAILED';
const failedKey = (r: Pick<FailedOrder, 'failed_at' | 'order_id'>) => `${r.failed_at}#${r.order_id}`;
/**
 * The reason as an index key: a GSI partition key holds at most 2,048 bytes, so a longer reason is indexed
 * (and grouped) by its first 500 characters; the filter still matches the whole reason.
 */
const reasonKey = (reason: string) => reason.slice(0, 500);

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
        Item: { ...record, kind: KIND, failed_key: failedKey(record), reason_key: reasonKey(record.reason) },
      }),
    );
  }

  async get(orderId: string): Promise<FailedOrder | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { order_id: orderId }, ConsistentRead: true }),
    );
    return Item ? toFailedOrder(Item) : undefined;
  }

  async list(query: FailedOrderSearch): Promise<Page<FailedOrder>> {
    let before: string | undefined;
    if (query.cursor !== undefined) {
      before = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!before.includes('#'))
        throw new BadRequestError('cursor is not valid; pass back the cursor from the previous page');
    }
    const Items =
      query.reason === undefined
        ? await this.#newest(query.limit, before)
        : await this.#withReason(query.reason, query.limit, before);
    const page = takePage(Items, query.limit, this.#maxPageBytes, jsonBytes);
    const items = page.rows.map(toFailedOrder);
    const last = items.at(-1);
    return page.more && last
      ? { items, cursor: Buffer.from(failedKey(last)).toString('base64url') }
      : { items };
  }

  async #newest(limit: number, before: string | undefined): Promise<Record<string, unknown>[]> {
    const { Items = [] } = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: FAILED_ORDERS_TIME_INDEX,
        KeyConditionExpression: before ? 'kind = :k AND failed_key < :before' : 'kind = :k',
        ExpressionAttributeValues: before ? { ':k': KIND, ':before': before } : { ':k': KIND },
        ScanIndexForward: false,
        Limit: limit + 1,
      }),
    );
    return Items;
  }

  /** Keys from the reason index, newest first, then the records themselves. */
  async #withReason(reason: string, limit: number, before: string | undefined) {
    const keys: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: FAILED_ORDERS_REASON_INDEX,
          KeyConditionExpression: before ? 'reason_key = :r AND failed_key < :before' : 'reason_key = :r',
          ExpressionAttributeValues: before
            ? { ':r': reasonKey(reason), ':before': before }
            : { ':r': reasonKey(reason) },
          ScanIndexForward: false,
          Limit: limit + 1,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) keys.push(String(item.order_id));
      start = page.LastEvaluatedKey;
    } while (start && keys.length <= limit);
    const items = await batchGet(this.#client, this.#table, 'order_id', keys.slice(0, limit + 1));
    return items.filter((item) => item.reason === reason);
  }

  async delete(orderId: string): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#table, Key: { order_id: orderId } }));
  }

  async count(query: { reason?: string } = {}): Promise<number> {
    if (query.reason !== undefined && query.reason !== reasonKey(query.reason)) {
      // Indexed by a prefix: the records have to be read to match the whole reason.
      let total = 0;
      let cursor: string | undefined;
      do {
        const page = await this.list({ reason: query.reason, limit: 500, ...(cursor ? { cursor } : {}) });
        total += page.items.length;
        cursor = page.cursor;
      } while (cursor);
      return total;
    }
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          ...(query.reason === undefined
            ? {
                IndexName: FAILED_ORDERS_TIME_INDEX,
                KeyConditionExpression: 'kind = :k',
                ExpressionAttributeValues: { ':k': KIND },
              }
            : {
                IndexName: FAILED_ORDERS_REASON_INDEX,
                KeyConditionExpression: 'reason_key = :r',
                ExpressionAttributeValues: { ':r': query.reason },
              }),
          Select: 'COUNT',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      total += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return total;
  }

  /** A scan of the reason index: keys only (about 100 bytes a record), grouped here. */
  async countByReason(limit: number): Promise<ReasonCount[]> {
    const counts = new Map<string, number>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#table,
          IndexName: FAILED_ORDERS_REASON_INDEX,
          ProjectionExpression: 'reason_key',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const reason = String(item.reason_key);
        counts.set(reason, (counts.get(reason) ?? 0) + 1);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return [...counts]
      .map(([reason, count]) => ({ reason, count }))
      .sort(byCountThenReason)
      .slice(0, limit);
  }
}
