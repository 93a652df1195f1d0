// npm run test:soak: repeated SIGKILLs under load, during dead-lettering and during a redrive, then overload
// past capacity. Bounded in count and time; targets only 127.0.0.1. Its figures are in docs/reliability.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import autocannon from 'autocannon';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import {
  call,
  type Json,
  mapLimit,
  type ServerProcess,
  startServer,
  streamOrders,
  tempDataDir,
} from '../support/server-process.ts';

const KILLS = 6;
const TARGET_ORDERS = 6000;
const MAX_RECEIVE_COUNT = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allOrders(server: ServerProcess, ids: Iterable<string>): Promise<Json[]> {
  return mapLimit([...ids], 16, async (id) => (await call(`${server.url}/orders/${id}`)).body);
}

async function failedIds(server: ServerProcess): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: Json = (
      await call(`${server.url}/failed-orders?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
    ).body;
    for (const r of page.items) ids.add(r.order_id);
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

function fulfilmentsById(logs: Record<string, unknown>[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of logs.flat()) {
    if (line.message === 'order fulfilled')
      counts.set(String(line.order_id), (counts.get(String(line.order_id)) ?? 0) + 1);
  }
  return counts;
}

const started: ServerProcess[] = [];
/** Remembers a server so that a failing test cannot leave it running. */
function track(server: ServerProcess): ServerProcess {
  started.push(server);
  return server;
}

describe('soak: crashes and overload', { timeout: 600_000 }, () => {
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    for (const c of cleanups) c();
  });

  it(`loses nothing and fulfils nothing twice across ${KILLS} SIGKILLs over ${TARGET_ORDERS}+ orders`, async (t) => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    const env = {
      DOFS_DATA_DIR: dir,
      FULFILLMENT_SUCCESS_RATE: '0.7',
      DOFS_RANDOM_SEED: 'soak',
      VISIBILITY_TIMEOUT_SECONDS: '0.3',
      MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
    };
    let server: ServerProcess | undefined = track(await startServer(env));
    const logs = [server.logs];
    const flow = streamOrders(
      () => server,
      8,
      'soak',
      (order_id) => anOrderBody({ order_id }),
    );
    let recovered = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const goal = Math.round(((kill + 1) * TARGET_ORDERS) / (KILLS + 1));
      await eventually(async () => flow.accepted.size >= goal, 120_000, 5);
      await sleep(Math.random() * 200);
      const victim: ServerProcess = server as ServerProcess;
      server = undefined;
      await victim.kill();
      server = track(await startServer(env));
      logs.push(server.logs);
      const line = server.logs.find((l) => l.message === 'recovered unfinished work');
      recovered += Number(line?.resumed ?? 0) + Number(line?.requeued ?? 0);
    }
    await eventually(async () => flow.accepted.size >= TARGET_ORDERS, 120_000, 5);
    await flow.stop();
    const current = server as ServerProcess;
    await eventually(
      async () => (await call(`${current.url}/health`)).body.orders.PENDING === 0,
      120_000,
      200,
    );
    const orders = await allOrders(current, flow.accepted);
    const failed = await failedIds(current);
    const lost = orders.filter((o) => o.status !== 'FULFILLED' && o.status !== 'FAILED');
    assert.deepEqual(
      lost.map((o) => o.order_id ?? o.error),
      [],
      'every accepted order is FULFILLED or FAILED',
    );
    for (const o of orders) {
      assert.ok(o.attempts >= 1 && o.attempts <= MAX_RECEIVE_COUNT, `${o.order_id} attempts ${o.attempts}`);
      assert.equal(failed.has(o.order_id), o.status === 'FAILED', `failed_orders agrees for ${o.order_id}`);
    }
    const twice = [...fulfilmentsById(logs)].filter(([, n]) => n > 1);
    assert.deepEqual(twice, []);
    const fulfilled = orders.filter((o) => o.status === 'FULFILLED').length;
    t.diagnostic(
      `kills ${KILLS}; accepted ${flow.accepted.size}; FULFILLED ${fulfilled}, FAILED ${orders.length - fulfilled}; lost 0; fulfilled twice 0; executions resumed + orders re-queued after restarts: ${recovered}`,
    );
    assert.equal(await current.stop(), 0);
  });

  it('loses nothing when killed while dead-lettering and while redriving', async (t) => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    const base = {
      DOFS_DATA_DIR: dir,
      VISIBILITY_TIMEOUT_SECONDS: '0.1',
      MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
    };
    let server = track(await startServer({ ...base, FULFILLMENT_SUCCESS_RATE: '0' }));
    const logs = [server.logs];
    const ids = Array.from({ length: 500 }, (_, i) => `dl-${i}`);
    await mapLimit(ids, 16, async (order_id) =>
      assert.equal((await call(`${server.url}/order`, { body: anOrderBody({ order_id }) })).status, 202),
    );
    // Kill twice while orders are being retried and dead-lettered.
    for (let i = 0; i < 2; i++) {
      await eventually(async () => (await call(`${server.url}/health`)).body.failed_orders > 0, 30_000, 20);
      await server.kill();
      server = track(await startServer({ ...base, FULFILLMENT_SUCCESS_RATE: '0' }));
      logs.push(server.logs);
    }
    await eventually(
      async () => (await call(`${server.url}/health`)).body.orders.FAILED === ids.length,
      60_000,
      100,
    );
    assert.equal((await failedIds(server)).size, ids.length, 'every failed order is in failed_orders');
    await server.stop();

    // Redrive with a healthy service, killed mid-redrive; the restart and a second redrive finish it.
    server = track(await startServer({ ...base, FULFILLMENT_SUCCESS_RATE: '1' }));
    logs.push(server.logs);
    const redrive = call(`${server.url}/failed-orders/redrive`, { method: 'POST' }).catch(() => undefined);
    await sleep(30);
    await server.kill();
    await redrive;
    server = track(await startServer({ ...base, FULFILLMENT_SUCCESS_RATE: '1' }));
    logs.push(server.logs);
    const again = await call(`${server.url}/failed-orders/redrive`, { method: 'POST' });
    assert.equal(again.status, 200);
    await eventually(
      async () => (await call(`${server.url}/health`)).body.orders.FULFILLED === ids.length,
      60_000,
      100,
    );
    const orders = await allOrders(server, ids);
    assert.ok(
      orders.every((o) => o.status === 'FULFILLED' && o.redrives === 1),
      'each redriven exactly once',
    );
    assert.equal((await failedIds(server)).size, 0);
    assert.deepEqual(
      [...fulfilmentsById(logs)].filter(([, n]) => n > 1),
      [],
    );
    t.diagnostic(
      `500 orders dead-lettered across 2 kills, redriven across 1 kill: 500 FULFILLED, 0 lost, 0 fulfilled twice, first redrive call answered before the kill: ${Boolean(await redrive)}`,
    );
    assert.equal(await server.stop(), 0);
  });

  it('sheds load past its backlog bound with 503 + Retry-After, memory bounded, and completes what it accepted', async (t) => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    const server = track(
      await startServer({
        DOFS_DATA_DIR: dir,
        FULFILLMENT_SUCCESS_RATE: '1',
        // A deliberately slow consumer: one message at a time.
        BATCH_SIZE: '1',
        CONSUMER_CONCURRENCY: '1',
        DOFS_MAX_BACKLOG: '500',
        DOFS_RATE_LIMIT_PER_S: '0',
      }),
    );
    let peakRss = 0;
    const rssTimer = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
        peakRss = Math.max(peakRss, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      } catch {
        // the process is gone
      }
    }, 200);
    let i = 0;
    const result = await autocannon({
      url: server.url,
      connections: 32,
      duration: 10,
      overallRate: 4000,
      requests: [
        {
          method: 'POST',
          path: '/order',
          headers: { 'content-type': 'application/json' },
          setupRequest: (r: Record<string, unknown>) => ({
            ...r,
            body: JSON.stringify(anOrderBody({ order_id: `ol-${i++}` })),
          }),
        },
      ],
    });
    await eventually(
      async () => (await call(`${server.url}/health`)).body.orders.PENDING === 0,
      240_000,
      250,
    );
    clearInterval(rssTimer);
    const health = (await call(`${server.url}/health`)).body;
    const stored = health.orders.PENDING + health.orders.FULFILLED + health.orders.FAILED;
    assert.ok(result.non2xx > 0, 'some orders were refused with 503');
    assert.equal(health.orders.FULFILLED, stored, 'every stored order completed');
    // autocannon stops counting at its deadline with up to `connections` requests in flight, which the
    // server may still accept: stored orders are the 2xx it counted, plus at most those.
    assert.ok(
      stored >= result['2xx'] && stored <= result['2xx'] + 32,
      `stored ${stored}, 2xx ${result['2xx']}`,
    );
    assert.ok(peakRss < 300, `peak RSS ${peakRss} MB`);
    t.diagnostic(
      `offered ~4000/s for 10 s to a one-message consumer: accepted ${result['2xx']} (+${stored - result['2xx']} in flight at the client's deadline), refused ${result.non2xx} (503 + Retry-After), all stored orders FULFILLED, peak RSS ${peakRss.toFixed(0)} MB`,
    );
    assert.equal(await server.stop(), 0);
  });
});
