import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { openDatabase } from './database.ts';

const dir = mkdtempSync(join(tmpdir(), 'dofs-db-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function fresh(options: { busyTimeoutMs?: number } = {}) {
  const path = join(dir, `db-${++n}.sqlite`);
  const store = openDatabase(path, options);
  store.db.exec('CREATE TABLE t (v TEXT)');
  return {
    store,
    path,
    count: () => Number(new DatabaseSync(path).prepare('SELECT count(*) AS n FROM t').get()?.n),
  };
}

describe('SqliteDatabase group commit', () => {
  it('commits every operation of one event-loop turn in one transaction', async () => {
    const { store, count } = fresh();
    const before = store.commits;
    const writes = Array.from({ length: 100 }, (_, i) =>
      store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run(String(i))),
    );
    assert.equal(count(), 0, 'another connection sees nothing before the commit');
    await Promise.all(writes);
    assert.equal(store.commits - before, 1);
    assert.equal(count(), 100);
    store.close();
  });

  it('holds new transactions while writes are paused, from the commit of the open one, until released', async () => {
    const { store, count } = fresh();
    const insert = store.db.prepare('INSERT INTO t VALUES (?)');
    const first = store.run(() => insert.run('a'));
    const paused = store.pauseWrites();
    const second = store.run(() => insert.run('b'));
    const release = await paused;
    await first;
    assert.equal(
      store.db.isTransaction,
      false,
      'no transaction open while paused: a RESTART can take the lock',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(count(), 1, 'the write asked for while paused waits');
    release();
    await second;
    assert.equal(count(), 2, 'and runs once released');
    store.close();
  });

  it('resolves an operation only once its transaction is durable', async () => {
    const { store, count } = fresh();
    await store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run('x'));
    assert.equal(count(), 1, 'visible to another connection when the promise resolves');
    store.close();
  });

  it('rejects every operation of the turn when the commit fails, and keeps none of them', async () => {
    const { store, count } = fresh();
    store.db.exec(`PRAGMA foreign_keys = ON;
      CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
    const good = store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run('kept?'));
    // A deferred foreign key is checked at COMMIT: this makes the commit itself fail.
    const bad = store.run(() => store.db.prepare('INSERT INTO child VALUES (42)').run());
    await assert.rejects(good, /FOREIGN KEY/);
    await assert.rejects(bad, /FOREIGN KEY/);
    assert.equal(count(), 0);
    await store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run('next turn'));
    assert.equal(count(), 1, 'the next turn works again');
    store.close();
  });

  it('maps a full database to TransientError (HTTP 503) and loses nothing that was acknowledged', async () => {
    const { store, count } = fresh();
    await store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run('acknowledged'));
    const pages = Number(store.db.prepare('PRAGMA page_count').get()?.page_count);
    store.db.exec(`PRAGMA max_page_count = ${pages + 2}`);
    const big = 'x'.repeat(64 * 1024);
    const writes = Array.from({ length: 5 }, () =>
      store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run(big)),
    );
    const results = await Promise.allSettled(writes);
    const rejected = results.filter((r) => r.status === 'rejected');
    assert.ok(rejected.length > 0, 'the disk-full writes fail');
    for (const r of rejected) assert.equal((r as PromiseRejectedResult).reason.name, 'TransientError');
    const acknowledged = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(count(), 1 + acknowledged, 'exactly the acknowledged rows are there');
    store.close();
  });

  it('waits for a lock another process holds without blocking the thread, then runs the writes in order', async () => {
    const { store, path, count } = fresh({ busyTimeoutMs: 5000 });
    const intruder = new DatabaseSync(path);
    intruder.exec('BEGIN IMMEDIATE');
    const events: string[] = [];
    const writes = ['a', 'b', 'c'].map((v) =>
      store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run(v)).then(() => events.push(v)),
    );
    // The thread is free while the lock is held: timers run, and release the lock.
    await new Promise((resolve) => setTimeout(resolve, 30));
    events.push('timer');
    intruder.exec('ROLLBACK');
    intruder.close();
    await Promise.all(writes);
    assert.deepEqual(events, ['timer', 'a', 'b', 'c']);
    assert.equal(count(), 3);
    store.close();
  });

  it('rejects the queued writes with TransientError once the lock is held longer than the busy timeout', async () => {
    const { store, path, count } = fresh({ busyTimeoutMs: 50 });
    const intruder = new DatabaseSync(path);
    intruder.exec('BEGIN IMMEDIATE');
    const writes = [1, 2].map(() => store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run('x')));
    for (const write of writes) await assert.rejects(write, { name: 'TransientError', message: /busy/ });
    intruder.exec('ROLLBACK');
    intruder.close();
    await store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run('after'));
    assert.equal(count(), 1, 'only the write made after the lock was released is there');
    store.close();
  });

  describe('early operations (a unit of work that answers after whenCommitted)', () => {
    const insert = (store: ReturnType<typeof fresh>['store'], v: string) =>
      store.early.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run(v).changes);

    it('resolves each operation before the commit, so dependent steps share one transaction', async () => {
      const { store, count } = fresh();
      const before = store.commits;
      const mark = store.mark;
      // Three steps, each awaiting the one before, as StoreOrder, SendToQueue and the queued mark do.
      assert.equal(await insert(store, 'order'), 1);
      assert.equal(await insert(store, 'message'), 1);
      assert.equal(await insert(store, 'mark'), 1);
      assert.equal(count(), 0, 'nothing is durable yet: nothing may be answered');
      await store.whenCommitted(mark);
      assert.equal(count(), 3, 'durable once whenCommitted resolves');
      assert.equal(store.commits - before, 1, 'one commit for the three steps');
      store.close();
    });

    it('resolves whenCommitted at once when everything since the mark is committed', async () => {
      const { store } = fresh();
      const mark = store.mark;
      await store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run('x'));
      let settled = false;
      const waiting = store.whenCommitted(mark).then(() => {
        settled = true;
      });
      await Promise.resolve();
      assert.equal(settled, true);
      await waiting;
      store.close();
    });

    it('rejects whenCommitted with TransientError when the commit fails: the early writes are gone', async () => {
      const { store, count } = fresh();
      store.db.exec(`PRAGMA foreign_keys = ON;
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
      const mark = store.mark;
      assert.equal(await insert(store, 'looked written'), 1);
      const bad = store.run(() => store.db.prepare('INSERT INTO child VALUES (42)').run());
      await Promise.all([
        assert.rejects(store.whenCommitted(mark), { name: 'TransientError' }),
        assert.rejects(bad, /FOREIGN KEY/),
      ]);
      assert.equal(count(), 0);
      await assert.rejects(store.whenCommitted(mark), { name: 'TransientError' }, 'and stays failed');
      const next = store.mark;
      await insert(store, 'next');
      await store.whenCommitted(next);
      assert.equal(count(), 1, 'a later unit of work is not affected');
      store.close();
    });

    it('waits for a lock another process holds, then runs early operations in order with the others', async () => {
      const { store, path, count } = fresh({ busyTimeoutMs: 5000 });
      const intruder = new DatabaseSync(path);
      intruder.exec('BEGIN IMMEDIATE');
      const mark = store.mark;
      const events: string[] = [];
      const a = store.run(() => store.db.prepare('INSERT INTO t VALUES (?)').run('a'));
      const b = insert(store, 'b').then(() => events.push('b ran'));
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.deepEqual(events, [], 'not run while the lock is held');
      intruder.exec('ROLLBACK');
      intruder.close();
      await Promise.all([a, b, store.whenCommitted(mark)]);
      assert.equal(count(), 2);
      store.close();
    });
  });
});
