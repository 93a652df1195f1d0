import type { StatementSync } from 'node:sqlite';
import type { SqliteDatabase } from './database.ts';

/**
 * Whether the database still takes writes: one row rewritten through the group commit, so the answer comes
 * only after a real commit (a full disk, an I/O error or a lock held past the busy timeout reject it, as they
 * would reject an order).
 */
export class SqliteWriteProbe {
  readonly #store: SqliteDatabase;
  readonly #write: StatementSync;

  constructor(store: SqliteDatabase) {
    this.#store = store;
    this.#write = store.db.prepare(
      'INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at',
    );
  }

  probe(): Promise<void> {
    return this.#store.run(() => {
      this.#write.run(Date.now());
    });
  }
}
