import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGuards } from '../../src/entrypoints/http/guards.ts';
import type { HttpRequest } from '../../src/entrypoints/http/http-types.ts';

const request = (method: string, path: string, headers: Record<string, string> = {}): HttpRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers,
  body: undefined,
});

describe('local host guards', () => {
  it('requires the API key on every route but the public ones, compared in constant time', () => {
    const guard = createGuards({
      apiKey: 'k'.repeat(32),
      ratePerSecond: 0,
      maxBacklog: 10,
      backlog: () => 0,
    });
    const refused = guard(request('GET', '/orders'), 'c');
    assert.deepEqual([refused?.status, JSON.parse(refused?.body ?? '{}').error.code], [401, 'Unauthorized']);
    assert.equal(guard(request('GET', '/orders', { 'x-api-key': 'wrong' }), 'c')?.status, 401);
    assert.equal(guard(request('GET', '/orders', { 'x-api-key': 'k'.repeat(32) }), 'c'), undefined);
    for (const path of ['/health', '/', '/dashboard.js', '/openapi.json'])
      assert.equal(guard(request('GET', path), 'c'), undefined, path);
    assert.equal(guard(request('POST', '/health'), 'c')?.status, 401, 'only the public method is public');
  });

  it('limits each client to its rate with a burst of twice that, and says when to retry', () => {
    let now = 0;
    const guard = createGuards({ ratePerSecond: 5, maxBacklog: 10, backlog: () => 0, now: () => now });
    for (let i = 0; i < 10; i++)
      assert.equal(guard(request('GET', '/orders'), 'a'), undefined, `request ${i + 1}`);
    const limited = guard(request('GET', '/orders'), 'a');
    assert.equal(limited?.status, 429);
    assert.equal(limited?.headers['retry-after'], '1');
    assert.equal(guard(request('GET', '/orders'), 'b'), undefined, 'another client has its own bucket');
    now += 1000;
    for (let i = 0; i < 5; i++)
      assert.equal(guard(request('GET', '/orders'), 'a'), undefined, 'refilled at 5/s');
    assert.equal(guard(request('GET', '/orders'), 'a')?.status, 429);
  });

  it('forgets the least recently seen client past its bound, so memory stays bounded', () => {
    let now = 0;
    const guard = createGuards({
      ratePerSecond: 1,
      maxBacklog: 10,
      backlog: () => 0,
      now: () => now,
      maxClients: 2,
    });
    guard(request('GET', '/x'), 'a');
    guard(request('GET', '/x'), 'a');
    assert.equal(guard(request('GET', '/x'), 'a')?.status, 429);
    guard(request('GET', '/x'), 'b');
    guard(request('GET', '/x'), 'c');
    now += 1;
    assert.equal(
      guard(request('GET', '/x'), 'a'),
      undefined,
      'a was forgotten and starts with a full bucket',
    );
  });

  it('refuses new orders with 503 and Retry-After once the backlog passes its bound, and only new orders', () => {
    let backlog = 0;
    const guard = createGuards({ ratePerSecond: 0, maxBacklog: 100, backlog: () => backlog });
    assert.equal(guard(request('POST', '/order'), 'c'), undefined);
    backlog = 101;
    for (const path of ['/order', '/orders']) {
      const refused = guard(request('POST', path), 'c');
      assert.deepEqual([refused?.status, refused?.headers['retry-after']], [503, '2']);
      assert.match(JSON.parse(refused?.body ?? '{}').error.message, /backlog is full/);
    }
    assert.equal(guard(request('GET', '/orders'), 'c'), undefined, 'reads still work');
    assert.equal(guard(request('POST', '/failed-orders/redrive'), 'c'), undefined);
  });
});
