// node bench/sqlite-replay.ts [--orders N] [--root DIR] [--without-mark]
//
// One order's SQLite work on the local host, replayed in one thread through the SQLite adapters, without HTTP,
// the workflow or the other threads: per turn, 5 orders stored, sent and marked queued, then one receive of
// up to 25 messages, an attempt for each (70% succeed) and the delete, all in the turn's transaction (the
// database's early view, as the storage thread uses it). It prints the CPU and wall time per order, so that a
// change to the schema or the statements can be compared without the noise of a full benchmark: run it
// interleaved against another checkout (`--root`). `--without-mark` leaves out the queued mark (what folding
// it into the insert would save at most).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ORDERS = Number(option('--orders') ?? 10_000);
const ROOT = option('--root') ?? new URL('..', import.meta.url).pathname;
const WITH_MARK = !argv.includes('--without-mark');
const PER_TURN = 5;

const { openDatabase } = await import(join(ROOT, 'src/adapters/sqlite/database.ts'));
const { SqliteOrderRepository } = await import(join(ROOT, 'src/adapters/sqlite/sqlite-order-repository.ts'));
const { SqliteQueue } = await import(join(ROOT, 'src/adapters/sqlite/sqlite-queue.ts'));
const { fingerprintOf } = await import(join(ROOT, 'src/core/order.ts'));

const dir = mkdtempSync(join(tmpdir(), 'dofs-replay-'));
// No automatic checkpoints, as in the storage thread (its checkpointer runs on another thread).
const store = openDatabase(join(dir, 'dofs.sqlite'), { autoCheckpoint: false });
let now = Date.UTC(2026, 11, 1);
const clock = { now: () => now };
const orders = new SqliteOrderRepository(store.early);
const dlq = new SqliteQueue(store.early, { name: 'order_dlq', visibilityTimeoutMs: 1000, clock });
const queue = new SqliteQueue(store.early, {
  name: 'order_queue',
  visibilityTimeoutMs: 1000,
  clock,
  deadLetter: { queue: dlq, maxReceiveCount: 3 },
});
let seed = 7;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

const started = performance.now();
const cpuAtStart = process.cpuUsage();
for (let i = 0; i < ORDERS; i += PER_TURN) {
  now += 2;
  const mark = store.mark;
  const at = new Date(now).toISOString();
  for (let k = i; k < i + PER_TURN; k++) {
    const items = [{ product_id: 'p-1', quantity: 1, price: 10 }];
    const customer_id = `c-${Math.floor(random() * 1000)}`;
    await orders.create({
      order_id: `replay-${k}`,
      customer_id,
      items,
      status: 'PENDING',
      attempts: 0,
      last_error: null,
      fingerprint: fingerprintOf({ customer_id, items }),
      submission_id: `s-${k}`,
      redrives: 0,
      queued: false,
      created_at: at,
      updated_at: at,
    });
    await queue.send(JSON.stringify({ order_id: `replay-${k}` }));
    if (WITH_MARK) {
      await orders.transition(
        `replay-${k}`,
        { status: 'PENDING', unqueued: true },
        { queued: true, event: { type: 'queued', at } },
      );
    }
  }
  const done: string[] = [];
  for (const message of await queue.receive(25)) {
    const orderId = (JSON.parse(message.body) as { order_id: string }).order_id;
    const order = await orders.get(orderId);
    if (order?.status !== 'PENDING') {
      done.push(message.receiptHandle);
      continue;
    }
    if (random() < 0.7) {
      await orders.transition(orderId, 'PENDING', {
        status: 'FULFILLED',
        countAttempt: true,
        last_error: null,
        updated_at: at,
        event: { type: 'fulfilled', at, started_at: at },
      });
      done.push(message.receiptHandle);
    } else {
      await orders.transition(orderId, 'PENDING', {
        countAttempt: true,
        last_error: 'failed',
        updated_at: at,
        event: { type: 'attempt_failed', at, started_at: at, detail: 'failed' },
      });
    }
  }
  await queue.delete(done);
  await store.whenCommitted(mark);
}
const cpu = process.cpuUsage(cpuAtStart);
const wallMs = performance.now() - started;
store.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    root: ROOT,
    orders: ORDERS,
    queued_mark: WITH_MARK,
    cpu_us_per_order: Math.round((cpu.user + cpu.system) / ORDERS),
    wall_us_per_order: Math.round((wallMs * 1000) / ORDERS),
    commits: store.commits,
  }),
);
