import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordingLogger } from '../../../test/support/builders.ts';
import { OrderNotFoundError } from '../../core/errors.ts';
import type { createOrderQueries } from '../../core/order-queries.ts';
import type { createRedriveOrders } from '../../core/redrive-orders.ts';
import { createHttpApp } from './http-app.ts';
import type { HttpRequest } from './http-types.ts';

/** The app over stand-ins that record what reached them: these tests are about the edge, not the use cases. */
function anApp() {
  const reached: string[] = [];
  const logger = recordingLogger();
  const app = createHttpApp({
    submitOrder: async (body) => {
      reached.push(`submit ${JSON.stringify(body)}`);
      return { ok: false, error: new OrderNotFoundError('stand-in') };
    },
    queries: {
      getOrder: async (id: string) => {
        reached.push(`get ${id}`);
        throw new OrderNotFoundError(id);
      },
    } as unknown as ReturnType<typeof createOrderQueries>,
    redrive: {
      redriveOne: async (id: string) => {
        reached.push(`redrive ${id}`);
        return { ok: false, orderId: id, error: new OrderNotFoundError(id) };
      },
      redriveAll: async () => {
        reached.push('redrive all');
        return [];
      },
    } as unknown as ReturnType<typeof createRedriveOrders>,
    health: async () => ({ orders: {} }),
    logger,
  });
  return { app, reached, logger };
}

const request = (
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): HttpRequest => ({ method, path, query: new URLSearchParams(), headers, body });

describe('HTTP app edge', () => {
  for (const path of [
    '/orders/%',
    '/orders/%ZZ',
    '/failed-orders/%ZZ/redrive',
    '/failed-orders/%E0%A4%A/redrive',
  ])
    it(`answers 400, not a 500 with a stack in the log, for a malformed escape in ${path}`, async () => {
      const { app, reached, logger } = anApp();
      const response = await app(request(path.endsWith('redrive') ? 'POST' : 'GET', path));
      assert.equal(response.status, 400, response.body);
      assert.match(JSON.parse(response.body).error.message, /not valid percent-encoding/);
      assert.deepEqual(reached, []);
      assert.deepEqual(
        logger.lines.filter((l) => l.level === 'error'),
        [],
      );
    });

  it('still decodes a well-formed escape', async () => {
    const { app, reached } = anApp();
    await app(request('GET', '/orders/a%2Fb%20c'));
    assert.deepEqual(reached, ['get a/b c']);
  });

  it('answers HEAD /health like GET, without a body', async () => {
    const { app } = anApp();
    const response = await app(request('HEAD', '/health'));
    assert.deepEqual([response.status, response.body], [200, '']);
    assert.match(response.headers['content-type'] ?? '', /application\/json/);
  });

  const refusedBodies: [string, Record<string, string>, RegExp][] = [
    ['no content type (a no-cors fetch)', {}, /content-type is required/],
    ['text/plain (a cross-site form)', { 'content-type': 'text/plain' }, /must be application\/json/],
    ['a JSON look-alike', { 'content-type': 'application/jsonp' }, /must be application\/json/],
    ['another charset', { 'content-type': 'application/json; charset=iso-8859-1' }, /charset must be utf-8/],
    ['a UTF-16 charset', { 'content-type': 'application/json;charset="utf-16"' }, /charset must be utf-8/],
  ];
  for (const [name, headers, message] of refusedBodies)
    it(`refuses an order body with ${name} (415) before reading it as JSON`, async () => {
      const { app, reached } = anApp();
      const response = await app(request('POST', '/order', headers, '{"customer_id":"c","items":[]}'));
      assert.equal(response.status, 415, response.body);
      assert.match(JSON.parse(response.body).error.message, message);
      assert.deepEqual(reached, []);
    });

  for (const type of ['application/json', 'application/json; charset=UTF-8', 'application/vnd.api+json'])
    it(`reads a body sent as ${type}`, async () => {
      const { app, reached } = anApp();
      await app(request('POST', '/order', { 'content-type': type }, '{"a":1}'));
      assert.deepEqual(reached, ['submit {"a":1}']);
    });

  it('refuses an empty cross-site form POST to redrive all, and still redrives all on a bare POST', async () => {
    const { app, reached } = anApp();
    const form = await app(
      request('POST', '/failed-orders/redrive', { 'content-type': 'application/x-www-form-urlencoded' }, ''),
    );
    assert.equal(form.status, 415);
    assert.deepEqual(reached, []);
    assert.equal((await app(request('POST', '/failed-orders/redrive'))).status, 200);
    assert.deepEqual(reached, ['redrive all']);
  });
});
