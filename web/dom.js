// Small DOM helpers. Text is always set with textContent, never parsed as HTML.
export const $ = (selector, root = document) => root.querySelector(selector);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

export const cell = (text, className) => el('td', { text: text ?? '', className });

export function badge(status) {
  return el('span', { className: 'badge', dataset: { status }, text: status });
}

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
export const dateTime = (iso) => (iso ? new Date(iso).toLocaleString() : '');

/** 950 ms, 12.3 s, 4 min 10 s, 2 h 5 min. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** A link that opens the order view of `orderId`. */
export function orderLink(orderId) {
  return el('a', { href: `#order=${encodeURIComponent(orderId)}`, className: 'order-link', text: orderId });
}

/** The row of an order in the orders and search tables. */
export function orderRow(o) {
  const items = o.items.map((i) => `${i.quantity}× ${i.product_id}`).join(', ');
  return el(
    'tr',
    { dataset: { orderId: o.order_id } },
    el('td', { className: 'id' }, orderLink(o.order_id)),
    cell(o.customer_id ?? '—'),
    cell(items),
    el('td', {}, badge(o.status)),
    cell(String(o.attempts)),
    cell(o.last_error ?? ''),
    cell(time(o.created_at)),
  );
}
