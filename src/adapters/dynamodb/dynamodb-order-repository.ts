import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../../core/errors.ts';
import { type Order, type OrderStatus, orderStatuses } from '../../core/order.ts';
import type {
  ListOrdersQuery,
  OrderChange,
  OrderCondition,
  OrderRepository,
  Page,
} from '../../core/ports.ts';
import { jsonBytes, MAX_PAGE_BYTES, takePage } from '../storage/page-budget.ts';
import { ORDERS_STATUS_INDEX, STATUS_SHARDS, shardOf } from './tables.ts';

type Item = Record<string, unknown>;

const createdKey = (order: Pick<Order, 'created_at' | 'order_id'>) => `${order.created_at}#${order.order_id}`;
const statusShard = (status: OrderStatus, orderId: string) => `${status}#${shardOf(orderId)}`;

function toOrder(item: Item): Order {
  return {
    order_id: item.order_id as string,
    customer_id: (item.customer_id as string | null | undefined) ?? null,
    items: item.items as Order['items'],
    status: item.status as OrderStatus,
    attempts: Number(item.attempts),
    last_error: (item.last_error as string | null | undefined) ?? null,
    fingerprint: item.fingerprint as string,
    submission_id: item.submission_id as string,
    redrives: Number(item.redrives),
    ...(item.queued === false ? { queued: false as const } : {}),
    created_at: item.created_at as string,
    updated_at: item.updated_at as string,
  };
}

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d{2}-\d{2}T.*#.+$/.test(key))
    throw new BadRequestError('cursor is not valid; pass back the cursor from the previous page');
  return key;
}

/** Orders in DynamoDB (table `ORDERS_TABLE`, PK order_id); every write is conditional. */
export class DynamoDbOrderRepository implements OrderRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #maxPageBytes: number;

  constructor(client: DynamoDBDocumentClient, table: string, options: { maxPageBytes?: number } = {}) {
    this.#client = client;
    this.#table = table;
    this.#maxPageBytes = options.maxPageBytes ?? MAX_PAGE_BYTES;
  }

  async create(order: Order): Promise<{ created: true } | { created: false; existing: Order }> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...order,
            status_shard: statusShard(order.status, order.order_id),
            created_key: createdKey(order),
          },
          ConditionExpression: 'attribute_not_exists(order_id)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.get(order.order_id, true);
    if (!existing) throw new Error(`order ${order.order_id} vanished during create`);
    return { created: false, existing };
  }

  async get(orderId: string, consistent = true): Promise<Order | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { order_id: orderId }, ConsistentRead: consistent }),
    );
    return Item ? toOrder(Item) : undefined;
  }

  async transition(
    orderId: string,
    expected: OrderStatus | OrderCondition,
    change: OrderChange,
  ): Promise<boolean> {
    const condition = typeof expected === 'string' ? { status: expected } : expected;
    const sets: string[] = [];
    const removes: string[] = [];
    const values: Item = { ':expected': condition.status };
    const conditions = ['#status = :expected'];
    if (condition.attempts !== undefined) {
      conditions.push('attempts = :expected_attempts');
      values[':expected_attempts'] = condition.attempts;
    }
    if (condition.unqueued) {
      conditions.push('queued = :false');
      values[':false'] = false;
    }
    if (condition.updated_at !== undefined) {
      conditions.push('updated_at = :expected_updated_at');
      values[':expected_updated_at'] = condition.updated_at;
    }
    if (condition.updatedBefore !== undefined) {
      conditions.push('updated_at < :updated_before');
      values[':updated_before'] = condition.updatedBefore;
    }
    if (change.updated_at !== undefined) {
      sets.push('updated_at = :updated_at');
      values[':updated_at'] = change.updated_at;
    }
    if (change.queued === false) {
      sets.push('queued = :false');
      values[':false'] = false;
    } else if (change.queued === true) {
      removes.push('queued');
    }
    if (change.status !== undefined) {
      sets.push('#status = :status', 'status_shard = :status_shard');
      values[':status'] = change.status;
      values[':status_shard'] = statusShard(change.status, orderId);
    }
    if (change.resetAttempts) {
      sets.push('attempts = :attempts');
      values[':attempts'] = change.countAttempt ? 1 : 0;
    } else if (change.countAttempt) {
      sets.push('attempts = attempts + :one');
      values[':one'] = 1;
    }
    if (change.countRedrive) {
      sets.push('redrives = redrives + :one');
      values[':one'] = 1;
    }
    if (change.last_error !== undefined) {
      sets.push('last_error = :last_error');
      values[':last_error'] = change.last_error;
    }
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { order_id: orderId },
          UpdateExpression: [
            sets.length ? `SET ${sets.join(', ')}` : '',
            removes.length ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .join(' ')
            .trim(),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Newest first: one query per status shard, merged; the cursor is the last item's sort key. */
  async list(query: ListOrdersQuery): Promise<Page<Order>> {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const statuses = query.status ? [query.status] : orderStatuses;
    const partitions = statuses.flatMap((status) =>
      Array.from({ length: STATUS_SHARDS }, (_, shard) => `${status}#${shard}`),
    );
    const pages = await Promise.all(
      partitions.map((partition) =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: ORDERS_STATUS_INDEX,
            KeyConditionExpression: before
              ? 'status_shard = :p AND created_key < :before'
              : 'status_shard = :p',
            ExpressionAttributeValues: before ? { ':p': partition, ':before': before } : { ':p': partition },
            ScanIndexForward: false,
            Limit: query.limit + 1,
          }),
        ),
      ),
    );
    const merged = pages
      .flatMap((p) => p.Items ?? [])
      .sort((a, b) => (String(a.created_key) < String(b.created_key) ? 1 : -1));
    // The same byte budget as the local host's pages: on AWS a page of 500 large orders (~9 MB) would also
    // exceed Lambda's 6 MB response limit, and API Gateway would answer 502.
    const page = takePage(merged, query.limit, this.#maxPageBytes, jsonBytes);
    const items = page.rows.map(toOrder);
    const last = items.at(-1);
    return page.more && last
      ? { items, cursor: Buffer.from(createdKey(last)).toString('base64url') }
      : { items };
  }

  /** Counts with COUNT queries over the status index: O(orders) read capacity, meant for health checks at small scale. */
  async countByStatus(): Promise<Record<OrderStatus, number>> {
    const counts = Object.fromEntries(orderStatuses.map((s) => [s, 0])) as Record<OrderStatus, number>;
    await Promise.all(
      orderStatuses.flatMap((status) =>
        Array.from({ length: STATUS_SHARDS }, async (_, shard) => {
          let start: Item | undefined;
          do {
            const page = await this.#client.send(
              new QueryCommand({
                TableName: this.#table,
                IndexName: ORDERS_STATUS_INDEX,
                KeyConditionExpression: 'status_shard = :p',
                ExpressionAttributeValues: { ':p': `${status}#${shard}` },
                Select: 'COUNT',
                ...(start ? { ExclusiveStartKey: start } : {}),
              }),
            );
            counts[status] += page.Count ?? 0;
            start = page.LastEvaluatedKey;
          } while (start);
        }),
      ),
    );
    return counts;
  }
}
