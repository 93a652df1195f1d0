import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { call, mapLimit, type ServerProcess, startServer, tempDataDir } from '../support/server-process.ts';

const FAST = { VISIBILITY_TIMEOUT_SECONDS: '0.05' };

async function health(server: ServerProcess) {
  return (await call(`${server.url}/health`)).body;
}

async function submitMany(server: ServerProcess, ids: string[]) {
  const responses = await mapLimit(ids, 16, (order_id) =>
    call(`${server.url}/order`, { body: anOrderBody({ order_id }) }),
  );
  for (const r of responses) assert.equal(r.status, 202, JSON.stringify(r.body));
}

async function settled(server: ServerProcess, total: number, ms: number) {
  await eventually(async () => {
    const h = await health(server);
    return h.orders.FULFILLED + h.orders.FAILED === total;
  }, ms);
  return health(server);
}

describe('order pipeline end to end (server process over HTTP)', () => {
  const dirs: (() => void)[] = [];
  after(() => {
    for (const remove of dirs) remove();
  });
  function dataDir() {
    const d = tempDataDir();
    dirs.push(d.remove);
    return d.dir;
  }

  it('fulfils every order when FULFILLMENT_SUCCESS_RATE=1', async () => {
    const server = await startServer({ ...FAST, DOFS_DATA_DIR: dataDir(), FULFILLMENT_SUCCESS_RATE: '1' });
    try {
      const ids = Array.from({ length: 100 }, (_, i) => `all-good-${i}`);
      await submitMany(server, ids);
      const h = await settled(server, 100, 20_000);
      assert.deepEqual(h.orders, { PENDING: 0, FULFILLED: 100, FAILED: 0 });
      const order = (await call(`${server.url}/orders/all-good-7`)).body;
      assert.deepEqual([order.status, order.attempts], ['FULFILLED', 1]);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('fails every order after exactly MAX_RECEIVE_COUNT attempts when the rate is 0, then redrives them', async () => {
    const dir = dataDir();
    const failing = await startServer({
      ...FAST,
      DOFS_DATA_DIR: dir,
      FULFILLMENT_SUCCESS_RATE: '0',
      MAX_RECEIVE_COUNT: '3',
    });
    const ids = Array.from({ length: 30 }, (_, i) => `doomed-${i}`);
    try {
      await submitMany(failing, ids);
      const h = await settled(failing, 30, 30_000);
      assert.deepEqual(h.orders, { PENDING: 0, FULFILLED: 0, FAILED: 30 });
      assert.equal(h.failed_orders, 30);
      const failedList = (await call(`${failing.url}/failed-orders?limit=100`)).body;
      assert.equal(failedList.items.length, 30);
      for (const record of failedList.items) {
        assert.equal(record.attempts, 3);
        assert.equal(record.reason, 'fulfilment attempt 3 failed (simulated)');
      }
      const order = (await call(`${failing.url}/orders/doomed-0`)).body;
      assert.deepEqual([order.status, order.attempts], ['FAILED', 3]);
      const deadLetterLines = failing.logs.filter((l) => l.message === 'order failed and was dead-lettered');
      assert.equal(
        deadLetterLines.length,
        30,
        'one structured alarm-worthy line per failure, with its order id',
      );
      assert.ok(deadLetterLines.every((l) => typeof l.order_id === 'string'));
    } finally {
      assert.equal(await failing.stop(), 0);
    }
    // Same data directory, now with a healthy fulfilment service: redrive brings every order home.
    const healthy = await startServer({ ...FAST, DOFS_DATA_DIR: dir, FULFILLMENT_SUCCESS_RATE: '1' });
    try {
      const one = await call(`${healthy.url}/failed-orders/doomed-0/redrive`, { method: 'POST' });
      assert.deepEqual([one.status, one.body], [202, { order_id: 'doomed-0', status: 'PENDING' }]);
      const rest = await call(`${healthy.url}/failed-orders/redrive`, { method: 'POST' });
      assert.deepEqual([rest.status, rest.body], [200, { redriven: 29, failed: [] }]);
      const h = await settled(healthy, 30, 20_000);
      await eventually(async () => (await health(healthy)).orders.FULFILLED === 30, 20_000);
      assert.equal((await health(healthy)).failed_orders, 0);
      assert.equal(h.orders.FAILED, 0);
      const order = (await call(`${healthy.url}/orders/doomed-0`)).body;
      assert.deepEqual([order.status, order.redrives, order.attempts], ['FULFILLED', 1, 1]);
    } finally {
      assert.equal(await healthy.stop(), 0);
    }
  });

  it('fulfils about 1 - 0.3^3 = 97.3% of 1,000 orders at a 0.7 success rate with three attempts', async (t) => {
    const server = await startServer({
      ...FAST,
      DOFS_DATA_DIR: dataDir(),
      FULFILLMENT_SUCCESS_RATE: '0.7',
      MAX_RECEIVE_COUNT: '3',
      DOFS_RANDOM_SEED: 'dofs-e2e',
    });
    try {
      const ids = Array.from({ length: 1000 }, (_, i) => `mixed-${i}`);
      await submitMany(server, ids);
      const h = await settled(server, 1000, 60_000);
      const share = h.orders.FULFILLED / 1000;
      t.diagnostic(
        `fulfilled ${h.orders.FULFILLED} of 1000 (${(share * 100).toFixed(1)}%), failed ${h.orders.FAILED}`,
      );
      // Binomial(1000, 0.973): sd 0.51 points; the band is ±3.5 sd, and the seed makes the run repeatable.
      assert.ok(share >= 0.955 && share <= 0.991, `fulfilled share ${share}`);
      assert.equal(h.failed_orders, h.orders.FAILED);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
