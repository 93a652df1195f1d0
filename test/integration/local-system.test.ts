import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../src/adapters/sqlite/database.ts';
import { SqliteOrderRepository } from '../../src/adapters/sqlite/sqlite-order-repository.ts';
import { SqliteQueue } from '../../src/adapters/sqlite/sqlite-queue.ts';
import { findStrandedPendingOrders } from '../../src/adapters/sqlite/sqlite-reconciliation.ts';
import { loadLocalConfig } from '../../src/config.ts';
import { createLocalSystem, DATABASE_FILE } from '../../src/hosts/local/local-system.ts';
import { anOrder, recordingLogger } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { tempDataDir } from '../support/server-process.ts';

const clock = { now: () => Date.now() };

describe('start-up reconciliation (SQLite)', () => {
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const c of cleanups) c();
  });

  it('finds exactly the PENDING orders no message refers to (unreadable messages ignored)', async () => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    const store = openDatabase(join(dir, DATABASE_FILE));
    const orders = new SqliteOrderRepository(store);
    const queue = new SqliteQueue(store, { name: 'order_queue', visibilityTimeoutMs: 1000, clock });
    for (let i = 0; i < 200; i++) {
      await orders.create(anOrder({ order_id: `queued-${i}` }));
      await queue.send(JSON.stringify({ order_id: `queued-${i}` }));
    }
    await orders.create(anOrder({ order_id: 'stranded' }));
    await orders.create(anOrder({ order_id: 'done', status: 'FULFILLED' }));
    await queue.send('not json');
    await queue.send(JSON.stringify({ order_id: 7 }));
    assert.deepEqual(await findStrandedPendingOrders(store), ['stranded']);
    store.close();
  });

  it('re-queues an order stored by an EXPRESS execution cut short before SendToQueue, and fulfils it', async () => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    // The crash: StoreOrder committed, SendToQueue never ran (no 202 was sent, but the order is stored).
    const store = openDatabase(join(dir, DATABASE_FILE));
    await new SqliteOrderRepository(store).create(anOrder({ order_id: 'o-stranded' }));
    store.close();

    const logger = recordingLogger();
    const system = createLocalSystem(
      loadLocalConfig({ DOFS_DATA_DIR: dir, PORT: '0', FULFILLMENT_SUCCESS_RATE: '1' }),
      { logger },
    );
    const { port } = await system.start();
    try {
      await eventually(async () => {
        const order = await (await fetch(`http://127.0.0.1:${port}/orders/o-stranded`)).json();
        return order.status === 'FULFILLED';
      }, 10_000);
      assert.ok(
        logger.lines.some((l) => l.message === 'recovered unfinished work' && l.requeued === 1),
        'the start-up log says one order was re-queued',
      );
    } finally {
      await system.stop();
    }
  });
});
