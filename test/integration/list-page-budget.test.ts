import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoDbFailedOrderRepository } from '../../src/adapters/dynamodb/dynamodb-failed-order-repository.ts';
import { DynamoDbOrderRepository } from '../../src/adapters/dynamodb/dynamodb-order-repository.ts';
import { openDatabase, type SqliteDatabase } from '../../src/adapters/sqlite/database.ts';
import { SqliteFailedOrderRepository } from '../../src/adapters/sqlite/sqlite-failed-order-repository.ts';
import { SqliteOrderRepository } from '../../src/adapters/sqlite/sqlite-order-repository.ts';
import { MAX_PAGE_BYTES } from '../../src/adapters/storage/page-budget.ts';
import type { FailedOrderRepository, Page } from '../../src/core/ports.ts';
import { anOrder } from '../support/builders.ts';
import { startDynalite } from '../support/dynalite.ts';

/** The largest order the schema accepts: 100 items with 128-character product ids (about 16 KiB stored). */
const LARGE_ITEMS = Array.from({ length: 100 }, (_, i) => ({
  product_id: `${i}-`.padEnd(128, 'x'),
  quantity: 1_000_000,
  price: 123456.78,
}));

async function everyPage<T>(list: (cursor?: string) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.items);
    cursor = page.cursor;
  } while (cursor);
  return pages;
}

/** `count` failed-order records of the largest body, one second apart. */
async function putLargeFailedOrders(failed: FailedOrderRepository, count: number) {
  const body = JSON.stringify({ order_id: 'x', items: LARGE_ITEMS });
  for (let i = 0; i < count; i++)
    await failed.put({
      order_id: `f-${String(i).padStart(3, '0')}`,
      reason: 'attempt 3 failed',
      attempts: 3,
      message_id: `m-${i}`,
      body,
      failed_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    });
}

/** Pages every failed order of `failed` at limit 500: several pages, each within the budget, each record once. */
async function assertFailedPagesBounded(failed: FailedOrderRepository, count: number) {
  const pages = await everyPage((cursor) => failed.list({ limit: 500, ...(cursor ? { cursor } : {}) }));
  assert.ok(pages.length >= 2, `${pages.length} pages`);
  for (const page of pages)
    assert.ok(Buffer.byteLength(JSON.stringify(page)) <= MAX_PAGE_BYTES * 1.1, `${page.length} records`);
  assert.equal(new Set(pages.flat().map((r) => r.order_id)).size, count);
}

describe('list pages are bounded in bytes (SQLite)', () => {
  const opened: SqliteDatabase[] = [];
  after(() => {
    for (const db of opened) db.close();
  });
  const fresh = () => {
    const db = openDatabase(':memory:');
    opened.push(db);
    return db;
  };

  it(`stops an order page at ${MAX_PAGE_BYTES / 1024} KiB with a cursor, and the cursors still reach every order once`, async () => {
    const orders = new SqliteOrderRepository(fresh());
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const order = anOrder({ items: LARGE_ITEMS });
      ids.push(order.order_id);
      await orders.create(order);
    }
    const pages = await everyPage((cursor) => orders.list({ limit: 500, ...(cursor ? { cursor } : {}) }));
    const bytes = pages.map((page) => Buffer.byteLength(JSON.stringify(page)));
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    for (const size of bytes) assert.ok(size <= MAX_PAGE_BYTES * 1.1, `a page of ${size} bytes`);
    const seen = pages.flat().map((o) => o.order_id);
    assert.equal(new Set(seen).size, 200);
    assert.deepEqual(seen.sort(), ids.sort());
    const small = await orders.list({ limit: 5 });
    assert.equal(small.items.length, 5, 'small pages still stop at their limit');
  });

  it('bounds failed order pages the same way', async () => {
    const failed = new SqliteFailedOrderRepository(fresh());
    await putLargeFailedOrders(failed, 200);
    await assertFailedPagesBounded(failed, 200);
  });

  it('always returns at least one row, however large', async () => {
    const orders = new SqliteOrderRepository(fresh(), { maxPageBytes: 10 });
    for (let i = 0; i < 3; i++) await orders.create(anOrder({ items: LARGE_ITEMS }));
    const pages = await everyPage((cursor) => orders.list({ limit: 500, ...(cursor ? { cursor } : {}) }));
    assert.deepEqual(
      pages.map((p) => p.length),
      [1, 1, 1],
    );
  });
});

describe("list pages are bounded in bytes (DynamoDB, dynalite): an AWS answer stays under Lambda's 6 MB", () => {
  let db: Awaited<ReturnType<typeof startDynalite>>;
  before(async () => {
    db = await startDynalite();
  });
  after(async () => {
    await db.stop();
  });

  it(`stops an order page at ${MAX_PAGE_BYTES / 1024} KiB with a cursor, and the cursors still reach every order once`, async () => {
    const orders = new DynamoDbOrderRepository(db.client, { orders: (await db.freshTables()).orders });
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) {
      const order = anOrder({ items: LARGE_ITEMS });
      ids.push(order.order_id);
      await orders.create(order);
    }
    const pages = await everyPage((cursor) => orders.list({ limit: 500, ...(cursor ? { cursor } : {}) }));
    assert.ok(pages.length >= 2, `${pages.length} pages`);
    for (const page of pages)
      assert.ok(Buffer.byteLength(JSON.stringify(page)) <= MAX_PAGE_BYTES * 1.1, `${page.length} orders`);
    assert.deepEqual(
      pages
        .flat()
        .map((o) => o.order_id)
        .sort(),
      ids.sort(),
    );
  });

  it('bounds failed order pages the same way', async () => {
    const failed = new DynamoDbFailedOrderRepository(db.client, (await db.freshTables()).failedOrders);
    await putLargeFailedOrders(failed, 150);
    await assertFailedPagesBounded(failed, 150);
  });
});
