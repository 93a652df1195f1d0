import { BadRequestError, DofsError, OrderInvalidError, TransientError } from '../../core/errors.ts';
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

/** The body's media type or charset is not JSON in UTF-8. */
export class UnsupportedMediaTypeError extends DofsError {
  constructor(message: string) {
    super('UnsupportedMediaType', message);
  }
}

export class PayloadTooLargeError extends DofsError {
  constructor(message: string) {
    super('PayloadTooLarge', message);
  }
}

export class MethodNotAllowedError extends DofsError {
  constructor(allowed: string[]) {
    super('MethodNotAllowed', `method not allowed; use ${allowed.join(' or ')}`);
  }
}

/**
 * The HTTP status of each error the API answers with its own message, by the error's stable name. The core
 * knows nothing of HTTP; this table is the only place its errors meet status codes.
 */
export const HTTP_STATUS_OF_ERROR: Readonly<Record<string, number>> = {
  OrderInvalid: 400,
  BadRequest: 400,
  OrderNotFound: 404,
  MethodNotAllowed: 405,
  OrderConflict: 409,
  InvalidTransition: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
};

/**
 * The one place errors become HTTP responses. Errors with a status in the table above show their message
 * (they describe the request); a TransientError is 503 + Retry-After; anything else is logged and answered
 * 500 without internals.
 */
export function errorResponse(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof OrderInvalidError) {
    return json(400, { error: { code: error.name, message: error.message, fields: error.errors } });
  }
  if (error instanceof BadRequestError && error.fields) {
    return json(400, { error: { code: error.name, message: error.message, fields: error.fields } });
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
  const status = error instanceof DofsError ? HTTP_STATUS_OF_ERROR[error.name] : undefined;
  if (status !== undefined) {
    return json(status, {
      error: { code: (error as DofsError).name, message: (error as DofsError).message },
    });
  }
  logger.error('unhandled error', {
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return json(500, { error: { code: 'InternalError', message: 'internal error' } });
}
