import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { openApiDocument } from '../../src/handlers/http/openapi.ts';
import { LOCAL_API_ROUTES } from '../../src/hosts/local/http/local-routes.ts';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { call, type Json, serverPerSuite } from '../support/server-process.ts';

// The local host's document: the API's routes and its own (/ready).
const doc = openApiDocument(undefined, LOCAL_API_ROUTES);
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'dofs', components: doc.components }, 'dofs');

/** Validates a real response against the document's schema for that path, method and status. */
function check(pathTemplate: string, method: string, status: number, body: unknown) {
  const operation = (doc.paths as Json)[pathTemplate]?.[method];
  assert.ok(operation, `${method.toUpperCase()} ${pathTemplate} is documented`);
  const response = operation.responses[String(status)];
  assert.ok(response, `${method.toUpperCase()} ${pathTemplate} documents status ${status}`);
  const schema = JSON.parse(
    JSON.stringify(response.content['application/json'].schema).replaceAll(
      '"#/components',
      '"dofs#/components',
    ),
  );
  const validate = ajv.compile(schema);
  assert.ok(
    validate(body),
    `${method.toUpperCase()} ${pathTemplate} ${status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}`,
  );
}

describe('OpenAPI document', () => {
  const suite = serverPerSuite({
    FULFILLMENT_SUCCESS_RATE: '0',
    MAX_RECEIVE_COUNT: '1',
    VISIBILITY_TIMEOUT_SECONDS: '0.05',
  });

  it('is served at /openapi.json as OpenAPI 3.1 with the request schema generated from zod', async () => {
    const { status, body } = await call(`${suite.server.url}/openapi.json`);
    assert.equal(status, 200);
    assert.equal(body.openapi, '3.1.0');
    assert.deepEqual(body.components.schemas.CanonicalOrder.required, ['customer_id', 'items']);
    assert.equal(body.components.schemas.CanonicalOrder.additionalProperties, false);
    assert.deepEqual(body, doc, 'the local host serves its document, /ready included');
    assert.ok(body.paths['/ready']?.get);
    assert.equal(openApiDocument().paths['/ready' as never], undefined, 'the AWS host has no /ready');
  });

  it('describes every real response of every route', async () => {
    const u = suite.server.url;
    const accepted = await call(`${u}/order`, { body: anOrderBody({ order_id: 'oa-1' }) });
    check('/order', 'post', accepted.status, accepted.body);
    const replay = await call(`${u}/orders`, { body: anOrderBody({ order_id: 'oa-1' }) });
    check('/orders', 'post', replay.status, replay.body);
    const legacy = await call(`${u}/order`, { body: { order_id: 'oa-2', item: 'x', quantity: 1 } });
    check('/order', 'post', legacy.status, legacy.body);
    for (const [body, raw, headers] of [
      [{ customer_id: 1 }, undefined, undefined],
      [anOrderBody({ order_id: 'oa-1', customer_id: 'other' }), undefined, undefined],
      [undefined, '{"a":', undefined],
      [undefined, '{}', { 'content-type': 'text/plain' }],
      [undefined, 'x'.repeat(70_000), undefined],
    ] as const) {
      const r = await call(`${u}/order`, {
        ...(body ? { body } : {}),
        ...(raw ? { raw } : {}),
        ...(headers ? { headers } : {}),
      });
      check('/order', 'post', r.status, r.body);
    }
    const one = await call(`${u}/orders/oa-1`);
    check('/orders/{order_id}', 'get', one.status, one.body);
    const missing = await call(`${u}/orders/none`);
    check('/orders/{order_id}', 'get', missing.status, missing.body);
    const list = await call(`${u}/orders?limit=1`);
    check('/orders', 'get', list.status, list.body);
    const badList = await call(`${u}/orders?status=NOPE`);
    check('/orders', 'get', badList.status, badList.body);
    const search = await call(`${u}/orders?customer_id=c-1&created_after=2026-01-01&status=failed`);
    check('/orders', 'get', search.status, search.body);
    const badSearch = await call(`${u}/orders?created_after=soon&nope=1`);
    check('/orders', 'get', badSearch.status, badSearch.body);
    assert.equal(badSearch.body.error.fields.length, 2);
    await eventually(async () => (await call(`${u}/failed-orders`)).body.items.length === 2, 10_000);
    const failed = await call(`${u}/failed-orders`);
    check('/failed-orders', 'get', failed.status, failed.body);
    const byReason = await call(
      `${u}/failed-orders?reason=${encodeURIComponent(failed.body.items[0].reason)}`,
    );
    check('/failed-orders', 'get', byReason.status, byReason.body);
    const badFailed = await call(`${u}/failed-orders?limit=x`);
    check('/failed-orders', 'get', badFailed.status, badFailed.body);
    const history = await call(`${u}/orders/oa-1/history`);
    check('/orders/{order_id}/history', 'get', history.status, history.body);
    assert.ok(
      history.body.events.some((e: { started_at?: string; detail?: string }) => e.started_at && e.detail),
    );
    const noHistory = await call(`${u}/orders/none/history`);
    check('/orders/{order_id}/history', 'get', noHistory.status, noHistory.body);
    const badHistory = await call(`${u}/orders/oa-1/history?x=1`);
    check('/orders/{order_id}/history', 'get', badHistory.status, badHistory.body);
    const redriven = await call(`${u}/failed-orders/oa-1/redrive`, { method: 'POST' });
    check('/failed-orders/{order_id}/redrive', 'post', redriven.status, redriven.body);
    const notFailed = await call(`${u}/failed-orders/oa-1/redrive`, { method: 'POST' });
    check('/failed-orders/{order_id}/redrive', 'post', notFailed.status, notFailed.body);
    const unknown = await call(`${u}/failed-orders/zzz/redrive`, { method: 'POST' });
    check('/failed-orders/{order_id}/redrive', 'post', unknown.status, unknown.body);
    const all = await call(`${u}/failed-orders/redrive`, { method: 'POST' });
    check('/failed-orders/redrive', 'post', all.status, all.body);
    const health = await call(`${u}/health`);
    check('/health', 'get', health.status, health.body);
    const ready = await call(`${u}/ready`);
    check('/ready', 'get', ready.status, ready.body);
  });
});
