import * as z from 'zod/mini';
import { type FieldError, idField, type OrderStatus, orderStatuses, type ParseResult } from './order.ts';

// The query parameters of the two list routes, as one zod schema each: the HTTP edge validates with them and
// the OpenAPI document describes its parameters from them.

/** `limit` of a list page. */
export const MAX_PAGE_LIMIT = 500;
export const DEFAULT_PAGE_LIMIT = 50;
/** The most reason groups `GET /failed-orders` answers with (`by_reason`). */
export const MAX_REASON_GROUPS = 50;

// ISO 8601 as people write it: a date (midnight UTC), or a date and time with Z or an offset; fractions of a
// second allowed. Normalised to what orders store (toISOString: UTC, milliseconds), so ranges compare as text.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/** Whether `raw` is an ISO 8601 instant whose every part is in range (Date.parse takes 2026-02-30 as March 2). */
export function isIsoInstant(raw: string): boolean {
  const match = ISO_INSTANT.exec(raw);
  if (!match) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (year === undefined || month === undefined || day === undefined) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59 &&
    // years 0000-9999 once in UTC, so the normalised text compares like the stored times
    /^\d{4}-/.test(new Date(raw).toISOString())
  );
}

const instantField = (field: string) =>
  z.pipe(
    z.string().check(
      z.refine(isIsoInstant, {
        error: `${field} must be an ISO 8601 date or date-time, e.g. 2026-03-01 or 2026-03-01T12:00:00Z`,
      }),
    ),
    z.transform((raw) => new Date(raw).toISOString()),
  );

const limitField = z.pipe(
  z.string().check(
    z.refine((raw) => /^\d{1,4}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_PAGE_LIMIT, {
      error: `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`,
    }),
  ),
  z.transform(Number),
);

const statusField = z.pipe(
  z.string().check(z.toUpperCase()),
  z.enum(orderStatuses, { error: `status must be one of ${orderStatuses.join(', ')}` }),
);

const cursorField = z.string().check(z.minLength(1, { error: 'cursor must not be empty' }));

/** `GET /orders`: newest first, every filter optional; `created_after` ≤ created_at < `created_before`. */
export const orderSearchSchema = z.strictObject({
  status: z.optional(statusField),
  customer_id: z.optional(idField('customer_id')),
  created_after: z.optional(instantField('created_after')),
  created_before: z.optional(instantField('created_before')),
  limit: z.optional(limitField),
  cursor: z.optional(cursorField),
});

/** `GET /failed-orders`: newest failure first, optionally only one reason (exact match). */
export const failedOrderSearchSchema = z.strictObject({
  reason: z.optional(
    z
      .string()
      .check(
        z.minLength(1, { error: 'reason must not be empty' }),
        z.maxLength(1000, { error: 'reason must be at most 1000 characters' }),
      ),
  ),
  limit: z.optional(limitField),
  cursor: z.optional(cursorField),
});

/** A search of orders as the repositories take it. */
export interface OrderSearch {
  status?: OrderStatus;
  customer_id?: string;
  /** Inclusive, normalised ISO-8601 (UTC, milliseconds). */
  created_after?: string;
  /** Exclusive, normalised ISO-8601 (UTC, milliseconds). */
  created_before?: string;
  limit: number;
  cursor?: string;
}

export interface FailedOrderSearch {
  reason?: string;
  limit: number;
  cursor?: string;
}

function parseWith<S extends z.ZodMiniObject>(
  schema: S,
  query: Record<string, string>,
): ParseResult<z.output<S>> {
  const known = Object.keys(schema.shape);
  const errors: FieldError[] = Object.keys(query)
    .filter((name) => !known.includes(name))
    .map((name) => ({
      field: name,
      message: `${name} is not a known query parameter; use ${known.join(', ')}`,
    }));
  // A known parameter left empty (a blank search field of a form) is the same as none.
  const params = Object.fromEntries(
    Object.entries(query).filter(([name, value]) => value !== '' && known.includes(name)),
  );
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') continue;
      errors.push({ field: issue.path.map(String).join('.'), message: issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}

/** Validates the query of `GET /orders`: unknown parameters and bad values are reported, all of them. */
export function parseOrderSearch(params: Record<string, string>): ParseResult<OrderSearch> {
  const parsed = parseWith(orderSearchSchema, params);
  if (!parsed.ok) return parsed;
  const { limit, status, customer_id, created_after, created_before, cursor } = parsed.value;
  if (created_after !== undefined && created_before !== undefined && created_after >= created_before) {
    return {
      ok: false,
      errors: [{ field: 'created_after', message: 'created_after must be before created_before' }],
    };
  }
  return {
    ok: true,
    value: {
      limit: limit ?? DEFAULT_PAGE_LIMIT,
      ...(status === undefined ? {} : { status }),
      ...(customer_id === undefined ? {} : { customer_id }),
      ...(created_after === undefined ? {} : { created_after }),
      ...(created_before === undefined ? {} : { created_before }),
      ...(cursor === undefined ? {} : { cursor }),
    },
  };
}

/** Validates the query of `GET /failed-orders`. */
export function parseFailedOrderSearch(params: Record<string, string>): ParseResult<FailedOrderSearch> {
  const parsed = parseWith(failedOrderSearchSchema, params);
  if (!parsed.ok) return parsed;
  const { limit, reason, cursor } = parsed.value;
  return {
    ok: true,
    value: {
      limit: limit ?? DEFAULT_PAGE_LIMIT,
      ...(reason === undefined ? {} : { reason }),
      ...(cursor === undefined ? {} : { cursor }),
    },
  };
}
