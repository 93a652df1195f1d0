import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { call, eventually, type ServerProcess, startServer, tempDataDir } from '../support/server-process.ts';

describe('a locked database (server process over HTTP)', () => {
  let server: ServerProcess;
  let dir: string;
  let removeDir: () => void;
  before(async () => {
    ({ dir, remove: removeDir } = tempDataDir());
    server = await startServer({
      DOFS_DATA_DIR: dir,
      FULFILLMENT_SUCCESS_RATE: '1',
      DOFS_SQLITE_BUSY_TIMEOUT_MS: '200',
    });
  });
  after(async () => {
    await server.stop();
    removeDir();
  });

  it('answers 503 with Retry-After while another process holds the write lock, never a 202 it could lose', async () => {
    // Another process (here: this test) takes the database's write lock and keeps it.
    const intruder = new DatabaseSync(join(dir, 'dofs.sqlite'));
    intruder.exec('PRAGMA busy_timeout = 0');
    intruder.exec('BEGIN IMMEDIATE');
    try {
      const response = await call(`${server.url}/order`, { body: anOrderBody({ order_id: 'locked-1' }) });
      assert.equal(response.status, 503, JSON.stringify(response.body));
      assert.equal(response.headers.get('retry-after'), '1');
      assert.match(
        response.body.error.message,
        /storage unavailable: database is busy|retry with the same order_id/,
      );
    } finally {
      intruder.exec('ROLLBACK');
      intruder.close();
    }
    // Once the lock is gone the same order goes through, and is processed once.
    const retried = await call(`${server.url}/order`, { body: anOrderBody({ order_id: 'locked-1' }) });
    assert.equal(retried.status, 202);
    await eventually(
      async () => (await call(`${server.url}/orders/locked-1`)).body.status === 'FULFILLED',
      10_000,
    );
  });
});
