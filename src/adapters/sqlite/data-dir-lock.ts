import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** The lock file in the data directory, and the note that says who holds it (for the refusal message). */
export const LOCK_FILE = 'dofs.lock';
export const LOCK_HOLDER_FILE = 'dofs.lock.holder';

/** Another live process holds the data directory: this one must not touch it. */
export class DataDirLockedError extends Error {
  readonly dataDir: string;
  readonly holder: string;
  constructor(dataDir: string, holder: string) {
    super(
      `the data directory ${dataDir} is in use by another DOFS process (${holder}); stop that process, ` +
        'or give this one another DOFS_DATA_DIR',
    );
    this.name = 'DataDirLocked';
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

export interface DataDirLock {
  readonly dataDir: string;
  /** Gives the directory up (at shutdown, after the database is closed). */
  release(): void;
}

function describeHolder(dataDir: string): string {
  try {
    const holder = JSON.parse(readFileSync(join(dataDir, LOCK_HOLDER_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    return `pid ${holder.pid} on ${holder.host}, since ${holder.since}`;
  } catch {
    return 'holder unknown: it has not written its note yet';
  }
}

/**
 * Takes the data directory for this process, or throws DataDirLockedError at once, before anything in it
 * is read or written.
 *
 * Why an exclusive SQLite transaction on a lock file: the lock is an OS file lock (POSIX `fcntl` on Linux and
 * macOS, `LockFileEx` on Windows) held by SQLite for as long as the connection lives, and the kernel drops it
 * when the process ends, however it ends: a SIGKILL or a crash leaves no stale lock to detect, so a restart on
 * the same directory never waits and never needs a clean-up step. A pid file with a liveness check has to
 * guess whether a pid still means the same process (pids are reused, a pid namespace hides it) and has a
 * window between the check and the write; an O_EXCL file survives a SIGKILL. SQLite is already how DOFS
 * touches this directory, needs no native addon, and tracks locks within the process too, so a second
 * system in the same process (a test) is refused like a second process.
 *
 * Limits: advisory (only DOFS processes take it); a network file system may not honour it; deleting the lock
 * file while the holder runs defeats it.
 */
export function lockDataDir(dir: string): DataDirLock {
  const dataDir = resolve(dir);
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, LOCK_FILE));
  try {
    db.exec('PRAGMA busy_timeout = 0');
    // EXCLUSIVE locking mode keeps the lock after the first write; the transaction, never committed, takes
    // the exclusive lock now rather than at the first write.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    const code = (error as { errcode?: unknown }).errcode;
    if (typeof code === 'number' && (code & 0xff) === 5) {
      throw new DataDirLockedError(dataDir, describeHolder(dataDir));
    }
    throw error;
  }
  writeFileSync(
    join(dataDir, LOCK_HOLDER_FILE),
    `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`,
  );
  let held = true;
  return {
    dataDir,
    release() {
      if (!held) return;
      held = false;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
