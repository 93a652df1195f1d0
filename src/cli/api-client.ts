/** A failed API call: the HTTP status and the API's own error message. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

export interface ApiClientOptions {
  url: string;
  apiKey?: string;
  /** How long one request may take, answer body included, before it fails (default 30 s). */
  timeoutMs?: number;
}

/** The default request timeout: just over API Gateway's 29 s integration limit, so no API answer is cut off. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** A small client for the DOFS HTTP API, local or deployed (API Gateway with an x-api-key). */
export function createApiClient(options: ApiClientOptions) {
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = options.apiKey ? { 'x-api-key': options.apiKey } : {};
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timedOut = () =>
    new ApiError(0, `no answer from ${base} within ${timeoutMs / 1000} s (see --timeout)`, undefined);

  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    // One deadline for the whole exchange: a server that accepts the connection and never answers (or
    // stops halfway through the body) fails the command instead of hanging it.
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw timedOut();
      throw new ApiError(
        0,
        `cannot reach ${base}: ${(error as Error).cause ?? (error as Error).message}`,
        undefined,
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw timedOut();
      throw new ApiError(0, `${base} broke off its answer: ${(error as Error).message}`, undefined);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { message?: string; fields?: { message: string }[] } } | undefined)
        ?.error;
      const detail = error?.fields?.map((f) => f.message).join('; ') ?? error?.message ?? text;
      throw new ApiError(response.status, `${response.status}: ${detail || response.statusText}`, parsed);
    }
    return { status: response.status, body: parsed as T };
  }

  return {
    submit: (order: unknown) => request<Record<string, unknown>>('POST', '/order', order),
    get: (id: string) => request<Record<string, unknown>>('GET', `/orders/${encodeURIComponent(id)}`),
    history: (id: string) =>
      request<Record<string, unknown>>('GET', `/orders/${encodeURIComponent(id)}/history`),
    list: (query: {
      status?: string;
      customer_id?: string;
      created_after?: string;
      created_before?: string;
      limit?: number;
      cursor?: string;
    }) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      return request<{ items: Record<string, unknown>[]; cursor: string | null }>('GET', `/orders?${params}`);
    },
    failed: (query: { reason?: string; limit?: number; cursor?: string }) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      return request<{
        items: Record<string, unknown>[];
        cursor: string | null;
        total: number;
        by_reason: { reason: string; count: number }[];
      }>('GET', `/failed-orders?${params}`);
    },
    redriveOne: (id: string) =>
      request<Record<string, unknown>>('POST', `/failed-orders/${encodeURIComponent(id)}/redrive`),
    redriveAll: () => request<{ redriven: number; failed: unknown[] }>('POST', '/failed-orders/redrive'),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
