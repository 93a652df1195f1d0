// The DOFS dashboard: polls /dashboard/data every 2 s and renders it. No framework; text is always set with
// textContent, never parsed as HTML.
const REFRESH_MS = 2000;
const $ = (selector) => document.querySelector(selector);

// With DOFS_API_KEY set, open the dashboard once as /?api_key=...: the key is kept in this browser's
// localStorage and sent as x-api-key on every call, and removed from the address bar.
const params = new URLSearchParams(location.search);
if (params.has('api_key')) {
  localStorage.setItem('dofsApiKey', params.get('api_key'));
  history.replaceState(null, '', location.pathname);
}
const apiKey = localStorage.getItem('dofsApiKey');
const api = (path, init = {}) =>
  fetch(path, { ...init, headers: { ...(init.headers ?? {}), ...(apiKey ? { 'x-api-key': apiKey } : {}) } });

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  return td;
}

function badge(status) {
  const td = document.createElement('td');
  const span = document.createElement('span');
  span.className = 'badge';
  span.dataset.status = status;
  span.textContent = status;
  td.append(span);
  return td;
}

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

function renderCounts(data) {
  for (const status of ['PENDING', 'FULFILLED', 'FAILED'])
    $(`#count-${status}`).textContent = data.orders[status];
  for (const [name, depth] of Object.entries(data.queues))
    $(`#depth-${name}`).textContent = `${depth.visible} / ${depth.inFlight}`;
  $('#count-failed-orders').textContent = data.failed_orders;
  const alarm = $('#alarm');
  alarm.dataset.state = data.alarm.state;
  $('#alarm-text').textContent =
    `DLQ alarm: ${data.alarm.state} (${data.alarm.value} / threshold ${data.alarm.threshold})`;
}

function renderOrders(orders) {
  const body = $('#orders-table tbody');
  body.replaceChildren(
    ...orders.map((o) => {
      const tr = document.createElement('tr');
      tr.dataset.orderId = o.order_id;
      const items = o.items.map((i) => `${i.quantity}× ${i.product_id}`).join(', ');
      tr.append(
        cell(o.order_id, 'id'),
        cell(o.customer_id ?? '—'),
        cell(items),
        badge(o.status),
        cell(String(o.attempts)),
        cell(o.last_error ?? ''),
        cell(time(o.created_at)),
      );
      return tr;
    }),
  );
}

function renderFailed(failed) {
  const body = $('#failed-table tbody');
  body.replaceChildren(
    ...failed.map((f) => {
      const tr = document.createElement('tr');
      tr.dataset.orderId = f.order_id;
      const action = document.createElement('td');
      if (!f.order_id.startsWith('message-')) {
        const button = document.createElement('button');
        button.className = 'secondary';
        button.type = 'button';
        button.textContent = 'Redrive';
        button.addEventListener('click', () =>
          redrive(`/failed-orders/${encodeURIComponent(f.order_id)}/redrive`),
        );
        action.append(button);
      }
      tr.append(
        cell(f.order_id, 'id'),
        cell(f.reason),
        cell(String(f.attempts)),
        cell(time(f.failed_at)),
        action,
      );
      return tr;
    }),
  );
  $('#failed-empty').hidden = failed.length > 0;
  $('#redrive-all').disabled = failed.length === 0;
}

function line(points, key, max, className) {
  const polyline = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  const step = 600 / Math.max(1, points.length - 1);
  polyline.setAttribute(
    'points',
    points
      .map((p, i) => `${(i * step).toFixed(1)},${(158 - ((p[key] ?? 0) / max) * 150).toFixed(1)}`)
      .join(' '),
  );
  polyline.setAttribute('class', className);
  return polyline;
}

function renderCharts(series) {
  const tMax = Math.max(1, ...series.flatMap((p) => [p.accepted_per_s, p.completed_per_s]));
  $('#chart-throughput').replaceChildren(
    line(series, 'accepted_per_s', tMax, 's-accepted'),
    line(series, 'completed_per_s', tMax, 's-completed'),
    line(series, 'failed_per_s', tMax, 's-failed'),
  );
  $('#throughput-max').textContent = `max ${tMax.toFixed(1)}/s`;
  const lMax = Math.max(1, ...series.flatMap((p) => [p.e2e_p50_ms ?? 0, p.e2e_p95_ms ?? 0]));
  $('#chart-latency').replaceChildren(
    line(series, 'e2e_p50_ms', lMax, 's-p50'),
    line(series, 'e2e_p95_ms', lMax, 's-p95'),
  );
  $('#latency-max').textContent = `max ${Math.round(lMax)} ms`;
}

let timer;
async function refresh() {
  clearTimeout(timer);
  try {
    const response = await api('/dashboard/data', { cache: 'no-store' });
    const data = await response.json();
    renderCounts(data);
    renderCharts(data.series);
    renderOrders(data.recent);
    renderFailed(data.failed);
    $('#updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $('#updated').textContent = `cannot reach DOFS: ${error.message}`;
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

async function redrive(path) {
  const response = await api(path, { method: 'POST' });
  const body = await response.json();
  const out = $('#form-result');
  out.className = response.ok ? 'ok' : 'error';
  out.textContent = response.ok
    ? `redrive: ${body.order_id ?? `${body.redriven} orders`} back to PENDING`
    : body.error.message;
  refresh();
}

$('#redrive-all').addEventListener('click', () => redrive('/failed-orders/redrive'));

$('#order-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const item = { product_id: form.get('product_id'), quantity: Number(form.get('quantity')) };
  if (form.get('price') !== '') item.price = Number(form.get('price'));
  const order = { customer_id: form.get('customer_id'), items: [item] };
  if (form.get('order_id')) order.order_id = form.get('order_id');
  const out = $('#form-result');
  const response = await api('/order', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  const body = await response.json();
  if (response.ok) {
    out.className = 'ok';
    out.textContent = `${response.status === 202 ? 'accepted' : 'already known'}: ${body.order_id} (${body.status})`;
  } else {
    out.className = 'error';
    out.textContent = body.error.fields
      ? body.error.fields.map((f) => f.message).join('; ')
      : body.error.message;
  }
  refresh();
});

refresh();
