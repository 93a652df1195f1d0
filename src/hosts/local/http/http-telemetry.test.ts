import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordingLogger } from '../../../../test/support/builders.ts';
import type { HttpRequest } from '../../../handlers/http/http-types.ts';
import { createHttpTelemetry, ERROR_LINES_PER_SECOND, routeLabeler } from './http-telemetry.ts';

const request = (method: string, path: string): HttpRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers: {},
  body: undefined,
});
const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

function aTelemetry(now = () => 0) {
  const logger = recordingLogger();
  const counted: { labels: { method: string; route: string; status: number }; seconds: number }[] = [];
  const record = createHttpTelemetry({
    logger,
    metrics: { httpRequest: (labels, seconds) => counted.push({ labels, seconds }) },
    routes: ['/orders', '/orders/{order_id}', '/failed-orders/{order_id}/redrive', '/failed-orders/redrive'],
    now,
  });
  return { logger, counted, record };
}

describe('routeLabeler', () => {
  it('labels a path with its route template, and anything else as unmatched', () => {
    const label = routeLabeler(['/orders', '/orders/{order_id}', '/failed-orders/{order_id}/redrive']);
    assert.equal(label('/orders'), '/orders');
    assert.equal(label('/orders/o-1'), '/orders/{order_id}');
    assert.equal(label('/failed-orders/o-1/redrive'), '/failed-orders/{order_id}/redrive');
    assert.equal(label('/orders/o-1/extra'), 'unmatched');
    assert.equal(label('/wp-admin.php'), 'unmatched');
  });
});

describe('createHttpTelemetry', () => {
  it('counts every answer by method, route template and status, with its duration', () => {
    const { counted, record } = aTelemetry();
    record({ request: request('GET', '/orders/o-1'), client: 'c', status: 200, body: '{}', ms: 12 });
    record({ request: request('BREW', '/orders'), client: 'c', status: 405, body: '{}', ms: 1 });
    assert.deepEqual(counted, [
      { labels: { method: 'GET', route: '/orders/{order_id}', status: 200 }, seconds: 0.012 },
      { labels: { method: 'other', route: '/orders', status: 405 }, seconds: 0.001 },
    ]);
  });

  it('logs one line per 4xx (info) and 5xx (503 warn, others error) answer, none for the rest', () => {
    const { logger, record } = aTelemetry();
    record({ request: request('GET', '/orders'), client: 'c', status: 200, body: '{}', ms: 1 });
    record({ request: request('POST', '/orders'), client: 'c', status: 202, body: '{}', ms: 1 });
    record({
      request: request('GET', '/orders/nope'),
      client: '10.0.0.7',
      status: 404,
      body: errorBody('OrderNotFound', 'order nope was not found'),
      ms: 2.26,
    });
    record({
      request: request('POST', '/orders'),
      client: 'c',
      status: 503,
      body: errorBody('X', 'y'),
      ms: 1,
    });
    record({
      request: request('GET', '/orders'),
      client: 'c',
      status: 500,
      body: errorBody('Z', 'z'),
      ms: 1,
    });
    assert.deepEqual(logger.lines[0], {
      level: 'info',
      message: 'request answered with an error',
      method: 'GET',
      route: '/orders/{order_id}',
      path: '/orders/nope',
      status: 404,
      code: 'OrderNotFound',
      error: 'order nope was not found',
      ms: 2.3,
      client: '10.0.0.7',
    });
    assert.deepEqual(
      logger.lines.map((l) => [l.level, l.status]),
      [
        ['info', 404],
        ['warn', 503],
        ['error', 500],
      ],
    );
  });

  it(`logs at most ${ERROR_LINES_PER_SECOND} error answers a second and says how many it left out`, () => {
    let now = 0;
    const { logger, counted, record } = aTelemetry(() => now);
    const refused = { request: request('GET', '/orders'), client: 'c', status: 429, body: '{}', ms: 1 };
    for (let i = 0; i < ERROR_LINES_PER_SECOND + 50; i++) record(refused);
    assert.equal(logger.lines.length, ERROR_LINES_PER_SECOND);
    assert.equal(counted.length, ERROR_LINES_PER_SECOND + 50, 'the metrics count them all');
    now = 1000;
    record(refused);
    assert.deepEqual(logger.lines.at(-2), {
      level: 'warn',
      message: 'error answers not logged: over the limit of lines a second',
      suppressed: 50,
      limit_per_s: ERROR_LINES_PER_SECOND,
    });
    assert.equal(logger.lines.at(-1)?.status, 429, 'a new second logs again');
  });
});
