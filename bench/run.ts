// npm run bench [-- --quick] [-- --root DIR --rates 500,1000 --only dofs --repeat N --connections N]: DOFS
// against the machine's own ceiling, under the same load generator (bench/paced-load.ts, open loop).
// --root benchmarks another checkout of DOFS (a git worktree of an older commit), for before/after figures.
// --probe loads bench/probe.ts into every thread of each server (event-loop delay, stalls, GC pauses, heap)
// and relates the slowest requests to the pauses they waited through; --node-flags "…" adds Node flags to
// DOFS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", "--trace-gc"); --server-stdout DIR keeps each DOFS
// process's stdout (log lines, --trace-gc output) in DIR; --alloc-prof DIR writes what each thread of DOFS
// allocates (all of it, collected or not) from 3 s into the step for 5 s (with --heap-snapshot, also a heap
// snapshot of each thread 8 s into the step); --out NAME names the result files;
// --ceiling-rates 2000 runs the ceiling at these rates only; --warmup S (default 2) offers each step's rate for S
// seconds before its measured window (to every target alike; what the warm-up saw is kept apart).
// (a) ceiling: bench/ceiling-server.ts, a node:http server that parses the same JSON body and answers 202;
// (b) DOFS (npm start's entry point and Node flags, fresh data dir each step) at a ladder of offered rates;
// (c) DOFS with the reference workflow engine at 1,000/s, to show what the compiled executor buys;
// (d) in a full run, one 60 s step at 6,000/s (saturated: more than DOFS answers here).
// Every step of (a)-(c) runs --repeat times (3 in a full run), the rounds interleaved, and each row shows
// the medians. Prints a table and the accept latency histograms of the ceiling and of DOFS side by side, and
// writes bench/results/latest.json (every run's figures too) and latest.svg (the histograms, and the latency
// over time of each step, with the pauses of each thread when --probe is on).
import { type ChildProcess, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pacedLoad, quantile } from './paced-load.ts';
import {
  HISTOGRAM_EDGES_MS,
  histogram,
  type PlotPanel,
  type ProbeFigures,
  probeFigures,
  type SeriesPoint,
  series,
  svg,
} from './report.ts';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const only = option('--only');
const rates = option('--rates')?.split(',').map(Number);
const STEP_SECONDS = Number(option('--seconds') ?? (quick ? 8 : 10));
/** Each step runs this many times, interleaved (so drift on a shared machine hits every step alike). */
const REPEAT = Number(option('--repeat') ?? (quick ? 1 : 3));
/** Keep-alive connections of the load generator: enough that it is never what limits a durable server. */
const CONNECTIONS = Number(option('--connections') ?? 256);
/** One long DOFS step at this rate, saturated (issue 14: sustained for 60 s); 0 to skip. */
// 6,000/s: more than DOFS answers on this machine, so the step measures it saturated (the targets check).
const SUSTAIN_RATE = Number(option('--sustain-rate') ?? (quick || only || rates ? 0 : 6000));
const SUSTAIN_SECONDS = Number(option('--sustain-seconds') ?? 60);
// 40,000/s: past what the bare server and the generator beside it answer here (20,000/s was kept up with), so
// the ratio of issue 14 is taken against the ceiling at its saturation.
const CEILING_RATES =
  option('--ceiling-rates')?.split(',').map(Number) ?? (only && only !== 'ceiling' ? [] : [2000, 40000]);
const DOFS_RATES =
  only && only !== 'dofs'
    ? []
    : (rates ?? (quick ? [1000, 2000, 5000] : [1000, 2000, 3000, 4000, 5000, 6000]));
const REFERENCE_RATES = only || rates ? [] : [1000];
const BENCH_ROOT = new URL('..', import.meta.url).pathname;
const ROOT = option('--root') ?? BENCH_ROOT;
const TICKS = 100; // /proc clock ticks per second on Linux
const PROBE = argv.includes('--probe');
const EXTRA_FLAGS = option('--node-flags')?.split(' ').filter(Boolean) ?? [];
const SERVER_STDOUT = option('--server-stdout');
/** --server-env K=V,K2=V2: more environment for DOFS (an experiment with a setting, e.g. DOFS_COMMIT_DELAY_MS). */
const SERVER_ENV = Object.fromEntries(
  (option('--server-env') ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const OUT = option('--out');
const ALLOC_PROFILE_DIR = option('--alloc-prof');
/**
 * Seconds of load at the step's rate before its measured window, for every target alike: a process just
 * started runs its code unoptimised and its heap and caches cold, and in a 10 s window that first second
 * was most of the slowest 1% (see docs/benchmarks.md). Its own p99 and max are kept in `warmup`.
 */
const WARMUP_SECONDS = Number(option('--warmup') ?? 2);

interface Step {
  target: string;
  offered: number;
  /** Runs behind the medians of this row, and the spread of their accepted/s. */
  runs?: number;
  accepted_min_max?: [number, number];
  seconds: number;
  accepted_per_s: number;
  non_2xx: number;
  errors: number;
  /** Requests due that no connection could take before the window ended (the server was saturated). */
  unsent: number;
  completed_per_s: number | null;
  /** Seconds after the load stopped until no order was PENDING (retries included); null: not within 120 s. */
  drain_s?: number | null;
  accept_p50_ms: number;
  accept_p99_ms: number;
  accept_p999_ms: number;
  accept_max_ms: number;
  e2e_first_attempt_p50_ms: number | null;
  e2e_first_attempt_p99_ms: number | null;
  lost: number | null;
  max_backlog: number | null;
  peak_rss_mb: number;
  cpu_percent: number;
  /**
   * Server CPU time (all threads, from start of load until the step ends: for DOFS after the drain, so the
   * fulfilment of every accepted order is in it) per 2xx answer, µs. Less sensitive to a busy machine than
   * latency: a thread waiting for a core uses none.
   */
  cpu_us_per_request: number;
  /** CPU of the load generator (this process) during the window: it shares the machine's cores. */
  load_cpu_percent: number;
  /** Requests per bucket of HISTOGRAM_EDGES_MS (in a summary row: of all its runs). */
  histogram: number[];
  /** Latency over time (in a summary row: of the run whose p99 is the median). */
  series: SeriesPoint[];
  /** With --probe: pauses per thread and what the slowest requests waited through. */
  probe?: ProbeFigures;
  /** `uptime`'s 1-minute load average when the step started (other work on the machine). */
  load_average: number;
  /** The warm-up before the window (not in the figures above): its length and what its requests saw. */
  warmup?: { seconds: number; accept_p99_ms: number; accept_max_ms: number };
}

// The local host's entry point (before the layout move of 2026-12, src/entrypoints/local/main.ts: --root
// may point at an older checkout).
const MAIN = [join(ROOT, 'src/hosts/local/main.ts'), join(ROOT, 'src/entrypoints/local/main.ts')].find((f) =>
  existsSync(f),
) as string;

// DOFS runs with the Node flags of `npm start` (package.json), so the benchmark measures what it starts.
const START_FLAGS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(' ')
  .filter((word) => word.startsWith('--') && word !== '--disable-warning=ExperimentalWarning');

function startProcess(
  args: string[],
  env: Record<string, string>,
  stdoutFile?: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ...args], {
    cwd: BENCH_ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (stdoutFile) child.stdout?.pipe(createWriteStream(stdoutFile));
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: string) => {
      buffer += chunk;
      for (const line of buffer.split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue; // --trace-gc and the like
        const entry = JSON.parse(line) as { message?: string; url?: string; port?: number };
        const port =
          entry.message === 'DOFS listening'
            ? Number(new URL(String(entry.url)).port)
            : entry.message === 'listening'
              ? Number(entry.port)
              : undefined;
        if (port !== undefined) {
          // From here on the server's log lines are drained unread: parsing them would load this process,
          // which also generates the load.
          child.stdout?.off('data', onData);
          if (!stdoutFile) child.stdout?.resume();
          resolve({ child, port });
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before listening`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Samples RSS and CPU time of a process from /proc. */
function sampler(pid: number) {
  const cpu = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  };
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const cpu0 = cpu();
  const t0 = performance.now();
  let peak = rss();
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rss());
    } catch {
      // the process is gone
    }
  }, 250);
  return {
    done() {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      const cpuSeconds = cpu() - cpu0;
      return { peakRssMb: peak, cpuPercent: (cpuSeconds / seconds) * 100, cpuSeconds };
    },
  };
}

async function offer(port: number, rate: number, seconds: number, prefix: string) {
  const cpu0 = process.cpuUsage();
  const result = await pacedLoad({
    port,
    rate,
    seconds,
    connections: CONNECTIONS,
    path: '/order',
    body: (i) =>
      JSON.stringify({
        order_id: `${prefix}-${i}`,
        customer_id: `c-${i % 100}`,
        items: [{ product_id: `p-${i % 50}`, quantity: 1 + (i % 3), price: 9.5 }],
      }),
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    ...result,
    loadCpuPercent: ((cpu.user + cpu.system) / 1e6 / result.elapsedS) * 100,
    p50: quantile(result.latenciesMs, 0.5) ?? 0,
    p99: quantile(result.latenciesMs, 0.99) ?? 0,
    p999: quantile(result.latenciesMs, 0.999) ?? 0,
    max: result.latenciesMs.at(-1) ?? 0,
  };
}

/** Load at the step's rate for WARMUP_SECONDS, with its own order ids; what it saw, for the record. */
async function warmUp(port: number, rate: number) {
  if (WARMUP_SECONDS <= 0) return { accepted: 0, figures: {} };
  const r = await offer(port, rate, WARMUP_SECONDS, `warmup-${rate}`);
  return {
    accepted: r.ok2xx,
    figures: { warmup: { seconds: WARMUP_SECONDS, accept_p99_ms: r.p99, accept_max_ms: r.max } },
  };
}

/** The probe's flags and a fresh directory for its files, when --probe is on. */
function probeSetup(): { flags: string[]; env: Record<string, string>; dir?: string } {
  if (ALLOC_PROFILE_DIR) {
    mkdirSync(ALLOC_PROFILE_DIR, { recursive: true });
    return {
      flags: ['--require', join(BENCH_ROOT, 'bench/probe.ts')],
      env: {
        DOFS_PROBE_ALLOC_DIR: ALLOC_PROFILE_DIR,
        ...(argv.includes('--heap-snapshot') ? { DOFS_PROBE_SNAPSHOT_DIR: ALLOC_PROFILE_DIR } : {}),
      },
    };
  }
  if (!PROBE) return { flags: [], env: {} };
  const dir = mkdtempSync(join(tmpdir(), 'dofs-probe-'));
  return { flags: ['--require', join(BENCH_ROOT, 'bench/probe.ts')], env: { DOFS_PROBE_DIR: dir }, dir };
}

function probeOf(
  dir: string | undefined,
  r: Awaited<ReturnType<typeof offer>>,
  ordersStored?: number,
): { probe?: ProbeFigures } {
  if (!dir) return {};
  const figures = probeFigures(
    dir,
    r.timeline,
    { start: r.startedAt, end: r.startedAt + r.elapsedS * 1000 },
    r.p99,
    ordersStored,
  );
  rmSync(dir, { recursive: true, force: true });
  return figures ? { probe: figures } : {};
}

const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

async function health(port: number) {
  return (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
    orders: { PENDING: number; FULFILLED: number; FAILED: number };
    queues: { order_queue: { visible: number; inFlight: number } };
  };
}

/** The figures every step has: what the load generator saw, and the server's RSS and CPU. */
function loadFigures(
  rate: number,
  seconds: number,
  r: Awaited<ReturnType<typeof offer>>,
  server: { peakRssMb: number; cpuPercent: number; cpuSeconds: number },
) {
  return {
    offered: rate,
    seconds,
    accepted_per_s: r.ok2xx / seconds,
    non_2xx: r.non2xx,
    errors: r.errors,
    unsent: r.due - r.sent,
    accept_p50_ms: r.p50,
    accept_p99_ms: r.p99,
    accept_p999_ms: r.p999,
    accept_max_ms: r.max,
    peak_rss_mb: server.peakRssMb,
    cpu_percent: server.cpuPercent,
    cpu_us_per_request: r.ok2xx > 0 ? (server.cpuSeconds / r.ok2xx) * 1e6 : 0,
    load_cpu_percent: r.loadCpuPercent,
    histogram: histogram(r.latenciesMs),
    series: series(r.timeline, r.startedAt),
  };
}

async function ceilingStep(rate: number): Promise<Step> {
  const load_average = loadAverage();
  const probe = probeSetup();
  const { child, port } = await startProcess([...probe.flags, 'bench/ceiling-server.ts'], probe.env);
  const warm = await warmUp(port, rate);
  const sample = sampler(child.pid as number);
  const r = await offer(port, rate, STEP_SECONDS, 'ceiling');
  const server = sample.done();
  await stop(child);
  return {
    target: 'ceiling',
    load_average,
    ...warm.figures,
    ...loadFigures(rate, STEP_SECONDS, r, server),
    ...probeOf(probe.dir, r),
    completed_per_s: null,
    e2e_first_attempt_p50_ms: null,
    e2e_first_attempt_p99_ms: null,
    lost: null,
    max_backlog: null,
  };
}

async function dofsStep(
  rate: number,
  engine: 'compiled' | 'aws-local-stepfunctions',
  seconds = STEP_SECONDS,
): Promise<Step> {
  const load_average = loadAverage();
  const dataDir = mkdtempSync(join(tmpdir(), 'dofs-bench-'));
  const probe = probeSetup();
  if (SERVER_STDOUT) mkdirSync(SERVER_STDOUT, { recursive: true });
  const { child, port } = await startProcess(
    [...START_FLAGS, ...EXTRA_FLAGS, ...probe.flags, MAIN],
    {
      DOFS_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      FULFILLMENT_SUCCESS_RATE: '0.7',
      DOFS_RANDOM_SEED: 'bench',
      VISIBILITY_TIMEOUT_SECONDS: '1',
      DOFS_WORKFLOW_ENGINE: engine,
      ...SERVER_ENV,
      ...probe.env,
    },
    SERVER_STDOUT ? join(SERVER_STDOUT, `dofs-${rate}-${Date.now()}.log`) : undefined,
  );
  const warm = await warmUp(port, rate);
  const atStart = await health(port);
  const sample = sampler(child.pid as number);
  let maxBacklog = 0;
  const watch = setInterval(async () => {
    try {
      const h = await health(port);
      maxBacklog = Math.max(maxBacklog, h.queues.order_queue.visible);
    } catch {
      // a busy server may not answer in time; the next sample will
    }
  }, 1000);
  const r = await offer(port, rate, seconds, `bench-${rate}`);
  // Completed during the load window: orders that reached FULFILLED or FAILED while load was offered.
  const atEnd = await health(port);
  const completedInWindow =
    atEnd.orders.FULFILLED + atEnd.orders.FAILED - (atStart.orders.FULFILLED + atStart.orders.FAILED);
  const settleStarted = performance.now();
  // Then wait for every accepted order to reach FULFILLED or FAILED (bounded).
  let settled: Awaited<ReturnType<typeof health>> | undefined;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    settled = await health(port);
    if (settled.orders.PENDING === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const drainSeconds = (performance.now() - settleStarted) / 1000;
  clearInterval(watch);
  const server = sample.done();
  await stop(child);
  const db = new DatabaseSync(join(dataDir, 'dofs.sqlite'), { readOnly: true });
  // First attempts of the window's own orders (not the warm-up's).
  const rows = db
    .prepare(
      "SELECT created_at, updated_at FROM orders WHERE status = 'FULFILLED' AND attempts = 1 AND redrives = 0 AND order_id LIKE ?",
    )
    .all(`bench-${rate}-%`);
  const terminal = Number(
    db.prepare("SELECT count(*) AS n FROM orders WHERE status IN ('FULFILLED', 'FAILED')").get()?.n,
  );
  const stored = Number(db.prepare('SELECT count(*) AS n FROM orders').get()?.n);
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
  const e2e = rows
    .map((row) => Date.parse(String(row.updated_at)) - Date.parse(String(row.created_at)))
    .sort((a, b) => a - b);
  return {
    target: engine === 'compiled' ? 'dofs' : 'dofs (reference engine)',
    load_average,
    ...warm.figures,
    ...loadFigures(rate, seconds, r, server),
    ...probeOf(probe.dir, r, stored),
    completed_per_s: completedInWindow / seconds,
    drain_s: settled?.orders.PENDING === 0 ? drainSeconds : null,
    e2e_first_attempt_p50_ms: quantile(e2e, 0.5),
    e2e_first_attempt_p99_ms: quantile(e2e, 0.99),
    // An accepted order (of the warm-up or the window) that is not stored, or not final, is lost.
    lost: Math.max(0, warm.accepted + r.ok2xx - stored) + (stored - terminal),
    max_backlog: maxBacklog,
  };
}

const fmt = (v: number | null, digits = 0) => (v === null ? '-' : v.toFixed(digits));

function printTable(steps: Step[]) {
  const head = [
    'target',
    'offered/s',
    'accepted/s',
    'completed/s',
    'drain s',
    'accept p50/p99/p99.9/max ms',
    'e2e 1st p50/p99 ms',
    'lost',
    'max backlog',
    'RSS MB',
    'CPU %',
    'CPU µs/req',
    'load gen CPU %',
    'load avg',
    'warm-up p99 ms',
  ];
  const rows = steps.map((s) => [
    s.target,
    String(s.offered),
    s.runs && s.runs > 1 && s.accepted_min_max
      ? `${fmt(s.accepted_per_s)} (${fmt(s.accepted_min_max[0])}–${fmt(s.accepted_min_max[1])})`
      : fmt(s.accepted_per_s),
    fmt(s.completed_per_s),
    s.target === 'ceiling' ? '-' : fmt(s.drain_s ?? null, 1),
    `${fmt(s.accept_p50_ms, 1)} / ${fmt(s.accept_p99_ms, 1)} / ${fmt(s.accept_p999_ms, 0)} / ${fmt(s.accept_max_ms, 0)}`,
    `${fmt(s.e2e_first_attempt_p50_ms)} / ${fmt(s.e2e_first_attempt_p99_ms)}`,
    fmt(s.lost),
    fmt(s.max_backlog),
    fmt(s.peak_rss_mb),
    fmt(s.cpu_percent),
    fmt(s.cpu_us_per_request),
    fmt(s.load_cpu_percent),
    fmt(s.load_average, 1),
    s.warmup ? fmt(s.warmup.accept_p99_ms, 0) : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(
    `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`,
  );
}

type Plan = { target: 'ceiling' | 'dofs' | 'dofs (reference engine)'; rate: number };
const plan: Plan[] = [
  ...CEILING_RATES.map((rate) => ({ target: 'ceiling' as const, rate })),
  ...DOFS_RATES.map((rate) => ({ target: 'dofs' as const, rate })),
  ...REFERENCE_RATES.map((rate) => ({ target: 'dofs (reference engine)' as const, rate })),
];
const runs = new Map<string, Step[]>();
for (let round = 1; round <= REPEAT; round++) {
  for (const { target, rate } of plan) {
    process.stderr.write(`${target} @ ${rate}/s (run ${round} of ${REPEAT}) …\n`);
    const step =
      target === 'ceiling'
        ? await ceilingStep(rate)
        : await dofsStep(rate, target === 'dofs' ? 'compiled' : 'aws-local-stepfunctions');
    const key = `${target}@${rate}`;
    runs.set(key, [...(runs.get(key) ?? []), step]);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One row per step: the median of every figure over its runs; lost is the worst run's. */
function summarize(list: Step[]): Step {
  const first = list[0] as Step;
  const med = (pick: (s: Step) => number | null | undefined) => {
    const values = list.map(pick).filter((v): v is number => typeof v === 'number');
    return values.length === list.length ? median(values) : null;
  };
  const accepted = list.map((s) => s.accepted_per_s);
  return {
    ...first,
    runs: list.length,
    accepted_min_max: [Math.min(...accepted), Math.max(...accepted)],
    accepted_per_s: median(accepted),
    non_2xx: median(list.map((s) => s.non_2xx)),
    errors: median(list.map((s) => s.errors)),
    unsent: median(list.map((s) => s.unsent)),
    completed_per_s: med((s) => s.completed_per_s),
    drain_s: list.some((s) => s.drain_s === null) ? null : med((s) => s.drain_s),
    accept_p50_ms: median(list.map((s) => s.accept_p50_ms)),
    accept_p99_ms: median(list.map((s) => s.accept_p99_ms)),
    accept_p999_ms: median(list.map((s) => s.accept_p999_ms)),
    accept_max_ms: median(list.map((s) => s.accept_max_ms)),
    e2e_first_attempt_p50_ms: med((s) => s.e2e_first_attempt_p50_ms),
    e2e_first_attempt_p99_ms: med((s) => s.e2e_first_attempt_p99_ms),
    lost: list.some((s) => s.lost === null) ? null : Math.max(...list.map((s) => s.lost ?? 0)),
    max_backlog: med((s) => s.max_backlog),
    peak_rss_mb: median(list.map((s) => s.peak_rss_mb)),
    cpu_percent: median(list.map((s) => s.cpu_percent)),
    cpu_us_per_request: median(list.map((s) => s.cpu_us_per_request)),
    load_cpu_percent: median(list.map((s) => s.load_cpu_percent)),
    load_average: median(list.map((s) => s.load_average)),
    ...(first.warmup
      ? {
          warmup: {
            seconds: first.warmup.seconds,
            accept_p99_ms: median(list.map((s) => s.warmup?.accept_p99_ms ?? 0)),
            accept_max_ms: median(list.map((s) => s.warmup?.accept_max_ms ?? 0)),
          },
        }
      : {}),
    histogram: list.reduce(
      (sum, s) => sum.map((c, i) => c + (s.histogram[i] ?? 0)),
      new Array<number>(HISTOGRAM_EDGES_MS.length + 1).fill(0),
    ),
    // The run whose p99 is the median one: its latency over time and its probe figures are the row's.
    ...(() => {
      const typical = [...list].sort((a, b) => a.accept_p99_ms - b.accept_p99_ms)[
        Math.floor((list.length - 1) / 2)
      ] as Step;
      return { series: typical.series, ...(typical.probe ? { probe: typical.probe } : {}) };
    })(),
  };
}

const pct = (count: number, total: number) => (total > 0 ? ((count / total) * 100).toFixed(2) : '-');

/** The accept latency histograms side by side: the ceiling at 2,000/s next to DOFS at its rates. */
function printHistograms(list: Step[]) {
  const columns = list.filter((s) => s.target !== 'dofs (reference engine)' && s.offered <= 5000);
  if (columns.length === 0) return;
  const head = ['accept latency', ...columns.map((s) => `${s.target} @ ${s.offered}/s`)];
  const totals = columns.map((s) => s.histogram.reduce((a, c) => a + c, 0));
  const rows = HISTOGRAM_EDGES_MS.map((edge, b) => [
    `${b === 0 ? '0' : HISTOGRAM_EDGES_MS[b - 1]}–${edge} ms`,
    ...columns.map((s, i) => `${pct(s.histogram[b] ?? 0, totals[i] ?? 0)}%`),
  ]);
  rows.push([
    `> ${HISTOGRAM_EDGES_MS.at(-1)} ms`,
    ...columns.map((s, i) => `${pct(s.histogram[HISTOGRAM_EDGES_MS.length] ?? 0, totals[i] ?? 0)}%`),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(
    `\n${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`,
  );
}

/** With --probe: per thread, its pauses; per step, what the slowest 1% of requests waited through. */
function printProbe(list: Step[]) {
  const probed = list.filter((s) => s.probe);
  if (probed.length === 0) return;
  const lines: string[] = ['', 'probe (the run with the median p99 of each step):'];
  for (const s of probed) {
    const p = s.probe as ProbeFigures;
    lines.push(`${s.target} @ ${s.offered}/s:`);
    for (const t of p.threads) {
      const gc = Object.entries(t.gc)
        .map(([kind, g]) => `${kind} ${g.count}× total ${g.total_ms} ms max ${g.max_ms} ms`)
        .join(', ');
      lines.push(
        `  ${t.thread.padEnd(12)} loop delay p50/p99/p99.9/max ${t.loop_delay_ms.p50.toFixed(1)}/${t.loop_delay_ms.p99.toFixed(1)}/${t.loop_delay_ms.p999.toFixed(1)}/${t.loop_delay_ms.max.toFixed(1)} ms; ` +
          `stalls > 10 ms ${t.stalls.count}× (≥ 20 ms: ${t.stalls.over_20ms}) total ${t.stalls.total_ms} ms max ${t.stalls.max_ms} ms, ${t.stall_time_in_gc_percent}% of it in GC, ${t.stall_time_on_cpu_percent}% on CPU; ` +
          `ELU ${t.mean_elu_percent}%, CPU ${t.mean_cpu_percent}%; heap used/total peak ${t.peak_heap_used_mb}/${t.peak_heap_total_mb} MB; GC: ${gc || 'none'}` +
          (t.lock_waits.count > 0
            ? `; write-lock waits ${t.lock_waits.count}× total ${t.lock_waits.total_ms} ms max ${t.lock_waits.max_ms} ms`
            : '') +
          (t.restarts
            ? `; WAL RESTARTs (writes held) ${t.restarts.count}× total ${t.restarts.total_ms} ms max ${t.restarts.max_ms} ms`
            : ''),
      );
      if (t.thread === 'storage' && t.sql_per_order) {
        const total = t.sql_per_order.reduce((a, row) => a + row.us, 0);
        lines.push(
          `    SQLite per order stored ${total} µs: ${t.sql_per_order
            .slice(0, 8)
            .map((row) => `${row.us} µs ${row.sql.slice(0, 40)}… (${row.calls}×, max ${row.max_ms} ms)`)
            .join('; ')}`,
        );
      }
    }
    const classes = Object.entries(p.tail.classes)
      .map(([k, n]) => `${k} ${pct(n, p.tail.requests)}%`)
      .join(', ');
    const time = Object.entries(p.tail.time_percent)
      .map(([k, v]) => `${k} ${v}%`)
      .join(', ');
    lines.push(
      `  slowest 1% (${p.tail.requests} requests ≥ ${p.tail.p99_ms.toFixed(1)} ms), by the pause they spent most time in: ${classes}`,
      `  share of their latency inside: ${time}`,
      `  requests that overlapped no stall: ${p.unstalled.requests}, p99 ${fmt(p.unstalled.p99_ms, 1)} ms, p99.9 ${fmt(p.unstalled.p999_ms, 1)} ms`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

const steps = plan.map(({ target, rate }) => summarize(runs.get(`${target}@${rate}`) ?? []));
let sustainStep: Step | undefined;
if (SUSTAIN_RATE > 0) {
  process.stderr.write(`dofs @ ${SUSTAIN_RATE}/s for ${SUSTAIN_SECONDS} s …\n`);
  sustainStep = { ...(await dofsStep(SUSTAIN_RATE, 'compiled', SUSTAIN_SECONDS)), target: 'dofs, sustained' };
  steps.push(sustainStep);
}
printTable(steps);
printHistograms(steps);
printProbe(steps);
const ceilingSteps = steps.filter((s) => s.target === 'ceiling');
const ceiling = Math.max(0, ...ceilingSteps.map((s) => s.accepted_per_s));
// Saturated: its highest step answered less than was offered (else the ceiling is higher than measured).
const ceilingSaturated = ceilingSteps.some((s) => s.accepted_per_s < 0.95 * s.offered);
// Sustained: nothing lost and the backlog drained within 120 s of the load stopping (medians of the runs).
const sustained = steps.filter((s) => s.target.startsWith('dofs') && !s.target.includes('reference'));
const dofsBest = Math.max(
  0,
  ...sustained
    .filter((s) => s.lost === 0 && s.drain_s !== null)
    .map((s) => Math.min(s.accepted_per_s, s.completed_per_s ?? 0)),
);
process.stdout.write(
  `\nceiling ${ceiling.toFixed(0)}/s; DOFS sustained (accepted and completed, nothing lost) ${dofsBest.toFixed(0)}/s; ratio ${ceiling > 0 ? (dofsBest / ceiling).toFixed(2) : 'n/a (no ceiling step)'}; ${REPEAT} run(s) per step, medians, ${CONNECTIONS} connections\n`,
);

/** Issue 14's targets, each checked against this run's figures (a step not run: not checked). */
function targets(): { target: string; result: string; met: boolean | null }[] {
  const at = (rate: number) => steps.find((s) => s.target === 'dofs' && s.offered === rate);
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${v.toFixed(1)} ms`);
  const list: { target: string; result: string; met: boolean | null }[] = [];
  const p99 = (rate: number, limit: number) => {
    const s = at(rate);
    list.push({
      target: `accept p99 ≤ ${limit} ms at ${rate}/s offered`,
      result: s
        ? `${ms(s.accept_p99_ms)} (p99.9 ${ms(s.accept_p999_ms)}, max ${ms(s.accept_max_ms)})`
        : 'not run',
      met: s ? s.accept_p99_ms <= limit : null,
    });
  };
  p99(2000, 20);
  p99(4000, 50);
  const s2000 = at(2000);
  list.push({
    target: 'first-attempt end-to-end p99 ≤ 50 ms at 2000/s',
    result: s2000 ? ms(s2000.e2e_first_attempt_p99_ms) : 'not run',
    met: s2000?.e2e_first_attempt_p99_ms != null ? s2000.e2e_first_attempt_p99_ms <= 50 : null,
  });
  const held = sustainStep;
  if (held) {
    const rate = Math.min(held.accepted_per_s, held.completed_per_s ?? 0);
    const ok =
      held.lost === 0 && held.drain_s !== null && (held.unsent > 0 || held.accepted_per_s < held.offered);
    list.push({
      target: `sustained ≥ 0.45 × ceiling for ${held.seconds} s, saturated, nothing lost, bounded backlog`,
      result: `${rate.toFixed(0)}/s = ${ceiling > 0 ? (rate / ceiling).toFixed(2) : '?'} × ${ceiling.toFixed(0)}/s (ceiling ${ceilingSaturated ? 'saturated' : 'NOT saturated: offer it more'}); lost ${held.lost}; max backlog ${held.max_backlog}; DOFS ${ok ? 'saturated' : 'NOT saturated (offer more)'}`,
      met: ceiling > 0 && ok && ceilingSaturated ? rate >= 0.45 * ceiling : null,
    });
    list.push({
      target: `peak RSS ≤ 250 MB over the ${held.seconds} s saturated step`,
      result: `${held.peak_rss_mb.toFixed(0)} MB`,
      met: held.peak_rss_mb <= 250,
    });
  }
  return list;
}
const targetList = targets();
process.stdout.write(
  `\ntargets (issue 14):\n${targetList
    .map((t) => `  ${t.met === null ? '?' : t.met ? 'yes' : 'NO '}  ${t.target}: ${t.result}`)
    .join('\n')}\n`,
);
mkdirSync(join(BENCH_ROOT, 'bench/results'), { recursive: true });
const report = {
  date: new Date().toISOString(),
  quick,
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  settings: {
    step_seconds: STEP_SECONDS,
    warmup_seconds: WARMUP_SECONDS,
    repeat: REPEAT,
    connections: CONNECTIONS,
    dofs_flags: START_FLAGS,
  },
  steps,
  runs: Object.fromEntries(runs),
  ceiling_per_s: ceiling,
  ceiling_saturated: ceilingSaturated,
  dofs_sustained_per_s: dofsBest,
  ratio: dofsBest / ceiling,
  targets: targetList,
};
const name = OUT ?? (ROOT === BENCH_ROOT && !only && !rates ? (quick ? 'quick' : 'latest') : 'partial');
writeFileSync(
  join(BENCH_ROOT, 'bench/results', `${name}.json`),
  `${JSON.stringify({ ...report, root: ROOT }, null, 2)}\n`,
);
const colors = ['#7f7f7f', '#1f77b4', '#d62728', '#2ca02c'];
const ceiling2000 = steps.find((s) => s.target === 'ceiling' && s.offered === 2000);
const dofsForHistogram = steps.filter(
  (s) => s.target === 'dofs' && (s.offered === 2000 || s.offered === 4000),
);
const panels: PlotPanel[] = steps.map((s) => ({
  title: `${s.target} @ ${s.offered}/s: accept p50 ${fmt(s.accept_p50_ms, 1)} · p99 ${fmt(s.accept_p99_ms, 1)} · p99.9 ${fmt(s.accept_p999_ms, 0)} · max ${fmt(s.accept_max_ms, 0)} ms`,
  series: s.series,
  seconds: s.seconds,
  ...(s.probe ? { marks: s.probe.marks } : {}),
}));
writeFileSync(
  join(BENCH_ROOT, 'bench/results', `${name}.svg`),
  svg(
    `DOFS benchmark ${report.date}: ${REPEAT} run(s) per step${PROBE ? ', with the probe' : ''}`,
    panels,
    [...(ceiling2000 ? [ceiling2000] : []), ...dofsForHistogram].map((s, i) => ({
      label: `${s.target} @ ${s.offered}/s`,
      counts: s.histogram,
      color: colors[i % colors.length] as string,
    })),
  ),
);
process.stdout.write(`wrote bench/results/${name}.json and ${name}.svg\n`);
