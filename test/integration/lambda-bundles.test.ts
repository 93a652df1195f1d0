import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LAMBDA_NAMES, MAX_BUNDLE_BYTES, type PackagedFunction } from '../../scripts/package.ts';
import type { StoreOrderResult } from '../../src/core/store-order.ts';
import { sqsEvent, sqsRecord } from '../support/builders.ts';
import { startDynalite } from '../support/dynalite.ts';
import { buildLambdaBundles } from '../support/lambda-bundles.ts';

type Handler = (event: unknown) => Promise<Record<string, unknown>>;

/**
 * Builds the Lambda bundles exactly as `npm run package` does, imports each built file and invokes its
 * handler against dynalite: what runs on AWS is the bundle, so the bundle is what is tested.
 */
describe('Lambda bundles (built with esbuild, invoked against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startDynalite>>;
  let bundles: Awaited<ReturnType<typeof buildLambdaBundles>>;
  let packaged: PackagedFunction[];
  const handlers = new Map<string, Handler>();
  const savedEnv = { ...process.env };

  before(async () => {
    db = await startDynalite();
    const tables = await db.freshTables();
    bundles = await buildLambdaBundles();
    packaged = bundles.packaged;
    Object.assign(process.env, {
      AWS_REGION: 'local-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      ORDERS_TABLE: tables.orders,
      ORDER_HISTORY_TABLE: tables.orderHistory,
      FAILED_ORDERS_TABLE: tables.failedOrders,
      ORDER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/order_queue',
      STATE_MACHINE_ARN: 'arn:aws:states:local-1:000000000000:stateMachine:dofs-orders',
      FULFILLMENT_SUCCESS_RATE: '1',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    for (const name of LAMBDA_NAMES) handlers.set(name, (await bundles.coldStart(name)) as Handler);
  });

  after(async () => {
    process.env = savedEnv;
    await db.stop();
    bundles.remove();
  });

  it('builds one bundle per function, each within the 300 KiB budget', () => {
    assert.deepEqual(packaged.map((p) => p.name).sort(), [
      'api',
      'dead-letter',
      'fulfill-order',
      'store-order',
      'validate-order',
    ]);
    for (const p of packaged)
      assert.ok(p.bundleBytes <= MAX_BUNDLE_BYTES, `${p.name}: ${p.bundleBytes} bytes`);
  });

  it('runs an order through validate-order, store-order, fulfill-order and reads it through api', async () => {
    const order = { order_id: 'bundle-1', customer_id: 'c-1', items: [{ product_id: 'p-1', quantity: 2 }] };
    const validation = await handlers.get('validate-order')?.({ order });
    assert.deepEqual(validation, { valid: true, order });
    const stored = (await handlers.get('store-order')?.({ submission_id: 's-1', order })) as StoreOrderResult;
    assert.deepEqual(
      [stored?.outcome, stored?.status, stored?.order?.order_id, stored?.order?.submission_id],
      ['CREATED', 'PENDING', 'bundle-1', 's-1'],
    );
    const batch = await handlers.get('fulfill-order')?.(
      sqsEvent(sqsRecord(JSON.stringify({ order_id: 'bundle-1' }))),
    );
    assert.deepEqual(batch, { batchItemFailures: [] });
    const read = await handlers.get('api')?.({
      httpMethod: 'GET',
      path: '/orders/bundle-1',
      headers: {},
      multiValueQueryStringParameters: null,
      body: null,
      isBase64Encoded: false,
    });
    assert.equal(read?.statusCode, 200);
    assert.equal(JSON.parse(String(read?.body)).status, 'FULFILLED');
  });

  it('keeps the error name the workflow Catch matches when store-order meets a conflict', async () => {
    const order = { order_id: 'bundle-2', customer_id: 'c-1', items: [{ product_id: 'p-1', quantity: 1 }] };
    await handlers.get('store-order')?.({ submission_id: 's-1', order });
    await assert.rejects(
      handlers.get('store-order')?.({
        submission_id: 's-2',
        order: { ...order, customer_id: 'c-2' },
      }) as Promise<unknown>,
      {
        name: 'OrderConflict',
      },
    );
  });

  it('reports a poison message as a batch item failure, and dead-letters it into failed_orders', async () => {
    const poison = sqsRecord('not json');
    const batch = await handlers.get('fulfill-order')?.(sqsEvent(poison));
    assert.deepEqual(batch, { batchItemFailures: [{ itemIdentifier: poison.messageId }] });
    const dead = await handlers.get('dead-letter')?.(sqsEvent(poison));
    assert.deepEqual(dead, { batchItemFailures: [] });
    const failed = await handlers.get('api')?.({
      httpMethod: 'GET',
      path: '/failed-orders',
      headers: {},
      multiValueQueryStringParameters: null,
      body: null,
      isBase64Encoded: false,
    });
    assert.deepEqual(
      JSON.parse(String(failed?.body)).items.map((r: { order_id: string }) => r.order_id),
      [`message-${poison.messageId}`],
    );
  });

  it('answers bad input through the api bundle with the same 400 as the local host', async () => {
    const response = await handlers.get('api')?.({
      httpMethod: 'POST',
      path: '/order',
      headers: { 'Content-Type': 'application/json' },
      multiValueQueryStringParameters: null,
      body: Buffer.from('{"customer_id":5,"items":[]}').toString('base64'),
      isBase64Encoded: true,
    });
    assert.equal(response?.statusCode, 400);
    assert.deepEqual(JSON.parse(String(response?.body)).error.fields, [
      { field: 'customer_id', message: 'customer_id must be a string' },
      { field: 'items', message: 'items must be a non-empty array' },
    ]);
  });
});
