import { readFileSync } from 'node:fs';
import type { SeriesPoint } from '../../../adapters/prometheus/prometheus-metrics.ts';
import { orderView } from '../../../core/order.ts';
import type { createOrderQueries } from '../../../core/order-queries.ts';
import type { QueueDepth } from '../../../core/ports.ts';
import { json } from '../../../handlers/http/error-response.ts';
import type { HttpRequest, HttpResponse } from '../../../handlers/http/http-types.ts';
import type { AlarmStatus } from '../dlq-alarm.ts';

const WEB = new URL('../../../../web/', import.meta.url);
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
};
const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

/** The local host's own routes: the dashboard, its data, and Prometheus metrics. */
export function createLocalRoutes(deps: {
  queries: ReturnType<typeof createOrderQueries>;
  depths: () => Promise<Record<string, QueueDepth>>;
  alarm: () => Promise<AlarmStatus>;
  series: () => SeriesPoint[];
  metricsText: () => Promise<{ contentType: string; body: string }>;
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
