import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { call, serverPerSuite, startServer, tempDataDir } from '../support/server-process.ts';

const BIN = new URL('../../bin/dofs.js', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

/** Runs bin/dofs.js as a user would, resolving with its exit code and output. */
function dofs(
  args: string[],
  env: Record<string, string> = {},
  killAfterMs?: number,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return run(process.execPath, [BIN, ...args], env, killAfterMs);
}

/** Runs a command from the repository root; one still running after `killAfterMs` is killed (code null). */
function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  killAfterMs = 120_000,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    // detached: its own process group, so a kill reaches the launcher's child too.
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      detached: true,
    });
    const killer = setTimeout(() => process.kill(-(child.pid ?? 0), 'SIGKILL'), killAfterMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A TCP server that accepts connections and never answers: a hung server. */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
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
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^order\s+cli-1$/m);
    assert.match(status.stdout, /^timeline \(\d+ events?\)$/m);
    assert.match(status.stdout, /^1\s+\S+Z\s+accepted\s+PENDING\s+0\s+0$/m, status.stdout);
    const statusJson = await dofs(['status', 'cli-1', '--json'], env());
    const { order, history } = JSON.parse(statusJson.stdout);
    assert.equal(order.order_id, 'cli-1');
    assert.deepEqual([history.order_id, history.events[0].type], ['cli-1', 'accepted']);
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

  it('pages orders by customer with the cursor it prints, and heads the failed list with its count', async () => {
    for (const n of [1, 2, 3]) {
      const submitted = await dofs(
        [
          'submit',
          '--order-id',
          `cli-page-${n}`,
          '--customer',
          'cli-pager',
          '--product',
          'p',
          '--quantity',
          '1',
        ],
        env(),
      );
      assert.equal(submitted.code, 0, submitted.stderr);
    }
    const first = await dofs(['orders', '--customer', 'cli-pager', '--limit', '2'], env());
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.stdout.match(/cli-page-\d/g), ['cli-page-3', 'cli-page-2']);
    const cursor = /more: add --cursor (\S+)/.exec(first.stdout)?.[1];
    assert.ok(cursor, first.stdout);
    const second = await dofs(
      ['orders', '--customer', 'cli-pager', '--limit', '2', '--cursor', cursor],
      env(),
    );
    assert.deepEqual(second.stdout.match(/cli-page-\d/g), ['cli-page-1']);
    assert.doesNotMatch(second.stdout, /more:/);
    const failed = await dofs(['failed'], env());
    assert.match(failed.stdout, /^0 failed orders$/m);
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

  it('prints its version (--version, -V) as package.json has it, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await dofs([flag]);
      assert.deepEqual([r.code, r.stdout.trim()], [0, version], flag);
    }
  });

  it('prints every read command as JSON with --json', async () => {
    const orders = await dofs(['orders', '--limit', '2', '--json'], env());
    assert.equal(orders.code, 0, orders.stderr);
    const page = JSON.parse(orders.stdout);
    assert.equal(page.items.length, 2);
    assert.ok('cursor' in page);
    const failed = await dofs(['failed', '--json'], env());
    assert.equal(failed.code, 0, failed.stderr);
    assert.deepEqual(JSON.parse(failed.stdout), { items: [], cursor: null, total: 0, by_reason: [] });
    const status = await dofs(['status', 'cli-1', '--json'], env());
    assert.equal(JSON.parse(status.stdout).order.order_id, 'cli-1');
  });

  it('takes statuses in any case, as the API does', async () => {
    const lower = await dofs(['orders', '--status', 'fulfilled', '--json'], env());
    assert.equal(lower.code, 0, lower.stderr);
    const { items } = JSON.parse(lower.stdout);
    assert.ok(items.length > 0);
    assert.ok(items.every((o: { status: string }) => o.status === 'FULFILLED'));
    const mixed = await dofs(['orders', '--status', 'Pending'], env());
    assert.equal(mixed.code, 0, mixed.stderr);
    const wrong = await dofs(['orders', '--status', 'done'], env());
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--status must be one of PENDING, FULFILLED, FAILED/);
  });

  it('gives up on a server that never answers after --timeout, exit 1', { timeout: 30_000 }, async () => {
    const hung = await silentServer();
    try {
      const r = await dofs(['--timeout', '0.5', 'status', 'x'], { DOFS_URL: hung.url }, 10_000);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), `dofs: no answer from ${hung.url} within 0.5 s (see --timeout)`);
      assert.ok(r.ms < 5000, `took ${r.ms} ms`);
      const fromEnv = await dofs(['orders'], { DOFS_URL: hung.url, DOFS_TIMEOUT: '0.3' }, 10_000);
      assert.match(fromEnv.stderr, /within 0.3 s/);
    } finally {
      await hung.close();
    }
    const help = await dofs(['--help']);
    assert.match(
      help.stdout,
      /--timeout <seconds>\s+give up on a request after this long\s+\(default:\s+30,/,
    );
  });

  it('answers every usage mistake with exit code 2: bad URLs, no command, unreadable files', async () => {
    for (const [args, extra, message] of [
      [['--url', 'localhost:3000', 'orders'], {}, /--url must be an http:\/\/ or https:\/\/ URL/],
      [['--url', 'not a url', 'orders'], {}, /--url must be an http:\/\/ or https:\/\/ URL/],
      [['orders'], { DOFS_URL: 'ftp://example.com' }, /from env 'DOFS_URL' is invalid/],
      [['--timeout', '0', 'orders'], {}, /--timeout must be a positive number/],
      [[], {}, /^Usage: dofs/m],
      [['nope'], {}, /unknown command 'nope'/],
      [['submit', join(ROOT, 'no-such-order.json')], {}, /^dofs: cannot read .*no-such-order\.json/],
    ] as const) {
      const r = await dofs([...args], { ...env(), ...extra });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    assert.equal((await dofs(['help'])).code, 0, 'help asked for is not a mistake');
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
    assert.match(r.stderr, /outcomes 100\/100 fulfilled 100 failed 0 waited \d+\.\d s \(at most 60 s\)/);
  });

  it('shows progress while it waits for outcomes, not a silent wait', async () => {
    // Outcomes that take a while: every attempt fails and is retried after a 0.4 s visibility timeout.
    const slow = tempDataDir();
    const failing = await startServer({
      DOFS_DATA_DIR: slow.dir,
      FULFILLMENT_SUCCESS_RATE: '0',
      MAX_RECEIVE_COUNT: '2',
      VISIBILITY_TIMEOUT_SECONDS: '0.4',
    });
    try {
      const r = await dofs(['load', '--rate', '20', '--duration', '0.5'], { DOFS_URL: failing.url });
      assert.equal(r.code, 0, r.stderr);
      const waits = r.stderr.split('\n').filter((l) => /^\[[#.]+\]\s+\d+% outcomes \d+\/10 /.test(l));
      assert.ok(waits.length >= 2, `progress while waiting:\n${r.stderr}`);
      assert.match(waits.at(-1) ?? '', /outcomes 10\/10 fulfilled 0 failed 10/);
      assert.match(r.stdout, /^failed\s+10$/m);
    } finally {
      await failing.stop();
      slow.remove();
    }
  });

  it('fails fast, before any progress bar, when nothing answers', async () => {
    const r = await dofs(['load', '--rate', '10', '--duration', '30'], { DOFS_URL: 'http://127.0.0.1:9' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^dofs: cannot reach http:\/\/127.0.0.1:9/m);
    assert.doesNotMatch(r.stderr, /\[[#.]+\]/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  it("runs the README's CLI examples as written", async (t) => {
    // The README's CLI block, run from the repository root with npx, against a server where order-2 failed
    // (the walkthrough's failed order) so that `redrive order-2` has something to redrive.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /```sh\n(npx dofs serve[^`]*)```/.exec(readme)?.[1];
    assert.ok(block, 'the README has a CLI block starting with npx dofs serve');
    const examples = block
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line.startsWith('npx dofs ') && line !== 'npx dofs serve');
    assert.ok(examples.length >= 7, examples.join('\n'));
    const data = tempDataDir();
    const host = await startServer({
      DOFS_DATA_DIR: data.dir,
      FULFILLMENT_SUCCESS_RATE: '0',
      MAX_RECEIVE_COUNT: '1',
      VISIBILITY_TIMEOUT_SECONDS: '0.05',
    });
    try {
      await call(`${host.url}/order`, {
        body: { order_id: 'order-2', customer_id: 'c-42', items: [{ product_id: 'p-1', quantity: 1 }] },
      });
      await eventually(
        async () => (await call(`${host.url}/orders/order-2`)).body.status === 'FAILED',
        10_000,
      );
      for (const line of examples) {
        const [, , ...args] = line.split(/\s+/);
        const r = await run('npx', ['dofs', ...args], { DOFS_URL: host.url });
        t.diagnostic(`${line} → ${r.code}`);
        assert.equal(r.code, 0, `${line}\n${r.stderr}`);
      }
    } finally {
      await host.stop();
      data.remove();
    }
  });
});
