import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serverPerSuite, startServer, tempDataDir } from '../support/server-process.ts';

const BIN = new URL('../../bin/dofs.js', import.meta.url).pathname;

/** Runs bin/dofs.js as a user would, resolving with its exit code and output. */
function dofs(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('dofs CLI', () => {
  const suite = serverPerSuite({ FULFILLMENT_SUCCESS_RATE: '1', VISIBILITY_TIMEOUT_SECONDS: '0.05' });
  const env = () => ({ DOFS_URL: suite.server.url });

  it('prints help for the program and for every command, exit 0', async () => {
    for (const args of [
      ['--help'],
      ...['serve', 'submit', 'status', 'orders', 'failed', 'redrive', 'load'].map((c) => [c, '--help']),
    ]) {
      const r = await dofs(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^Usage: dofs/m, args.join(' '));
    }
  });

  it('submits from flags and from a file, then shows the order', async () => {
    const flags = await dofs(
      [
        'submit',
        '--order-id',
        'cli-1',
        '--customer',
        'c-1',
        '--product',
        'p-1',
        '--quantity',
        '2',
        '--price',
        '3.5',
      ],
      env(),
    );
    assert.equal(flags.code, 0, flags.stderr);
    assert.deepEqual(JSON.parse(flags.stdout).items, [{ product_id: 'p-1', quantity: 2, price: 3.5 }]);
    const file = join(suite.dir, 'order.json');
    writeFileSync(
      file,
      JSON.stringify({ order_id: 'cli-2', customer_id: 'c-2', items: [{ product_id: 'p', quantity: 1 }] }),
    );
    const fromFile = await dofs(['submit', file], env());
    assert.equal(JSON.parse(fromFile.stdout).http_status, 202);
    const status = await dofs(['status', 'cli-1'], env());
    assert.equal(JSON.parse(status.stdout).order_id, 'cli-1');
    const list = await dofs(['orders', '--limit', '5'], env());
    assert.match(list.stdout, /^order_id\s+status/m);
    assert.match(list.stdout, /cli-2/);
  });

  it('lists failed orders and redrives, with clear errors and exit codes', async () => {
    const failed = await dofs(['failed'], env());
    assert.equal(failed.code, 0);
    assert.match(failed.stdout, /^order_id\s+attempts\s+failed_at\s+reason/m);
    const notFailed = await dofs(['redrive', 'cli-1'], env());
    assert.equal(notFailed.code, 1);
    assert.match(
      notFailed.stderr,
      /409: order cli-1 is (PENDING|FULFILLED); only FAILED orders can be redriven/,
    );
    const all = await dofs(['redrive', '--all'], env());
    assert.deepEqual(JSON.parse(all.stdout), { redriven: 0, failed: [] });
  });

  it('answers usage mistakes with exit code 2 and the API refusing with exit code 1', async () => {
    const usage = await dofs(['redrive'], env());
    assert.deepEqual([usage.code, usage.stderr.trim()], [2, 'dofs: give one order id, or --all']);
    const badFlag = await dofs(['load', '--rate', 'fast', '--duration', '1'], env());
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--rate must be a positive number/);
    const invalid = await dofs(['submit', '--customer', 'c', '--product', 'p', '--quantity', '0'], env());
    assert.equal(invalid.code, 2);
    const missing = await dofs(['status', 'nope'], env());
    assert.deepEqual([missing.code, missing.stderr.trim()], [1, 'dofs: 404: order nope was not found']);
    const unreachable = await dofs(['status', 'x'], { DOFS_URL: 'http://127.0.0.1:9' });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach http:\/\/127.0.0.1:9/);
  });

  it('sends the API key as x-api-key, which a host with DOFS_API_KEY requires', async () => {
    const key = 'cli-test-key-0123456789';
    const keyed = tempDataDir();
    const guarded = await startServer({ DOFS_DATA_DIR: keyed.dir, DOFS_API_KEY: key });
    try {
      const denied = await dofs(['orders'], { DOFS_URL: guarded.url });
      assert.deepEqual(
        [denied.code, denied.stderr.trim()],
        [1, 'dofs: 401: missing or invalid x-api-key header'],
      );
      const wrong = await dofs(['--api-key', 'not-the-key', 'orders'], { DOFS_URL: guarded.url });
      assert.equal(wrong.code, 1);
      const allowed = await dofs(['--api-key', key, 'orders'], { DOFS_URL: guarded.url });
      assert.equal(allowed.code, 0, allowed.stderr);
      const fromEnv = await dofs(['orders'], { DOFS_URL: guarded.url, DOFS_API_KEY: key });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
    } finally {
      await guarded.stop();
      keyed.remove();
    }
  });

  it('offers load and prints a summary with outcomes and latency percentiles', async () => {
    const r = await dofs(['load', '--rate', '100', '--duration', '1', '--json'], env());
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.offered, 100);
    assert.equal(summary.accepted, 100);
    assert.equal(summary.fulfilled, 100);
    assert.equal(summary.unfinished, 0);
    assert.ok(summary.acceptMs.p50 > 0 && summary.endToEndMs.p99 >= summary.endToEndMs.p50);
    assert.match(r.stderr, /\[#+\] 100% sent 100\/100/);
  });
});
