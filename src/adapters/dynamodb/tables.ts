/**
 * The DynamoDB tables, as the adapters use them. Terraform (terraform/modules/dynamodb) declares the same keys
 * and indexes; the contract tests create these tables in dynalite from this file.
 */
export const ORDERS_STATUS_INDEX = 'by-status';
export const FAILED_ORDERS_TIME_INDEX = 'by-failed-at';

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
    ],
  };
}
