// Calls to DOFS, and whether it answers: every call reports to the connection state, so a stopped server
// shows at once as a loud "disconnected" banner instead of stale numbers that look live.

// With DOFS_API_KEY set, open the dashboard once as /?api_key=...: the key is kept in this browser's
// localStorage and sent as x-api-key on every call, and removed from the address bar.
const params = new URLSearchParams(location.search);
if (params.has('api_key')) {
  localStorage.setItem('dofsApiKey', params.get('api_key'));
  history.replaceState(null, '', location.pathname + location.hash);
}
const apiKey = localStorage.getItem('dofsApiKey');

/** Answers that are not the server's (it did not answer at all). */
export class Unreachable extends Error {}

const listeners = new Set();
export const connection = { state: 'connecting', since: null, lastOk: null, detail: '' };

function set(state, detail = '') {
  const changed = connection.state !== state || connection.detail !== detail;
  if (state === 'live') connection.lastOk = new Date();
  if (connection.state !== state) connection.since = new Date();
  connection.state = state;
  connection.detail = detail;
  if (changed || state === 'live') for (const listener of listeners) listener(connection);
}

export function onConnection(listener) {
  listeners.add(listener);
}

/**
 * fetch with the API key; resolves with { ok, status, body }. A network failure (server stopped) marks the
 * connection lost and throws Unreachable; any answer marks it live again.
 */
export async function api(path, init = {}) {
  let response;
  try {
    response = await fetch(path, {
      cache: 'no-store',
      ...init,
      headers: { ...(init.headers ?? {}), ...(apiKey ? { 'x-api-key': apiKey } : {}) },
      signal: AbortSignal.timeout(init.timeoutMs ?? 5000),
    });
  } catch (error) {
    set('lost', error.name === 'TimeoutError' ? 'no answer within 5 s' : 'connection refused or reset');
    throw new Unreachable(connection.detail);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.status === 401 || response.status === 403) set('refused', errorMessage(body, response.status));
  else if (response.status >= 500) set('failing', errorMessage(body, response.status));
  else set('live');
  return { ok: response.ok, status: response.status, body };
}

/** The message of a DOFS error body, field errors included. */
export function errorMessage(body, status) {
  const error = body?.error;
  if (!error) return `HTTP ${status}`;
  if (Array.isArray(error.fields) && error.fields.length)
    return error.fields.map((f) => f.message).join('; ');
  return error.message ?? error.code ?? `HTTP ${status}`;
}

export const postJson = (path, value) =>
  api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
