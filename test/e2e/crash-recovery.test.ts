import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import {
  call,
  type Json,
  mapLimit,
  startServer,
  streamOrders,
  tempDataDir,
} from '../support/server-process.ts';

const MAX_RECEIVE_COUNT = 3;

describe('crash recovery', () => {
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const c of cleanups) c();
  });

  it('loses no accepted order and fulfils none twice when the server is killed with SIGKILL mid-stream', async (t) => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    const env = {
      DOFS_DATA_DIR: dir,
      FULFILLMENT_SUCCESS_RATE: '0.7',
      DOFS_RANDOM_SEED: 'crash-test',
      VISIBILITY_TIMEOUT_SECONDS: '0.2',
      MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
    };
    let server = await startServer(env);
    const logs: Record<string, unknown>[][] = [server.logs];
    const stream = streamOrders(
      () => server,
      8,
      'crash',
      (order_id) => anOrderBody({ order_id }),
    );
    await eventually(async () => stream.accepted.size >= 400, 30_000, 5);
    await server.kill();
    const acceptedBeforeKill = stream.accepted.size;
    server = await startServer(env);
    logs.push(server.logs);
    // Keep streaming into the restarted server for a moment, then stop.
    await eventually(async () => stream.accepted.size >= acceptedBeforeKill + 100, 30_000, 5);
    await stream.stop();

    try {
      await eventually(async () => (await call(`${server.url}/health`)).body.orders.PENDING === 0, 60_000);
      const orders = await mapLimit(
        [...stream.accepted],
        16,
        async (id) => (await call(`${server.url}/orders/${id}`)).body,
      );
      const failedIds = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: Json = (
          await call(`${server.url}/failed-orders?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
        ).body;
        for (const record of page.items) failedIds.add(record.order_id);
        cursor = page.cursor;
      } while (cursor);

      for (const order of orders) {
        assert.ok(
          order.status === 'FULFILLED' || order.status === 'FAILED',
          `order ${order.order_id} is ${order.status}`,
        );
        assert.ok(
          order.attempts >= 1 && order.attempts <= MAX_RECEIVE_COUNT,
          `order ${order.order_id} attempts ${order.attempts}`,
        );
        assert.equal(
          failedIds.has(order.order_id),
          order.status === 'FAILED',
          `failed_orders agrees for ${order.order_id}`,
        );
      }
      const fulfilments = new Map<string, number>();
      for (const line of logs.flat()) {
        if (line.message === 'order fulfilled') {
          const id = String(line.order_id);
          fulfilments.set(id, (fulfilments.get(id) ?? 0) + 1);
        }
      }
      const twice = [...fulfilments].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], 'no order is fulfilled twice');
      const recovered = server.logs.find((l) => l.message === 'recovered unfinished work');
      const fulfilled = orders.filter((o) => o.status === 'FULFILLED').length;
      t.diagnostic(
        `accepted ${stream.accepted.size} (${acceptedBeforeKill} before the kill); all terminal: ${fulfilled} FULFILLED, ` +
          `${orders.length - fulfilled} FAILED; 0 lost, 0 fulfilled twice; after restart: ${JSON.stringify(recovered ?? {})}`,
      );
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
