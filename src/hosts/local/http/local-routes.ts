import { readFileSync } from 'node:fs';
import type { SeriesPoint } from '../../../adapters/prometheus/prometheus-metrics.ts';
import { orderView } from '../../../core/order.ts';
import type { createOrderQueries } from '../../../core/order-queries.ts';
import type { QueueDepth } from '../../../core/ports.ts';
import { json } from '../../../handlers/http/error-response.ts';
import type { HttpRequest, HttpResponse } from '../../../handlers/http/http-types.ts';
import { type RouteSpec, ref } from '../../../handlers/http/routes.ts';
import type { AlarmStatus } from '../dlq-alarm.ts';
import type { Readiness } from '../readiness.ts';

const WEB = new URL('../../../../web/', import.meta.url);
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
};
/** The local host's paths that are not API routes (for the request metrics' route label). */
export const LOCAL_PAGES = [...Object.keys(STATIC), '/dashboard/data', '/metrics'];
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
  depths: () => Promise<Record<string, QueueDepth>>;
  alarm: () => Promise<AlarmStatus>;
  series: () => SeriesPoint[];
  metricsText: () => Promise<{ contentType: string; body: string }>;
  ready: () => Promise<Readiness>;
}) {
  const files = new Map(
    Object.entries(STATIC).map(([path, { file, type }]) => [
      path,
      { type, body: readFileSync(new URL(file, WEB), 'utf8') },
    ]),
  );

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
      const [counts, queues, alarm, recent, failed] = await Promise.all([
        deps.queries.counts(),
        deps.depths(),
        deps.alarm(),
        deps.queries.listOrders({ limit: 20 }),
        deps.queries.listFailedOrders({ limit: 20 }),
      ]);
      return json(200, {
        orders: counts.byStatus,
        failed_orders: counts.failedOrders,
        queues,
        alarm,
        series: deps.series(),
        recent: recent.items.map(orderView),
        failed: failed.items,
      });
    }
    return undefined;
  };
}
