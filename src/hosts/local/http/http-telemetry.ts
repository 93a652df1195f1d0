import type { Logger } from '../../../core/ports.ts';
import type { HttpRequest } from '../../../handlers/http/http-types.ts';
import { pathPattern } from '../../../handlers/http/routes.ts';

/** One answer the server sent. */
export interface Answer {
  request: HttpRequest;
  /** The client's address. */
  client: string;
  status: number;
  /** The response body (errors are JSON: `{"error":{"code","message"}}`). */
  body: string;
  /** From the request's arrival to the answer. */
  ms: number;
}

/** Where answers are counted (the Prometheus metrics). */
export interface HttpRequestMetrics {
  httpRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Error lines per second at most; past it they are counted and summed up in one line (a flood of 429s). */
export const ERROR_LINES_PER_SECOND = 100;

/**
 * A path's route template (`/orders/abc` → `/orders/{order_id}`) among `templates`, or `unmatched`: labels of
 * bounded cardinality, whatever paths clients send.
 */
export function routeLabeler(templates: readonly string[]): (path: string) => string {
  const exact = new Set(templates.filter((t) => !t.includes('{')));
  const patterns = templates
    .filter((t) => t.includes('{'))
    .map((t) => ({ template: t, pattern: pathPattern(t).pattern }));
  return (path) => {
    if (exact.has(path)) return path;
    return patterns.find(({ pattern }) => pattern.test(path))?.template ?? 'unmatched';
  };
}

/** The error code and message of an error body, as log fields (`error` holds the message). */
function errorOf(body: string): { code?: string; error?: string } {
  try {
    const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    return {
      ...(typeof error?.code === 'string' ? { code: error.code } : {}),
      ...(typeof error?.message === 'string' ? { error: error.message.slice(0, 300) } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * What the local host records of every answer: a count and a duration by method, route and status for
 * /metrics, and one log line per 4xx (info) or 5xx (503 at warn, the rest at error) answer, with the route,
 * the status and the error's code and message, at most ERROR_LINES_PER_SECOND a second.
 */
export function createHttpTelemetry(deps: {
  logger: Logger;
  metrics: HttpRequestMetrics;
  routes: readonly string[];
  now?: () => number;
}) {
  const label = routeLabeler(deps.routes);
  const now = deps.now ?? Date.now;
  let second = 0;
  let lines = 0;
  let suppressed = 0;

  const reportSuppressed = () => {
    if (suppressed === 0) return;
    deps.logger.warn('error answers not logged: over the limit of lines a second', {
      suppressed,
      limit_per_s: ERROR_LINES_PER_SECOND,
    });
    suppressed = 0;
  };

  return function record(answer: Answer): void {
    const method = METHODS.has(answer.request.method) ? answer.request.method : 'other';
    const route = label(answer.request.path);
    deps.metrics.httpRequest({ method, route, status: answer.status }, answer.ms / 1000);
    if (answer.status < 400) return;
    const current = Math.floor(now() / 1000);
    if (current !== second) {
      reportSuppressed();
      second = current;
      lines = 0;
    }
    if (lines >= ERROR_LINES_PER_SECOND) {
      if (suppressed === 0) setTimeout(reportSuppressed, 1000).unref();
      suppressed += 1;
      return;
    }
    lines += 1;
    const fields = {
      method: answer.request.method.slice(0, 16),
      route,
      path: answer.request.path.slice(0, 200),
      status: answer.status,
      ...errorOf(answer.body),
      ms: Math.round(answer.ms * 10) / 10,
      client: answer.client,
    };
    const message = 'request answered with an error';
    if (answer.status < 500) deps.logger.info(message, fields);
    else if (answer.status === 503) deps.logger.warn(message, fields);
    else deps.logger.error(message, fields);
  };
}
