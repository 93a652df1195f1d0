// The failed-orders card: pages of GET /failed-orders with their total and reason groups, a selection to
// redrive, "Redrive all" behind a confirmation, and each redrive's result on its own row. A redriven order
// leaves the failed list; its row stays (dimmed, with the result and the order's status now) for a minute, or
// until the page or the filter changes, so the operator sees what each click did.
import { api, errorMessage, postJson } from './api.js';
import { $, badge, cell, el, orderLink, time } from './dom.js';

const PAGE_SIZE = 20;
/** How long a redriven row stays in view once it has left the list. */
const KEEP_MS = 60_000;

export function createFailedOrders({ confirm, onChange }) {
  const state = {
    reason: '',
    /** cursors[i] is the cursor of page i (undefined for the first). */
    cursors: [undefined],
    page: 0,
    items: [],
    next: null,
    total: null,
    /** Every failed order, whatever the filter (what "Redrive all" redrives). */
    overall: null,
    groups: [],
    selected: new Set(),
    /** order_id → { ok, text, at } of the last redrive of that row (at: when it was asked, epoch ms). */
    results: new Map(),
    /** Rows redriven off the list, kept in view: order_id → the failed order as it was listed. */
    kept: new Map(),
    /** order_id → its status now, for kept rows. */
    statusNow: new Map(),
  };

  const canRedrive = (item) => !item.order_id.startsWith('message-');

  function resetView() {
    state.selected.clear();
    state.results.clear();
    state.kept.clear();
    state.statusNow.clear();
    $('#failed-result').textContent = '';
  }

  /** Reads the current page; `overall` is the count of every failed order (the dashboard data's). */
  async function load(overall) {
    if (overall !== undefined) state.overall = overall;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    const cursor = state.cursors[state.page];
    if (cursor) query.set('cursor', cursor);
    if (state.reason) query.set('reason', state.reason);
    const response = await api(`/failed-orders?${query}`);
    if (!response.ok) {
      show(errorMessage(response.body, response.status), false);
      return;
    }
    state.items = response.body.items;
    state.next = response.body.cursor;
    state.total = response.body.total ?? null;
    state.groups = response.body.by_reason ?? [];
    const listed = new Set(state.items.map((i) => i.order_id));
    for (const id of state.selected) if (!listed.has(id)) state.selected.delete(id);
    // Kept rows show what their order is doing now (PENDING, FULFILLED, or FAILED again).
    const keptIds = [...state.kept.keys()].filter((id) => !listed.has(id)).slice(0, PAGE_SIZE);
    await Promise.all(
      keptIds.map(async (id) => {
        const order = await api(`/orders/${encodeURIComponent(id)}`);
        if (order.ok) state.statusNow.set(id, order.body.status);
      }),
    );
    render();
  }

  function show(text, ok) {
    const out = $('#failed-result');
    out.className = ok ? 'ok' : 'error';
    out.textContent = text;
  }

  function resultCell(item, kept) {
    const id = item.order_id;
    const td = el('td', { className: 'result' });
    const result = state.results.get(id);
    if (!result) return td;
    td.classList.add(result.ok ? 'ok' : 'error');
    td.append(result.text);
    const now = state.statusNow.get(id);
    if (result.ok && kept && now) td.append(' · now ', badge(now));
    // Listed again after a successful redrive: it failed again since.
    else if (result.ok && !kept && Date.parse(item.failed_at) > result.at)
      td.append(' · now ', badge('FAILED'));
    return td;
  }

  function row(item, kept) {
    const id = item.order_id;
    const box = el('input', {
      type: 'checkbox',
      className: 'select',
      checked: state.selected.has(id),
      disabled: kept || !canRedrive(item),
      'aria-label': `Select ${id}`,
      onchange: (event) => {
        if (event.target.checked) state.selected.add(id);
        else state.selected.delete(id);
        renderControls();
      },
    });
    const action = el('td');
    if (!kept && canRedrive(item)) {
      action.append(
        el('button', {
          type: 'button',
          className: 'secondary',
          text: 'Redrive',
          onclick: () => redrive([id], `/failed-orders/${encodeURIComponent(id)}/redrive`),
        }),
      );
    }
    return el(
      'tr',
      { dataset: { orderId: id }, className: kept ? 'kept' : '' },
      el('td', {}, box),
      el('td', { className: 'id' }, canRedrive(item) ? orderLink(id) : id),
      cell(item.reason),
      cell(String(item.attempts)),
      cell(time(item.failed_at)),
      action,
      resultCell(item, kept),
    );
  }

  function render() {
    const listed = new Set(state.items.map((i) => i.order_id));
    for (const id of state.kept.keys()) {
      if (!listed.has(id) && Date.now() - (state.results.get(id)?.at ?? 0) > KEEP_MS) {
        state.kept.delete(id);
        state.results.delete(id);
        state.statusNow.delete(id);
      }
    }
    const kept = [...state.kept.values()].filter((i) => !listed.has(i.order_id));
    const rows = [
      ...state.items.map((item) => ({ item, kept: false })),
      ...kept.map((item) => ({ item, kept: true })),
    ].sort((a, b) => b.item.failed_at.localeCompare(a.item.failed_at));
    $('#failed-table tbody').replaceChildren(...rows.map(({ item, kept }) => row(item, kept)));
    $('#failed-empty').hidden = rows.length > 0;
    $('#failed-empty').textContent = state.reason
      ? `No failed orders with reason “${state.reason}”.`
      : 'No failed orders.';
    renderGroups();
    renderControls();
  }

  function renderGroups() {
    const chip = (label, reason, n) =>
      el(
        'button',
        {
          type: 'button',
          className: 'chip',
          'aria-pressed': String(state.reason === reason),
          title: reason || 'every reason',
          onclick: () => {
            state.reason = reason;
            state.cursors = [undefined];
            state.page = 0;
            resetView();
            load();
          },
        },
        el('span', { className: 'chip-label', text: label }),
        el('span', { className: 'chip-count', text: n === null ? '' : String(n) }),
      );
    const all = state.groups.reduce((n, g) => n + g.count, 0);
    $('#failed-reasons').replaceChildren(
      ...(state.groups.length ? [chip('all reasons', '', all)] : []),
      ...state.groups.map((g) => chip(g.reason, g.reason, g.count)),
    );
  }

  function renderControls() {
    const total = state.total;
    $('#failed-total').textContent = total === null ? '' : String(total);
    const start = state.page * PAGE_SIZE;
    $('#failed-page').textContent =
      state.items.length === 0
        ? ''
        : `page ${state.page + 1} · ${start + 1}–${start + state.items.length}${total === null ? '' : ` of ${total}`}`;
    $('#failed-prev').disabled = state.page === 0;
    $('#failed-next').disabled = !state.next;
    const selected = state.selected.size;
    const button = $('#redrive-selected');
    button.disabled = selected === 0;
    button.textContent = selected ? `Redrive selected (${selected})` : 'Redrive selected';
    $('#redrive-all').disabled = state.items.length === 0;
    const pageBox = $('#failed-select-page');
    const selectable = state.items.filter(canRedrive);
    pageBox.checked = selectable.length > 0 && selectable.every((i) => state.selected.has(i.order_id));
    pageBox.indeterminate = !pageBox.checked && selectable.some((i) => state.selected.has(i.order_id));
  }

  /** Redrives `ids` (one route or the batch one) and writes each one's result on its row. */
  async function redrive(ids, path, body) {
    const byId = new Map(state.items.map((i) => [i.order_id, i]));
    const at = Date.now();
    for (const id of ids) state.results.set(id, { ok: true, text: 'redriving…', at });
    render();
    let response;
    try {
      response =
        body === undefined
          ? await api(path, { method: 'POST', timeoutMs: 60_000 })
          : await postJson(path, body);
    } catch (error) {
      for (const id of ids) state.results.set(id, { ok: false, text: error.message, at });
      render();
      return;
    }
    const failures = new Map(
      (response.ok
        ? (response.body.failed ?? [])
        : ids.map((id) => ({ order_id: id, error: errorMessage(response.body, response.status) }))
      ).map((f) => [f.order_id, f.error]),
    );
    for (const id of ids) {
      const error = failures.get(id);
      state.results.set(
        id,
        error ? { ok: false, text: error, at } : { ok: true, text: 'redriven → PENDING', at },
      );
      const item = byId.get(id);
      if (!error && item) state.kept.set(id, item);
      state.selected.delete(id);
    }
    if (response.ok && response.body.redriven !== undefined) {
      const failed = response.body.failed?.length ?? 0;
      show(`${response.body.redriven} redriven${failed ? `, ${failed} not` : ''}`, failed === 0);
    } else if (!response.ok) show(errorMessage(response.body, response.status), false);
    render();
    onChange();
  }

  $('#failed-prev').addEventListener('click', () => {
    if (state.page === 0) return;
    state.page -= 1;
    resetView();
    load();
  });
  $('#failed-next').addEventListener('click', () => {
    if (!state.next) return;
    state.cursors[state.page + 1] = state.next;
    state.page += 1;
    resetView();
    load();
  });
  $('#failed-select-page').addEventListener('change', (event) => {
    for (const item of state.items.filter(canRedrive)) {
      if (event.target.checked) state.selected.add(item.order_id);
      else state.selected.delete(item.order_id);
    }
    render();
  });
  $('#redrive-selected').addEventListener('click', () => {
    const ids = [...state.selected];
    if (ids.length) redrive(ids, '/failed-orders/redrive', { order_ids: ids });
  });
  $('#redrive-all').addEventListener('click', async () => {
    // Every failed order, not only the page or the reason shown: that is what the route redrives.
    const total = state.overall ?? state.total ?? state.items.length;
    const ok = await confirm({
      title: `Redrive all ${total} failed orders?`,
      text: `Every failed order (${total}, whatever its reason${state.reason ? `, not only the ${state.total} with reason “${state.reason}”` : ''}) goes back to PENDING with a fresh attempt budget and is fulfilled again.`,
      action: `Redrive all ${total}`,
    });
    if (!ok) return;
    const ids = state.items.filter(canRedrive).map((i) => i.order_id);
    await redrive(ids, '/failed-orders/redrive');
  });

  return { load, redriveOne: (id) => redrive([id], `/failed-orders/${encodeURIComponent(id)}/redrive`) };
}
