import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { TransientError } from '../../core/errors.ts';

/** The database file in the data directory. */
export const DATABASE_FILE = 'dofs.sqlite';

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
  queued        INTEGER,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  events        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS orders_by_created ON orders (created_at DESC, order_id DESC);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, created_at DESC, order_id DESC);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, created_at DESC, order_id DESC)
  WHERE customer_id IS NOT NULL;

-- An order's history: one row per transition, numbered per order (orders.events is the last seq); only the
-- last MAX_ORDER_EVENTS are kept.
CREATE TABLE IF NOT EXISTS order_events (
  order_id   TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  at         TEXT NOT NULL,
  type       TEXT NOT NULL,
  status     TEXT NOT NULL,
  attempt    INTEGER NOT NULL,
  redrive    INTEGER NOT NULL,
  detail     TEXT,
  started_at TEXT,
  PRIMARY KEY (order_id, seq)
) STRICT, WITHOUT ROWID;

-- The dashboard's "retrying now": PENDING orders with a failed attempt. Partial, so counting them reads only
-- them (not every PENDING order of a backlog), and a write touches it only when an attempt fails or settles.
CREATE INDEX IF NOT EXISTS orders_retrying ON orders (order_id) WHERE status = 'PENDING' AND attempts > 0;

CREATE TABLE IF NOT EXISTS failed_orders (
  order_id   TEXT PRIMARY KEY,
  reason     TEXT NOT NULL,
  attempts   INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  body       TEXT NOT NULL,
  failed_at  TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS failed_orders_by_time ON failed_orders (failed_at DESC, order_id DESC);
CREATE INDEX IF NOT EXISTS failed_orders_by_reason ON failed_orders (reason, failed_at DESC, order_id DESC);

CREATE TABLE IF NOT EXISTS messages (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id        TEXT NOT NULL,
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

-- One row, rewritten by every readiness check (GET /ready): proof that a write still commits.
CREATE TABLE IF NOT EXISTS write_probe (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at INTEGER NOT NULL
) STRICT;

-- The dashboard's series, one row per 5-second bucket, kept a day (sqlite-metric-samples.ts).
CREATE TABLE IF NOT EXISTS metric_samples (
  t               INTEGER PRIMARY KEY,
  accepted        INTEGER NOT NULL,
  fulfilled       INTEGER NOT NULL,
  failed          INTEGER NOT NULL,
  e2e_p50_ms      REAL,
  e2e_p95_ms      REAL,
  queue_visible   INTEGER,
  queue_in_flight INTEGER,
  oldest_age_ms   INTEGER,
  retrying        INTEGER
) STRICT;
`;

/**
 * Orders per status, kept by triggers in the transaction of every write to `orders`, so that /health and
 * /metrics read three rows instead of counting every order (a scan of orders_by_status on the storage thread:
 * 6 ms at 60,000 orders, and growing with every order ever taken). Created, and filled from `orders`, in one
 * transaction the first time a database is opened without it.
 */
const ORDER_COUNTS = `
CREATE TABLE order_counts (
  status TEXT PRIMARY KEY,
  n      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TRIGGER order_counts_insert AFTER INSERT ON orders BEGIN
  INSERT INTO order_counts (status, n) VALUES (NEW.status, 1) ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER order_counts_update AFTER UPDATE OF status ON orders WHEN OLD.status <> NEW.status BEGIN
  UPDATE order_counts SET n = n - 1 WHERE status = OLD.status;
  INSERT INTO order_counts (status, n) VALUES (NEW.status, 1) ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER order_counts_delete AFTER DELETE ON orders BEGIN
  UPDATE order_counts SET n = n - 1 WHERE status = OLD.status;
END;
INSERT INTO order_counts (status, n) SELECT status, count(*) FROM orders GROUP BY status;
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

/** What the SQLite adapters need of a database: the connection, and a way to run work in its transaction. */
export interface SqliteStore {
  readonly db: DatabaseSync;
  /** Runs `work` in the open transaction; when the promise resolves depends on the store (see `early`). */
  run<T>(work: () => T): Promise<T>;
  /** Runs `work` (inside `run`) as one savepoint: all of its writes, or none. */
  atomically<T>(work: () => T): T;
}

interface WaitingOp {
  work: () => unknown;
  early: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * One SQLite connection with group commit. Every operation runs at once, synchronously, inside the open
 * transaction; the transaction commits `commitDelayMs` after its first operation (0: at the end of the
 * event-loop turn), or as soon as it holds `maxBatch` operations, and only then do the operations' promises
 * resolve. So a caller that awaits a write, and anything it does next (a 202, a queue delete), happens after
 * the write is durable, while a busy process pays for one commit per batch instead of one per write. If the
 * commit fails, every operation of the batch is rejected with a TransientError and nothing of it is kept.
 *
 * When another process holds the write lock, the wait for it does not block the thread (SQLite's own
 * busy_timeout would sleep in the middle of the event loop, once per operation): operations queue, BEGIN
 * is retried with backoff, and after `busyTimeoutMs` every queued operation is rejected with a
 * TransientError (HTTP 503 + Retry-After). Queued operations run in order once the lock is taken.
 */
export class SqliteDatabase implements SqliteStore {
  readonly db: DatabaseSync;
  #pending: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #waiting: WaitingOp[] = [];
  #waitingSince = 0;
  /** Set by pauseWrites: no new transaction until released. */
  #paused = false;
  #retryMs = 0;
  #open = false;
  #commits = 0;
  /** Operations in the open transaction (both kinds), for maxBatch. */
  #operations = 0;
  /** Transactions begun so far: the open one's number, or the last one's. */
  #transaction = 0;
  /** The numbers of the last transactions that failed to commit (a few: failures are rare). */
  #failed: number[] = [];
  #commitWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  /**
   * This database for a unit of work that answers only once its writes are durable: each operation resolves
   * as soon as it has run in the open transaction, before the commit, so a unit's steps (a workflow's
   * StoreOrder then SendToQueue) run in one turn and share one commit. The unit takes `mark` before its
   * first operation and must not let anything out of the process (an answer) before `whenCommitted(mark)`
   * resolves. What the unit read may not be committed yet either, and becomes durable with the same commit.
   */
  readonly early: SqliteStore = {
    db: null as unknown as DatabaseSync,
    run: <T>(work: () => T): Promise<T> => this.#run(work, true),
    atomically: <T>(work: () => T): T => this.atomically(work),
  };

  readonly #commitDelayMs: number;
  readonly #maxBatch: number;
  readonly #busyTimeoutMs: number;
  #savepoint: { begin: StatementSync; rollback: StatementSync; release: StatementSync } | undefined;

  constructor(
    db: DatabaseSync,
    options: { commitDelayMs?: number; maxBatch?: number; busyTimeoutMs?: number } = {},
  ) {
    this.db = db;
    (this.early as { db: DatabaseSync }).db = db;
    this.#commitDelayMs = options.commitDelayMs ?? 0;
    this.#maxBatch = options.maxBatch ?? 2000;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  }

  /**
   * Runs `work`, from inside a `run`, so that its statements take effect together or not at all: a statement
   * of it that fails undoes the ones before it (a SAVEPOINT), where on its own it would leave them in the
   * turn's transaction, to be committed with the rest of the batch.
   */
  atomically<T>(work: () => T): T {
    this.#savepoint ??= {
      begin: this.db.prepare('SAVEPOINT atomically'),
      rollback: this.db.prepare('ROLLBACK TO atomically'),
      release: this.db.prepare('RELEASE atomically'),
    };
    const savepoint = this.#savepoint;
    savepoint.begin.run();
    let value: T;
    try {
      value = work();
    } catch (error) {
      // A failure that rolled back the whole transaction (SQLITE_FULL, I/O) took the savepoint with it.
      if (this.db.isTransaction) {
        savepoint.rollback.run();
        savepoint.release.run();
      }
      throw error;
    }
    savepoint.release.run();
    return value;
  }

  /** Commits so far (for the benchmark's write amplification figure). */
  get commits(): number {
    return this.#commits;
  }

  /** Runs `work` in this turn's transaction; resolves with its result once the transaction has committed. */
  run<T>(work: () => T): Promise<T> {
    return this.#run(work, false);
  }

  /** Where a unit of work using `early` starts: the transaction an operation run now would join. */
  get mark(): number {
    return this.#open ? this.#transaction : this.#transaction + 1;
  }

  /**
   * For a unit of work whose operations have all resolved: resolves once the transactions they ran in, from
   * `mark` on, have committed (at once if none is still open); rejects with a TransientError if one of them
   * failed, since what the unit wrote or read there may be gone.
   */
  whenCommitted(mark: number): Promise<void> {
    if (this.#failed.some((t) => t >= mark)) {
      return Promise.reject(new TransientError('storage unavailable: a commit failed; retry'));
    }
    if (!this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => this.#commitWaiters.push({ resolve, reject }));
  }

  #failedNow(): void {
    this.#failed.push(this.#transaction);
    if (this.#failed.length > 16) this.#failed.shift();
  }

  /**
   * Holds new transactions until the returned release is called, from the moment the open one (if any) has
   * committed: operations queue meanwhile, as they do while another process holds the write lock. For the
   * checkpointer's RESTART, which needs a moment with no writer: its own wait for the lock polled at
   * intervals of milliseconds, and a connection that begins its next transaction microseconds after each
   * commit never left it one (its RESTARTs gave up, and the WAL grew by about 20 MB/s at 5,000 orders/s).
   */
  pauseWrites(): Promise<() => void> {
    this.#paused = true;
    const release = () => {
      if (!this.#paused) return;
      this.#paused = false;
      if (this.#waiting.length === 0) return;
      this.#waitingSince = performance.now();
      this.#retryMs = 1;
      this.#retryBegin();
    };
    if (!this.#open) return Promise.resolve(release);
    return new Promise((resolve) => {
      // Whether this commit succeeds or fails, no transaction is open after it.
      this.#commitWaiters.push({ resolve: () => resolve(release), reject: () => resolve(release) });
    });
  }

  #run<T>(work: () => T, early: boolean): Promise<T> {
    if (this.#paused || this.#waiting.length > 0) return this.#queue(work, early);
    if (!this.#open) {
      try {
        this.#begin();
      } catch (error) {
        if (!isBusy(error) || this.#busyTimeoutMs === 0) return Promise.reject(transientOrSelf(error));
        this.#waitingSince = performance.now();
        this.#retryMs = 1;
        setTimeout(() => this.#retryBegin(), this.#retryMs);
        return this.#queue(work, early);
      }
    }
    return this.#execute(work, early);
  }

  #begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
    this.#open = true;
    this.#transaction += 1;
    this.#operations = 0;
    if (this.#commitDelayMs > 0) setTimeout(() => this.#commit(), this.#commitDelayMs);
    else setImmediate(() => this.#commit());
  }

  #queue<T>(work: () => T, early: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ work, early, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Another try at the write lock for the queued operations: run them, or give up after the timeout. */
  #retryBegin(): void {
    if (this.#paused) return; // the release begins again
    try {
      this.#begin();
    } catch (error) {
      if (isBusy(error) && performance.now() - this.#waitingSince < this.#busyTimeoutMs) {
        // Capped low: the lock is mostly held by our own checkpointer's RESTART (tens of ms); a long
        // backoff added up to its own length to every wait.
        this.#retryMs = Math.min(this.#retryMs * 2, 2);
        setTimeout(() => this.#retryBegin(), this.#retryMs);
        return;
      }
      const waiting = this.#waiting;
      this.#waiting = [];
      const failure = transientOrSelf(error);
      for (const op of waiting) op.reject(failure);
      this.#settleCommitWaiters(failure);
      return;
    }
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const op of waiting) this.#execute(op.work, op.early).then(op.resolve, op.reject);
  }

  /**
   * Runs `work` in the open transaction. Its promise resolves after the commit, or at once for an `early`
   * operation (whose unit of work waits for the commit itself, with `whenCommitted`).
   */
  #execute<T>(work: () => T, early: boolean): Promise<T> {
    let value: T;
    try {
      value = work();
    } catch (error) {
      // Some failures (SQLITE_FULL, I/O errors) make SQLite roll back the whole transaction: then the
      // turn's earlier operations are gone too and must not report success.
      if (!this.db.isTransaction) this.#fail(error);
      return Promise.reject(transientOrSelf(error));
    }
    const done = early
      ? Promise.resolve(value)
      : new Promise<T>((resolve, reject) => {
          this.#pending.push({ resolve: () => resolve(value), reject });
        });
    if (++this.#operations >= this.#maxBatch) this.#commit();
    return done;
  }

  /** After a commit (failure: it failed). Whatever the failure, a unit of work's answer is "retry". */
  #settleCommitWaiters(failure?: unknown): void {
    if (this.#commitWaiters.length === 0) return;
    const waiters = this.#commitWaiters;
    this.#commitWaiters = [];
    const retry =
      failure === undefined || failure instanceof TransientError
        ? failure
        : new TransientError('storage unavailable: a commit failed; retry', { cause: failure });
    for (const waiter of waiters) {
      if (retry === undefined) waiter.resolve();
      else waiter.reject(retry);
    }
  }

  /** Commits what is pending now (used before closing). */
  flush(): void {
    if (this.#open) this.#commit();
  }

  close(): void {
    this.flush();
    const waiting = this.#waiting;
    this.#waiting = [];
    const closing = new TransientError('storage unavailable: the database is closing');
    for (const op of waiting) op.reject(closing);
    this.#settleCommitWaiters(closing);
    this.db.close();
  }

  #commit(): void {
    if (!this.#open) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#open = false;
    try {
      this.db.exec('COMMIT');
      this.#commits += 1;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      this.#failedNow();
      const failure = transientOrSelf(error);
      for (const op of batch) op.reject(failure);
      this.#settleCommitWaiters(failure);
      return;
    }
    for (const op of batch) op.resolve();
    this.#settleCommitWaiters();
  }

  #fail(error: unknown): void {
    const batch = this.#pending;
    this.#pending = [];
    this.#open = false;
    this.#failedNow();
    const failure = transientOrSelf(error);
    for (const op of batch) op.reject(failure);
    this.#settleCommitWaiters(failure);
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown }).errcode;
  return typeof code === 'number' && (code & 0xff) === 5;
}

function transientOrSelf(error: unknown): unknown {
  try {
    asTransient(error);
  } catch (mapped) {
    return mapped;
  }
}

/**
 * Opens (creating if needed) the DOFS SQLite database in WAL mode. `synchronous=NORMAL` in WAL survives a
 * process crash (kill -9) at any instant; `DOFS_SQLITE_SYNC=full` also survives power loss, at a cost.
 */
export function openDatabase(
  path: string,
  options: {
    synchronous?: 'NORMAL' | 'FULL';
    commitDelayMs?: number;
    busyTimeoutMs?: number;
    /** false: no automatic checkpoints on this connection; a checkpointer (checkpointer.ts) runs them. */
    autoCheckpoint?: boolean;
  } = {},
): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'NORMAL'}`);
  // 32 MiB of page cache (the default 2 MiB made every statement on a few hundred thousand orders read
  // pages back from the OS; the hot pages are the recent orders and the index tails) and no temp files.
  db.exec('PRAGMA cache_size = -32768');
  db.exec('PRAGMA temp_store = MEMORY');
  if (options.autoCheckpoint === false) db.exec('PRAGMA wal_autocheckpoint = 0');
  const busyTimeoutMs = Math.round(options.busyTimeoutMs ?? 5000);
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  db.exec(SCHEMA);
  // Databases created before orders.queued existed: NULL there means queued, which they all were.
  if (!db.prepare("SELECT 1 FROM pragma_table_info('orders') WHERE name = 'queued'").get()) {
    db.exec('ALTER TABLE orders ADD COLUMN queued INTEGER');
  }
  // Databases created before order history existed: their orders have no events yet.
  if (!db.prepare("SELECT 1 FROM pragma_table_info('orders') WHERE name = 'events'").get()) {
    db.exec('ALTER TABLE orders ADD COLUMN events INTEGER NOT NULL DEFAULT 0');
  }
  if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'order_counts'").get()) {
    try {
      db.exec(`BEGIN IMMEDIATE; ${ORDER_COUNTS} COMMIT;`);
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
  // From here on lock waits are SqliteDatabase's, without blocking the thread.
  db.exec('PRAGMA busy_timeout = 0');
  return new SqliteDatabase(db, {
    busyTimeoutMs,
    ...(options.commitDelayMs === undefined ? {} : { commitDelayMs: options.commitDelayMs }),
  });
}
