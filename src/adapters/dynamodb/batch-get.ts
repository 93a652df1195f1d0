import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../core/errors.ts';

type Item = Record<string, unknown>;

/**
 * Reads items by key (strongly consistent), 100 per request as BatchGetItem allows, asking again for the keys
 * DynamoDB leaves unprocessed (throttling). Answers in the order of `keys`, without the missing ones.
 */
export async function batchGet(
  client: DynamoDBDocumentClient,
  table: string,
  keyName: string,
  keys: string[],
): Promise<Item[]> {
  const found = new Map<string, Item>();
  for (let start = 0; start < keys.length; start += 100) {
    let pending: Item[] = keys.slice(start, start + 100).map((key) => ({ [keyName]: key }));
    for (let round = 0; pending.length > 0; round++) {
      if (round === 8) throw new TransientError('DynamoDB left keys unprocessed; retry');
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 2 ** round * 10));
      const answer = await client.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of answer.Responses?.[table] ?? []) found.set(String(item[keyName]), item);
      pending = (answer.UnprocessedKeys?.[table]?.Keys as Item[] | undefined) ?? [];
    }
  }
  return keys.flatMap((key) => {
    const item = found.get(key);
    return item ? [item] : [];
  });
}
