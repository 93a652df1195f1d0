import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../core/ports.ts';
import { errorResponse, json } from './error-response.ts';
import { type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from './http-types.ts';

class BodyTooLarge extends Error {}

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
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse, close = false): void {
  res.writeHead(response.status, close ? { ...response.headers, connection: 'close' } : response.headers);
  res.end(response.body);
}

/** Serves the HTTP app with node:http: bounded bodies, and a tracked set of requests for graceful shutdown. */
export function createNodeServer(
  handle: (request: HttpRequest) => Promise<HttpResponse>,
  logger: Logger,
  guard?: (request: HttpRequest, client: string) => HttpResponse | undefined,
): Server {
  // requestTimeout and headersTimeout bound slow clients: a request that cannot finish in 30 s is dropped.
  return createServer(
    { keepAliveTimeout: 5000, requestTimeout: 30_000, headersTimeout: 10_000 },
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      let body: string | undefined;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        try {
          body = await readBody(req);
        } catch (error) {
          if (error instanceof BodyTooLarge) {
            send(
              res,
              json(413, {
                error: { code: 'PayloadTooLarge', message: `body is larger than ${MAX_BODY_BYTES} bytes` },
              }),
              true,
            );
          } else {
            send(res, errorResponse(error, logger), true);
          }
          return;
        }
      }
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body,
      };
      // The guard runs before any route: the key, the rate limit and the overload bound (local host only).
      const refusal = guard?.(request, req.socket.remoteAddress ?? 'unknown');
      send(res, refusal ?? (await handle(request)));
    },
  );
}
