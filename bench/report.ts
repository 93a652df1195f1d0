// What the benchmark makes of one run's timed requests and of the probe's records (bench/probe.ts): the
// latency histogram, the latency over time, the pauses of each thread and which of them the slowest
// requests waited through; and the SVG that draws them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeReport } from './probe.ts';

/** Upper edges (ms) of the histogram's buckets; the last bucket is everything above 4,096 ms. */
export const HISTOGRAM_EDGES_MS = [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

export function histogram(latencies: ArrayLike<number>): number[] {
  const counts = new Array<number>(HISTOGRAM_EDGES_MS.length + 1).fill(0);
  for (let i = 0; i < latencies.length; i++) {
    const v = latencies[i] as number;
    let b = 0;
    while (b < HISTOGRAM_EDGES_MS.length && v > (HISTOGRAM_EDGES_MS[b] as number)) b++;
    counts[b] = (counts[b] ?? 0) + 1;
  }
  return counts;
}

export const SERIES_BUCKET_MS = 100;

/** Latency over time: per 100 ms of due time, [seconds from the start, requests, p50, p99, max] (ms). */
export type SeriesPoint = [t: number, n: number, p50: number, p99: number, max: number];

export function series(timeline: { dueAtMs: Float64Array; latencyMs: Float64Array }, t0: number) {
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < timeline.dueAtMs.length; i++) {
    const b = Math.floor(((timeline.dueAtMs[i] as number) - t0) / SERIES_BUCKET_MS);
    let list = buckets.get(b);
    if (!list) {
      list = [];
      buckets.set(b, list);
    }
    list.push(timeline.latencyMs[i] as number);
  }
  const points: SeriesPoint[] = [];
  for (const [b, list] of [...buckets].sort((x, y) => x[0] - y[0])) {
    list.sort((x, y) => x - y);
    const at = (q: number) => list[Math.min(list.length - 1, Math.floor(q * list.length))] as number;
    points.push([(b * SERIES_BUCKET_MS) / 1000, list.length, at(0.5), at(0.99), list.at(-1) as number]);
  }
  return points;
}

export const THREAD_NAMES: Record<number, string> = { 0: 'http', 1: 'storage', 2: 'checkpointer' };

interface PauseSummary {
  count: number;
  total_ms: number;
  max_ms: number;
  /** Pauses of 20 ms or more. */
  over_20ms: number;
}

function summarizePauses(durations: number[]): PauseSummary {
  return {
    count: durations.length,
    total_ms: Math.round(durations.reduce((a, b) => a + b, 0)),
    max_ms: Math.round(Math.max(0, ...durations) * 10) / 10,
    over_20ms: durations.filter((d) => d >= 20).length,
  };
}

export interface ThreadFigures {
  thread: string;
  /** monitorEventLoopDelay over the whole process life (ms). */
  loop_delay_ms: ProbeReport['delay'];
  /** Intervals of over 10 ms in which the thread's 5 ms timer could not run (within the load window). */
  stalls: PauseSummary;
  /** Garbage collections by kind (within the load window). */
  gc: Record<string, PauseSummary>;
  /** Share of the stalls' time spent in GC pauses that overlap them. */
  stall_time_in_gc_percent: number;
  /** Share of the stalls' time the thread was on a CPU (the rest it waited for one: the machine is full). */
  stall_time_on_cpu_percent: number;
  mean_elu_percent: number;
  /** CPU time of the thread per second of the window. */
  mean_cpu_percent: number;
  peak_heap_used_mb: number;
  peak_heap_total_mb: number;
  /** Waits for SQLite's write lock (held by another connection: the checkpointer's RESTART). */
  lock_waits: PauseSummary;
  /**
   * Its SQLite statements over the server's whole life (warm-up, load and drain), per order stored, most
   * time first: what one order costs this thread in SQLite, statement by statement.
   */
  sql_per_order?: { sql: string; calls: number; us: number; max_ms: number }[];
  /** WAL RESTART checkpoints it ran (the checkpointer), during which the storage thread holds its writes. */
  restarts?: PauseSummary;
}

export interface ProbeFigures {
  threads: ThreadFigures[];
  /**
   * The slowest 1% of requests (latency ≥ the run's p99) and the pauses their lifetime overlapped. A stall
   * of a thread splits into its GC pauses, the rest of its time on CPU (a long turn) and its time off CPU
   * (the thread waited for a core). `classes`: requests by the kind of pause they spent most time in (or
   * none); `time_percent`: the share of the tail's total latency spent inside each kind (the two threads'
   * pauses may overlap, so the shares may add up to more than 100).
   */
  tail: {
    requests: number;
    p99_ms: number;
    classes: Record<string, number>;
    time_percent: Record<string, number>;
  };
  /** p99 / p99.9 of the requests whose lifetime overlapped no stall of either thread. */
  unstalled: { requests: number; p99_ms: number | null; p999_ms: number | null };
  /** For the plot: pauses of ≥ 2 ms within the window, seconds from the start, per thread. */
  marks: Record<
    string,
    {
      gc: [t: number, ms: number, kind: string][];
      stalls: [t: number, ms: number][];
      locks: [t: number, ms: number][];
    }
  >;
}

/** Reads the probe's files of one server process and relates them to the requests of the load window. */
export function probeFigures(
  dir: string,
  timeline: { dueAtMs: Float64Array; latencyMs: Float64Array },
  window: { start: number; end: number },
  p99: number,
  ordersStored?: number,
): ProbeFigures | undefined {
  if (!existsSync(dir)) return undefined;
  const reports = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProbeReport)
    .sort((a, b) => a.threadId - b.threadId);
  if (reports.length === 0) return undefined;
  const inWindow = (t: number) => t >= window.start && t <= window.end;
  const threads: ThreadFigures[] = [];
  const marks: ProbeFigures['marks'] = {};
  /** Each stall with the share of it spent in GC, on CPU outside GC, and off CPU (waiting for a core). */
  const stallsOf: Record<string, { start: number; end: number; gc: number; busy: number; off: number }[]> =
    {};
  const lockWaitsOf: Record<string, { start: number; end: number }[]> = {};
  for (const report of reports) {
    const name = THREAD_NAMES[report.threadId] ?? `thread-${report.threadId}`;
    const gc = report.gc.filter(([t]) => inWindow(t));
    const stalls = report.stalls.filter(([t]) => inWindow(t));
    const locks = (report.lockWaits ?? []).filter(([t]) => inWindow(t));
    // The writes wait while the checkpointer's RESTART runs: its time is the storage thread's lock wait.
    const restarts = (report.restarts ?? []).filter(([t]) => inWindow(t));
    const asWaits = (list: [number, number][]) => list.map(([start, ms]) => ({ start, end: start + ms }));
    // Appended, whichever thread's report comes first.
    lockWaitsOf.storage = [...(lockWaitsOf.storage ?? []), ...asWaits(restarts)];
    lockWaitsOf[name] = [...(lockWaitsOf[name] ?? []), ...asWaits(locks)];
    const byKind: Record<string, number[]> = {};
    for (const [, ms, kind] of gc) {
      byKind[kind] ??= [];
      byKind[kind].push(ms);
    }
    let gcInStalls = 0;
    let onCpu = 0;
    const intervals = stalls.map(([start, ms, cpu]) => {
      const end = start + ms;
      let inGc = 0;
      for (const [t, d] of gc) inGc += Math.max(0, Math.min(end, t + d) - Math.max(start, t));
      inGc = Math.min(ms, inGc);
      gcInStalls += inGc;
      onCpu += Math.min(ms, cpu);
      const busy = Math.max(0, Math.min(ms, cpu) - inGc);
      return { start, end, gc: inGc / ms, busy: busy / ms, off: Math.max(0, 1 - (inGc + busy) / ms) };
    });
    stallsOf[name] = intervals;
    const stallTotal = stalls.reduce((a, [, ms]) => a + ms, 0);
    const seconds = report.seconds.filter(([t]) => inWindow(t));
    threads.push({
      thread: name,
      loop_delay_ms: report.delay,
      stalls: summarizePauses(stalls.map(([, ms]) => ms)),
      gc: Object.fromEntries(Object.entries(byKind).map(([kind, list]) => [kind, summarizePauses(list)])),
      stall_time_in_gc_percent: stallTotal > 0 ? Math.round((gcInStalls / stallTotal) * 100) : 0,
      stall_time_on_cpu_percent: stallTotal > 0 ? Math.round((onCpu / stallTotal) * 100) : 0,
      mean_elu_percent:
        seconds.length > 0 ? Math.round((seconds.reduce((a, s) => a + s[1], 0) / seconds.length) * 100) : 0,
      mean_cpu_percent:
        seconds.length > 0 ? Math.round((seconds.reduce((a, s) => a + s[2], 0) / seconds.length) * 100) : 0,
      peak_heap_used_mb: Math.round(Math.max(0, ...report.seconds.map((s) => s[3]))),
      peak_heap_total_mb: Math.round(Math.max(0, ...report.seconds.map((s) => s[4]))),
      lock_waits: summarizePauses(locks.map(([, ms]) => ms)),
      ...(restarts.length > 0 ? { restarts: summarizePauses(restarts.map(([, ms]) => ms)) } : {}),
      ...(ordersStored && report.sql
        ? {
            sql_per_order: report.sql
              .map(([sql, calls, ms, maxMs]) => ({
                sql,
                calls: Math.round((calls / ordersStored) * 100) / 100,
                us: Math.round((ms * 1000) / ordersStored),
                max_ms: Math.round(maxMs * 10) / 10,
              }))
              .filter((row) => row.us > 0)
              .sort((a, b) => b.us - a.us),
          }
        : {}),
    });
    marks[name] = {
      gc: gc.filter(([, ms]) => ms >= 2).map(([t, ms, kind]) => [(t - window.start) / 1000, ms, kind]),
      stalls: stalls.filter(([, ms]) => ms >= 2).map(([t, ms]) => [(t - window.start) / 1000, ms]),
      locks: locks.map(([t, ms]) => [(t - window.start) / 1000, ms]),
    };
  }
  const CLASSES = [
    'http GC pause',
    'http busy (on CPU)',
    'http waiting for a core',
    'storage GC pause',
    'storage busy (on CPU)',
    'storage waiting for a core',
    'storage waiting for the write lock',
  ];
  const classes: Record<string, number> = Object.fromEntries([...CLASSES, 'no stall'].map((c) => [c, 0]));
  const time: Record<string, number> = Object.fromEntries(CLASSES.map((c) => [c, 0]));
  let tailTime = 0;
  const unstalled: number[] = [];
  const overlapping = (name: string, start: number, end: number) =>
    (stallsOf[name] ?? []).filter((s) => s.start < end && s.end > start);
  let tailCount = 0;
  for (let i = 0; i < timeline.dueAtMs.length; i++) {
    const start = timeline.dueAtMs[i] as number;
    const latency = timeline.latencyMs[i] as number;
    const http = overlapping('http', start, start + latency);
    const storage = overlapping('storage', start, start + latency);
    const locked = (lockWaitsOf.storage ?? []).filter((w) => w.start < start + latency && w.end > start);
    if (http.length === 0 && storage.length === 0 && locked.length === 0) unstalled.push(latency);
    if (latency < p99) continue;
    tailCount += 1;
    tailTime += latency;
    // The request's lifetime spent inside each kind of pause (pauses of the two threads may overlap).
    const mine: Record<string, number> = {};
    for (const [name, list] of [
      ['http', http],
      ['storage', storage],
    ] as const) {
      for (const stall of list) {
        const overlap = Math.min(start + latency, stall.end) - Math.max(start, stall.start);
        mine[`${name} GC pause`] = (mine[`${name} GC pause`] ?? 0) + overlap * stall.gc;
        mine[`${name} busy (on CPU)`] = (mine[`${name} busy (on CPU)`] ?? 0) + overlap * stall.busy;
        mine[`${name} waiting for a core`] = (mine[`${name} waiting for a core`] ?? 0) + overlap * stall.off;
      }
    }
    for (const wait of locked) {
      const overlap = Math.min(start + latency, wait.end) - Math.max(start, wait.start);
      mine['storage waiting for the write lock'] =
        (mine['storage waiting for the write lock'] ?? 0) + overlap;
    }
    let dominant = 'no stall';
    let most = 0;
    for (const [kind, ms] of Object.entries(mine)) {
      time[kind] = (time[kind] ?? 0) + ms;
      if (ms > most) {
        most = ms;
        dominant = kind;
      }
    }
    classes[dominant] = (classes[dominant] ?? 0) + 1;
  }
  unstalled.sort((a, b) => a - b);
  const at = (q: number) =>
    unstalled.length ? Math.round((unstalled[Math.floor(q * unstalled.length)] as number) * 10) / 10 : null;
  return {
    threads,
    tail: {
      requests: tailCount,
      p99_ms: p99,
      classes,
      time_percent: Object.fromEntries(
        Object.entries(time).map(([k, ms]) => [
          k,
          tailTime > 0 ? Math.round((ms / tailTime) * 1000) / 10 : 0,
        ]),
      ),
    },
    unstalled: { requests: unstalled.length, p99_ms: at(0.99), p999_ms: at(0.999) },
    marks,
  };
}

// ---- SVG ----

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface PlotPanel {
  title: string;
  series: SeriesPoint[];
  seconds: number;
  marks?: ProbeFigures['marks'];
}

const Y_MIN = 0.1;
const Y_MAX = 10_000;

/** One panel: p50 and max per 100 ms on a log scale; below it, the GC pauses and stalls of each thread. */
function panel(p: PlotPanel, x0: number, y0: number, width: number, height: number): string {
  const left = x0 + 52;
  const plotWidth = width - 64;
  const top = y0 + 22;
  const plotHeight = height - 70;
  const x = (t: number) => left + (Math.min(t, p.seconds) / p.seconds) * plotWidth;
  const y = (ms: number) => {
    const v = Math.min(Y_MAX, Math.max(Y_MIN, ms));
    return top + plotHeight - (Math.log10(v / Y_MIN) / Math.log10(Y_MAX / Y_MIN)) * plotHeight;
  };
  const out: string[] = [];
  out.push(`<text x="${x0 + 4}" y="${y0 + 14}" font-size="13" font-weight="bold">${xml(p.title)}</text>`);
  out.push(
    `<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
  );
  for (const ms of [0.1, 1, 10, 100, 1000, 10000]) {
    out.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${y(ms)}" y2="${y(ms)}" stroke="#eee"/>`,
      `<text x="${left - 4}" y="${y(ms) + 4}" font-size="10" text-anchor="end">${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}</text>`,
    );
  }
  for (let t = 0; t <= p.seconds; t += p.seconds > 20 ? 10 : 1) {
    out.push(
      `<text x="${x(t)}" y="${top + plotHeight + 12}" font-size="10" text-anchor="middle">${t}s</text>`,
    );
  }
  const line = (pick: (s: SeriesPoint) => number, color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.2" points="${p.series
      .map((s) => `${x(s[0]).toFixed(1)},${y(pick(s)).toFixed(1)}`)
      .join(' ')}"/>`;
  out.push(
    line((s) => s[4], '#d62728'),
    line((s) => s[3], '#ff9f40'),
    line((s) => s[2], '#1f77b4'),
  );
  // Pause lanes: a tick per pause, its height the pause's length (20 px = 100 ms, capped).
  const lanes = Object.entries(p.marks ?? {}).filter(([name]) => name !== 'checkpointer');
  lanes.forEach(([name, m], i) => {
    const base = top + plotHeight + 26 + i * 14;
    out.push(`<text x="${left - 4}" y="${base}" font-size="9" text-anchor="end">${name}</text>`);
    for (const [t, ms] of m.stalls) {
      const h = Math.min(12, 2 + ms / 8);
      out.push(
        `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${base}" y2="${base - h}" stroke="#888"/>`,
      );
    }
    for (const [t, ms] of m.locks ?? []) {
      const h = Math.min(12, 2 + ms / 8);
      out.push(
        `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${base}" y2="${base - h}" stroke="#d62728" stroke-width="2"/>`,
      );
    }
    for (const [t, ms, kind] of m.gc) {
      const h = Math.min(12, 2 + ms / 8);
      const color = kind === 'scavenge' ? '#2ca02c' : '#9467bd';
      out.push(
        `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${base}" y2="${base - h}" stroke="${color}"/>`,
      );
    }
  });
  return out.join('\n');
}

/** Side-by-side bars: the share of requests per latency bucket, one bar per target in each bucket. */
function histogramChart(
  entries: { label: string; counts: number[]; color: string }[],
  x0: number,
  y0: number,
  width: number,
  height: number,
): string {
  const out: string[] = [];
  const left = x0 + 52;
  const top = y0 + 40;
  const plotWidth = width - 64;
  const plotHeight = height - 80;
  out.push(
    `<text x="${x0 + 4}" y="${y0 + 14}" font-size="13" font-weight="bold">Accept latency histogram (share of requests per bucket)</text>`,
  );
  entries.forEach((e, i) => {
    out.push(
      `<rect x="${left + i * 220}" y="${y0 + 22}" width="10" height="10" fill="${e.color}"/>`,
      `<text x="${left + i * 220 + 14}" y="${y0 + 31}" font-size="11">${xml(e.label)}</text>`,
    );
  });
  const buckets = HISTOGRAM_EDGES_MS.length + 1;
  const slot = plotWidth / buckets;
  const bar = (slot - 4) / Math.max(1, entries.length);
  for (const pct of [0, 25, 50, 75, 100]) {
    const yy = top + plotHeight - (pct / 100) * plotHeight;
    out.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${yy}" y2="${yy}" stroke="#eee"/>`,
      `<text x="${left - 4}" y="${yy + 4}" font-size="10" text-anchor="end">${pct}%</text>`,
    );
  }
  for (let b = 0; b < buckets; b++) {
    const label =
      b < HISTOGRAM_EDGES_MS.length ? `≤${HISTOGRAM_EDGES_MS[b]}` : `>${HISTOGRAM_EDGES_MS.at(-1)}`;
    out.push(
      `<text x="${left + b * slot + slot / 2}" y="${top + plotHeight + 12}" font-size="9" text-anchor="middle">${label}</text>`,
    );
    entries.forEach((e, i) => {
      const total = e.counts.reduce((a, c) => a + c, 0) || 1;
      const share = (e.counts[b] ?? 0) / total;
      const h = share * plotHeight;
      // A non-empty bucket gets at least a hairline, so a rare 1-second answer is visible.
      const shown = (e.counts[b] ?? 0) > 0 ? Math.max(1, h) : 0;
      out.push(
        `<rect x="${(left + b * slot + 2 + i * bar).toFixed(1)}" y="${(top + plotHeight - shown).toFixed(1)}" width="${bar.toFixed(1)}" height="${shown.toFixed(1)}" fill="${e.color}"><title>${xml(e.label)}: ${(share * 100).toFixed(2)}% (${e.counts[b]})</title></rect>`,
      );
    });
  }
  out.push(
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 26}" font-size="10" text-anchor="middle">accept latency bucket, ms (upper edge)</text>`,
  );
  return out.join('\n');
}

/** The whole picture: the histogram first, then one latency-over-time panel per step. */
export function svg(
  title: string,
  panels: PlotPanel[],
  histograms: { label: string; counts: number[]; color: string }[],
): string {
  const width = 1000;
  const panelHeight = 240;
  const histogramHeight = histograms.length ? 260 : 0;
  const height = 40 + histogramHeight + panels.length * panelHeight + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="22" font-size="15" font-weight="bold">${xml(title)}</text>`,
    `<text x="8" y="36" font-size="11">Latency over time per 100 ms of due time: <tspan fill="#1f77b4">p50</tspan>, <tspan fill="#ff9f40">p99</tspan>, <tspan fill="#d62728">max</tspan>. Below each panel (with --probe): stalls (grey) and GC pauses (<tspan fill="#2ca02c">scavenge</tspan>, <tspan fill="#9467bd">mark-compact</tspan>) per thread, <tspan fill="#d62728">waits for the SQLite write lock</tspan>; tick height ∝ length.</text>`,
  ];
  if (histograms.length) parts.push(histogramChart(histograms, 0, 40, width, histogramHeight));
  panels.forEach((p, i) => {
    parts.push(panel(p, 0, 40 + histogramHeight + i * panelHeight, width, panelHeight));
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
