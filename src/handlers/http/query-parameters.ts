import * as z from 'zod/mini';
import { orderStatuses } from '../../core/order.ts';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../../core/order-search.ts';

/** What each list query parameter means; its schema comes from the zod schema the route validates with. */
const DESCRIPTIONS: Record<string, string> = {
  status: 'Only orders in this status (case-insensitive).',
  customer_id: "Only this customer's orders.",
  created_after:
    'Only orders created at or after this instant: an ISO 8601 date (midnight UTC) or date-time with Z or an offset.',
  created_before: 'Only orders created before this instant (exclusive); ISO 8601 like created_after.',
  reason: 'Only failed orders with exactly this reason (as in by_reason).',
  limit: `Page size, 1 to ${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}); a page also stops at 1 MiB.`,
  cursor: 'The cursor of the previous page (opaque); pass the same filters with it.',
};

/**
 * The OpenAPI query parameters of a list route, from the zod object schema it validates its query with
 * (src/core/order-search.ts). Query values are text to zod; to a client `status` is one of the statuses
 * and `limit` a number, so those two are described as such.
 */
export function queryParameters(schema: z.ZodMiniObject) {
  return Object.entries(schema.shape as Record<string, z.core.$ZodType>).map(([name, field]) => {
    const { $schema: _, ...fromZod } = z.toJSONSchema(field, {
      io: 'input',
      unrepresentable: 'any',
    }) as Record<string, unknown>;
    const schemaOf: Record<string, unknown> =
      name === 'limit'
        ? { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT }
        : name === 'status'
          ? { type: 'string', enum: orderStatuses }
          : name.startsWith('created_')
            ? { type: 'string', examples: ['2026-03-01', '2026-03-01T12:00:00Z'] }
            : fromZod;
    return { name, in: 'query', schema: schemaOf, description: DESCRIPTIONS[name] ?? '' };
  });
}
