import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryOrderRepository } from '../../src/adapters/memory/memory-order-repository.ts';
import { PrometheusMetrics } from '../../src/adapters/prometheus/prometheus-metrics.ts';
import { openDatabase } from '../../src/adapters/sqlite/database.ts';
import { SqliteMetricSamples } from '../../src/adapters/sqlite/sqlite-metric-samples.ts';
import { createMetricRecorder } from '../../src/hosts/local/metric-recorder.ts';
import type { QueueHealthReport } from '../../src/hosts/local/storage-protocol.ts';
import { ManualClock, recordingLogger } from '../support/builders.ts';
import { tempDataDir } from '../support/server-process.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const cleanups: (() => void)[] = [];
after(() => {
  for (const cleanup of cleanups) cleanup();
});

const idle = {
  batches: 0,
  records: 0,
  failedRecords: 0,
  inFlightBatches: 0,
  concurrency: 1,
  lastBatchAt: null,
};
function queueHealth(visible: number, inFlight: number, oldestAgeMs: number | null, retrying: number) {
  return async (): Promise<QueueHealthReport> => ({
    order_queue: { visible, inFlight, oldestAgeMs, consumer: idle },
    order_dlq: { visible: 0, inFlight: 0, oldestAgeMs: null, consumer: idle },
    retryingOrders: retrying,
  });
}

/** A local host's metrics and recorder on the database file `path`: what one process of it holds. */
function aProcess(path: string, clock: ManualClock, health = queueHealth(0, 0, null, 0)) {
  const db = openDatabase(path);
  const metrics = new PrometheusMetrics({
    orders: new MemoryOrderRepository(),
    queues: [],
    now: () => clock.now(),
  });
  const recorder = createMetricRecorder({
    metrics,
    samples: new SqliteMetricSamples(db),
    queueHealth: health,
    now: () => clock.now(),
    logger: recordingLogger(),
  });
  return {
    metrics,
    recorder,
    async restart() {
      await recorder.stop();
      db.close();
    },
  };
}

function dataFile(): string {
  const { dir, remove } = tempDataDir();
  cleanups.push(remove);
  return join(dir, 'dofs.sqlite');
}

describe('dashboard series in the database (metric recorder)', () => {
  it('writes each closed bucket and a sample of the queue, and reads the series back after a restart', async () => {
    const path = dataFile();
    const clock = new ManualClock(T0);
    const first = aProcess(path, clock, queueHealth(7, 3, 4_200, 2));
    for (let i = 0; i < 10; i++) first.metrics.accepted(1);
    first.metrics.completed('FULFILLED', 100);
    first.metrics.completed('FAILED', 9_000);
    clock.advance(5_000);
    await first.recorder.flush();
    assert.deepEqual(first.metrics.buckets(), [], 'the written bucket is no longer held in memory');
    first.metrics.accepted(1); // in the bucket still open at stop: written by stop()
    await first.restart();

    clock.advance(60_000);
    const second = aProcess(path, clock);
    const { step_ms, points } = await second.recorder.series('10m');
    assert.equal(step_ms, 5_000);
    assert.equal(points.length, 120);
    assert.equal(points.at(-1)?.t, T0 + 65_000, 'the last point is the current bucket');
    assert.deepEqual(
      points.find((p) => p.t === T0),
      {
        t: T0,
        accepted_per_s: 2,
        completed_per_s: 0.4,
        failed_per_s: 0.2,
        e2e_p50_ms: 9_000,
        e2e_p95_ms: 9_000,
        queue_visible: null,
        queue_in_flight: null,
        oldest_age_ms: null,
        retrying: null,
      },
    );
    assert.deepEqual(
      points.find((p) => p.t === T0 + 5_000),
      {
        t: T0 + 5_000,
        accepted_per_s: 0.2,
        completed_per_s: 0,
        failed_per_s: 0,
        e2e_p50_ms: null,
        e2e_p95_ms: null,
        queue_visible: 7,
        queue_in_flight: 3,
        oldest_age_ms: 4_200,
        retrying: 2,
      },
      'the queue sampled at the flush goes with the bucket it was taken in, whose counts stop() wrote',
    );
    assert.deepEqual(
      points.find((p) => p.t === T0 + 30_000),
      {
        t: T0 + 30_000,
        accepted_per_s: 0,
        completed_per_s: 0,
        failed_per_s: 0,
        e2e_p50_ms: null,
        e2e_p95_ms: null,
        queue_visible: null,
        queue_in_flight: null,
        oldest_age_ms: null,
        retrying: null,
      },
      'while the server was down: zero rates and no queue sample',
    );
    assert.deepEqual(await second.recorder.totals(24 * 60 * 60_000), {
      accepted: 11,
      fulfilled: 1,
      failed: 1,
    });
    await second.restart();
  });

  it('adds up one bucket written by two processes (a restart within five seconds)', async () => {
    const path = dataFile();
    const clock = new ManualClock(T0);
    const first = aProcess(path, clock);
    first.metrics.accepted(1);
    first.metrics.accepted(1);
    await first.restart();
    clock.advance(1_000);
    const second = aProcess(path, clock);
    second.metrics.accepted(1);
    const live = await second.recorder.series('10m');
    assert.equal(live.points.at(-1)?.accepted_per_s, 0.6, 'stored part + live part, before it is written');
    await second.restart();
    const third = aProcess(path, clock);
    const stored = await third.recorder.series('10m');
    assert.equal(stored.points.at(-1)?.accepted_per_s, 0.6, 'and once both parts are written');
    await third.restart();
  });

  it('draws a wider window from the same rows: counts summed, p50 weighted by completions, highest p95 and queue', async () => {
    const path = dataFile();
    const clock = new ManualClock(T0);
    const one = aProcess(path, clock, queueHealth(5, 0, 1_000, 0));
    one.metrics.completed('FULFILLED', 100); // bucket T0: one completion at 100 ms
    clock.advance(5_000);
    await one.recorder.flush();
    for (let i = 0; i < 3; i++) one.metrics.completed('FULFILLED', 500); // bucket T0+5s: three at 500 ms
    clock.advance(5_000);
    await one.recorder.flush();
    const { step_ms, points } = await one.recorder.series('1h');
    assert.equal(step_ms, 30_000);
    const point = points.find((p) => p.t === T0);
    assert.equal(point?.completed_per_s, 4 / 30);
    assert.equal(point?.e2e_p50_ms, 400, '(100 × 1 + 500 × 3) / 4');
    assert.equal(point?.e2e_p95_ms, 500);
    assert.equal(point?.queue_visible, 5);
    await one.restart();
  });

  it('keeps a day of samples: older ones are removed when new ones are written', async () => {
    const db = openDatabase(':memory:');
    cleanups.push(() => db.close());
    const samples = new SqliteMetricSamples(db, { retentionMs: 60_000 });
    const sample = (t: number) => ({
      t,
      accepted: 1,
      fulfilled: 0,
      failed: 0,
      e2e_p50_ms: null,
      e2e_p95_ms: null,
      queue_visible: null,
      queue_in_flight: null,
      oldest_age_ms: null,
      retrying: null,
    });
    await samples.record([sample(T0), sample(T0 + 5_000)], T0 + 5_000);
    await samples.record([sample(T0 + 65_000)], T0 + 65_000);
    assert.deepEqual(
      (await samples.since(0)).map((s) => s.t),
      [T0 + 5_000, T0 + 65_000],
    );
    assert.deepEqual(await samples.totals(T0 + 60_000), { accepted: 1, fulfilled: 0, failed: 0 });
  });
});
