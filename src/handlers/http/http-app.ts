import { BadRequestError } from '../../core/errors.ts';
import { orderView, type ParseResult } from '../../core/order.ts';
import { MAX_ORDER_EVENTS } from '../../core/order-history.ts';
import type { createOrderQueries } from '../../core/order-queries.ts';
import { parseFailedOrderSearch, parseOrderSearch } from '../../core/order-search.ts';
import type { Logger, OrderMetrics } from '../../core/ports.ts';
import type { createRedriveOrders } from '../../core/redrive-orders.ts';
import type { SubmitOrderResult } from '../../core/submit-order.ts';
import {
  errorResponse,
  json,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from './error-response.ts';
import { type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from './http-types.ts';
import { openApiDocument } from './openapi.ts';
import { API_ROUTES, type OperationId, type RouteSpec, routeMatcher } from './routes.ts';

export interface HttpAppDeps {
  submitOrder: (body: unknown) => Promise<SubmitOrderResult>;
  queries: ReturnType<typeof createOrderQueries>;
  redrive: ReturnType<typeof createRedriveOrders>;
  health: () => Promise<Record<string, unknown>>;
  logger: Logger;
  metrics?: OrderMetrics;
  /** Extra routes a host adds (the local host's /ready, /metrics and dashboard); tried after the API's own. */
  extraRoutes?: (request: HttpRequest) => Promise<HttpResponse | undefined>;
  /** The API routes among `extraRoutes`, documented in /openapi.json with the API's own. */
  extraRouteSpecs?: readonly RouteSpec[];
}

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.!#$&^_-]+\+)?json$/;

/**
 * A body must say it is JSON, in UTF-8 (RFC 8259), before it is read as JSON. Browsers let any web page send
 * a cross-site form or no-cors fetch only as form data or text/plain (or with no type at all), so taking those
 * as JSON would let any page the operator visits place orders; a charset we would ignore is refused too.
 */
/** What nearly every client sends: accepted without taking the header apart. */
const PLAIN_JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);

function checkJsonContentType(type: string | undefined): void {
  if (type !== undefined && PLAIN_JSON_TYPES.has(type)) return;
  if (type === undefined || type.trim() === '') {
    throw new UnsupportedMediaTypeError('content-type is required: send application/json');
  }
  const [mediaType = '', ...parameters] = type.split(';').map((part) => part.trim());
  if (!JSON_MEDIA_TYPE.test(mediaType.toLowerCase())) {
    throw new UnsupportedMediaTypeError(`content-type must be application/json, not ${type.slice(0, 100)}`);
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
    if (name.toLowerCase() !== 'charset') continue;
    if (value.replace(/^"(.*)"$/, '$1').toLowerCase() !== 'utf-8') {
      throw new UnsupportedMediaTypeError(`charset must be utf-8, not ${value.slice(0, 40)}`);
    }
  }
}

function parseJsonBody(request: HttpRequest): unknown {
  checkJsonContentType(request.headers['content-type']);
  const body = request.body ?? '';
  // A string of n UTF-16 units is at most 3n bytes of UTF-8: most bodies need no count.
  if (body.length > MAX_BODY_BYTES / 3 && Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (body.trim() === '') throw new BadRequestError('body is empty; send a JSON order');
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new BadRequestError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

/** A path segment, percent-decoded; a malformed escape (`%`, `%ZZ`) is the client's mistake, not a 500. */
function pathParameter(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch {
    throw new BadRequestError('the path is not valid percent-encoding');
  }
}

/**
 * The query as one value per parameter. A parameter given twice is refused: which one would count is a
 * guess (Node takes the first, API Gateway's single-value map the last).
 */
function queryOf(query: URLSearchParams): Record<string, string> {
  // No prototype: a parameter named __proto__ is a parameter like any other (and reported as unknown).
  const values: Record<string, string> = Object.create(null);
  for (const [name, value] of query) {
    if (Object.hasOwn(values, name)) throw new BadRequestError(`${name} is given more than once`);
    values[name] = value;
  }
  return values;
}

/** The value of a parsed query, or a 400 that lists every parameter that failed. */
function validQuery<T>(parsed: ParseResult<T>): T {
  if (parsed.ok) return parsed.value;
  throw new BadRequestError(parsed.errors.map((e) => e.message).join('; '), parsed.errors);
}

/**
 * The DOFS HTTP API as a plain function from request to response. The local node:http server and the
 * API Gateway Lambda both serve it, so both hosts answer every route the same way.
 */
export function createHttpApp(deps: HttpAppDeps) {
  const { queries, redrive } = deps;
  const openApi = openApiDocument(undefined, deps.extraRouteSpecs);

  type Handler = (request: HttpRequest, params: Record<string, string>) => Promise<HttpResponse>;
  // One handler per route of the table; the compiler refuses a route without one.
  const handlers: Record<OperationId, Handler> = {
    post_order: (request) => submit(request),
    post_orders: (request) => submit(request),
    list_orders: async ({ query }) => {
      const page = await queries.listOrders(validQuery(parseOrderSearch(queryOf(query))));
      return json(200, { items: page.items.map(orderView), cursor: page.cursor ?? null });
    },
    get_order: async (_, { order_id }) =>
      json(200, orderView(await queries.getOrder(pathParameter(order_id)))),
    get_history: async ({ query }, { order_id }) => {
      const unknown = [...new Set(query.keys())];
      if (unknown.length > 0)
        throw new BadRequestError(`${unknown.join(', ')}: this route takes no query parameters`);
      const orderId = pathParameter(order_id);
      const history = await queries.orderHistory(orderId);
      return json(200, { order_id: orderId, ...history, max_events: MAX_ORDER_EVENTS });
    },
    list_failed: async ({ query }) => {
      const search = validQuery(parseFailedOrderSearch(queryOf(query)));
      const [page, summary] = await Promise.all([
        queries.listFailedOrders(search),
        queries.failedOrdersSummary(search.reason === undefined ? {} : { reason: search.reason }),
      ]);
      return json(200, {
        items: page.items,
        cursor: page.cursor ?? null,
        total: summary.total,
        by_reason: summary.byReason,
      });
    },
    redrive_one: async (_, { order_id }) => {
      const result = await redrive.redriveOne(pathParameter(order_id));
      if (!result.ok) throw result.error;
      return json(202, { order_id: result.orderId, status: 'PENDING' });
    },
    redrive_all: (request) => redriveMany(request),
    health: async () => json(200, { status: 'ok', ...(await deps.health()) }),
    openapi_document: async () => json(200, openApi),
  };
  const match = routeMatcher(API_ROUTES);

  async function route(request: HttpRequest): Promise<HttpResponse | undefined> {
    const found = match(request.method, request.path);
    if (found === undefined) return undefined;
    if ('allowed' in found) throw new MethodNotAllowedError(found.allowed);
    return handlers[found.route.operationId](request, found.params);
  }

  async function submit(request: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    const result = await deps.submitOrder(parseJsonBody(request));
    if (!result.ok) throw result.error;
    const { order, replayed } = result;
    if (!replayed) deps.metrics?.accepted(performance.now() - started);
    deps.logger.info(replayed ? 'order replayed' : 'order accepted', {
      order_id: order.order_id,
      status: order.status,
    });
    return json(replayed ? 200 : 202, orderView(order), {
      location: `/orders/${encodeURIComponent(order.order_id)}`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
  }

  async function redriveMany(request: HttpRequest): Promise<HttpResponse> {
    // No body means "all"; but a body, or a content type (a cross-site form sends one even when empty),
    // must be JSON.
    const hasBody = Boolean(request.body?.trim());
    if (!hasBody && request.headers['content-type'] !== undefined)
      checkJsonContentType(request.headers['content-type']);
    const body = hasBody ? parseJsonBody(request) : {};
    const ids = (body as { order_ids?: unknown }).order_ids;
    if (
      ids !== undefined &&
      (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string') || ids.length > 1000)
    ) {
      throw new BadRequestError('order_ids must be an array of at most 1000 order id strings');
    }
    const results = ids
      ? await Promise.all((ids as string[]).map((id) => redrive.redriveOne(id)))
      : await redrive.redriveAll();
    const failed = results.flatMap((r) => (r.ok ? [] : [{ order_id: r.orderId, error: r.error.message }]));
    return json(200, { redriven: results.length - failed.length, failed });
  }

  return async function handle(request: HttpRequest): Promise<HttpResponse> {
    // HEAD is GET without the body (RFC 9110), so `HEAD /health` works as a liveness probe.
    if (request.method === 'HEAD') {
      const response = await handle({ ...request, method: 'GET' });
      return { ...response, body: '' };
    }
    try {
      const response = (await route(request)) ?? (await deps.extraRoutes?.(request));
      return (
        response ??
        json(404, { error: { code: 'NotFound', message: `no route for ${request.method} ${request.path}` } })
      );
    } catch (error) {
      return errorResponse(error, deps.logger);
    }
  };
}
