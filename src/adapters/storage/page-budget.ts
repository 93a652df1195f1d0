/**
 * The most bytes of stored order data one page of a list carries. A page stops at its `limit` or at this,
 * whichever comes first, and then has a cursor: 500 orders of 100 long items each were a 9 MB answer, built
 * three times over (rows, objects, JSON) in memory for each concurrent reader.
 */
export const MAX_PAGE_BYTES = 1024 * 1024;

/**
 * Takes rows from `rows` while the page has fewer than `limit` and its size stays within `maxBytes` (the first
 * row always fits, so a page is never empty while rows remain); `more` says whether rows were left over.
 * Reading stops there: the rows after it are never fetched.
 */
export function takePage<Row>(
  rows: Iterable<Row>,
  limit: number,
  maxBytes: number,
  sizeOf: (row: Row) => number,
): { rows: Row[]; more: boolean } {
  const page: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (page.length === limit || (page.length > 0 && bytes + size > maxBytes))
      return { rows: page, more: true };
    page.push(row);
    bytes += size;
  }
  return { rows: page, more: false };
}

/** The stored size of a row: its text columns, plus a little for the rest. */
export function textBytes(row: Record<string, unknown>): number {
  let bytes = 64;
  for (const value of Object.values(row)) if (typeof value === 'string') bytes += Buffer.byteLength(value);
  return bytes;
}

/** An item's size as an API answer will carry it: its JSON text (DynamoDB items arrive as objects). */
export function jsonBytes(item: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(item));
}
