import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../../../core/ports.ts';
import { errorResponse, json } from '../../../handlers/http/error-response.ts';
import { type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from '../../../handlers/http/http-types.ts';
import type { Answer } from './http-telemetry.ts';

class BodyTooLarge extends Error {}
/** The client went away (aborted, or cut off by the request timeout) before its body was in. */
class ClientGone extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (error) => reject(new ClientGone(error.message)));
    req.on('close', () => {
      if (!req.complete) reject(new ClientGone('closed before the body ended'));
    });
  });
}

function send(res: ServerResponse, response: HttpResponse, close = false): void {
  if (res.destroyed) return;
  res.writeHead(response.status, close ? { ...response.headers, connection: 'close' } : response.headers);
  res.end(response.body);
}

/** Whether a request has a body still to come (which a refusal leaves unread, closing the connection). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const OVER_CAPACITY_BODY = JSON.stringify({
  error: { code: 'Overloaded', message: 'too many open connections; retry later' },
});
const OVER_CAPACITY = [
  'HTTP/1.1 503 Service Unavailable',
  'content-type: application/json; charset=utf-8',
  'cache-control: no-store',
  'retry-after: 1',
  'connection: close',
  `content-length: ${Buffer.byteLength(OVER_CAPACITY_BODY)}`,
  '',
  OVER_CAPACITY_BODY,
].join('\r\n');

/** A path of plain segments (no dot segment, escape or query) is its own pathname: no URL to parse. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_-]+)+$/;
/** The query of a request without one; handlers only read it. */
const NO_QUERY = new URLSearchParams();

function target(url: string): Pick<HttpRequest, 'path' | 'query'> {
  if (PLAIN_PATH.test(url)) return { path: url, query: NO_QUERY };
  const parsed = new URL(url, 'http://localhost');
  return { path: parsed.pathname, query: parsed.searchParams };
}

/** node:http's headers as strings: only set-cookie comes as an array, and only then is a copy made. */
function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const raw = req.headers;
  if (raw['set-cookie'] === undefined) return raw as Record<string, string | undefined>;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

export interface NodeServerOptions {
  /** Open connections at most; one more is answered 503 + Retry-After and closed before anything is read. */
  maxConnections?: number;
  /** A request that cannot finish in this time is cut off (408). */
  requestTimeoutMs?: number;
  /** Told of every answer sent (not of clients that went away unanswered, nor of refused connections). */
  onAnswer?: (answer: Answer) => void;
}

/**
 * Serves the HTTP app with node:http: bounded bodies, a bounded number of connections, and a guard that
 * runs on the headers, before any body is read (so an unauthenticated or refused request costs no body).
 */
export function createNodeServer(
  handle: (request: HttpRequest) => Promise<HttpResponse>,
  logger: Logger,
  guard?: (request: HttpRequest, client: string) => HttpResponse | undefined,
  options: NodeServerOptions = {},
): Server {
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  // requestTimeout and headersTimeout bound slow clients: a request that cannot finish in time is dropped.
  const server = createServer(
    {
      keepAliveTimeout: 5000,
      requestTimeout,
      headersTimeout: Math.min(10_000, requestTimeout),
      // How often the timeouts are checked (node's default, 30 s, let a 30 s timeout run to a minute).
      connectionsCheckingInterval: Math.max(250, Math.min(5000, requestTimeout / 4)),
    },
    async (req, res) => {
      if (refused.has(req.socket)) return;
      const arrived = performance.now();
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        ...target(req.url ?? '/'),
        headers: headersOf(req),
        body: undefined,
      };
      // The guard runs before any route and before the body: the host and origin checks, the key, the
      // rate limits and the overload bound (local host only).
      const client = req.socket.remoteAddress ?? 'unknown';
      const answer = (response: HttpResponse, close = false) => {
        send(res, response, close);
        options.onAnswer?.({
          request,
          client,
          status: response.status,
          body: response.body,
          ms: performance.now() - arrived,
        });
      };
      const refusal = guard?.(request, client);
      if (refusal) {
        answer(refusal, hasBody(req));
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        try {
          request.body = await readBody(req);
        } catch (error) {
          if (error instanceof BodyTooLarge) {
            answer(
              json(413, {
                error: { code: 'PayloadTooLarge', message: `body is larger than ${MAX_BODY_BYTES} bytes` },
              }),
              true,
            );
          } else if (error instanceof ClientGone) {
            // Nobody to answer: an ordinary event (a client gave up, or the request timeout cut it off).
            logger.debug('client went away before its body was read', { reason: error.message });
          } else {
            answer(errorResponse(error, logger), true);
          }
          return;
        }
      }
      answer(await handle(request));
    },
  );
  // The connection cap: checked when a connection opens, before node:http reads from it. Past it, the client
  // is told to come back (503 + Retry-After) rather than dropped, and nothing it sends is read.
  const maxConnections = options.maxConnections ?? Number.POSITIVE_INFINITY;
  const refused = new WeakSet<Socket>();
  let open = 0;
  server.prependListener('connection', (socket: Socket) => {
    if (open >= maxConnections) {
      refused.add(socket);
      socket.on('error', () => undefined);
      socket.end(OVER_CAPACITY);
      socket.destroySoon();
      return;
    }
    open += 1;
    socket.once('close', () => {
      open -= 1;
    });
  });
  return server;
}
