import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { DATABASE_FILE } from '../../src/hosts/local/local-system.ts';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { call, serverPerSuite } from '../support/server-process.ts';

describe('health, readiness, metrics and error log of a running server', () => {
  // Every attempt fails and one receive dead-letters: the alarm goes off with the first order.
  // A short busy timeout, so a write blocked by another connection's lock fails fast.
  const suite = serverPerSuite({
    FULFILLMENT_SUCCESS_RATE: '0',
    MAX_RECEIVE_COUNT: '1',
    VISIBILITY_TIMEOUT_SECONDS: '0.05',
    DOFS_SQLITE_BUSY_TIMEOUT_MS: '200',
  });

  it('answers /health 200 (live) and /ready 200 in ALARM, with the alarm in the detail', async () => {
    const u = suite.server.url;
    const before = await call(`${u}/health`);
    assert.deepEqual([before.status, before.body.status, before.body.alarm.state], [200, 'ok', 'OK']);
    await call(`${u}/order`, { body: anOrderBody({ order_id: 'obs-1' }) });
    await eventually(async () => (await call(`${u}/health`)).body.alarm.state === 'ALARM', 10_000);
    const health = await call(`${u}/health`);
    assert.deepEqual([health.status, health.body.status, health.body.failed_orders], [200, 'alarm', 1]);
    const ready = await call(`${u}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    assert.deepEqual(ready.body.checks, {
      storage_thread: { ok: true, detail: 'answering' },
      database: { ok: true, detail: 'a write committed' },
      serving: { ok: true, detail: 'not draining' },
    });
    assert.equal(ready.body.alarm.state, 'ALARM');
  });

  it('answers /ready 503 while the database takes no write, and 200 again once it does', async () => {
    const u = suite.server.url;
    // Another connection holds SQLite's write lock (as another process could): DOFS's writes wait, then fail.
    const other = new DatabaseSync(join(suite.dir, DATABASE_FILE));
    try {
      other.exec('BEGIN IMMEDIATE');
      const blocked = await call(`${u}/ready`);
      assert.equal(blocked.status, 503);
      assert.equal(blocked.body.status, 'not_ready');
      assert.deepEqual(blocked.body.checks.storage_thread, { ok: true, detail: 'answering' });
      assert.equal(blocked.body.checks.database.ok, false);
      assert.match(blocked.body.checks.database.detail, /database is busy/);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    await eventually(async () => (await call(`${u}/ready`)).status === 200, 5000);
  });

  it('counts answers by route and status on /metrics, with process metrics and the alarm gauge', async () => {
    const u = suite.server.url;
    for (const path of ['/orders/obs-missing-1', '/orders/obs-missing-2']) await call(`${u}${path}`);
    await call(`${u}/orders?status=lost`);
    const alarmed = (await call(`${u}/health`)).body.alarm.state === 'ALARM' ? 1 : 0;
    const metrics = await fetch(`${u}/metrics`).then((r) => r.text());
    assert.match(
      metrics,
      /^dofs_http_requests_total\{method="GET",route="\/orders\/\{order_id\}",status="404"\} 2$/m,
    );
    assert.match(metrics, /^dofs_http_requests_total\{method="GET",route="\/orders",status="400"\} 1$/m);
    assert.match(metrics, /^dofs_http_requests_total\{method="GET",route="\/health",status="200"\} \d+$/m);
    assert.match(metrics, new RegExp(`^dofs_alarm_state\\{alarm="dofs-dlq-backlog"\\} ${alarmed}$`, 'm'));
    assert.match(metrics, /^process_resident_memory_bytes \d+/m);
    assert.match(metrics, /^nodejs_eventloop_lag_seconds /m);
  });

  it('logs one line per 4xx or 5xx answer, with its route, status and error, none for the others', async () => {
    const u = suite.server.url;
    const from = suite.server.logs.length;
    await call(`${u}/orders/obs-log-1`);
    await call(`${u}/failed-orders/obs-log-2/redrive`, { method: 'POST' });
    await call(`${u}/orders?limit=0`);
    await call(`${u}/orders?limit=1`);
    const errorLines = () =>
      suite.server.logs.slice(from).filter((l) => l.message === 'request answered with an error');
    await eventually(async () => errorLines().length >= 3, 5000);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      errorLines().map((l) => [l.level, l.method, l.status, l.route, l.path, l.code]),
      [
        ['info', 'GET', 404, '/orders/{order_id}', '/orders/obs-log-1', 'OrderNotFound'],
        [
          'info',
          'POST',
          404,
          '/failed-orders/{order_id}/redrive',
          '/failed-orders/obs-log-2/redrive',
          'OrderNotFound',
        ],
        ['info', 'GET', 400, '/orders', '/orders', 'BadRequest'],
      ],
    );
    assert.match(String(errorLines()[2]?.error), /limit must be an integer from 1 to 500/);
  });
});
