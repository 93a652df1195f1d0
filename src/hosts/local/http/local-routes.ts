import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadRequestError } from '../../../core/errors.ts';
import { orderView } from '../../../core/order.ts';
import type { createOrderQueries } from '../../../core/order-queries.ts';
import { json } from '../../../handlers/http/error-response.ts';
import type { HttpRequest, HttpResponse } from '../../../handlers/http/http-types.ts';
import { type RouteSpec, ref } from '../../../handlers/http/routes.ts';
import type { AlarmStatus } from '../dlq-alarm.ts';
import { type MetricRecorder, SERIES_WINDOWS, type SeriesWindow } from '../metric-recorder.ts';
import type { Readiness } from '../readiness.ts';
import type { QueueHealthReport, QueueReport } from '../storage-protocol.ts';

const WEB = new URL('../../../../web/', import.meta.url);
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * The dashboard's files (every .html, .js and .css in web/, index.html at `/`) and the charting library's,
 * from its npm package: the page loads nothing from elsewhere.
 */
let cachedFiles: Map<string, { type: string; body: string }> | undefined;
function staticFiles(): Map<string, { type: string; body: string }> {
  if (cachedFiles) return cachedFiles;
  const sources: [path: string, file: string][] = [
    ...readdirSync(fileURLToPath(WEB))
      .filter((name) => extname(name) in TYPES)
      .map((name): [string, string] => [
        name === 'index.html' ? '/' : `/${name}`,
        fileURLToPath(new URL(name, WEB)),
      ]),
    ['/vendor/uPlot.esm.js', fileURLToPath(import.meta.resolve('uplot/dist/uPlot.esm.js'))],
    ['/vendor/uPlot.min.css', fileURLToPath(import.meta.resolve('uplot/dist/uPlot.min.css'))],
  ];
  cachedFiles = new Map(
    sources.map(([path, file]) => [
      path,
      { type: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file, 'utf8') },
    ]),
  );
  return cachedFiles;
}

/** The paths of the dashboard's files: a browser loads them without the API key, so they are public. */
export function dashboardFilePaths(): string[] {
  return [...staticFiles().keys()];
}

/** The local host's paths that are not API routes (for the request metrics' route label). */
export const LOCAL_PAGES = [...dashboardFilePaths(), '/dashboard/data', '/metrics'];
const DAY_MS = 24 * 60 * 60_000;

function seriesWindow(query: URLSearchParams): SeriesWindow {
  const raw = query.get('window') ?? '10m';
  if (!Object.hasOwn(SERIES_WINDOWS, raw)) {
    throw new BadRequestError(`window must be one of ${Object.keys(SERIES_WINDOWS).join(', ')}`);
  }
  return raw as SeriesWindow;
}

function queueView(queue: QueueReport) {
  const { consumer } = queue;
  return {
    visible: queue.visible,
    in_flight: queue.inFlight,
    oldest_age_ms: queue.oldestAgeMs,
    consumer: {
      batches: consumer.batches,
      records: consumer.records,
      failed_records: consumer.failedRecords,
      in_flight_batches: consumer.inFlightBatches,
      concurrency: consumer.concurrency,
      last_batch_at: consumer.lastBatchAt === null ? null : new Date(consumer.lastBatchAt).toISOString(),
    },
  };
}
const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

const readinessCheck = {
  type: 'object',
  required: ['ok', 'detail'],
  properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
  additionalProperties: false,
};
const readiness = {
  type: 'object',
  required: ['status', 'checks', 'alarm'],
  properties: {
    status: { enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      required: ['storage_thread', 'database', 'serving'],
      properties: { storage_thread: readinessCheck, database: readinessCheck, serving: readinessCheck },
      additionalProperties: false,
    },
    alarm: ref('Alarm'),
  },
  additionalProperties: false,
};

/**
 * The API routes only the local host has, documented in its /openapi.json (the AWS host's document, and
 * API Gateway's routes, come from API_ROUTES alone).
 */
export const LOCAL_API_ROUTES = [
  {
    operationId: 'ready',
    method: 'GET',
    path: '/ready',
    summary: 'Readiness: the storage thread answers, the database takes a write, not shutting down',
    public: true,
    responses: {
      '200': {
        description: 'Ready for traffic (the alarm is reported, not judged).',
        content: { 'application/json': { schema: readiness } },
      },
      '503': {
        description: 'Not ready: the failing check says why.',
        content: { 'application/json': { schema: readiness } },
      },
    },
  },
] as const satisfies readonly RouteSpec[];

/** The local host's own routes: readiness, the dashboard, its data, and Prometheus metrics. */
export function createLocalRoutes(deps: {
  queries: ReturnType<typeof createOrderQueries>;
  queueHealth: () => Promise<QueueHealthReport>;
  alarm: () => Promise<AlarmStatus>;
  recorder: Pick<MetricRecorder, 'series' | 'totals'>;
  metricsText: () => Promise<{ contentType: string; body: string }>;
  ready: () => Promise<Readiness>;
}) {
  const files = staticFiles();

  return async function localRoutes(request: HttpRequest): Promise<HttpResponse | undefined> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const file = files.get(request.path);
    if (file)
      return { status: 200, headers: { ...PAGE_HEADERS, 'content-type': file.type }, body: file.body };
    if (request.path === '/ready') {
      const readiness = await deps.ready();
      return json(readiness.status === 'ready' ? 200 : 503, readiness);
    }
    if (request.path === '/metrics') {
      const { contentType, body } = await deps.metricsText();
      return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
    }
    if (request.path === '/dashboard/data') {
      const window = seriesWindow(request.query);
      const [counts, health, alarm, recent, series, day] = await Promise.all([
        deps.queries.counts(),
        deps.queueHealth(),
        deps.alarm(),
        deps.queries.listOrders({ limit: 20 }),
        deps.recorder.series(window),
        deps.recorder.totals(DAY_MS),
      ]);
      return json(200, {
        orders: counts.byStatus,
        failed_orders: counts.failedOrders,
        queues: { order_queue: queueView(health.order_queue), order_dlq: queueView(health.order_dlq) },
        retrying_orders: health.retryingOrders,
        last_24h: day,
        alarm,
        series: { window, ...series },
        recent: recent.items.map(orderView),
      });
    }
    return undefined;
  };
}
