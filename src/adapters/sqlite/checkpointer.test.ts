import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { recordingLogger } from '../../../test/support/builders.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { startCheckpointer } from './checkpointer.ts';
import { openDatabase } from './database.ts';

const dir = mkdtempSync(join(tmpdir(), 'dofs-checkpointer-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function writeRows(store: ReturnType<typeof openDatabase>, rows: number, perTurn = 100) {
  store.db.exec('CREATE TABLE IF NOT EXISTS blob (v TEXT)');
  const insert = store.db.prepare('INSERT INTO blob VALUES (?)');
  for (let i = 0; i < rows; i += perTurn) {
    await store.run(() => {
      for (let j = 0; j < perTurn; j++) insert.run('x'.repeat(1000));
    });
  }
}

const rowCount = (store: ReturnType<typeof openDatabase>) =>
  Number(store.db.prepare('SELECT count(*) AS n FROM blob').get()?.n);

describe('WAL checkpointer thread', () => {
  it('leaves the pages in the WAL when nothing checkpoints (the control)', async () => {
    const path = join(dir, 'control.sqlite');
    const store = openDatabase(path, { autoCheckpoint: false });
    const before = statSync(path).size;
    // 6 MB: past SQLite's automatic checkpoint (1,000 pages of 4 KiB), which would move them into the file.
    await writeRows(store, 6000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(rowCount(store), 6000);
    assert.ok(statSync(`${path}-wal`).size > 6_000_000, 'the 6 MB of rows are in the WAL');
    assert.equal(statSync(path).size, before, 'and none of them in the database file');
    store.close();
  });

  it('moves committed pages into the database file and starts the WAL over past its limit', async () => {
    const path = join(dir, 'checkpointed.sqlite');
    const store = openDatabase(path, { autoCheckpoint: false });
    const checkpointer = await startCheckpointer(path, recordingLogger(), {
      intervalMs: 20,
      restartPages: 50,
    });
    try {
      await writeRows(store, 2000);
      // The 2 MB of rows reach the database file.
      await eventually(() => statSync(path).size > 2_000_000, 5000, 20);
      // A write after a complete checkpoint starts the WAL from its beginning, so the file stops growing. On a loaded
      // machine the checkpointer may not have caught up yet when a write comes: give it a moment, write
      // 100 rows (a tenth of the WAL), and look again, for up to 5 s. Without a checkpointer every write
      // extends the WAL and this never holds.
      let reused = false;
      let rows = 2000;
      for (const deadline = Date.now() + 5000; !reused && Date.now() < deadline; ) {
        const walBefore = statSync(`${path}-wal`).size;
        await new Promise((resolve) => setTimeout(resolve, 100));
        await writeRows(store, 100);
        rows += 100;
        reused = statSync(`${path}-wal`).size <= walBefore;
      }
      assert.ok(reused, 'the WAL was reused, not extended');
      assert.equal(rowCount(store), rows, 'nothing lost on the way');
    } finally {
      await checkpointer.stop();
      store.close();
    }
  });

  // A writer that begins its next transaction as soon as the last one committed (as the storage thread does
  // under load) leaves no gap for a RESTART to take the write lock in: unless it holds its writes for one
  // (pauseWrites), the WAL grows for as long as the load lasts.
  it('keeps the WAL bounded under writes in every turn when the writer holds its writes for each RESTART', async () => {
    async function walAfterSustainedWrites(held: boolean): Promise<number> {
      const path = join(dir, `sustained-${held}.sqlite`);
      const store = openDatabase(path, { autoCheckpoint: false });
      const checkpointer = await startCheckpointer(path, recordingLogger(), {
        intervalMs: 10,
        restartPages: 256,
        ...(held ? { writer: store } : {}),
      });
      try {
        // About 80 MB: 50 rows of 1 KB a turn, each turn's transaction begun at once after the last.
        const rows = 80_000;
        await writeRows(store, rows, 50);
        assert.equal(rowCount(store), rows, 'every write committed');
        return statSync(`${path}-wal`).size / 1e6;
      } finally {
        await checkpointer.stop();
        store.close();
      }
    }
    const held = await walAfterSustainedWrites(true);
    const control = await walAfterSustainedWrites(false);
    // 256 pages are 1 MB; the WAL passes that by what comes in while a RESTART is wanted (8-11 MB measured
    // on a quiet machine; more when the checkpointer thread waits for a core).
    assert.ok(held < 40, `WAL ${held.toFixed(1)} MB with the writer held for each RESTART`);
    // The control: the same writes without the writer's help, where a RESTART waits for a gap between
    // transactions that rarely comes (45-77 MB measured, of about 80 MB written).
    assert.ok(
      control > held,
      `WAL ${control.toFixed(1)} MB without the writer's help, ${held.toFixed(1)} MB with it`,
    );
  });
});
