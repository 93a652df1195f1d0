import { json } from '../../../handlers/http/error-response.ts';
import type { HttpRequest, HttpResponse } from '../../../handlers/http/http-types.ts';

const LIST_PATHS = new Set(['/orders', '/failed-orders']);

/** A list read: the one kind of request whose cost grows with what it asks for. */
export function isListRead(request: HttpRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && LIST_PATHS.has(request.path);
}

/**
 * Serves at most `max` list reads at once; one more is answered 503 + Retry-After at once, never queued.
 * Pages are bounded in bytes (MAX_PAGE_BYTES); this bounds how many are built at the same time, so a storm of
 * large reads cannot take the memory, nor the storage thread's turns, that intake and /health need.
 */
export function limitListReads(
  handle: (request: HttpRequest) => Promise<HttpResponse>,
  max: number,
): (request: HttpRequest) => Promise<HttpResponse> {
  let active = 0;
  return async (request) => {
    if (!isListRead(request)) return handle(request);
    if (active >= max) {
      return json(
        503,
        { error: { code: 'Overloaded', message: `${max} list reads are in progress; retry shortly` } },
        { 'retry-after': '1' },
      );
    }
    active += 1;
    try {
      return await handle(request);
    } finally {
      active -= 1;
    }
  };
}
