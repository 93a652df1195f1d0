import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { call, serverPerSuite } from '../support/server-process.ts';

// Races between clients of one order, with real concurrency: many HTTP requests in flight at once against the
// real server process, over many rounds (one round rarely loses a race that many rounds win).

describe('concurrent submissions of one order id (server process over HTTP)', () => {
  const suite = serverPerSuite({ FULFILLMENT_SUCCESS_RATE: '1' });

  it('answers a correct retry from what is stored (200 replay), never 409, while a conflicting request races it', async (t) => {
    const ROUNDS = 200;
    const tally = { replayed: 0, retryConflict: 0, otherConflict: 0, otherAnswer: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const order_id = `race-${round}`;
      const p = anOrderBody({ order_id });
      const q = anOrderBody({ order_id, customer_id: 'someone-else' });
      assert.equal((await call(`${suite.server.url}/order`, { body: p })).status, 202);
      // Q first by a hair, so it is usually the request in flight when P's retry arrives.
      const [other, retry] = await Promise.all([
        call(`${suite.server.url}/order`, { body: q }),
        call(`${suite.server.url}/order`, { body: p }),
      ]);
      if (retry.status === 200 && retry.headers.get('idempotent-replayed') === 'true') tally.replayed++;
      else if (retry.status === 409) tally.retryConflict++;
      if (other.status === 409) tally.otherConflict++;
      else tally.otherAnswer++;
    }
    t.diagnostic(JSON.stringify(tally));
    assert.deepEqual(tally, { replayed: ROUNDS, retryConflict: 0, otherConflict: ROUNDS, otherAnswer: 0 });
  });
});

describe('concurrent redrives of one failed order (server process over HTTP)', () => {
  const ORDERS = 25;
  const CLIENTS = 20;
  // Every attempt fails, so a redriven order fails again after exactly MAX_RECEIVE_COUNT attempts, unless
  // it was queued more than once.
  const suite = serverPerSuite({
    FULFILLMENT_SUCCESS_RATE: '0',
    MAX_RECEIVE_COUNT: '3',
    VISIBILITY_TIMEOUT_SECONDS: '0.05',
  });

  it(`queues each order once: one 202 of ${CLIENTS} concurrent redrives, the others 409, ${ORDERS} orders`, async (t) => {
    const ids = Array.from({ length: ORDERS }, (_, i) => `redrive-race-${i}`);
    for (const order_id of ids) {
      assert.equal(
        (await call(`${suite.server.url}/order`, { body: anOrderBody({ order_id }) })).status,
        202,
      );
    }
    const allFailed = async () => {
      const orders = await Promise.all(
        ids.map(async (id) => (await call(`${suite.server.url}/orders/${id}`)).body),
      );
      return orders.every((o) => o.status === 'FAILED');
    };
    await eventually(allFailed, 30_000);
    const statuses = new Map<number, number>();
    for (const id of ids) {
      const answers = await Promise.all(
        Array.from({ length: CLIENTS }, () =>
          call(`${suite.server.url}/failed-orders/${id}/redrive`, { method: 'POST' }),
        ),
      );
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    }
    // Let every message that was sent run its course.
    await eventually(allFailed, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const redrivenLines = suite.server.logs.filter((l) => l.message === 'order redriven');
    const orders = await Promise.all(
      ids.map(async (id) => (await call(`${suite.server.url}/orders/${id}`)).body),
    );
    const figures = {
      202: statuses.get(202) ?? 0,
      409: statuses.get(409) ?? 0,
      redrivenLines: redrivenLines.length,
      maxAttempts: Math.max(...orders.map((o) => o.attempts)),
      redrives: orders.reduce((sum, o) => sum + o.redrives, 0),
    };
    t.diagnostic(JSON.stringify(figures));
    assert.deepEqual(figures, {
      202: ORDERS,
      409: ORDERS * (CLIENTS - 1),
      redrivenLines: ORDERS,
      maxAttempts: 3,
      redrives: ORDERS,
    });
  });
});
