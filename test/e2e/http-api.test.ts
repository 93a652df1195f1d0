import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { call, serverPerSuite, startServer } from '../support/server-process.ts';

describe('HTTP API (server process)', () => {
  const suite = serverPerSuite({ FULFILLMENT_SUCCESS_RATE: '1', VISIBILITY_TIMEOUT_SECONDS: '0.05' });

  it('accepts an order with 202, a Location header and the stored order', async () => {
    const response = await call(`${suite.server.url}/order`, { body: anOrderBody({ order_id: 'api-1' }) });
    assert.equal(response.status, 202);
    assert.equal(response.headers.get('location'), '/orders/api-1');
    assert.equal(response.body.order_id, 'api-1');
    assert.ok(['PENDING', 'FULFILLED'].includes(response.body.status));
    assert.equal('fingerprint' in response.body, false, 'internal fields stay inside');
  });

  it('accepts POST /orders as an alias and generates a UUIDv7 order id when none is sent', async () => {
    const response = await call(`${suite.server.url}/orders`, { body: anOrderBody() });
    assert.equal(response.status, 202);
    assert.match(
      response.body.order_id,
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('accepts the legacy single-item shapes, normalised', async () => {
    const a = await call(`${suite.server.url}/order`, {
      body: { order_id: 'legacy-1', product: 'widget', quantity: 2, price: 5 },
    });
    assert.deepEqual(
      [a.status, a.body.customer_id, a.body.items],
      [202, null, [{ product_id: 'widget', quantity: 2, price: 5 }]],
    );
    const b = await call(`${suite.server.url}/order`, {
      body: { order_id: 'legacy-2', item: 'gadget', quantity: 1 },
    });
    assert.deepEqual([b.status, b.body.items], [202, [{ product_id: 'gadget', quantity: 1 }]]);
  });

  it('returns the current order for the same id and payload (200, no second processing)', async () => {
    const body = anOrderBody({ order_id: 'dup-1' });
    assert.equal((await call(`${suite.server.url}/order`, { body })).status, 202);
    const again = await call(`${suite.server.url}/order`, { body });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.order_id, 'dup-1');
  });

  it('answers 409 for the same id with another payload', async () => {
    await call(`${suite.server.url}/order`, { body: anOrderBody({ order_id: 'dup-2' }) });
    const other = await call(`${suite.server.url}/order`, {
      body: anOrderBody({ order_id: 'dup-2', customer_id: 'c-9' }),
    });
    assert.deepEqual([other.status, other.body.error.code], [409, 'OrderConflict']);
    assert.match(other.body.error.message, /already exists with a different payload/);
  });

  it('reads an order, lists orders by status with a cursor, and lists failed orders', async () => {
    for (let i = 0; i < 3; i++)
      await call(`${suite.server.url}/order`, { body: anOrderBody({ order_id: `list-${i}` }) });
    const one = await call(`${suite.server.url}/orders/list-1`);
    assert.deepEqual([one.status, one.body.order_id], [200, 'list-1']);
    const page = await call(`${suite.server.url}/orders?limit=2`);
    assert.equal(page.body.items.length, 2);
    assert.equal(typeof page.body.cursor, 'string');
    const next = await call(`${suite.server.url}/orders?limit=2&cursor=${page.body.cursor}`);
    assert.notDeepEqual(next.body.items[0].order_id, page.body.items[0].order_id);
    const pending = await call(`${suite.server.url}/orders?status=pending&limit=500`);
    assert.ok(pending.body.items.every((o: { status: string }) => o.status === 'PENDING'));
    const failed = await call(`${suite.server.url}/failed-orders`);
    assert.deepEqual([failed.status, failed.body.items], [200, []]);
  });

  it('reports health with order counts and queue depths', async () => {
    const h = await call(`${suite.server.url}/health`);
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'ok');
    assert.deepEqual(Object.keys(h.body.orders).sort(), ['FAILED', 'FULFILLED', 'PENDING']);
    assert.deepEqual(Object.keys(h.body.queues).sort(), ['order_dlq', 'order_queue']);
  });

  const badRequests: [
    string,
    { method?: string; path?: string; raw?: string; body?: unknown; headers?: Record<string, string> },
    number,
    RegExp,
  ][] = [
    ['malformed JSON', { raw: '{"customer_id": "c", ' }, 400, /body is not valid JSON/],
    ['an empty body', { raw: '', method: 'POST' }, 400, /body is empty/],
    ['a JSON array', { body: [] }, 400, /body must be a JSON object/],
    ['a JSON string', { body: 'order' }, 400, /body must be a JSON object/],
    ['no items', { body: { customer_id: 'c' } }, 400, /items is required/],
    ['empty items', { body: { customer_id: 'c', items: [] } }, 400, /items must be a non-empty array/],
    [
      'a zero quantity',
      { body: { customer_id: 'c', items: [{ product_id: 'p', quantity: 0 }] } },
      400,
      /quantity must be a positive integer/,
    ],
    [
      'a negative price',
      { body: { customer_id: 'c', items: [{ product_id: 'p', quantity: 1, price: -2 }] } },
      400,
      /price must be a number ≥ 0/,
    ],
    ['an unknown field', { body: { ...anOrderBody(), coupon: 'FREE' } }, 400, /coupon is not a known field/],
    [
      'a form content type',
      { raw: '{}', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      /content-type must be application\/json/,
    ],
    [
      'a body over 64 KiB',
      { raw: JSON.stringify({ customer_id: 'x'.repeat(70_000), items: [] }) },
      413,
      /larger than 65536 bytes/,
    ],
    ['an unknown order', { path: '/orders/no-such-order' }, 404, /order no-such-order was not found/],
    [
      'a bad status filter',
      { path: '/orders?status=SHIPPED' },
      400,
      /status must be one of PENDING, FULFILLED, FAILED/,
    ],
    ['a bad limit', { path: '/orders?limit=0' }, 400, /limit must be an integer from 1 to 500/],
    [
      'an unknown query parameter',
      { path: '/orders?customer=c-1' },
      400,
      /customer is not a known query parameter; use status, customer_id, created_after, created_before, limit, cursor/,
    ],
    [
      'a created_after that is not ISO 8601',
      { path: '/orders?created_after=yesterday' },
      400,
      /created_after must be an ISO 8601 date or date-time/,
    ],
    [
      'a date that does not exist',
      { path: '/orders?created_before=2026-02-30' },
      400,
      /created_before must be an ISO 8601 date or date-time/,
    ],
    [
      'an empty created-at range',
      { path: '/orders?created_after=2026-03-02&created_before=2026-03-01' },
      400,
      /created_after must be before created_before/,
    ],
    [
      'a customer id outside the id alphabet',
      { path: '/orders?customer_id=a%20b' },
      400,
      /customer_id may contain only letters, digits and \. _ : -/,
    ],
    [
      'an unknown parameter left empty, or named __proto__',
      { path: '/orders?customer=&__proto__=x' },
      400,
      /customer is not a known query parameter.*; __proto__ is not a known query parameter/,
    ],
    [
      'a parameter given twice',
      { path: '/orders?status=FAILED&status=PENDING' },
      400,
      /status is given more than once/,
    ],
    [
      'an unknown failed-orders parameter',
      { path: '/failed-orders?status=FAILED' },
      400,
      /status is not a known query parameter; use reason, limit, cursor/,
    ],
    ['the history of an unknown order', { path: '/orders/ghost/history' }, 404, /order ghost was not found/],
    [
      'a query parameter on the history route',
      { path: '/orders/api-1/history?limit=5' },
      400,
      /limit: this route takes no query parameters/,
    ],
    ['a bad cursor', { path: '/orders?cursor=%%%' }, 400, /cursor is not valid/],
    ['a wrong method', { path: '/order', method: 'GET' }, 405, /method not allowed; use POST/],
    ['an unknown route', { path: '/nowhere' }, 404, /no route for GET \/nowhere/],
    [
      'a redrive of an order that is not failed',
      { path: '/failed-orders/api-1/redrive', method: 'POST' },
      409,
      /only FAILED orders can be redriven/,
    ],
    [
      'a redrive of an unknown order',
      { path: '/failed-orders/ghost/redrive', method: 'POST' },
      404,
      /order ghost was not found/,
    ],
    [
      'redrive ids that are not strings',
      { path: '/failed-orders/redrive', body: { order_ids: [1] } },
      400,
      /order_ids must be an array/,
    ],
  ];
  for (const [name, request, status, message] of badRequests) {
    it(`answers ${status} with a clear message for ${name}`, async () => {
      const { path = '/order', ...init } = request;
      const response = await call(`${suite.server.url}${path}`, init);
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.match(response.body.error.message, message);
    });
  }

  it('lists every failing field of a bad order in one 400', async () => {
    const response = await call(`${suite.server.url}/order`, {
      body: { customer_id: 7, items: [{ product_id: '', quantity: 1.5 }] },
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.error.fields, [
      { field: 'customer_id', message: 'customer_id must be a string' },
      { field: 'items.0.product_id', message: 'product_id must not be empty' },
      { field: 'items.0.quantity', message: 'quantity must be a positive integer' },
    ]);
  });

  it('writes JSON log lines that carry the order id', async () => {
    await call(`${suite.server.url}/order`, { body: anOrderBody({ order_id: 'logged-1' }) });
    // Lines are written once per event-loop turn, so the line may follow the response by a moment.
    await eventually(
      async () => suite.server.logs.some((l) => l.order_id === 'logged-1' && l.message === 'order accepted'),
      2000,
    );
  });
});

describe('configuration', () => {
  it('refuses to start on a bad variable and names it', async () => {
    await assert.rejects(
      startServer({ FULFILLMENT_SUCCESS_RATE: '1.5' }),
      /FULFILLMENT_SUCCESS_RATE must be a number from 0 to 1/,
    );
  });
});
