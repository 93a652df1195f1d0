import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { json } from '../../src/handlers/http/error-response.ts';
import type { HttpRequest, HttpResponse } from '../../src/handlers/http/http-types.ts';
import { limitListReads } from '../../src/hosts/local/http/list-read-limit.ts';
import { createNodeServer } from '../../src/hosts/local/http/node-server.ts';
import { recordingLogger } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** A raw connection: what it is sent and what comes back, byte for byte. */
function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    connected: new Promise<void>((resolve) => socket.once('connect', () => resolve())),
    closed,
    received: () => received,
    async response(): Promise<string> {
      await Promise.race([closed, eventually(() => /\r\n\r\n/.test(received), 5000, 10)]);
      return received;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('node:http server edge', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('answers a refused request on its headers alone: the body is never read', async () => {
    const logger = recordingLogger();
    const handled: HttpRequest[] = [];
    const server = createNodeServer(
      async (request) => {
        handled.push(request);
        return json(200, {});
      },
      logger,
      () => json(401, { error: { code: 'Unauthorized', message: 'no key' } }),
    );
    servers.push(server);
    const client = rawClient(await listen(server));
    await client.connected;
    // Headers announce 64 KiB; not one byte of it is sent, yet the answer comes.
    client.socket.write(
      'POST /order HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 65536\r\n\r\n',
    );
    const response = await client.response();
    assert.match(response, /^HTTP\/1\.1 401 /);
    assert.match(response, /connection: close/i);
    await client.closed;
    assert.deepEqual(handled, []);
  });

  it('caps open connections: one more gets 503 + Retry-After and is closed, the others are served', async () => {
    const logger = recordingLogger();
    const server = createNodeServer(async () => json(200, { ok: true }), logger, undefined, {
      maxConnections: 3,
    });
    servers.push(server);
    const port = await listen(server);
    const held = Array.from({ length: 3 }, () => rawClient(port));
    await Promise.all(held.map((c) => c.connected));
    await sleep(50);
    const extra = rawClient(port);
    await extra.connected;
    const refused = await extra.response();
    assert.match(refused, /^HTTP\/1\.1 503 /);
    assert.match(refused, /retry-after: 1/i);
    assert.match(refused, /too many open connections/);
    await extra.closed;
    const first = held[0];
    first?.socket.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    assert.match((await first?.response()) ?? '', /^HTTP\/1\.1 200 /, 'the held connections are served');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await sleep(50);
    const later = rawClient(port);
    later.socket.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    assert.match(await later.response(), /^HTTP\/1\.1 200 /, 'a closed connection frees its place');
    later.socket.destroy();
  });

  it('logs no error when a client goes away mid-body, or when the request timeout cuts it off (408)', async () => {
    const logger = recordingLogger();
    const server = createNodeServer(async () => json(200, {}), logger, undefined, { requestTimeoutMs: 1000 });
    servers.push(server);
    const port = await listen(server);

    const aborting = rawClient(port);
    await aborting.connected;
    aborting.socket.write(
      'POST /order HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":',
    );
    await sleep(100);
    aborting.socket.destroy();
    await aborting.closed;

    const slow = rawClient(port);
    await slow.connected;
    slow.socket.write(
      'POST /order HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":',
    );
    const timedOut = await Promise.race([
      slow.closed.then(() => slow.received()),
      sleep(5000).then(() => 'no answer'),
    ]);
    assert.match(timedOut, /^HTTP\/1\.1 408 /);
    await sleep(100);
    assert.deepEqual(
      logger.lines.filter((l) => l.level === 'error' || l.level === 'warn'),
      [],
      'ordinary client behaviour is not an error',
    );
    assert.ok(logger.lines.some((l) => l.level === 'debug' && /client went away/.test(String(l.message))));
  });
});

describe('limitListReads', () => {
  const list = (path = '/orders'): HttpRequest => ({
    method: 'GET',
    path,
    query: new URLSearchParams(),
    headers: {},
    body: undefined,
  });

  it('serves at most N list reads at once and answers one more 503 + Retry-After at once', async () => {
    const waiting: (() => void)[] = [];
    const handle = limitListReads(
      (request) =>
        new Promise<HttpResponse>((resolve) =>
          waiting.push(() => resolve(json(200, { path: request.path }))),
        ),
      2,
    );
    const first = handle(list('/orders'));
    const second = handle(list('/failed-orders'));
    const third = await handle(list('/orders'));
    assert.deepEqual([third.status, third.headers['retry-after']], [503, '1']);
    const other = handle(list('/orders/o-1'));
    assert.equal(waiting.length, 3, 'other routes are not limited');
    for (const release of waiting.splice(0)) release();
    assert.deepEqual([(await first).status, (await second).status, (await other).status], [200, 200, 200]);
    const fourth = handle(list('/orders'));
    for (const release of waiting.splice(0)) release();
    assert.equal((await fourth).status, 200, 'a finished read frees its place');
  });
});
