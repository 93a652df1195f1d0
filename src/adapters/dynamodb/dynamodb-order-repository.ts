import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { BadRequestError, TransientError } from '../../core/errors.ts';
import { type Order, type OrderStatus, orderStatuses } from '../../core/order.ts';
import {
  acceptedEvent,
  historyOf,
  MAX_ORDER_EVENTS,
  type OrderEvent,
  type OrderHistory,
  storedEvent,
} from '../../core/order-history.ts';
import type {
  ListOrdersQuery,
  OrderChange,
  OrderCondition,
  OrderRepository,
  Page,
} from '../../core/ports.ts';
import { applyChange, meetsCondition } from '../storage/order-change.ts';
import { toOrderEvent, toOrder as toStoredOrder } from '../storage/order-record.ts';
import { jsonBytes, MAX_PAGE_BYTES, takePage } from '../storage/page-budget.ts';
import { batchGet } from './batch-get.ts';
import { ORDERS_CUSTOMER_INDEX, ORDERS_STATUS_INDEX, STATUS_SHARDS, shardOf } from './tables.ts';

type Item = Record<string, unknown>;

const createdKey = (order: Pick<Order, 'created_at' | 'order_id'>) => `${order.created_at}#${order.order_id}`;
const statusShard = (status: OrderStatus, orderId: string) => `${status}#${shardOf(orderId)}`;

/** How often a transition reads again after another writer changed the order under it, before giving up. */
const MAX_WRITE_ROUNDS = 8;

const toOrder = (item: Item): Order => toStoredOrder(item, item.items as Order['items']);

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d{2}-\d{2}T.*#.+$/.test(key))
    throw new BadRequestError('cursor is not valid; pass back the cursor from the previous page');
  return key;
}

/**
 * The sort-key condition of a search on `created_key` (`<created_at>#<order_id>`): created_after inclusive,
 * created_before and the cursor exclusive. A key is never equal to a bare time, so `>= after` is exact; two
 * bounds need BETWEEN, inclusive, so an item equal to the upper bound (the cursor's own) is dropped after.
 */
function createdRange(query: ListOrdersQuery): { condition: string; values: Item; upper?: string } {
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  // The lower of the two exclusive upper bounds (both ASCII: a plain sort orders them).
  const upper = [cursor, query.created_before].filter((b): b is string => b !== undefined).sort()[0];
  const lower = query.created_after;
  if (upper !== undefined && lower !== undefined)
    return {
      condition: 'created_key BETWEEN :lower AND :upper',
      values: { ':lower': lower, ':upper': upper },
      upper,
    };
  if (upper !== undefined) return { condition: 'created_key < :upper', values: { ':upper': upper } };
  if (lower !== undefined) return { condition: 'created_key >= :lower', values: { ':lower': lower } };
  return { condition: '', values: {} };
}

/**
 * Orders in DynamoDB (table `ORDERS_TABLE`, PK order_id), their history in `ORDER_HISTORY_TABLE` (PK
 * order_id, SK seq). Every write is conditional.
 *
 * History without transactions (dynalite, the emulator the contract suite runs on, has none, and a
 * TransactWriteItems costs twice the write units): a transition's event is written into the order item
 * itself (`last_event`, `events` = its seq) by the same conditional UpdateItem as the transition, so one
 * never exists without the other. Before the next transition overwrites `last_event`, it copies it into the
 * history table (an idempotent put of seq n), and only then writes, on the condition that the order still
 * has `events` = n: a writer that lost a race reads again and copies the newer event. An event is thus always
 * either in the order item or already in the history table. A read merges the two; events older than the
 * last `maxEvents` are deleted as new ones come in.
 */
export class DynamoDbOrderRepository implements OrderRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #historyTable: string | undefined;
  readonly #maxPageBytes: number;
  readonly #maxEvents: number;

  constructor(
    client: DynamoDBDocumentClient,
    /** `history` may be left out by a function that only creates orders (store-order). */
    tables: { orders: string; history?: string },
    options: { maxPageBytes?: number; maxEvents?: number } = {},
  ) {
    this.#client = client;
    this.#table = tables.orders;
    this.#historyTable = tables.history;
    this.#maxPageBytes = options.maxPageBytes ?? MAX_PAGE_BYTES;
    this.#maxEvents = options.maxEvents ?? MAX_ORDER_EVENTS;
  }

  #history(): string {
    if (this.#historyTable === undefined) throw new Error('DynamoDbOrderRepository: no history table given');
    return this.#historyTable;
  }

  async create(order: Order): Promise<{ created: true } | { created: false; existing: Order }> {
    const accepted = acceptedEvent(order);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...order,
            status_shard: statusShard(order.status, order.order_id),
            created_key: createdKey(order),
            ...(order.customer_id === null ? {} : { customer_key: order.customer_id }),
            events: accepted.seq,
            last_event: accepted,
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
    const Item = await this.#getItem(orderId, consistent);
    return Item ? toOrder(Item) : undefined;
  }

  async #getItem(orderId: string, consistent = true): Promise<Item | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { order_id: orderId }, ConsistentRead: consistent }),
    );
    return Item;
  }

  async transition(
    orderId: string,
    expected: OrderStatus | OrderCondition,
    change: OrderChange,
  ): Promise<boolean> {
    const condition = typeof expected === 'string' ? { status: expected } : expected;
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const item = await this.#getItem(orderId);
      if (!item) return false;
      const order = toOrder(item);
      // What the conditional write would refuse, it is not tried for: it could only fail.
      if (!meetsCondition(order, condition)) return false;
      const seq = Number(item.events ?? 0);
      if (item.last_event) {
        await this.#client.send(
          new PutCommand({
            TableName: this.#history(),
            Item: { ...(item.last_event as Item), order_id: orderId },
          }),
        );
      }
      const event = storedEvent(change.event, seq + 1, applyChange(order, change));
      if (!(await this.#update(orderId, condition, change, { seq, event }))) continue;
      const dropped = event.seq - this.#maxEvents;
      if (dropped >= 1) {
        // Best effort: an event left behind is never read (a read takes the newest maxEvents).
        await this.#client
          .send(new DeleteCommand({ TableName: this.#history(), Key: { order_id: orderId, seq: dropped } }))
          .catch(() => undefined);
      }
      return true;
    }
    throw new TransientError(`order ${orderId} kept changing while it was written; retry`);
  }

  /** The conditional UpdateItem of a transition, with its event; false when the condition failed. */
  async #update(
    orderId: string,
    condition: OrderCondition,
    change: OrderChange,
    history: { seq: number; event: OrderEvent },
  ): Promise<boolean> {
    const sets: string[] = ['events = :seq', 'last_event = :event'];
    const removes: string[] = [];
    const values: Item = {
      ':expected': condition.status,
      ':seq': history.event.seq,
      ':event': history.event,
    };
    const conditions = ['#status = :expected'];
    if (history.seq === 0) conditions.push('attribute_not_exists(events)');
    else {
      conditions.push('events = :previous');
      values[':previous'] = history.seq;
    }
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
          UpdateExpression: [`SET ${sets.join(', ')}`, removes.length ? `REMOVE ${removes.join(', ')}` : '']
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

  /** Newest first. By customer: that customer's index; otherwise one query per status shard, merged. */
  async list(query: ListOrdersQuery): Promise<Page<Order>> {
    const rows =
      query.customer_id === undefined ? await this.#byStatus(query) : await this.#byCustomer(query);
    // The same byte budget as the local host's pages: on AWS a page of 500 large orders (~9 MB) would also
    // exceed Lambda's 6 MB response limit, and API Gateway would answer 502.
    const page = takePage(rows, query.limit, this.#maxPageBytes, jsonBytes);
    const items = page.rows.map(toOrder);
    const last = items.at(-1);
    return page.more && last
      ? { items, cursor: Buffer.from(createdKey(last)).toString('base64url') }
      : { items };
  }

  async #byStatus(query: ListOrdersQuery): Promise<Item[]> {
    const range = createdRange(query);
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
            KeyConditionExpression: ['status_shard = :p', range.condition].filter(Boolean).join(' AND '),
            ExpressionAttributeValues: { ':p': partition, ...range.values },
            ScanIndexForward: false,
            // One more for the item BETWEEN may bring that equals its upper bound.
            Limit: query.limit + (range.upper === undefined ? 1 : 2),
          }),
        ),
      ),
    );
    return pages
      .flatMap((p) => p.Items ?? [])
      .filter((item) => item.created_key !== range.upper)
      .sort((a, b) => (String(a.created_key) < String(b.created_key) ? 1 : -1));
  }

  /**
   * A customer's orders: keys (and status) from the index, in pages until `limit + 1` match the status
   * filter or the customer has no more, then the orders themselves from the table.
   */
  async #byCustomer(query: ListOrdersQuery): Promise<Item[]> {
    const range = createdRange(query);
    const keys: string[] = [];
    let start: Item | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: this.#table,
        IndexName: ORDERS_CUSTOMER_INDEX,
        KeyConditionExpression: ['customer_key = :c', range.condition].filter(Boolean).join(' AND '),
        ExpressionAttributeValues: {
          ':c': query.customer_id,
          ...range.values,
          ...(query.status ? { ':s': query.status } : {}),
        },
        ...(query.status
          ? { FilterExpression: '#status = :s', ExpressionAttributeNames: { '#status': 'status' } }
          : {}),
        ScanIndexForward: false,
        Limit: query.limit + 2,
        ...(start ? { ExclusiveStartKey: start } : {}),
      };
      const page = await this.#client.send(new QueryCommand(input));
      for (const item of page.Items ?? [])
        if (item.created_key !== range.upper) keys.push(String(item.order_id));
      start = page.LastEvaluatedKey;
    } while (start && keys.length <= query.limit);
    const items = await batchGet(this.#client, this.#table, 'order_id', keys.slice(0, query.limit + 1));
    // Read after the index: an order whose status changed since is left out rather than shown wrongly.
    return items.filter((item) => query.status === undefined || item.status === query.status);
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

  /** The newest `maxEvents` of the history table and the order item's own last event, merged. */
  async history(orderId: string): Promise<OrderHistory | undefined> {
    const [item, kept] = await Promise.all([
      this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: { order_id: orderId },
          ConsistentRead: true,
          ProjectionExpression: 'order_id, last_event',
        }),
      ),
      this.#client.send(
        new QueryCommand({
          TableName: this.#history(),
          KeyConditionExpression: 'order_id = :o',
          ExpressionAttributeValues: { ':o': orderId },
          ConsistentRead: true,
          ScanIndexForward: false,
          Limit: this.#maxEvents,
        }),
      ),
    ]);
    if (!item.Item) return undefined;
    const bySeq = new Map<number, OrderEvent>();
    for (const stored of kept.Items ?? []) bySeq.set(Number(stored.seq), toOrderEvent(stored));
    const last = item.Item.last_event as Item | undefined;
    if (last) bySeq.set(Number(last.seq), toOrderEvent(last));
    const events = [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-this.#maxEvents);
    return historyOf(events);
  }
}
