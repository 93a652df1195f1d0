// A probe that `npm run bench -- --probe` loads into the server with `node --require bench/probe.ts`. A
// `--require` module runs in every thread of the process (the HTTP thread, the storage thread, the
// checkpointer), so each thread reports on itself, without a line of DOFS changed:
// - its event-loop delay (monitorEventLoopDelay, 1 ms resolution): the percentiles and the max;
// - each stall: an interval of more than STALL_MS in which a 5 ms timer could not run, with its start and
//   the CPU time the thread used meanwhile (a stall with little CPU is the thread waiting for a core);
// - each garbage collection (PerformanceObserver 'gc'): start, duration, kind;
// - per second, its event-loop utilization, its CPU time and its V8 heap (used, total);
// - each wait for SQLite's write lock: from a `BEGIN IMMEDIATE` that found the database busy (another
//   connection holds the lock) to the one that took it; and each WAL RESTART checkpoint (the checkpointer's:
//   the storage thread holds its writes for it);
// - the time of every SQLite statement and `exec` it ran, by SQL text: calls, total and longest.
// Times are epoch milliseconds, so the benchmark can line them up with the requests it timed. Each thread
// writes `<dir>/<pid>-<threadId>.json` once a second and at exit. threadId 0 is the HTTP thread, 1 the
// storage thread, 2 the checkpointer (they are started in that order).
// With DOFS_PROBE_ALLOC_DIR, each thread also records what it allocates (V8's sampling heap profiler,
// counting objects that garbage collection reclaimed too, so it is the allocation, not what is retained)
// from ALLOC_START_MS after it starts, for ALLOC_MS, into `<dir>/<pid>-<threadId>.heapprofile`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { DatabaseSync, StatementSync } from 'node:sqlite';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { threadId } from 'node:worker_threads';

const STALL_MS = 10;
const TICK_MS = 5;
const ALLOC_START_MS = 3000;
const ALLOC_MS = 5000;

export interface ProbeReport {
  pid: number;
  threadId: number;
  started: number;
  written: number;
  delay: { count: number; mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  stalls: [start: number, ms: number, cpuMs: number][];
  gc: [start: number, ms: number, kind: string][];
  seconds: [t: number, elu: number, cpu: number, heapUsedMb: number, heapTotalMb: number][];
  lockWaits: [start: number, ms: number][];
  /** WAL RESTART checkpoints this thread ran (the writes are held meanwhile). */
  restarts?: [start: number, ms: number][];
  /** Every statement and exec this thread ran, over its whole life: SQL text, calls, total ms, longest ms. */
  sql?: [sql: string, calls: number, ms: number, maxMs: number][];
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

const dir = process.env.DOFS_PROBE_DIR;
if (dir) {
  const epoch = (t: number) => performance.timeOrigin + t;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const stalls: ProbeReport['stalls'] = [];
  const gc: ProbeReport['gc'] = [];
  const seconds: ProbeReport['seconds'] = [];
  const lockWaits: ProbeReport['lockWaits'] = [];
  const restarts: NonNullable<ProbeReport['restarts']> = [];
  const sql = new Map<string, [calls: number, ms: number, maxMs: number]>();
  const timed = (text: string, start: number): number => {
    const ms = performance.now() - start;
    const entry = sql.get(text);
    if (entry) {
      entry[0] += 1;
      entry[1] += ms;
      if (ms > entry[2]) entry[2] = ms;
    } else sql.set(text, [1, ms, ms]);
    return ms;
  };
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = StatementSync.prototype[method] as (...args: unknown[]) => unknown;
    Object.defineProperty(StatementSync.prototype, method, {
      configurable: true,
      writable: true,
      value: function (this: StatementSync, ...args: unknown[]) {
        const start = performance.now();
        try {
          return original.apply(this, args);
        } finally {
          // sourceSQL makes a new string on each read: once per call.
          const text = this.sourceSQL;
          const ms = timed(text, start);
          if (text.includes('wal_checkpoint(RESTART)')) restarts.push([epoch(start), ms]);
        }
      },
    });
  }
  const exec = DatabaseSync.prototype.exec;
  let busySince: number | undefined;
  DatabaseSync.prototype.exec = function (this: DatabaseSync, text: string) {
    const start = performance.now();
    if (text !== 'BEGIN IMMEDIATE') {
      try {
        return exec.call(this, text);
      } finally {
        timed(text, start);
      }
    }
    try {
      exec.call(this, text);
    } catch (error) {
      busySince ??= performance.now();
      throw error;
    } finally {
      timed(text, start);
    }
    if (busySince !== undefined) {
      lockWaits.push([epoch(busySince), performance.now() - busySince]);
      busySince = undefined;
    }
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      gc.push([epoch(entry.startTime), entry.duration, GC_KINDS[kind] ?? String(kind)]);
    }
  }).observe({ entryTypes: ['gc'] });
  const cpuMs = () => {
    const usage = process.threadCpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  let last = performance.now();
  let lastCpu = cpuMs();
  setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    const late = now - last - TICK_MS;
    if (late > STALL_MS) stalls.push([epoch(last + TICK_MS), late, Math.max(0, cpu - lastCpu - 0.05)]);
    last = now;
    lastCpu = cpu;
  }, TICK_MS).unref();
  let elu = performance.eventLoopUtilization();
  let secondCpu = cpuMs();
  let secondAt = performance.now();
  const ms = (ns: number) => ns / 1e6;
  const write = () => {
    const heap = getHeapStatistics();
    const next = performance.eventLoopUtilization();
    const cpu = cpuMs();
    const now = performance.now();
    seconds.push([
      Date.now(),
      performance.eventLoopUtilization(next, elu).utilization,
      (cpu - secondCpu) / (now - secondAt),
      heap.used_heap_size / 2 ** 20,
      heap.total_heap_size / 2 ** 20,
    ]);
    elu = next;
    secondCpu = cpu;
    secondAt = now;
    const report: ProbeReport = {
      pid: process.pid,
      threadId,
      started: performance.timeOrigin,
      written: Date.now(),
      delay: {
        count: histogram.count,
        mean: ms(histogram.mean),
        p50: ms(histogram.percentile(50)),
        p90: ms(histogram.percentile(90)),
        p99: ms(histogram.percentile(99)),
        p999: ms(histogram.percentile(99.9)),
        max: ms(histogram.max),
      },
      stalls,
      gc,
      seconds,
      lockWaits,
      restarts,
      sql: [...sql].map(([text, [calls, ms, maxMs]]) => [text.replace(/\s+/g, ' ').trim(), calls, ms, maxMs]),
    };
    writeFileSync(join(dir, `${process.pid}-${threadId}.json`), JSON.stringify(report));
  };
  setInterval(write, 1000).unref();
  process.on('exit', write);
}

// DOFS_PROBE_SNAPSHOT_DIR: a heap snapshot of each thread, 8 s after it starts (what is held, by type).
const snapshotDir = process.env.DOFS_PROBE_SNAPSHOT_DIR;
if (snapshotDir) {
  setTimeout(() => {
    writeHeapSnapshot(join(snapshotDir, `${process.pid}-${threadId}.heapsnapshot`));
  }, 8000).unref();
}

const allocDir = process.env.DOFS_PROBE_ALLOC_DIR;
if (allocDir) {
  const session = new Session();
  session.connect();
  setTimeout(() => {
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    setTimeout(() => {
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (error) return;
        writeFileSync(
          join(allocDir, `${process.pid}-${threadId}.heapprofile`),
          JSON.stringify((result as { profile: unknown }).profile),
        );
        session.disconnect();
      });
    }, ALLOC_MS).unref();
  }, ALLOC_START_MS).unref();
}
