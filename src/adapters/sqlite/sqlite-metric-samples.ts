import type { StatementSync } from 'node:sqlite';
import type { SqliteDatabase } from './database.ts';

/** One time bucket of the dashboard's series, as stored. */
export interface MetricSample {
  /** Bucket start, epoch ms. */
  t: number;
  accepted: number;
  fulfilled: number;
  failed: number;
  /** End-to-end latency percentiles over the bucket's completions (FULFILLED and FAILED); null: none. */
  e2e_p50_ms: number | null;
  e2e_p95_ms: number | null;
  /** order_queue as it stood when the bucket was written; null: not sampled. */
  queue_visible: number | null;
  queue_in_flight: number | null;
  oldest_age_ms: number | null;
  /** PENDING orders with a failed attempt. */
  retrying: number | null;
}

/** Sums over a time range. */
export interface MetricTotals {
  accepted: number;
  fulfilled: number;
  failed: number;
}

/** A day of 5-second buckets. */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

function toSample(row: Record<string, unknown>): MetricSample {
  const nullable = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    t: Number(row.t),
    accepted: Number(row.accepted),
    fulfilled: Number(row.fulfilled),
    failed: Number(row.failed),
    e2e_p50_ms: nullable(row.e2e_p50_ms),
    e2e_p95_ms: nullable(row.e2e_p95_ms),
    queue_visible: nullable(row.queue_visible),
    queue_in_flight: nullable(row.queue_in_flight),
    oldest_age_ms: nullable(row.oldest_age_ms),
    retrying: nullable(row.retrying),
  };
}

/**
 * The dashboard's series in the `metric_samples` table, so that a restart keeps them: one row per bucket,
 * rows older than the retention removed on every write. Writing a bucket that is already there adds its
 * counts (a restart within one bucket writes it twice: the stopping process's part, then the new one's).
 */
export class SqliteMetricSamples {
  readonly #store: SqliteDatabase;
  readonly #retentionMs: number;
  readonly #upsert: StatementSync;
  readonly #prune: StatementSync;
  readonly #since: StatementSync;
  readonly #totals: StatementSync;

  constructor(store: SqliteDatabase, options: { retentionMs?: number } = {}) {
    this.#store = store;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    const { db } = store;
    this.#upsert = db.prepare(`INSERT INTO metric_samples (t, accepted, fulfilled, failed, e2e_p50_ms,
        e2e_p95_ms, queue_visible, queue_in_flight, oldest_age_ms, retrying)
      VALUES (:t, :accepted, :fulfilled, :failed, :e2e_p50_ms, :e2e_p95_ms, :queue_visible, :queue_in_flight,
        :oldest_age_ms, :retrying)
      ON CONFLICT (t) DO UPDATE SET
        accepted = accepted + excluded.accepted,
        fulfilled = fulfilled + excluded.fulfilled,
        failed = failed + excluded.failed,
        e2e_p50_ms = coalesce(excluded.e2e_p50_ms, e2e_p50_ms),
        e2e_p95_ms = coalesce(excluded.e2e_p95_ms, e2e_p95_ms),
        queue_visible = coalesce(excluded.queue_visible, queue_visible),
        queue_in_flight = coalesce(excluded.queue_in_flight, queue_in_flight),
        oldest_age_ms = coalesce(excluded.oldest_age_ms, oldest_age_ms),
        retrying = coalesce(excluded.retrying, retrying)`);
    this.#prune = db.prepare('DELETE FROM metric_samples WHERE t < ?');
    this.#since = db.prepare('SELECT * FROM metric_samples WHERE t >= ? ORDER BY t');
    this.#totals = db.prepare(`SELECT coalesce(sum(accepted), 0) AS accepted,
      coalesce(sum(fulfilled), 0) AS fulfilled, coalesce(sum(failed), 0) AS failed
      FROM metric_samples WHERE t >= ?`);
  }

  /** Writes the samples (adding to a bucket already stored) and removes those past the retention. */
  async record(samples: MetricSample[], now: number): Promise<void> {
    await this.#store.run(() => {
      for (const sample of samples) this.#upsert.run({ ...sample });
      this.#prune.run(now - this.#retentionMs);
    });
  }

  /** The samples from `t` on, oldest first. */
  async since(t: number): Promise<MetricSample[]> {
    return this.#store.run(() => this.#since.all(t).map(toSample));
  }

  /** Counts summed from `t` on. */
  async totals(t: number): Promise<MetricTotals> {
    return this.#store.run(() => {
      const row = this.#totals.get(t);
      return {
        accepted: Number(row?.accepted ?? 0),
        fulfilled: Number(row?.fulfilled ?? 0),
        failed: Number(row?.failed ?? 0),
      };
    });
  }
}
