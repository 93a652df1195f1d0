import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderTimeline } from './order-timeline.ts';

const order = {
  order_id: 'o-1',
  customer_id: 'c-42',
  items: [{ product_id: 'p-1', quantity: 2, price: 9.5 }],
  status: 'FULFILLED',
  attempts: 1,
  last_error: null,
  redrives: 1,
  created_at: '2026-03-01T12:00:00.000Z',
  updated_at: '2026-03-01T12:00:09.000Z',
};
const event = (seq: number, type: string, more: Record<string, unknown> = {}) => ({
  seq,
  type,
  at: `2026-03-01T12:00:0${seq}.000Z`,
  status: 'PENDING',
  attempt: 0,
  redrive: 0,
  ...more,
});

describe('orderTimeline', () => {
  it('shows the order, then one line per event, oldest first, with how long attempts took and why they failed', () => {
    const text = orderTimeline(order, {
      order_id: 'o-1',
      truncated: 0,
      max_events: 100,
      events: [
        event(1, 'accepted'),
        event(2, 'attempt_failed', {
          attempt: 1,
          started_at: '2026-03-01T12:00:01.750Z',
          detail: 'no stock',
        }),
        event(3, 'fulfilled', { status: 'FULFILLED', attempt: 2, started_at: '2026-03-01T12:00:03.000Z' }),
      ],
    });
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['order       o-1', 'status      FULFILLED', 'customer    c-42']);
    assert.ok(lines.includes('items       p-1 x2 @ 9.5'));
    assert.ok(lines.includes('last error  -'));
    const header = lines.indexOf('timeline (3 events)');
    assert.ok(header > 0, text);
    assert.match(lines[header + 1] ?? '', /^#\s+time\s+event\s+status\s+attempt\s+redrive\s+took\s+detail$/);
    assert.match(
      lines[header + 4] ?? '',
      /^2\s+2026-03-01T12:00:02\.000Z\s+attempt_failed\s+PENDING\s+1\s+0\s+250 ms\s+no stock$/,
    );
    assert.match(lines[header + 5] ?? '', /^3\s+.*fulfilled\s+FULFILLED\s+2\s+0\s+0 ms$/);
  });

  it('says how many earlier events the bound dropped', () => {
    const text = orderTimeline(order, { truncated: 7, max_events: 100, events: [event(8, 'queued')] });
    assert.match(text, /timeline \(1 event\)\n\(7 earlier events not kept: an order keeps its last 100\)/);
  });
});
