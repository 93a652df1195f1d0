type Json = Record<string, unknown>;

/** Rows as left-aligned columns; with `headers`, a header line and a rule under it. */
function columns(rows: string[][], headers?: string[]): string {
  const all = headers ? [headers, ...rows] : rows;
  const widths = (all[0] ?? []).map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return (
    headers ? [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)] : rows.map(line)
  ).join('\n');
}

const text = (value: unknown) => (value === null || value === undefined ? '-' : String(value));

function items(order: Json): string {
  const lines = Array.isArray(order.items) ? (order.items as Json[]) : [];
  return lines
    .map(
      (i) =>
        `${text(i.product_id)} x${text(i.quantity)}${i.price === undefined ? '' : ` @ ${text(i.price)}`}`,
    )
    .join(', ');
}

/** How long an attempt took, from its `started_at` to its `at`. */
function took(event: Json): string {
  if (typeof event.started_at !== 'string' || typeof event.at !== 'string') return '';
  const ms = Date.parse(event.at) - Date.parse(event.started_at);
  return Number.isFinite(ms) ? `${ms} ms` : '';
}

/**
 * `dofs status <id>` as text: the order (GET /orders/{id}), then its timeline (GET /orders/{id}/history), one
 * line per event, oldest first, with a line for the events the bound dropped.
 */
export function orderTimeline(order: Json, history: Json): string {
  const events = Array.isArray(history.events) ? (history.events as Json[]) : [];
  const truncated = Number(history.truncated ?? 0);
  const summary = columns([
    ['order', text(order.order_id)],
    ['status', text(order.status)],
    ['customer', text(order.customer_id)],
    ['items', items(order)],
    ['attempts', text(order.attempts)],
    ['redrives', text(order.redrives)],
    ['last error', text(order.last_error)],
    ['created', text(order.created_at)],
    ['updated', text(order.updated_at)],
  ]);
  const timeline = columns(
    events.map((e) => [
      text(e.seq),
      text(e.at),
      text(e.type),
      text(e.status),
      text(e.attempt),
      text(e.redrive),
      took(e),
      typeof e.detail === 'string' ? e.detail : '',
    ]),
    ['#', 'time', 'event', 'status', 'attempt', 'redrive', 'took', 'detail'],
  );
  const dropped =
    truncated > 0
      ? `\n(${truncated} earlier event${truncated === 1 ? '' : 's'} not kept: an order keeps its last ${text(history.max_events)})`
      : '';
  return `${summary}\n\ntimeline (${events.length} event${events.length === 1 ? '' : 's'})${dropped}\n${timeline}`;
}
