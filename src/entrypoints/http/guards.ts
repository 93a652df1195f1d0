import { createHash, timingSafeEqual } from 'node:crypto';
import { json } from './error-response.ts';
import type { HttpRequest, HttpResponse } from './http-types.ts';

/** Routes anyone may call when an API key is set: liveness, the dashboard's static files, the API document. */
const PUBLIC = new Set([
  'GET /health',
  'GET /',
  'GET /dashboard.js',
  'GET /dashboard.css',
  'GET /openapi.json',
]);
const ORDER_WRITES = new Set(['POST /order', 'POST /orders']);

export interface GuardOptions {
  /** DOFS_API_KEY: when set, every other route needs `x-api-key` equal to it. */
  apiKey?: string;
  /** DOFS_RATE_LIMIT_PER_S: requests per second per client (burst twice that); 0 disables. */
  ratePerSecond: number;
  /** DOFS_MAX_BACKLOG: visible messages in order_queue past which new orders get 503. */
  maxBacklog: number;
  /** The current backlog (cached by the caller: this runs on every request). */
  backlog: () => number;
  now?: () => number;
  /** Clients tracked at most; the least recently seen is forgotten first. */
  maxClients?: number;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The local host's front door, checked before any route: the API key (compared in constant time), a
 * token bucket per client address, and the overload bound on new orders. Each refusal says why and, where
 * waiting helps, when to come back (Retry-After).
 */
export function createGuards(options: GuardOptions) {
  const now = options.now ?? (() => performance.now());
  const expected = options.apiKey ? digest(options.apiKey) : undefined;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const capacity = options.ratePerSecond * 2;
  const maxClients = options.maxClients ?? 10_000;

  function rateLimited(client: string): number | undefined {
    const t = now();
    const bucket = buckets.get(client) ?? { tokens: capacity, at: t };
    buckets.delete(client); // re-inserted below: Map order is least recently seen first
    bucket.tokens = Math.min(capacity, bucket.tokens + ((t - bucket.at) / 1000) * options.ratePerSecond);
    bucket.at = t;
    let wait: number | undefined;
    if (bucket.tokens >= 1) bucket.tokens -= 1;
    else wait = Math.max(1, Math.ceil((1 - bucket.tokens) / options.ratePerSecond));
    buckets.set(client, bucket);
    if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value as string);
    return wait;
  }

  return function guard(request: HttpRequest, client: string): HttpResponse | undefined {
    const route = `${request.method} ${request.path}`;
    if (expected && !PUBLIC.has(route)) {
      const given = request.headers['x-api-key'];
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        return json(401, { error: { code: 'Unauthorized', message: 'missing or invalid x-api-key header' } });
      }
    }
    if (options.ratePerSecond > 0) {
      const wait = rateLimited(client);
      if (wait !== undefined) {
        return json(
          429,
          {
            error: {
              code: 'TooManyRequests',
              message: `rate limit of ${options.ratePerSecond} requests/s exceeded`,
            },
          },
          { 'retry-after': String(wait) },
        );
      }
    }
    if (ORDER_WRITES.has(route) && options.backlog() > options.maxBacklog) {
      return json(
        503,
        {
          error: {
            code: 'Overloaded',
            message: 'the fulfilment backlog is full; retry later with the same order_id',
          },
        },
        { 'retry-after': '2' },
      );
    }
    return undefined;
  };
}
