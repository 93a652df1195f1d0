/**
 * The DynamoDB tables, as the adapters use them. Terraform (terraform/modules/dynamodb) declares the same keys
 * and indexes; the contract tests create these tables in dynalite from this file.
 */
export const ORDERS_STATUS_INDEX = 'by-status';
/**
 * A customer's orders, newest first. Keys and `status` only: the index is written when an order is created or
 * changes status, not on every attempt; a page reads its orders from the table (BatchGetItem).
 */
export const ORDERS_CUSTOMER_INDEX = 'by-customer';
export const FAILED_ORDERS_TIME_INDEX = 'by-failed-at';
/** Failed orders by reason (keys only): the reason filter, and the grouping by reason (a scan of keys). */
export const FAILED_ORDERS_REASON_INDEX = 'by-reason';

/**
 * Listing by status reads a GSI whose partition key is `status#shard`: with a bare `status` key every PENDING
 * order of the whole system would write to one GSI partition (~1,000 writes/s per partition key), which caps
 * throughput; STATUS_SHARDS spreads them, and a listing merges the shards.
 */
export const STATUS_SHARDS = 4;

export function shardOf(orderId: string): number {
  let hash = 2166136261;
  for (let i = 0; i < orderId.length; i++) {
    hash ^= orderId.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % STATUS_SHARDS;
}

interface KeySpec {
  hash: string;
  range?: string;
  /** Attributes of the keys that are numbers; every other key attribute is a string. */
  numbers?: readonly string[];
}

interface IndexSpec {
  name: string;
  hash: string;
  range: string;
  projection: 'ALL' | 'KEYS_ONLY' | { include: string[] };
}

const keySchema = (hash: string, range: string | undefined) => [
  { AttributeName: hash, KeyType: 'HASH' as const },
  ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
];

/** A CreateTable input: on-demand, the attribute definitions derived from the keys of the table and its indexes. */
function tableDefinition(name: string, key: KeySpec, indexes: readonly IndexSpec[] = []) {
  const keys = [key.hash, key.range, ...indexes.flatMap((index) => [index.hash, index.range])];
  const attributes = [...new Set(keys.filter((k): k is string => k !== undefined))];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributes.map((attribute) => ({
      AttributeName: attribute,
      AttributeType: key.numbers?.includes(attribute) ? ('N' as const) : ('S' as const),
    })),
    KeySchema: keySchema(key.hash, key.range),
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.hash, index.range),
            Projection:
              typeof index.projection === 'string'
                ? { ProjectionType: index.projection }
                : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: index.projection.include },
          })),
        }
      : {}),
  };
}

export function ordersTableDefinition(name: string) {
  return tableDefinition(name, { hash: 'order_id' }, [
    { name: ORDERS_STATUS_INDEX, hash: 'status_shard', range: 'created_key', projection: 'ALL' },
    // customer_key is customer_id where there is one (orders of the legacy shapes have none: not indexed).
    {
      name: ORDERS_CUSTOMER_INDEX,
      hash: 'customer_key',
      range: 'created_key',
      projection: { include: ['status'] },
    },
  ]);
}

/**
 * An order's history: one item per event (PK order_id, SK seq). The newest event lives in the order item
 * itself (`last_event`, written by the same conditional write as its transition) and is copied here by the
 * next transition before that one overwrites it; see DynamoDbOrderRepository.
 */
export function orderHistoryTableDefinition(name: string) {
  return tableDefinition(name, { hash: 'order_id', range: 'seq', numbers: ['seq'] });
}

export function failedOrdersTableDefinition(name: string) {
  return tableDefinition(name, { hash: 'order_id' }, [
    { name: FAILED_ORDERS_TIME_INDEX, hash: 'kind', range: 'failed_key', projection: 'ALL' },
    { name: FAILED_ORDERS_REASON_INDEX, hash: 'reason_key', range: 'failed_key', projection: 'KEYS_ONLY' },
  ]);
}
