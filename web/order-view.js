// The order view (GET /orders/{id} and its timeline, GET /orders/{id}/history) and search (an order id, or
// a customer's orders with a status and a created-at range). `#order=<id>` in the address opens an order, so
// a view can be linked and the back button closes it.
import { api, errorMessage } from './api.js';
import { $, badge, dateTime, duration, el, orderRow } from './dom.js';

const EVENT_LABELS = {
  accepted: 'Accepted',
  queued: 'Queued',
  attempt_failed: 'Attempt failed',
  fulfilled: 'Fulfilled',
  dead_lettered: 'Dead-lettered',
  redriven: 'Redriven',
  redrive_resumed: 'Redrive resumed',
  redrive_reverted: 'Redrive reverted',
};

export function createOrderView({ onChange }) {
  const dialog = $('#order-view');
  let current = null;

  function field(name, ...value) {
    return [el('dt', { text: name }), el('dd', {}, ...value)];
  }

  function renderOrder(order) {
    const items = order.items.map(
      (i) => `${i.quantity}× ${i.product_id}${i.price === undefined ? '' : ` at ${i.price}`}`,
    );
    $('#order-view-title').textContent = `Order ${order.order_id}`;
    const fields = [
      ...field('Status', badge(order.status)),
      ...field('Customer', order.customer_id ?? '—'),
      ...field('Items', items.join(', ')),
      ...field('Attempts', String(order.attempts)),
      ...field('Redrives', String(order.redrives ?? 0)),
      ...field('Created', dateTime(order.created_at)),
      ...field('Updated', dateTime(order.updated_at)),
    ];
    if (order.last_error) fields.push(...field('Last error', order.last_error));
    if (order.status === 'FAILED') {
      fields.push(
        ...field(
          'Action',
          el('button', {
            type: 'button',
            id: 'order-view-redrive',
            text: 'Redrive',
            onclick: () => redrive(order.order_id),
          }),
        ),
      );
    }
    $('#order-view-fields').replaceChildren(...fields);
  }

  function renderHistory(history) {
    const list = $('#order-timeline');
    if (!history) {
      list.replaceChildren(
        el('li', { className: 'muted', text: 'No history for this order on this server.' }),
      );
      $('#order-view-truncated').textContent = '';
      return;
    }
    $('#order-view-truncated').textContent = history.truncated
      ? `${history.truncated} older events dropped (the last ${history.max_events} are kept)`
      : '';
    const first = history.events[0] ? Date.parse(history.events[0].at) : 0;
    list.replaceChildren(
      ...history.events.map((e) => {
        const took = e.started_at ? ` (took ${duration(Date.parse(e.at) - Date.parse(e.started_at))})` : '';
        const attempt =
          e.type === 'attempt_failed' || e.type === 'fulfilled' ? ` · attempt ${e.attempt}` : '';
        return el(
          'li',
          { dataset: { type: e.type } },
          el('span', { className: 'when', text: dateTime(e.at), title: e.at }),
          el('span', { className: 'offset muted', text: `+${duration(Date.parse(e.at) - first)}` }),
          el('span', { className: 'what', text: `${EVENT_LABELS[e.type] ?? e.type}${attempt}${took}` }),
          badge(e.status),
          e.redrive ? el('span', { className: 'muted', text: `redrive ${e.redrive}` }) : null,
          e.detail ? el('div', { className: 'detail', text: e.detail }) : null,
        );
      }),
    );
  }

  async function load(orderId) {
    const path = `/orders/${encodeURIComponent(orderId)}`;
    const [order, history] = await Promise.all([api(path), api(`${path}/history`)]);
    if (current !== orderId) return;
    if (!order.ok) {
      $('#order-view-title').textContent = `Order ${orderId}`;
      $('#order-view-fields').replaceChildren(
        el('p', { className: 'error', text: errorMessage(order.body, order.status) }),
      );
      renderHistory(null);
      return;
    }
    renderOrder(order.body);
    renderHistory(history.ok ? history.body : null);
  }

  async function redrive(orderId) {
    const out = $('#order-view-result');
    const response = await api(`/failed-orders/${encodeURIComponent(orderId)}/redrive`, { method: 'POST' });
    out.className = response.ok ? 'ok' : 'error';
    out.textContent = response.ok ? 'redriven → PENDING' : errorMessage(response.body, response.status);
    await load(orderId);
    onChange();
  }

  function open(orderId) {
    current = orderId;
    $('#order-view-title').textContent = `Order ${orderId}`;
    $('#order-view-result').textContent = '';
    $('#order-timeline').replaceChildren();
    $('#order-view-fields').replaceChildren(el('p', { className: 'muted', text: 'loading…' }));
    if (!dialog.open) dialog.showModal();
    return load(orderId).catch(() => undefined);
  }

  function close() {
    current = null;
    if (dialog.open) dialog.close();
  }

  const fromHash = () => {
    const match = /^#order=(.+)$/.exec(location.hash);
    if (match) open(decodeURIComponent(match[1]));
    else close();
  };
  window.addEventListener('hashchange', fromHash);
  // Closing (button, Escape) takes the order out of the address, so the back button and reload agree.
  dialog.addEventListener('close', () => {
    current = null;
    if (location.hash.startsWith('#order='))
      history.replaceState(null, '', location.pathname + location.search);
  });
  $('#order-view-close').addEventListener('click', () => dialog.close());
  fromHash();

  return {
    /** Re-reads the open order, if any (the dashboard's refresh). */
    refresh: () => (current ? load(current).catch(() => undefined) : undefined),
    show: (orderId) => {
      location.hash = `order=${encodeURIComponent(orderId)}`;
    },
  };
}

/** Search: an order id opens that order; otherwise (and as well) the customer's orders, filterable. */
export function createSearch({ orderView }) {
  const card = $('#search-results');
  const filters = $('#search-filters');
  let next = null;
  let query = null;

  async function run(append) {
    const params = new URLSearchParams({ limit: '20' });
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    if (append && next) params.set('cursor', next);
    const response = await api(`/orders?${params}`);
    const out = $('#search-message');
    if (!response.ok) {
      out.className = 'error';
      out.textContent = errorMessage(response.body, response.status);
      return [];
    }
    next = response.body.cursor;
    const rows = response.body.items.map(orderRow);
    if (append) $('#search-table tbody').append(...rows);
    else $('#search-table tbody').replaceChildren(...rows);
    $('#search-more').hidden = !next;
    const shown = $('#search-table tbody').children.length;
    out.className = '';
    out.textContent = shown ? '' : 'No order matches.';
    const parts = Object.entries(query)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k.replace('_', ' ')} ${v}`);
    $('#search-summary').textContent = `${shown}${next ? '+' : ''} orders · ${parts.join(' · ') || 'all'}`;
    return response.body.items;
  }

  function readFilters() {
    const form = new FormData(filters);
    return {
      customer_id: form.get('customer_id').trim(),
      status: form.get('status'),
      created_after: form.get('created_after'),
      created_before: form.get('created_before'),
    };
  }

  $('#search-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = $('#search-query').value.trim();
    if (!q) return;
    card.hidden = false;
    filters.elements.customer_id.value = q;
    query = readFilters();
    const [order, customerOrders] = await Promise.all([
      api(`/orders/${encodeURIComponent(q)}`).catch(() => ({ ok: false })),
      run(false).catch(() => []),
    ]);
    if (order.ok) {
      // An order id: shown first in the results, and opened.
      const tbody = $('#search-table tbody');
      if (!tbody.querySelector(`tr[data-order-id="${CSS.escape(q)}"]`)) tbody.prepend(orderRow(order.body));
      $('#search-message').textContent = '';
      $('#search-summary').textContent = customerOrders.length
        ? `order ${q}, and orders of customer ${q}`
        : `order ${q}`;
      orderView.show(q);
    }
  });
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    query = readFilters();
    run(false);
  });
  $('#search-more').addEventListener('click', () => run(true));
  $('#search-close').addEventListener('click', () => {
    card.hidden = true;
  });
}
