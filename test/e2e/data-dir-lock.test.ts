import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DATABASE_FILE, openDatabase } from '../../src/adapters/sqlite/database.ts';
import { SqliteOrderRepository } from '../../src/adapters/sqlite/sqlite-order-repository.ts';
import { findStrandedPendingOrders } from '../../src/adapters/sqlite/sqlite-reconciliation.ts';
import { anOrder, anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { call, type ServerProcess, startServer, tempDataDir } from '../support/server-process.ts';

const MAIN = new URL('../../src/hosts/local/main.ts', import.meta.url).pathname;

/** Runs the server to its exit (it is expected not to start) and returns what it said. */
function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('one process per data directory', () => {
  const servers: ServerProcess[] = [];
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    for (const cleanup of cleanups) cleanup();
  });

  it('refuses a second server on the same data directory before it touches anything, and a SIGKILL leaves no stale lock', async () => {
    const { dir, remove } = tempDataDir();
    cleanups.push(remove);
    // Orders stay in flight in the first server: every attempt fails and is retried only after 15 s.
    const first = await startServer({
      DOFS_DATA_DIR: dir,
      FULFILLMENT_SUCCESS_RATE: '0',
      VISIBILITY_TIMEOUT_SECONDS: '15',
    });
    servers.push(first);
    for (let i = 0; i < 8; i++)
      assert.equal(
        (await call(`${first.url}/order`, { body: anOrderBody({ order_id: `held-${i}` }) })).status,
        202,
      );
    await eventually(async () => (await call(`${first.url}/orders/held-7`)).body.attempts === 1, 10_000);

    // On the same port too: the lock, not the port, is what stops it.
    const port = new URL(first.url).port;
    for (const env of [{}, { PORT: port }] as Record<string, string>[]) {
      const second = await runToExit({ DOFS_DATA_DIR: dir, FULFILLMENT_SUCCESS_RATE: '1', ...env });
      assert.equal(second.code, 3, second.stderr);
      assert.match(second.stderr, new RegExp(`data directory ${dir} is in use by another DOFS process`));
      assert.match(second.stderr, new RegExp(`pid ${first.child.pid} `), 'it names the holder');
      assert.equal(second.stdout, '', 'no log line: no recovery, no consumer, no listen');
    }
    const held = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => (await call(`${first.url}/orders/held-${i}`)).body),
    );
    assert.deepEqual(
      held.map((o) => [o.status, o.attempts]),
      Array.from({ length: 8 }, () => ['PENDING', 1]),
      'nothing was re-queued or attempted again behind the first server',
    );

    await first.kill();
    const restarted = await startServer({
      DOFS_DATA_DIR: dir,
      FULFILLMENT_SUCCESS_RATE: '1',
      VISIBILITY_TIMEOUT_SECONDS: '0.05',
    });
    servers.push(restarted);
    await eventually(
      async () => (await call(`${restarted.url}/health`)).body.orders.FULFILLED === 8,
      30_000,
      200,
    );
    assert.equal(await restarted.stop(), 0);
  });

  it('takes its port before start-up recovery, so a port clash recovers nothing', async () => {
    const { dir: busyDir, remove: removeBusy } = tempDataDir();
    const { dir, remove } = tempDataDir();
    cleanups.push(removeBusy, remove);
    const other = await startServer({ DOFS_DATA_DIR: busyDir });
    servers.push(other);
    // A stranded order (stored, never queued) that a start-up recovery would re-queue.
    const store = openDatabase(join(dir, DATABASE_FILE));
    await new SqliteOrderRepository(store).create(anOrder({ order_id: 'o-stranded' }));
    store.close();

    const clash = await runToExit({ DOFS_DATA_DIR: dir, PORT: new URL(other.url).port });
    assert.equal(clash.code, 1, clash.stderr);
    assert.match(clash.stdout, /start failed.*EADDRINUSE/);
    assert.doesNotMatch(clash.stdout, /recovered unfinished work/);
    const after = openDatabase(join(dir, DATABASE_FILE));
    try {
      assert.deepEqual(
        await findStrandedPendingOrders(after),
        ['o-stranded'],
        'still stranded: not re-queued',
      );
    } finally {
      after.close();
    }
    assert.equal(await other.stop(), 0);
  });
});
