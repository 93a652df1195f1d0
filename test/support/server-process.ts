import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

const MAIN = new URL('../../src/hosts/local/main.ts', import.meta.url).pathname;

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Every JSON log line the server wrote so far. */
  logs: Record<string, unknown>[];
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to clean up. */
  kill(): Promise<void>;
}

export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dofs-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * One server for the tests of the current suite: started on a fresh data directory before them, stopped
 * (and the directory removed) after them; a server that does not shut down cleanly fails the suite. `env`
 * adds to DOFS_DATA_DIR.
 */
export function serverPerSuite(env: Record<string, string> = {}): {
  readonly server: ServerProcess;
  readonly dir: string;
  /**
   * Stops the server (cleanly, asserted as at the end), runs `whileStopped`, and starts it again on the same
   * data directory and port with `extraEnv` added.
   */
  restart(extraEnv?: Record<string, string>, whileStopped?: () => Promise<void>): Promise<ServerProcess>;
} {
  let server: ServerProcess | undefined;
  let data: { dir: string; remove: () => void } | undefined;
  const stopCleanly = async (running: ServerProcess) => {
    const code = await running.stop();
    const problems = running.logs
      .filter((l) => l.level === 'warn' || l.level === 'error')
      .map((l) => l.message);
    assert.equal(
      code,
      0,
      `SIGTERM shuts the server down cleanly, with exit code 0 (logged: ${problems.join('; ')})`,
    );
    assert.ok(
      running.logs.some((l) => l.message === 'DOFS stopped'),
      'and it says so',
    );
  };
  before(async () => {
    data = tempDataDir();
    server = await startServer({ DOFS_DATA_DIR: data.dir, ...env });
  });
  after(async () => {
    try {
      if (server) await stopCleanly(server);
    } finally {
      data?.remove();
    }
  });
  return {
    get server() {
      if (!server) throw new Error('the suite server is not started yet');
      return server;
    },
    get dir() {
      if (!data) throw new Error('the suite server is not started yet');
      return data.dir;
    },
    async restart(extraEnv = {}, whileStopped = async () => undefined) {
      if (!server || !data) throw new Error('the suite server is not started yet');
      const port = new URL(server.url).port;
      const stopped = server;
      server = undefined;
      await stopCleanly(stopped);
      try {
        await whileStopped();
      } finally {
        // Started again even when `whileStopped` failed, so that the suite's other tests still have a server.
        server = await startServer({ DOFS_DATA_DIR: data.dir, ...env, PORT: port, ...extraEnv });
      }
      return server;
    },
  };
}

/**
 * Starts `src/hosts/local/main.ts` as a child process on a free port (PORT=0) and resolves once it
 * logs that it listens. The same Node binary that runs the tests runs the server.
 */
export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    // The harness reads the info-level 'DOFS listening' line, so the level never goes above info.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      ...env,
      LOG_LEVEL: env.LOG_LEVEL === 'debug' ? 'debug' : 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.message === 'DOFS listening') {
          resolve({
            url: String(entry.url),
            child,
            logs,
            stop: async () => {
              child.kill('SIGTERM');
              return exited;
            },
            kill: async () => {
              child.kill('SIGKILL');
              await exited;
            },
          });
        }
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}

/** A parsed JSON response body; tests read it field by field and assert each shape they rely on. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions, not the type, check these bodies.
export type Json = any;

/** JSON over HTTP with the status kept. */
export async function call(
  url: string,
  init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const hasBody = init.body !== undefined || init.raw !== undefined;
  const response = await fetch(url, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(hasBody ? { body: init.raw ?? JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T);
      }
    }),
  );
  return results;
}

/**
 * Streams orders from `clients` concurrent clients into whichever server `target` returns (undefined while it
 * restarts) until told to stop; records every order id that got a 2xx. A refused or reset connection is an
 * order that was never acknowledged.
 */
export function streamOrders(
  target: () => ServerProcess | undefined,
  clients: number,
  prefix: string,
  body: (orderId: string) => unknown,
) {
  const accepted = new Set<string>();
  let stopped = false;
  let next = 0;
  const done = Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stopped) {
        const server = target();
        if (!server) {
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
        const order_id = `${prefix}-${next++}`;
        try {
          const response = await call(`${server.url}/order`, { body: body(order_id) });
          if (response.status === 202 || response.status === 200) accepted.add(order_id);
        } catch {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    }),
  );
  return {
    accepted,
    async stop() {
      stopped = true;
      await done;
    },
  };
}
