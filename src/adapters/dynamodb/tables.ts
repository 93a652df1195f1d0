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

export function ordersTableDefinition(name: string) {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: 'order_id', AttributeType: 'S' as const },
      { AttributeName: 'status_shard', AttributeType: 'S' as const },
      { AttributeName: 'created_key', AttributeType: 'S' as const },
      { AttributeName: 'customer_key', AttributeType: 'S' as const },
    ],
    KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' as const }],
    GlobalSecondaryIndexes: [
      {
        IndexName: ORDERS_STATUS_INDEX,
        KeySchema: [
          { AttributeName: 'status_shard', KeyType: 'HASH' as const },
          { AttributeName: 'created_key', KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
      {
        // customer_key is customer_id where there is one (orders of the legacy shapes have none: not indexed).
        IndexName: ORDERS_CUSTOMER_INDEX,
        KeySchema: [
          { AttributeName: 'customer_key', KeyType: 'HASH' as const },
          { AttributeName: 'created_key', KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: ['status'] },
      },
    ],
  };
}

/**
 * An order's history: one item per event (PK order_id, SK seq). The newest event lives in the order item
 * itself (`last_event`, written by the same conditional write as its transition) and is copied here by the
 * next transition before that one overwrites it; see DynamoDbOrderRepository.
 */
export function orderHistoryTableDefinition(name: string) {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: 'order_id', AttributeType: 'S' as const },
      { AttributeName: 'seq', AttributeType: 'N' as const },
    ],
    KeySchema: [
      { AttributeName: 'order_id', KeyType: 'HASH' as const },
      { AttributeName: 'seq', KeyType: 'RANGE' as const },
    ],
  };
}

export function failedOrdersTableDefinition(name: string) {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: 'order_id', AttributeType: 'S' as const },
      { AttributeName: 'kind', AttributeType: 'S' as const },
      { AttributeName: 'failed_key', AttributeType: 'S' as const },
      { AttributeName: 'reason_key', AttributeType: 'S' as const },
    ],
    KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' as const }],
    GlobalSecondaryIndexes: [
      {
        IndexName: FAILED_ORDERS_TIME_INDEX,
        KeySchema: [
          { AttributeName: 'kind', KeyType: 'HASH' as const },
          { AttributeName: 'failed_key', KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
      {
        IndexName: FAILED_ORDERS_REASON_INDEX,
        KeySchema: [
          { AttributeName: 'reason_key', KeyType: 'HASH' as const },
          { AttributeName: 'failed_key', KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      },
    ],
  };
}
