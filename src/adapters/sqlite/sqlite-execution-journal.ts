import type { StatementSync } from 'node:sqlite';
import type { ExecutionJournal, ExecutionRecord } from '../../workflow/execution-journal.ts';
import type { SqliteStore } from './database.ts';

function toRecord(row: Record<string, unknown>): ExecutionRecord {
  return {
    name: row.name as string,
    input: row.input as string,
    fingerprint: row.fingerprint as string,
    status: row.status as ExecutionRecord['status'],
    error: (row.error as string | null) ?? null,
    cause: (row.cause as string | null) ?? null,
  };
}

/** The `executions` table: the local stand-in for Step Functions' own durable execution history. */
export class SqliteExecutionJournal implements ExecutionJournal {
  readonly #store: SqliteStore;
  readonly #begin: StatementSync;
  readonly #get: StatementSync;
  readonly #restart: StatementSync;
  readonly #finish: StatementSync;
  readonly #running: StatementSync;

  constructor(store: SqliteStore) {
    this.#store = store;
    const { db } = store;
    this.#begin = db.prepare(`INSERT INTO executions (name, input, fingerprint, status, started_at)
      VALUES (?, ?, ?, 'RUNNING', ?) ON CONFLICT (name) DO NOTHING`);
    this.#get = db.prepare('SELECT * FROM executions WHERE name = ?');
    this.#restart = db.prepare(`UPDATE executions SET input = ?, fingerprint = ?, status = 'RUNNING',
      error = NULL, cause = NULL, started_at = ?, stopped_at = NULL WHERE name = ? AND status = 'FAILED'`);
    this.#finish = db.prepare(
      'UPDATE executions SET status = ?, error = ?, cause = ?, stopped_at = ? WHERE name = ?',
    );
    this.#running = db.prepare("SELECT * FROM executions WHERE status = 'RUNNING' ORDER BY started_at");
  }

  begin(record: { name: string; input: string; fingerprint: string; now: number }) {
    return this.#store.run(() => {
      if (this.#begin.run(record.name, record.input, record.fingerprint, record.now).changes === 1) {
        return { created: true as const };
      }
      const row = this.#get.get(record.name);
      if (!row) throw new Error(`execution ${record.name} vanished during begin`);
      return { created: false as const, existing: toRecord(row) };
    });
  }

  restart(record: { name: string; input: string; fingerprint: string; now: number }): Promise<boolean> {
    return this.#store.run(
      () => this.#restart.run(record.input, record.fingerprint, record.now, record.name).changes === 1,
    );
  }

  finish(
    name: string,
    outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: string; cause?: string; now: number },
  ): Promise<void> {
    return this.#store.run(() => {
      this.#finish.run(outcome.status, outcome.error ?? null, outcome.cause ?? null, outcome.now, name);
    });
  }

  listRunning(): Promise<ExecutionRecord[]> {
    return this.#store.run(() => this.#running.all().map(toRecord));
  }
}
