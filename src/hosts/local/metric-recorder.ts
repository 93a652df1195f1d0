import { BUCKET_MS, type BucketCounts } from '../../adapters/prometheus/prometheus-metrics.ts';
import type { MetricSample, MetricTotals } from '../../adapters/sqlite/sqlite-metric-samples.ts';
import type { Logger } from '../../core/ports.ts';
import type { QueueHealthReport } from './storage-protocol.ts';

/** One point of a dashboard chart. Rates are per second over the point's step. */
export interface SeriesPoint {
  t: number;
  accepted_per_s: number;
  completed_per_s: number;
  failed_per_s: number;
  /** Over FULFILLED and FAILED completions alike; null where nothing completed. */
  e2e_p50_ms: number | null;
  e2e_p95_ms: number | null;
  /** order_queue as sampled once a bucket; null where nothing was sampled (the server was down). */
  queue_visible: number | null;
  queue_in_flight: number | null;
  oldest_age_ms: number | null;
  retrying: number | null;
}

/** The windows the dashboard offers, each drawn as POINTS points. */
export const SERIES_WINDOWS = {
  '10m': 10 * 60_000,
  '1h': 60 * 60_000,
  '6h': 6 * 60 * 60_000,
  '24h': 24 * 60 * 60_000,
} as const;
export type SeriesWindow = keyof typeof SERIES_WINDOWS;
const POINTS = 120;

export interface MetricRecorderDeps {
  /** Where the events are counted (PrometheusMetrics). */
  metrics: {
    buckets(): BucketCounts[];
    forgetBefore(t: number): void;
    bucketStart(now?: number): number;
  };
  /** Where the buckets are kept (the storage thread's SqliteMetricSamples). */
  samples: {
    record(samples: MetricSample[], now: number): Promise<void>;
    since(t: number): Promise<MetricSample[]>;
    totals(t: number): Promise<MetricTotals>;
  };
  queueHealth(): Promise<QueueHealthReport>;
  now(): number;
  logger: Logger;
  /** How often closed buckets are written; one bucket by default. */
  intervalMs?: number;
}

const unsampled = { queue_visible: null, queue_in_flight: null, oldest_age_ms: null, retrying: null };

/** Adds two samples of the same bucket: counts add, the other fields keep `a`'s unless it has none. */
function merge(a: MetricSample, b: MetricSample): MetricSample {
  return {
    t: a.t,
    accepted: a.accepted + b.accepted,
    fulfilled: a.fulfilled + b.fulfilled,
    failed: a.failed + b.failed,
    e2e_p50_ms: a.e2e_p50_ms ?? b.e2e_p50_ms,
    e2e_p95_ms: a.e2e_p95_ms ?? b.e2e_p95_ms,
    queue_visible: a.queue_visible ?? b.queue_visible,
    queue_in_flight: a.queue_in_flight ?? b.queue_in_flight,
    oldest_age_ms: a.oldest_age_ms ?? b.oldest_age_ms,
    retrying: a.retrying ?? b.retrying,
  };
}

const maxOf = (values: (number | null)[]) => {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? Math.max(...present) : null;
};

/**
 * The dashboard's series, kept in the database so that a restart does not lose them: every bucket
 * (5 s) the closed buckets of PrometheusMetrics are written, and a sample of the order_queue's health with
 * the current bucket; the charts are read back from the table (plus the buckets not written yet). On stop
 * the current bucket's counts are written too.
 */
export function createMetricRecorder(deps: MetricRecorderDeps) {
  const { metrics, samples, logger } = deps;
  const intervalMs = deps.intervalMs ?? BUCKET_MS;
  let timer: NodeJS.Timeout | undefined;

  async function write(includeOpen: boolean): Promise<void> {
    const now = deps.now();
    const current = metrics.bucketStart(now);
    const upTo = includeOpen ? Number.POSITIVE_INFINITY : current;
    const rows: MetricSample[] = metrics
      .buckets()
      .filter((b) => b.t < upTo)
      .map((b) => ({ ...b, ...unsampled }));
    if (!includeOpen) {
      // The queue as it stands now goes with the current bucket (counts 0: its counts are added when it closes).
      const health = await deps.queueHealth().catch(() => undefined);
      if (health) {
        const { visible, inFlight, oldestAgeMs } = health.order_queue;
        rows.push({
          t: current,
          accepted: 0,
          fulfilled: 0,
          failed: 0,
          e2e_p50_ms: null,
          e2e_p95_ms: null,
          queue_visible: visible,
          queue_in_flight: inFlight,
          oldest_age_ms: oldestAgeMs === null ? null : Math.round(oldestAgeMs),
          retrying: health.retryingOrders,
        });
      }
    }
    if (rows.length === 0) return;
    await samples.record(rows, now);
    metrics.forgetBefore(includeOpen ? Number.POSITIVE_INFINITY : current);
  }

  // Writes and reads take turns: a read between a write's commit and its forgetBefore would count those
  // buckets twice, one between the forgetting and the commit would miss them.
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = turn.then(work);
    turn = result.catch(() => undefined);
    return result;
  }

  function tick(): Promise<void> {
    return exclusive(() => write(false)).catch((error: unknown) =>
      logger.warn('metric samples not written', { error: String(error) }),
    );
  }

  /** Samples from the table and the buckets not written yet, from `t` on, one per bucket, oldest first. */
  async function stored(t: number): Promise<MetricSample[]> {
    const byT = new Map<number, MetricSample>();
    for (const row of await samples.since(t)) byT.set(row.t, row);
    for (const bucket of metrics.buckets()) {
      if (bucket.t < t) continue;
      const live: MetricSample = { ...bucket, ...unsampled };
      const row = byT.get(bucket.t);
      byT.set(bucket.t, row ? merge(live, row) : live);
    }
    return [...byT.values()].sort((a, b) => a.t - b.t);
  }

  async function series(window: SeriesWindow): Promise<{ step_ms: number; points: SeriesPoint[] }> {
    const step = SERIES_WINDOWS[window] / POINTS;
    const last = Math.floor(deps.now() / step) * step;
    const first = last - (POINTS - 1) * step;
    const groups = new Map<number, MetricSample[]>();
    for (const sample of await stored(first)) {
      const t = Math.floor(sample.t / step) * step;
      const group = groups.get(t);
      if (group) group.push(sample);
      else groups.set(t, [sample]);
    }
    const seconds = step / 1000;
    const points: SeriesPoint[] = [];
    for (let t = first; t <= last; t += step) {
      const group = groups.get(t) ?? [];
      const sum = (key: 'accepted' | 'fulfilled' | 'failed') => group.reduce((n, s) => n + s[key], 0);
      const weighted = group.filter((s) => s.e2e_p50_ms !== null && s.fulfilled + s.failed > 0);
      const weight = weighted.reduce((n, s) => n + s.fulfilled + s.failed, 0);
      points.push({
        t,
        accepted_per_s: sum('accepted') / seconds,
        completed_per_s: (sum('fulfilled') + sum('failed')) / seconds,
        failed_per_s: sum('failed') / seconds,
        e2e_p50_ms:
          group.length === 1
            ? (group[0]?.e2e_p50_ms ?? null)
            : weight > 0
              ? weighted.reduce((n, s) => n + (s.e2e_p50_ms ?? 0) * (s.fulfilled + s.failed), 0) / weight
              : null,
        e2e_p95_ms: maxOf(group.map((s) => s.e2e_p95_ms)),
        queue_visible: maxOf(group.map((s) => s.queue_visible)),
        queue_in_flight: maxOf(group.map((s) => s.queue_in_flight)),
        oldest_age_ms: maxOf(group.map((s) => s.oldest_age_ms)),
        retrying: maxOf(group.map((s) => s.retrying)),
      });
    }
    return { step_ms: step, points };
  }
  return {
    start(): void {
      if (timer) return;
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },

    /** Stops the timer and writes every bucket held, the current one included. */
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await exclusive(() => write(true)).catch((error: unknown) =>
        logger.warn('metric samples not written', { error: String(error) }),
      );
    },

    /** Writes the closed buckets now (what the timer does every bucket). */
    flush: tick,

    /**
     * POINTS points over `window`, oldest first, gaps filled (zero rates, null latencies and queue).
     * A point wider than a bucket sums the counts, takes the completion-weighted mean of p50 and the
     * highest p95, and the highest queue figures.
     */
    series(window: SeriesWindow): Promise<{ step_ms: number; points: SeriesPoint[] }> {
      return exclusive(() => series(window));
    },

    /** Counts over the last `windowMs`, stored and not yet stored. */
    totals(windowMs: number): Promise<MetricTotals> {
      return exclusive(async () => {
        const t = metrics.bucketStart(deps.now() - windowMs);
        const totals = await samples.totals(t);
        for (const bucket of metrics.buckets()) {
          if (bucket.t < t) continue;
          totals.accepted += bucket.accepted;
          totals.fulfilled += bucket.fulfilled;
          totals.failed += bucket.failed;
        }
        return totals;
      });
    },
  };
}

export type MetricRecorder = ReturnType<typeof createMetricRecorder>;
