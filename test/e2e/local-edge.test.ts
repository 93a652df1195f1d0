import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { loadLocalConfig } from '../../src/config.ts';
import { createLocalSystem, type LocalSystem } from '../../src/hosts/local/local-system.ts';
import { recordingLogger } from '../support/builders.ts';
import { tempDataDir } from '../support/server-process.ts';

/** node:http, not fetch: fetch will not send another Host header, and a browser's headers are the point here. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local host against a hostile web page (default settings: no API key, loopback)', () => {
  let system: LocalSystem;
  let port: number;
  let remove: () => void;
  const logger = recordingLogger();
  before(async () => {
    const dir = tempDataDir();
    remove = dir.remove;
    system = createLocalSystem(
      loadLocalConfig({
        PORT: '0',
        DOFS_DATA_DIR: dir.dir,
        FULFILLMENT_SUCCESS_RATE: '0',
        VISIBILITY_TIMEOUT_SECONDS: '0',
      }),
      { logger },
    );
    ({ port } = await system.start());
  });
  after(async () => {
    await system.stop();
    remove();
  });

  it('does not answer a rebound host name: a page cannot read /orders through DNS rebinding', async () => {
    const response = await send(port, 'GET', '/orders', { host: `attacker.example:${port}` });
    assert.equal(response.status, 403);
    assert.equal((await send(port, 'GET', '/orders', { host: `localhost:${port}` })).status, 200);
  });

  it('refuses cross-site writes: an empty form POST to redrive all, a no-cors fetch placing an order', async () => {
    const host = `127.0.0.1:${port}`;
    const form = await send(port, 'POST', '/failed-orders/redrive', {
      host,
      origin: 'https://attacker.example',
      'sec-fetch-site': 'cross-site',
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': '0',
    });
    assert.equal(form.status, 403, form.body);
    const noCors = await send(
      port,
      'POST',
      '/order',
      { host, origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
      '{"order_id":"csrf-1","customer_id":"c","items":[{"product_id":"p","quantity":1}]}',
    );
    assert.equal(noCors.status, 403, noCors.body);
    assert.equal((await send(port, 'GET', '/orders/csrf-1', { host })).status, 404, 'no order was placed');
    const dashboard = await send(
      port,
      'POST',
      '/order',
      {
        host,
        origin: `http://${host}`,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      },
      '{"order_id":"same-1","customer_id":"c","items":[{"product_id":"p","quantity":1}]}',
    );
    assert.equal(dashboard.status, 202, 'the dashboard (same origin) still places orders');
  });

  it('answers HEAD /health, and 400 for a malformed escape, with no error logged', async () => {
    const head = await send(port, 'HEAD', '/health');
    assert.deepEqual([head.status, head.body], [200, '']);
    for (const [method, path] of [
      ['GET', '/orders/%'],
      ['POST', '/failed-orders/%ZZ/redrive'],
    ] as const)
      assert.equal((await send(port, method, path)).status, 400, path);
    assert.deepEqual(
      logger.lines.filter((l) => l.level === 'error'),
      [],
    );
  });
});
