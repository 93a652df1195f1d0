import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryOrderRepository } from '../../src/adapters/memory/memory-order-repository.ts';
import { MemoryQueue } from '../../src/adapters/memory/memory-queue.ts';
import { PrometheusMetrics } from '../../src/adapters/prometheus/prometheus-metrics.ts';
import { anOrder, ManualClock } from '../support/builders.ts';

describe('PrometheusMetrics', () => {
  it('exposes counters, histograms and live gauges in Prometheus text format', async () => {
    const clock = new ManualClock();
    const orders = new MemoryOrderRepository();
    await orders.create(anOrder({ status: 'FULFILLED' }));
    const queue = new MemoryQueue({ name: 'order_queue', visibilityTimeoutMs: 1000, clock });
    await queue.send('x');
    const metrics = new PrometheusMetrics({ orders, queues: [queue], now: () => clock.now() });
    metrics.accepted(3);
    metrics.attempted(false);
    metrics.attempted(true);
    metrics.completed('FULFILLED', 40);
    const { body, contentType } = await metrics.text();
    assert.match(contentType, /^text\/plain/);
    assert.match(body, /^dofs_orders_accepted_total 1$/m);
    assert.match(body, /^dofs_fulfilment_attempts_total\{outcome="failure"\} 1$/m);
    assert.match(body, /^dofs_orders_completed_total\{status="FULFILLED"\} 1$/m);
    assert.match(body, /^dofs_accept_latency_seconds_bucket\{le="0.005"\} 1$/m);
    assert.match(body, /^dofs_end_to_end_latency_seconds_bucket\{le="0.05",status="FULFILLED"\} 1$/m);
    assert.match(body, /^dofs_orders\{status="FULFILLED"\} 1$/m);
    assert.match(body, /^dofs_queue_messages\{queue="order_queue",state="visible"\} 1$/m);
  });

  it('adds process and Node.js metrics, HTTP answers by route and status, and the alarm', async () => {
    let state: 'OK' | 'ALARM' = 'OK';
    const metrics = new PrometheusMetrics({
      orders: new MemoryOrderRepository(),
      queues: [],
      alarm: () => ({ name: 'dofs-dlq-backlog', state, value: state === 'ALARM' ? 4 : 0, threshold: 2 }),
    });
    metrics.httpRequest({ method: 'GET', route: '/orders/{order_id}', status: 404 }, 0.003);
    metrics.httpRequest({ method: 'GET', route: '/orders/{order_id}', status: 404 }, 0.004);
    metrics.httpRequest({ method: 'POST', route: '/order', status: 202 }, 0.02);
    const before = (await metrics.text()).body;
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ])
      assert.match(before, new RegExp(`^${name} `, 'm'), name);
    assert.match(
      before,
      /^dofs_http_requests_total\{method="GET",route="\/orders\/\{order_id\}",status="404"\} 2$/m,
    );
    assert.match(before, /^dofs_http_requests_total\{method="POST",route="\/order",status="202"\} 1$/m);
    assert.match(
      before,
      /^dofs_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/orders\/\{order_id\}"\} 2$/m,
    );
    assert.match(before, /^dofs_alarm_state\{alarm="dofs-dlq-backlog"\} 0$/m);
    assert.match(before, /^dofs_dead_letter_backlog_threshold 2$/m);
    state = 'ALARM';
    const after = (await metrics.text()).body;
    assert.match(after, /^dofs_alarm_state\{alarm="dofs-dlq-backlog"\} 1$/m);
    assert.match(after, /^dofs_dead_letter_backlog 4$/m);
  });

  it('counts each 5-second bucket, with latency percentiles over every completion, FULFILLED or FAILED', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const metrics = new PrometheusMetrics({
      orders: new MemoryOrderRepository(),
      queues: [],
      now: () => clock.now(),
    });
    for (let i = 1; i <= 9; i++) {
      metrics.accepted(1);
      metrics.completed('FULFILLED', i * 10);
    }
    metrics.completed('FAILED', 1000);
    clock.advance(5_000);
    metrics.accepted(1);
    assert.deepEqual(metrics.buckets(), [
      {
        t: Date.UTC(2026, 0, 1, 12, 0, 0),
        accepted: 9,
        fulfilled: 9,
        failed: 1,
        // the slow dead-lettered order is in the percentiles: p95 of 10..90 and 1000
        e2e_p50_ms: 60,
        e2e_p95_ms: 1000,
      },
      {
        t: Date.UTC(2026, 0, 1, 12, 0, 5),
        accepted: 1,
        fulfilled: 0,
        failed: 0,
        e2e_p50_ms: null,
        e2e_p95_ms: null,
      },
    ]);
    metrics.forgetBefore(Date.UTC(2026, 0, 1, 12, 0, 5));
    assert.deepEqual(
      metrics.buckets().map((b) => b.t),
      [Date.UTC(2026, 0, 1, 12, 0, 5)],
      'stored buckets are dropped, the current one stays',
    );
  });
});
