import { DofsError, OrderInvalidError, TransientError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { HttpResponse } from './http-types.ts';

export const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The one place errors become HTTP responses. Errors under 500 show their message (they describe the
 * request); anything else is logged and answered without internals.
 */
export function errorResponse(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof OrderInvalidError) {
    return json(400, { error: { code: error.name, message: error.message, fields: error.errors } });
  }
  if (error instanceof TransientError) {
    logger.warn('request failed on a transient error', { error: error.message });
    return json(
      503,
      { error: { code: 'ServiceUnavailable', message: error.message } },
      {
        'retry-after': String(error.retryAfterSeconds),
      },
    );
  }
  if (error instanceof DofsError && error.status < 500) {
    return json(error.status, { error: { code: error.name, message: error.message } });
  }
  logger.error('unhandled error', {
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return json(500, { error: { code: 'InternalError', message: 'internal error' } });
}
