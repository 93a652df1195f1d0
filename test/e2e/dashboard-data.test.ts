import assert from 'node:assert/strict';
import { Agent, get } from 'node:http';
import { describe, it } from 'node:test';
import { dashboardFilePaths } from '../../src/hosts/local/http/local-routes.ts';
import { eventually } from '../support/eventually.ts';
import { call, type Json, serverPerSuite, startServer, tempDataDir } from '../support/server-process.ts';

const API_KEY = 'dashboard-files-test-key-0123456789';

describe('the dashboard files (local host)', () => {
  const suite = serverPerSuite({ DOFS_API_KEY: API_KEY });

  it('serves every file the page loads, uPlot included, from this server and without the API key', async () => {
    const page = await (await fetch(`${suite.server.url}/`)).text();
    const referenced = [...page.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    const modules = await Promise.all(
      dashboardFilePaths()
        .filter((path) => path.endsWith('.js'))
        .map(async (path) => (await fetch(`${suite.server.url}${path}`)).text()),
    );
    const imported = modules.flatMap((source) =>
      [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) =>
        new URL(m[1] ?? '', 'http://x/web/').pathname.replace(/^\/web/, ''),
      ),
    );
    const needed = new Set([...referenced, ...imported]);
    assert.ok(
      needed.has('/vendor/uPlot.esm.js') && needed.has('/vendor/uPlot.min.css'),
      [...needed].join(' '),
    );
    for (const path of needed) {
      assert.ok(dashboardFilePaths().includes(path ?? ''), `${path} is one of the dashboard's files`);
      const response = await fetch(`${suite.server.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(
        response.headers.get('content-type') ?? '',
        path?.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/, path);
    }
    assert.doesNotMatch(page, /https?:\/\//, 'nothing loads from another origin');
  });

  it('still needs the key for the dashboard data', async () => {
    assert.equal((await fetch(`${suite.server.url}/dashboard/data`)).status, 401);
    const data = await fetch(`${suite.server.url}/dashboard/data?window=1h`, {
      headers: { 'x-api-key': API_KEY },
    });
    assert.equal(data.status, 200);
    assert.equal((await data.json()).series.step_ms, 30_000);
    const bad = await fetch(`${suite.server.url}/dashboard/data?window=2d`, {
      headers: { 'x-api-key': API_KEY },
    });
    assert.equal(bad.status, 400);
  });
});

describe('the dashboard data: queue health from the storage thread', () => {
  // Every attempt fails and a failed message comes back after 2 s: an order stays "retrying" for a while.
  const suite = serverPerSuite({
    FULFILLMENT_SUCCESS_RATE: '0',
    VISIBILITY_TIMEOUT_SECONDS: '2',
    MAX_RECEIVE_COUNT: '3',
    CONSUMER_CONCURRENCY: '2',
  });

  it('reports the retrying order, its message in flight with its age, and the consumer batches', async () => {
    const sent = Date.now();
    const accepted = await call(`${suite.server.url}/order`, {
      body: { order_id: 'retrying-1', customer_id: 'c-1', items: [{ product_id: 'p-1', quantity: 1 }] },
    });
    assert.equal(accepted.status, 202);
    let data: Json;
    await eventually(async () => {
      data = (await call(`${suite.server.url}/dashboard/data`)).body;
      return data.retrying_orders === 1;
    }, 5_000);
    const queue = data.queues.order_queue;
    assert.equal(queue.in_flight, 1, 'waiting out its visibility timeout');
    assert.equal(queue.visible, 0);
    assert.ok(
      queue.oldest_age_ms >= 0 && queue.oldest_age_ms <= Date.now() - sent + 50,
      `${queue.oldest_age_ms}`,
    );
    assert.ok(
      queue.consumer.batches >= 1 && queue.consumer.failed_records >= 1,
      JSON.stringify(queue.consumer),
    );
    assert.equal(queue.consumer.concurrency, 2);
    assert.deepEqual(Object.keys(data.queues), ['order_queue', 'order_dlq']);
    assert.equal(data.last_24h.accepted, 1);
  });
});

describe('a dashboard left open while the server stops', () => {
  it('does not hold the stop: each answer closes its keep-alive connection once stopping', async () => {
    const data = tempDataDir();
    const server = await startServer({ DOFS_DATA_DIR: data.dir });
    // One keep-alive connection asking again as soon as it has its answer: it is never idle when close() runs.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let polling = true;
    const poll = (async () => {
      while (polling) {
        await new Promise<void>((resolve) => {
          get(`${server.url}/dashboard/data`, { agent }, (response) => {
            response.resume();
            response.on('end', resolve);
          }).on('error', () => resolve());
        });
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      assert.equal(await server.stop(), 0, 'stopped cleanly, not at the shutdown deadline (exit 1)');
      assert.ok(Date.now() - started < 5_000, `stopped in ${Date.now() - started} ms`);
    } finally {
      polling = false;
      await poll;
      agent.destroy();
      data.remove();
    }
  });
});
