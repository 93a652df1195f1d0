import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpRequest } from '../../src/handlers/http/http-types.ts';
import { createGuards } from '../../src/hosts/local/http/guards.ts';

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
    for (const path of ['/health', '/ready', '/', '/dashboard.js', '/openapi.json'])
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

  it('keeps a client seen again before others: recency is by last request, not first', () => {
    const guard = createGuards({
      ratePerSecond: 1,
      maxBacklog: 10,
      backlog: () => 0,
      now: () => 0,
      maxClients: 2,
    });
    guard(request('GET', '/x'), 'a');
    guard(request('GET', '/x'), 'a');
    guard(request('GET', '/x'), 'b');
    assert.equal(guard(request('GET', '/x'), 'a')?.status, 429, 'a seen again, after b');
    guard(request('GET', '/x'), 'c');
    assert.equal(guard(request('GET', '/x'), 'a')?.status, 429, 'b was forgotten, a still remembered');
  });

  it('answers only to the allowed host names, whatever the port (DNS rebinding sends its own name)', () => {
    const guard = createGuards({
      ratePerSecond: 0,
      maxBacklog: 10,
      backlog: () => 0,
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
    });
    for (const host of ['127.0.0.1:3000', 'LOCALHOST:3000', '[::1]:3000', 'localhost'])
      assert.equal(guard(request('GET', '/orders', { host }), 'c'), undefined, host);
    for (const host of ['attacker.example:3000', 'localhost.attacker.example', '127.0.0.2:3000']) {
      const refused = guard(request('GET', '/orders', { host }), 'c');
      assert.equal(refused?.status, 403, host);
      assert.match(JSON.parse(refused?.body ?? '{}').error.message, /DOFS_ALLOWED_HOSTS/);
    }
    const open = createGuards({ ratePerSecond: 0, maxBacklog: 10, backlog: () => 0 });
    assert.equal(
      open(request('GET', '/orders', { host: 'dofs.example' }), 'c'),
      undefined,
      'no list: any host',
    );
  });

  it('refuses a state-changing request from a page of another site, and nothing else', () => {
    const guard = createGuards({ ratePerSecond: 0, maxBacklog: 10, backlog: () => 0 });
    const host = '127.0.0.1:3000';
    const crossSite: Record<string, string>[] = [
      { host, 'sec-fetch-site': 'cross-site' },
      { host, 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:8080' },
      { host, origin: 'https://attacker.example' },
      { host, origin: 'null' },
      { host, origin: 'http://127.0.0.1:8080' },
    ];
    for (const headers of crossSite) {
      for (const path of ['/order', '/failed-orders/redrive', '/failed-orders/o-1/redrive']) {
        const refused = guard(request('POST', path, headers), 'c');
        assert.equal(refused?.status, 403, `${path} ${JSON.stringify(headers)}`);
        assert.match(JSON.parse(refused?.body ?? '{}').error.message, /cross-site request refused/);
      }
    }
    const allowed: Record<string, string>[] = [
      { host }, // the CLI, curl: no browser headers
      { host, 'sec-fetch-mode': 'cors' }, // Node's fetch
      { host, 'sec-fetch-site': 'same-origin', origin: 'http://127.0.0.1:3000' }, // the dashboard
      { host, 'sec-fetch-site': 'none' }, // typed by the user
    ];
    for (const headers of allowed)
      assert.equal(guard(request('POST', '/order', headers), 'c'), undefined, JSON.stringify(headers));
    assert.equal(
      guard(request('GET', '/orders', { host, 'sec-fetch-site': 'cross-site' }), 'c'),
      undefined,
      'a cross-site read is withheld by the browser (same-origin policy)',
    );
  });

  it('rate-limits failed authentication: past a burst of wrong keys, 429 + Retry-After; the right key still passes', () => {
    let now = 0;
    const key = 'k'.repeat(32);
    const guard = createGuards({
      apiKey: key,
      ratePerSecond: 0,
      maxBacklog: 10,
      backlog: () => 0,
      authFailuresPerSecond: 1,
      now: () => now,
    });
    for (let i = 0; i < 10; i++)
      assert.equal(guard(request('GET', '/orders', { 'x-api-key': `wrong-${i}` }), 'a')?.status, 401);
    const limited = guard(request('GET', '/orders', { 'x-api-key': 'wrong' }), 'a');
    assert.deepEqual([limited?.status, limited?.headers['retry-after']], [429, '1']);
    assert.equal(guard(request('GET', '/orders'), 'a')?.status, 429, 'no key at all counts as wrong');
    assert.equal(
      guard(request('GET', '/orders', { 'x-api-key': key }), 'a'),
      undefined,
      'the operator, on the same address, is not locked out',
    );
    assert.equal(guard(request('GET', '/orders', { 'x-api-key': 'wrong' }), 'b')?.status, 401, 'per client');
    now += 1000;
    assert.equal(guard(request('GET', '/orders', { 'x-api-key': 'wrong' }), 'a')?.status, 401, 'refilled');
    assert.equal(guard(request('GET', '/orders', { 'x-api-key': 'wrong' }), 'a')?.status, 429);
  });

  it('counts requests with a wrong key against the rate limit (the limiter comes first)', () => {
    const guard = createGuards({
      apiKey: 'k'.repeat(32),
      ratePerSecond: 1,
      maxBacklog: 10,
      backlog: () => 0,
      authFailuresPerSecond: 1000,
      now: () => 0,
    });
    assert.equal(guard(request('GET', '/orders', { 'x-api-key': 'wrong' }), 'a')?.status, 401);
    assert.equal(guard(request('GET', '/orders', { 'x-api-key': 'wrong' }), 'a')?.status, 401);
    assert.equal(guard(request('GET', '/orders', { 'x-api-key': 'wrong' }), 'a')?.status, 429);
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
