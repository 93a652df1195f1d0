import { createHash, timingSafeEqual } from 'node:crypto';
import { json } from '../../../handlers/http/error-response.ts';
import type { HttpRequest, HttpResponse } from '../../../handlers/http/http-types.ts';

/**
 * Routes anyone may call when an API key is set: liveness and readiness (probes carry no key), the
 * dashboard's page and the API document (and the dashboard's other files, given as `publicFiles`: a browser
 * loads them without the key).
 */
const PUBLIC = new Set([
  'GET /health',
  'GET /ready',
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
  /**
   * Host names (lower case, no port; IPv6 in brackets) the Host header may carry; undefined: any. For a
   * server bound to loopback this stops DNS rebinding: a page on attacker.example that resolves to 127.0.0.1
   * still sends `Host: attacker.example`.
   */
  allowedHosts?: readonly string[];
  /** More paths that GET may read without the key: the dashboard's static files. */
  publicFiles?: readonly string[];
  /** Failed API key checks per second per client (burst ten times that); past it, wrong keys get 429. */
  authFailuresPerSecond?: number;
  now?: () => number;
  /** Clients tracked at most; the least recently seen is forgotten first. */
  maxClients?: number;
}

/** The host name of a Host header: no port, lower case; `[::1]:3000` → `[::1]`. */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  return lower.split(':')[0] ?? '';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a state-changing request comes from a page of another site. Browsers say where a request comes
 * from (Sec-Fetch-Site; Origin on every POST) and a cross-site page cannot remove either; a request without
 * them is not a browser's (the CLI, curl), and a page can only reach us through a browser.
 */
function crossSite(request: HttpRequest): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `sec-fetch-site is ${site}`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `origin ${origin.slice(0, 100)}`;
  }
  return originHost !== '' && originHost === request.headers.host?.trim().toLowerCase()
    ? undefined
    : `origin ${origin.slice(0, 100)}`;
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
  const allowedHosts = options.allowedHosts ? new Set(options.allowedHosts) : undefined;
  const publicRoutes = new Set([...PUBLIC, ...(options.publicFiles ?? []).map((path) => `GET ${path}`)]);
  const maxClients = options.maxClients ?? 10_000;
  const requests = tokenBuckets(options.ratePerSecond, options.ratePerSecond * 2, maxClients, now);
  const authFailureRate = options.authFailuresPerSecond ?? 1;
  const authFailures = tokenBuckets(authFailureRate, authFailureRate * 10, maxClients, now);

  const tooMany = (message: string, wait: number) =>
    json(429, { error: { code: 'TooManyRequests', message } }, { 'retry-after': String(wait) });

  return function guard(request: HttpRequest, client: string): HttpResponse | undefined {
    const route = `${request.method} ${request.path}`;
    const host = request.headers.host;
    if (allowedHosts && host !== undefined && !allowedHosts.has(hostName(host))) {
      return json(403, {
        error: {
          code: 'Forbidden',
          message: `host ${host.slice(0, 100)} is not one this server answers to (DOFS_ALLOWED_HOSTS)`,
        },
      });
    }
    const foreign = crossSite(request);
    if (foreign) {
      return json(403, {
        error: { code: 'Forbidden', message: `cross-site request refused (${foreign})` },
      });
    }
    if (options.ratePerSecond > 0) {
      const wait = requests.take(client);
      if (wait !== undefined)
        return tooMany(`rate limit of ${options.ratePerSecond} requests/s exceeded`, wait);
    }
    if (expected && !publicRoutes.has(route)) {
      const given = request.headers['x-api-key'];
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        // Past a small burst, wrong keys are answered 429 + Retry-After. The right key is always served:
        // every local client shares 127.0.0.1, so a lock-out would let any local process shut the operator
        // out; guessing a key of 16 or more random characters is hopeless anyway.
        const wait = authFailures.take(client);
        if (wait !== undefined)
          return tooMany('too many requests with a missing or invalid x-api-key; wait before retrying', wait);
        return json(401, { error: { code: 'Unauthorized', message: 'missing or invalid x-api-key header' } });
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

/** Token buckets per client, refilled at `rate` per second up to `capacity`; the map is bounded. */
function tokenBuckets(rate: number, capacity: number, maxClients: number, now: () => number) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  // The client seen last, which is already last in the map: most requests come from the client before them
  // (on the local host, all of them from 127.0.0.1), and re-inserting a Map entry per request costs.
  let newest: string | undefined;

  function refill(client: string) {
    const t = now();
    let bucket = buckets.get(client);
    if (!bucket || newest !== client) {
      bucket ??= { tokens: capacity, at: t };
      buckets.delete(client); // re-inserted: Map order is least recently seen first
      buckets.set(client, bucket);
      newest = client;
      if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value as string);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((t - bucket.at) / 1000) * rate);
    bucket.at = t;
    return bucket;
  }
  const wait = (tokens: number) => Math.max(1, Math.ceil((1 - tokens) / rate));

  return {
    /** Takes a token; answers the seconds to wait when there was none. */
    take(client: string): number | undefined {
      const bucket = refill(client);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      return wait(bucket.tokens);
    },
  };
}

/** Whether an address to listen on is this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The Host header values the server answers to. Bound to loopback, only loopback names (and
 * DOFS_ALLOWED_HOSTS): a web page that rebinds its own name to 127.0.0.1 still sends that name, so it cannot
 * read the API. Bound to another address, DOFS_ALLOWED_HOSTS if set, else any (set DOFS_API_KEY there).
 */
export function allowedHosts(
  host: string,
  configured: readonly string[] | undefined,
): { allowedHosts?: string[] } {
  const listed = configured ?? [];
  if (listed.includes('*')) return {};
  const own = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  if (isLoopback(host)) return { allowedHosts: ['localhost', '127.0.0.1', '[::1]', own, ...listed] };
  return configured ? { allowedHosts: [own.toLowerCase(), ...listed] } : {};
}
