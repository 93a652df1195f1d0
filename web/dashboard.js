// The DOFS dashboard: polls /dashboard/data every 2 s and renders it. Plain modules, no framework, no build
// step; text is always set with textContent, never parsed as HTML.
import { api, connection, errorMessage, onConnection, postJson, Unreachable } from './api.js';
import { CHARTS, createChart } from './charts.js';
import { $, duration, orderRow, time } from './dom.js';
import { createFailedOrders } from './failed-orders.js';
import { createOrderView, createSearch } from './order-view.js';

const REFRESH_MS = 2000;

let chartWindow = localStorage.getItem('dofsChartWindow') ?? '10m';
const charts = Object.fromEntries(
  Object.entries(CHARTS).map(([name, spec]) => [name, createChart($(`#chart-${name}`), spec)]),
);

/** Asks in a modal dialog; resolves true only if the operator confirms. */
function confirm({ title, text, action }) {
  const dialog = $('#confirm');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = action;
  dialog.returnValue = '';
  dialog.showModal();
  $('#confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

const failedOrders = createFailedOrders({ confirm, onChange: () => refresh() });
const orderView = createOrderView({ onChange: () => refresh() });
createSearch({ orderView });

function renderTiles(data) {
  for (const status of ['PENDING', 'FULFILLED', 'FAILED'])
    $(`#count-${status}`).textContent = data.orders[status];
  const queue = data.queues.order_queue;
  $('#depth-order_queue').textContent = `${queue.visible} / ${queue.in_flight}`;
  $('#retrying').textContent = data.retrying_orders;
  $('#oldest-order_queue').textContent = duration(queue.oldest_age_ms);
  $('#dead-lettered').textContent = data.last_24h.failed;
  const alarm = $('#alarm');
  alarm.dataset.state = data.alarm.state;
  $('#alarm-text').textContent =
    `DLQ alarm: ${data.alarm.state} (${data.alarm.value} / threshold ${data.alarm.threshold})`;
}

function renderQueues(queues) {
  for (const [name, q] of Object.entries(queues)) {
    const row = $(`#queue-table tr[data-queue="${name}"]`);
    if (!row) continue;
    const c = q.consumer;
    const values = [
      String(q.visible),
      String(q.in_flight),
      duration(q.oldest_age_ms),
      String(c.batches),
      `${c.in_flight_batches} / ${c.concurrency}`,
      `${c.records} (${c.failed_records})`,
      c.last_batch_at ? time(c.last_batch_at) : '–',
    ];
    [...row.cells].slice(1).forEach((td, i) => {
      td.textContent = values[i];
    });
  }
}

function renderConnection() {
  const banner = $('#disconnected');
  document.body.dataset.connection = connection.state;
  const stale = connection.lastOk
    ? ` The figures below are from ${connection.lastOk.toLocaleTimeString()} and may be stale.`
    : '';
  if (connection.state === 'live') {
    banner.hidden = true;
    $('#updated').textContent = `live · updated ${connection.lastOk.toLocaleTimeString()}`;
    return;
  }
  if (connection.state === 'connecting') return;
  banner.hidden = false;
  const since = connection.since ? connection.since.toLocaleTimeString() : '';
  $('#disconnected-text').textContent =
    connection.state === 'lost'
      ? `DOFS is not answering since ${since} (${connection.detail}).${stale} Retrying every ${REFRESH_MS / 1000} s…`
      : `DOFS answers with errors since ${since}: ${connection.detail}.${stale}`;
  $('#updated').textContent = connection.state === 'lost' ? 'disconnected' : 'errors';
}
onConnection(renderConnection);

let timer;
async function refresh() {
  clearTimeout(timer);
  try {
    const response = await api(`/dashboard/data?window=${chartWindow}`);
    if (response.ok) {
      const data = response.body;
      renderTiles(data);
      renderQueues(data.queues);
      for (const chart of Object.values(charts)) chart.update(data.series.points);
      $('#orders-table tbody').replaceChildren(...data.recent.map(orderRow));
      await Promise.all([failedOrders.load(data.failed_orders), orderView.refresh()]);
    } else if (response.status < 500) {
      $('#updated').textContent = errorMessage(response.body, response.status);
    }
  } catch (error) {
    if (!(error instanceof Unreachable)) console.error(error);
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

for (const button of document.querySelectorAll('#window-buttons button')) {
  button.setAttribute('aria-pressed', String(button.dataset.window === chartWindow));
  button.addEventListener('click', () => {
    chartWindow = button.dataset.window;
    localStorage.setItem('dofsChartWindow', chartWindow);
    for (const b of document.querySelectorAll('#window-buttons button'))
      b.setAttribute('aria-pressed', String(b === button));
    refresh();
  });
}

$('#order-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(event.target);
  const item = { product_id: data.get('product_id'), quantity: Number(data.get('quantity')) };
  if (data.get('price') !== '') item.price = Number(data.get('price'));
  const order = { customer_id: data.get('customer_id'), items: [item] };
  if (data.get('order_id')) order.order_id = data.get('order_id');
  const out = $('#form-result');
  try {
    const response = await postJson('/order', order);
    out.className = response.ok ? 'ok' : 'error';
    out.textContent = response.ok
      ? `${response.status === 202 ? 'accepted' : 'already known'}: ${response.body.order_id} (${response.body.status})`
      : errorMessage(response.body, response.status);
  } catch (error) {
    out.className = 'error';
    out.textContent = `not sent: ${error.message}`;
  }
  refresh();
});

refresh();
