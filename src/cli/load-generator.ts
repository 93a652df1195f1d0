import { randomUUID } from 'node:crypto';
import type { ApiClient } from './api-client.ts';

export interface LoadOptions {
  client: ApiClient;
  /** Offered orders per second (open loop: requests are sent on schedule, not when the last one returns). */
  rate: number;
  durationS: number;
  /** Most requests in flight at once; beyond it an order is counted as not sent (the client saturated). */
  maxInFlight?: number;
  /** How long to wait for accepted orders to finish after the last send. */
  settleTimeoutS?: number;
  onProgress?: (progress: { elapsedS: number; sent: number; accepted: number; rejected: number }) => void;
  /** Called after each look at the outcomes while waiting for them, once the sending is over. */
  onSettleProgress?: (progress: SettleProgress) => void;
}

export interface SettleProgress {
  /** Seconds since the wait began. */
  elapsedS: number;
  timeoutS: number;
  fulfilled: number;
  failed: number;
  /** Accepted orders: the ones waited for. */
  expected: number;
}

export interface LoadSummary {
  runId: string;
  offered: number;
  sent: number;
  notSent: number;
  accepted: number;
  rejected: number;
  errors: number;
  fulfilled: number;
  failed: number;
  unfinished: number;
  durationS: number;
  acceptMs: Percentiles;
  endToEndMs: Percentiles;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: null, p95: null, p99: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? null };
}

/**
 * Offers `rate` orders per second for `durationS` seconds, then waits for the accepted ones to reach a final
 * status and reads their server-side timestamps for end-to-end latency (created_at → final updated_at).
 */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const { client, rate, durationS } = options;
  // Fail at once (with the reason) when nothing answers or the API refuses us, instead of running the whole
  // schedule into connection errors or 401s. A list read needs the API key where there is one.
  await client.list({ limit: 1 });
  const maxInFlight = options.maxInFlight ?? 256;
  const runId = randomUUID().slice(0, 8);
  const total = Math.round(rate * durationS);
  const acceptMs: number[] = [];
  const acceptedIds: string[] = [];
  let sent = 0;
  let notSent = 0;
  let rejected = 0;
  let errors = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();

  const send = (index: number) => {
    const order_id = `load-${runId}-${index}`;
    const t0 = performance.now();
    inFlight += 1;
    const p = client
      .submit({
        order_id,
        customer_id: `load-${index % 100}`,
        items: [{ product_id: `p-${index % 50}`, quantity: 1 + (index % 5), price: 10 }],
      })
      .then(
        () => {
          acceptMs.push(performance.now() - t0);
          acceptedIds.push(order_id);
        },
        (error: { status?: number }) => {
          if (error.status && error.status >= 400) rejected += 1;
          else errors += 1;
        },
      )
      .finally(() => {
        inFlight -= 1;
        pending.delete(p);
      });
    pending.add(p);
  };

  let lastProgress = 0;
  while (sent + notSent < total) {
    const elapsedS = (performance.now() - started) / 1000;
    const due = Math.min(total, Math.floor(elapsedS * rate));
    while (sent + notSent < due) {
      if (inFlight >= maxInFlight) notSent += 1;
      else send(sent++ + notSent);
    }
    if (options.onProgress && elapsedS - lastProgress >= 0.25) {
      lastProgress = elapsedS;
      options.onProgress({ elapsedS, sent, accepted: acceptedIds.length, rejected });
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all([...pending]);
  const sendDurationS = (performance.now() - started) / 1000;
  options.onProgress?.({ elapsedS: sendDurationS, sent, accepted: acceptedIds.length, rejected });

  // Lists are newest first: paging stops at orders created before the run (less a minute for clock skew).
  const notBefore = new Date(Date.now() - sendDurationS * 1000 - 60_000).toISOString();
  const outcome = await settle(
    client,
    runId,
    notBefore,
    acceptedIds.length,
    options.settleTimeoutS ?? 60,
    options.onSettleProgress,
  );
  return {
    runId,
    offered: total,
    sent,
    notSent,
    accepted: acceptedIds.length,
    rejected,
    errors,
    fulfilled: outcome.fulfilled,
    failed: outcome.failed,
    unfinished: acceptedIds.length - outcome.fulfilled - outcome.failed,
    durationS: sendDurationS,
    acceptMs: percentiles(acceptMs),
    endToEndMs: percentiles(outcome.endToEndMs),
  };
}

/** Pages through the run's orders until all are final (or the timeout), collecting end-to-end latencies. */
async function settle(
  client: ApiClient,
  runId: string,
  notBefore: string,
  expected: number,
  timeoutS: number,
  onProgress?: (progress: SettleProgress) => void,
) {
  const started = Date.now();
  const deadline = started + timeoutS * 1000;
  const prefix = `load-${runId}-`;
  for (;;) {
    let fulfilled = 0;
    let failed = 0;
    const endToEndMs: number[] = [];
    for (const status of ['FULFILLED', 'FAILED'] as const) {
      let cursor: string | undefined;
      do {
        const page = (await client.list({ status, limit: 500, ...(cursor ? { cursor } : {}) })).body;
        for (const order of page.items) {
          if (!String(order.order_id).startsWith(prefix)) continue;
          if (status === 'FULFILLED') fulfilled += 1;
          else failed += 1;
          endToEndMs.push(Date.parse(String(order.updated_at)) - Date.parse(String(order.created_at)));
        }
        const oldest = page.items.at(-1);
        cursor = oldest && String(oldest.created_at) >= notBefore ? (page.cursor ?? undefined) : undefined;
      } while (cursor);
    }
    onProgress?.({ elapsedS: (Date.now() - started) / 1000, timeoutS, fulfilled, failed, expected });
    if (fulfilled + failed >= expected || Date.now() > deadline) return { fulfilled, failed, endToEndMs };
    await new Promise((r) => setTimeout(r, 500));
  }
}
