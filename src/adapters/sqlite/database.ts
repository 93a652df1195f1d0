import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { TransientError } from '../../core/errors.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  order_id      TEXT PRIMARY KEY,
  customer_id   TEXT,
  items         TEXT NOT NULL,
  status        TEXT NOT NULL,
  attempts      INTEGER NOT NULL,
  last_error    TEXT,
  fingerprint   TEXT NOT NULL,
  submission_id TEXT NOT NULL,
  redrives      INTEGER NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS orders_by_created ON orders (created_at DESC, order_id DESC);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, created_at DESC, order_id DESC);

CREATE TABLE IF NOT EXISTS failed_orders (
  order_id   TEXT PRIMARY KEY,
  reason     TEXT NOT NULL,
  attempts   INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  body       TEXT NOT NULL,
  failed_at  TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS failed_orders_by_time ON failed_orders (failed_at DESC, order_id DESC);

CREATE TABLE IF NOT EXISTS messages (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id        TEXT NOT NULL UNIQUE,
  queue             TEXT NOT NULL,
  body              TEXT NOT NULL,
  sent_at           INTEGER NOT NULL,
  visible_at        INTEGER NOT NULL,
  receive_count     INTEGER NOT NULL DEFAULT 0,
  first_received_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS messages_ready ON messages (queue, visible_at, seq);

CREATE TABLE IF NOT EXISTS executions (
  name        TEXT PRIMARY KEY,
  input       TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status      TEXT NOT NULL,
  error       TEXT,
  cause       TEXT,
  started_at  INTEGER NOT NULL,
  stopped_at  INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS executions_running ON executions (status) WHERE status = 'RUNNING';
`;

// SQLite result codes (primary) that mean "try again later" rather than "this is a bug".
const TRANSIENT_CODES = new Map<number, string>([
  [5, 'database is busy'],
  [6, 'database table is locked'],
  [10, 'disk I/O error'],
  [13, 'database or disk is full'],
]);

/** Maps SQLite's busy/locked/full/I/O failures to TransientError (HTTP 503, workflow Retry); rethrows the rest. */
export function asTransient(error: unknown): never {
  const code = (error as { errcode?: unknown }).errcode;
  if (typeof code === 'number') {
    const reason = TRANSIENT_CODES.get(code & 0xff);
    if (reason) throw new TransientError(`storage unavailable: ${reason}`, { cause: error });
  }
  throw error;
}

/**
 * Opens (creating if needed) the DOFS SQLite database in WAL mode. `synchronous=NORMAL` in WAL survives a
 * process crash (kill -9) at any instant; `DOFS_SQLITE_SYNC=full` also survives power loss, at a cost.
 */
export function openDatabase(path: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

/** Runs `work` in one IMMEDIATE transaction (takes the write lock up front: no upgrade deadlocks). */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    asTransient(error);
  }
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    asTransient(error);
  }
}
