// npm run test:soak: what clients can do to the local host's memory and intake. A storm of large list reads,
// and a flood of unauthenticated connections with 64 KiB bodies. Bounded in count and time; 127.0.0.1 only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { call, mapLimit, type ServerProcess, startServer, tempDataDir } from '../support/server-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

function rssMiB(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Samples the server's RSS and times /health and POST /order, one after the other, until stopped. */
function watch(server: ServerProcess, headers: Record<string, string> = {}) {
  let peak = rssMiB(server.child.pid);
  const health: number[] = [];
  const intake: number[] = [];
  const failures: string[] = [];
  let stopped = false;
  const rss = setInterval(() => {
    peak = Math.max(peak, rssMiB(server.child.pid));
  }, 100);
  let n = 0;
  const probes = (async () => {
    while (!stopped) {
      let t = performance.now();
      const h = await call(`${server.url}/health`, { headers }).catch((e: Error) => ({ status: e.message }));
      health.push(performance.now() - t);
      if (h.status !== 200) failures.push(`health ${h.status}`);
      t = performance.now();
      const o = await call(`${server.url}/order`, {
        body: anOrderBody({ order_id: `probe-${n++}` }),
        headers,
      }).catch((e: Error) => ({ status: e.message }));
      intake.push(performance.now() - t);
      if (o.status !== 202) failures.push(`order ${o.status}`);
      await sleep(200);
    }
  })();
  const max = (xs: number[]) => Math.round(Math.max(0, ...xs));
  const p50 = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0);
  return async () => {
    stopped = true;
    await probes;
    clearInterval(rss);
    return {
      peakRssMiB: Math.round(peak),
      healthMs: { p50: p50(health), max: max(health), n: health.length },
      orderMs: { p50: p50(intake), max: max(intake), n: intake.length },
      failures,
    };
  };
}

const LARGE_ITEMS = Array.from({ length: 100 }, (_, i) => ({
  product_id: `${i}-`.padEnd(128, 'x'),
  quantity: 1_000_000,
  price: 123456.78,
}));

describe('soak: the local host edge under hostile clients', { timeout: 600_000 }, () => {
  const servers: ServerProcess[] = [];
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    for (const cleanup of cleanups) cleanup();
  });

  it('keeps memory bounded and intake and /health fast under 64 concurrent GET /orders?limit=500 of large orders', async (t) => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    const server = await startServer({
      DOFS_DATA_DIR: dir,
      FULFILLMENT_SUCCESS_RATE: '1',
      DOFS_RATE_LIMIT_PER_S: '0',
    });
    servers.push(server);
    await mapLimit(
      Array.from({ length: 1000 }, (_, i) => i),
      16,
      async (i) => {
        const response = await call(`${server.url}/order`, {
          body: { order_id: `large-${i}`, customer_id: 'c', items: LARGE_ITEMS },
        });
        assert.equal(response.status, 202);
      },
    );
    const baseline = Math.round(rssMiB(server.child.pid));
    const stop = watch(server);
    const statuses = new Map<number, number>();
    let bytes = 0;
    let missingRetryAfter = 0;
    const until = Date.now() + 15_000;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (Date.now() < until) {
          const response = await fetch(`${server.url}/orders?limit=500`);
          const text = await response.text();
          bytes += text.length;
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 503 && !response.headers.get('retry-after')) missingRetryAfter += 1;
          if (response.status === 503) await sleep(50);
        }
      }),
    );
    const figures = { baselineRssMiB: baseline, ...(await stop()) };
    const summary = `storm: ${JSON.stringify({ ...figures, readers: Object.fromEntries(statuses), readMiB: Math.round(bytes / MiB) })}`;
    t.diagnostic(summary);
    console.log(summary);
    assert.deepEqual(
      [...statuses.keys()].filter((s) => s !== 200 && s !== 503),
      [],
      'only 200 or 503',
    );
    assert.equal(missingRetryAfter, 0, 'every 503 says when to come back');
    assert.ok((statuses.get(200) ?? 0) > 0, 'reads are served');
    assert.deepEqual(figures.failures, []);
    assert.ok(figures.peakRssMiB < 600, `peak RSS ${figures.peakRssMiB} MiB`);
    assert.ok(figures.healthMs.max < 3000, `/health took up to ${figures.healthMs.max} ms`);
    assert.ok(figures.orderMs.max < 3000, `POST /order took up to ${figures.orderMs.max} ms`);
    assert.equal(await server.stop(), 0);
  });

  it('reads no body and holds no connection past the cap for a flood of 8,000 unauthenticated 64 KiB requests held open', async (t) => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    const key = 'soak-key-0123456789abcdef';
    const server = await startServer({
      DOFS_DATA_DIR: dir,
      DOFS_API_KEY: key,
      FULFILLMENT_SUCCESS_RATE: '1',
    });
    servers.push(server);
    const { hostname, port } = new URL(server.url);
    const baseline = Math.round(rssMiB(server.child.pid));
    const stop = watch(server, { 'x-api-key': key });
    const body = Buffer.alloc(64 * 1024, 'x');
    const head = Buffer.from(
      `POST /order HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    const answers = new Map<string, number>();
    const sockets: Socket[] = [];
    const CONNECTIONS = 8000;
    for (let i = 0; i < CONNECTIONS; i++) {
      const socket = connect(Number(port), hostname);
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.once('data', (chunk: Buffer) => {
        const status = /^HTTP\/1\.1 (\d+)/.exec(chunk.toString('latin1'))?.[1] ?? 'other';
        answers.set(status, (answers.get(status) ?? 0) + 1);
      });
      // All of the headers and most of the body, then nothing: a request that would hold its body in
      // memory until the request timeout, were the body read before the key is checked.
      socket.write(head);
      socket.write(body.subarray(0, 60 * 1024));
      if (i % 500 === 499) await sleep(50);
    }
    await sleep(5000);
    const figures = { baselineRssMiB: baseline, ...(await stop()) };
    for (const socket of sockets) socket.destroy();
    const summary = `flood: ${JSON.stringify({ ...figures, connections: CONNECTIONS, answers: Object.fromEntries(answers) })}`;
    t.diagnostic(summary);
    console.log(summary);
    assert.deepEqual(
      [...answers.keys()].filter((s) => !['401', '429', '503'].includes(s)),
      [],
      'refused, never served',
    );
    assert.deepEqual(figures.failures, [], 'the keyed client is served throughout');
    assert.ok(
      figures.peakRssMiB - baseline < 200,
      `RSS grew by ${figures.peakRssMiB - baseline} MiB (baseline ${baseline})`,
    );
    assert.equal(await server.stop(), 0);
  });
});
