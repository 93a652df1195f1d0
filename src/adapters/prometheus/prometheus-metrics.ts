import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { orderStatuses } from '../../core/order.ts';
import type { OrderMetrics, OrderRepository, PollableQueue } from '../../core/ports.ts';

/** The length of one bucket of the dashboard's series. */
export const BUCKET_MS = 5_000;
const MAX_BUCKETS = 120; // ten minutes of them, should nobody take them away
const SAMPLES_PER_BUCKET = 512;

interface Bucket {
  start: number;
  accepted: number;
  fulfilled: number;
  failed: number;
  /** A bounded reservoir of end-to-end latencies (ms) for the percentiles. */
  latencies: number[];
  seen: number;
}

/** The alarm as the metrics see it (the local host's DLQ alarm). */
export interface AlarmReading {
  name: string;
  state: 'OK' | 'ALARM';
  value: number;
  threshold: number;
}

/** One bucket's counts and end-to-end latency percentiles (over every completion, FULFILLED or FAILED). */
export interface BucketCounts {
  /** Bucket start, epoch ms. */
  t: number;
  accepted: number;
  fulfilled: number;
  failed: number;
  e2e_p50_ms: number | null;
  e2e_p95_ms: number | null;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
}

/**
 * OrderMetrics for the local host: Prometheus metrics (prom-client, own registry) for `GET /metrics`, and
 * 5-second buckets for the dashboard's series, held here until the host stores them (metric-recorder.ts).
 * Both read the same events.
 */
export class PrometheusMetrics implements OrderMetrics {
  readonly registry = new Registry();
  readonly #buckets: Bucket[] = [];
  readonly #acceptedTotal: Counter;
  readonly #completedTotal: Counter<'status'>;
  readonly #attemptsTotal: Counter<'outcome'>;
  readonly #acceptLatency: Histogram;
  readonly #endToEndLatency: Histogram<'status'>;
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;
  readonly #now: () => number;

  constructor(deps: {
    orders: OrderRepository;
    queues: PollableQueue[];
    /** Read at each scrape; without it there are no alarm gauges. */
    alarm?: () => AlarmReading;
    now?: () => number;
  }) {
    this.#now = deps.now ?? Date.now;
    const registers = [this.registry];
    // prom-client's process_* (CPU, memory, file descriptors: the whole process) and nodejs_* metrics (heap,
    // event loop lag, GC: those of the thread that serves HTTP, where this object lives).
    collectDefaultMetrics({ register: this.registry });
    this.#httpRequests = new Counter({
      name: 'dofs_http_requests_total',
      help: 'HTTP answers, by method, route template (unmatched for unknown paths) and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: 'dofs_http_request_duration_seconds',
      help: 'Time from a request to its answer, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    if (deps.alarm) {
      const alarm = deps.alarm;
      new Gauge({
        name: 'dofs_alarm_state',
        help: 'The dead-letter alarm: 1 in ALARM, 0 OK.',
        labelNames: ['alarm'],
        registers,
        collect() {
          const reading = alarm();
          this.set({ alarm: reading.name }, reading.state === 'ALARM' ? 1 : 0);
        },
      });
      new Gauge({
        name: 'dofs_dead_letter_backlog',
        help: 'What the alarm watches: order_dlq messages plus failed orders not yet redriven.',
        registers,
        collect() {
          this.set(alarm().value);
        },
      });
      new Gauge({
        name: 'dofs_dead_letter_backlog_threshold',
        help: 'DLQ_ALARM_THRESHOLD: the backlog at which the alarm goes to ALARM.',
        registers,
        collect() {
          this.set(alarm().threshold);
        },
      });
    }
    this.#acceptedTotal = new Counter({
      name: 'dofs_orders_accepted_total',
      help: 'Orders accepted (202).',
      registers,
    });
    this.#completedTotal = new Counter({
      name: 'dofs_orders_completed_total',
      help: 'Orders that reached a final status, by status.',
      labelNames: ['status'],
      registers,
    });
    this.#attemptsTotal = new Counter({
      name: 'dofs_fulfilment_attempts_total',
      help: 'Fulfilment attempts, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.#acceptLatency = new Histogram({
      name: 'dofs_accept_latency_seconds',
      help: 'Time from request to 202: validation, workflow, durable store and enqueue.',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#endToEndLatency = new Histogram({
      name: 'dofs_end_to_end_latency_seconds',
      help: 'Time from order creation to FULFILLED or FAILED.',
      labelNames: ['status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    new Gauge({
      name: 'dofs_orders',
      help: 'Orders by current status.',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await deps.orders.countByStatus();
        for (const status of orderStatuses) this.set({ status }, counts[status]);
      },
    });
    new Gauge({
      name: 'dofs_queue_messages',
      help: 'Messages per queue: visible (ready) and in_flight (received, not yet deleted).',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        for (const queue of deps.queues) {
          const depth = await queue.depth();
          this.set({ queue: queue.name, state: 'visible' }, depth.visible);
          this.set({ queue: queue.name, state: 'in_flight' }, depth.inFlight);
        }
      },
    });
  }

  accepted(acceptMs: number): void {
    this.#acceptedTotal.inc();
    this.#acceptLatency.observe(acceptMs / 1000);
    this.#bucket().accepted += 1;
  }

  attempted(succeeded: boolean): void {
    this.#attemptsTotal.inc({ outcome: succeeded ? 'success' : 'failure' });
  }

  completed(status: 'FULFILLED' | 'FAILED', endToEndMs: number): void {
    this.#completedTotal.inc({ status });
    this.#endToEndLatency.observe({ status }, endToEndMs / 1000);
    const bucket = this.#bucket();
    if (status === 'FAILED') bucket.failed += 1;
    else bucket.fulfilled += 1;
    // Every completion counts: an order that was dead-lettered waited as long as its retries took, and
    // leaving those out made the chart's p95 look better than what `dofs load` measured.
    bucket.seen += 1;
    // Reservoir sampling keeps a fair sample of the bucket's latencies in bounded memory.
    if (bucket.latencies.length < SAMPLES_PER_BUCKET) bucket.latencies.push(endToEndMs);
    else {
      const slot = Math.floor(Math.random() * bucket.seen);
      if (slot < SAMPLES_PER_BUCKET) bucket.latencies[slot] = endToEndMs;
    }
  }

  /** One HTTP answer (the local host's node:http server). */
  httpRequest(labels: { method: string; route: string; status: number }, seconds: number): void {
    this.#httpRequests.inc({ method: labels.method, route: labels.route, status: String(labels.status) });
    this.#httpDuration.observe({ method: labels.method, route: labels.route }, seconds);
  }

  /** Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The buckets held here, oldest first: the current one and those not yet taken by `forgetBefore`. */
  buckets(): BucketCounts[] {
    return this.#buckets.map((b) => {
      const sorted = [...b.latencies].sort((x, y) => x - y);
      return {
        t: b.start,
        accepted: b.accepted,
        fulfilled: b.fulfilled,
        failed: b.failed,
        e2e_p50_ms: percentile(sorted, 0.5),
        e2e_p95_ms: percentile(sorted, 0.95),
      };
    });
  }

  /** Drops the buckets that start before `t` (once they are stored). */
  forgetBefore(t: number): void {
    while ((this.#buckets[0]?.start ?? t) < t) this.#buckets.shift();
  }

  /** The start of the bucket `now` falls in. */
  bucketStart(now = this.#now()): number {
    return Math.floor(now / BUCKET_MS) * BUCKET_MS;
  }

  #bucket(): Bucket {
    const start = this.bucketStart();
    const last = this.#buckets.at(-1);
    if (last?.start === start) return last;
    const bucket: Bucket = { start, accepted: 0, fulfilled: 0, failed: 0, latencies: [], seen: 0 };
    this.#buckets.push(bucket);
    while (this.#buckets.length > MAX_BUCKETS) this.#buckets.shift();
    return bucket;
  }
}
