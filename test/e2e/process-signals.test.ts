import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDataDir } from '../support/server-process.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = new URL('../../bin/dofs.js', import.meta.url).pathname;

/** A DOFS started the way a user starts it, in its own process group (as a terminal would put it). */
interface Started {
  child: ChildProcess;
  url: string;
  port: number;
  /** The process that serves HTTP (the wrapper's child), found through the process table. */
  serverPid: number;
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** What a failing test may have left running, killed after each test. */
const leftovers: { pgid: number; pid?: number }[] = [];

async function start(command: string, args: string[], env: Record<string, string>): Promise<Started> {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', ...env },
  });
  const leftover: { pgid: number; pid?: number } = { pgid: child.pid ?? 0 };
  leftovers.push(leftover);
  const logs: Record<string, unknown>[] = [];
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue; // npm's own banner lines
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.message === 'DOFS listening') resolve(String(entry.url));
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    exited.then(({ code }) => reject(new Error(`exited (${code}) before listening: ${output}`)));
  });
  const pid = child.pid ?? 0;
  const server = groupProcesses(pid).find((p) => p.pid !== pid && /main\.ts|dofs\.ts serve/.test(p.cmdline));
  assert.ok(server, `a server process in the group of ${pid}: ${JSON.stringify(groupProcesses(pid))}`);
  leftover.pid = server.pid;
  return { child, url, port: Number(new URL(url).port), serverPid: server.pid, logs, exited };
}

/** Every live process whose process group is `pgid` (Linux /proc). */
function groupProcesses(pgid: number): { pid: number; ppid: number; cmdline: string }[] {
  const found: { pid: number; ppid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses: split after the last ')'.
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== pgid || state === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      found.push({ pid: Number(entry), ppid: Number(ppid), cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** Asserts that nothing of a started DOFS is left: no process in its group, the server pid gone, the port closed. */
async function assertNothingLeft(started: Started): Promise<void> {
  const pgid = started.child.pid ?? 0;
  const deadline = Date.now() + 5000;
  while ((groupProcesses(pgid).length > 0 || alive(started.serverPid)) && Date.now() < deadline)
    await sleep(50);
  assert.deepEqual(groupProcesses(pgid), [], 'no DOFS process left in the group');
  assert.equal(alive(started.serverPid), false, `server pid ${started.serverPid} is gone`);
  assert.equal(await answers(started.url), false, 'the port no longer answers');
}

/**
 * A request whose body is held back: work in flight that a graceful stop has to wait for, until `finish`
 * sends the rest (or the socket is destroyed).
 */
async function requestInFlight(port: number): Promise<{ socket: Socket; finish: () => void }> {
  const body = '{"order_id":"in-flight","customer_id":"c","items":[{"product_id":"p","quantity":1}]}';
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST /order HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
  );
  await sleep(100);
  return { socket, finish: () => socket.end(body.slice(5)) };
}

const stopped = (s: Started) => s.logs.some((l) => l.message === 'DOFS stopped');
const forced = (s: Started) => s.logs.some((l) => /second signal/.test(String(l.message)));

describe('process: signals, second Ctrl-C, shutdown deadline', () => {
  afterEach(() => {
    for (const { pgid, pid } of leftovers.splice(0)) {
      for (const target of [-pgid, pid ?? 0]) {
        try {
          if (target !== 0) process.kill(target, 'SIGKILL');
        } catch {
          // already gone, as it should be
        }
      }
    }
  });

  it('SIGTERM to the `npm start` process stops the server gracefully and leaves no DOFS process', {
    timeout: 60_000,
  }, async () => {
    const data = tempDataDir();
    try {
      const s = await start('npm', ['start'], { DOFS_DATA_DIR: data.dir });
      assert.equal(await answers(s.url), true);
      process.kill(s.child.pid ?? 0, 'SIGTERM');
      assert.deepEqual(await s.exited, { code: 0, signal: null });
      assert.ok(stopped(s), 'the server logged DOFS stopped');
      await assertNothingLeft(s);
    } finally {
      data.remove();
    }
  });

  it('SIGTERM to the `dofs serve` process stops the server gracefully and leaves no DOFS process', {
    timeout: 60_000,
  }, async () => {
    const data = tempDataDir();
    try {
      const s = await start(process.execPath, [BIN, 'serve'], { DOFS_DATA_DIR: data.dir });
      process.kill(s.child.pid ?? 0, 'SIGTERM');
      assert.deepEqual(await s.exited, { code: 0, signal: null });
      assert.ok(stopped(s));
      await assertNothingLeft(s);
    } finally {
      data.remove();
    }
  });

  it('SIGTERM to the `npx dofs serve` process (npm, then a shell, then the launcher) leaves no DOFS process', {
    timeout: 60_000,
  }, async () => {
    const data = tempDataDir();
    try {
      const s = await start('npx', ['dofs', 'serve'], { DOFS_DATA_DIR: data.dir });
      process.kill(s.child.pid ?? 0, 'SIGTERM');
      await s.exited;
      await assertNothingLeft(s);
      assert.ok(stopped(s), 'the server stopped gracefully');
    } finally {
      data.remove();
    }
  });

  it('a launcher killed outright (SIGKILL, nothing forwarded) still leaves no server behind', {
    timeout: 60_000,
  }, async () => {
    const data = tempDataDir();
    try {
      const s = await start(process.execPath, [BIN, 'serve'], { DOFS_DATA_DIR: data.dir });
      process.kill(s.child.pid ?? 0, 'SIGKILL');
      await s.exited;
      await assertNothingLeft(s);
    } finally {
      data.remove();
    }
  });

  it('one Ctrl-C (SIGINT to the whole group, npm forwarding its copy) is one graceful stop', {
    timeout: 60_000,
  }, async () => {
    const data = tempDataDir();
    try {
      const s = await start('npm', ['start'], { DOFS_DATA_DIR: data.dir });
      // Work in flight keeps the stop going for a second: npm's copy arrives (2-15 ms later here) meanwhile.
      // The kernel merges the two when both land before the server runs its handler; then this run shows
      // nothing about the window, which shutdown.test.ts covers deterministically.
      const request = await requestInFlight(s.port);
      process.kill(-(s.child.pid ?? 0), 'SIGINT');
      await sleep(1000);
      request.finish();
      await s.exited; // npm ends itself with the SIGINT once its script is done, as a shell would
      assert.ok(stopped(s), 'stopped gracefully');
      assert.equal(forced(s), false, 'the forwarded copy is not a second Ctrl-C');
      await assertNothingLeft(s);
    } finally {
      data.remove();
    }
  });

  it('a second Ctrl-C exits at once (130) while the first one waits for work in flight', {
    timeout: 60_000,
  }, async () => {
    const data = tempDataDir();
    try {
      const s = await start(process.execPath, [BIN, 'serve'], { DOFS_DATA_DIR: data.dir });
      const request = await requestInFlight(s.port);
      process.kill(-(s.child.pid ?? 0), 'SIGINT');
      await sleep(1500);
      assert.equal(alive(s.serverPid), true, 'the first Ctrl-C waits for the request in flight');
      const second = performance.now();
      process.kill(-(s.child.pid ?? 0), 'SIGINT');
      assert.deepEqual(await s.exited, { code: 130, signal: null });
      const ms = performance.now() - second;
      assert.ok(ms < 1500, `exited ${ms.toFixed(0)} ms after the second Ctrl-C`);
      assert.ok(forced(s) && !stopped(s));
      request.socket.destroy();
      await assertNothingLeft(s);
    } finally {
      data.remove();
    }
  });

  it('exits with 1 at the shutdown deadline when work in flight does not finish', {
    timeout: 60_000,
  }, async () => {
    const data = tempDataDir();
    try {
      const s = await start('npm', ['start'], {
        DOFS_DATA_DIR: data.dir,
        DOFS_SHUTDOWN_TIMEOUT_SECONDS: '1',
      });
      const request = await requestInFlight(s.port);
      const sent = performance.now();
      process.kill(s.child.pid ?? 0, 'SIGTERM');
      const { code } = await s.exited;
      const ms = performance.now() - sent;
      assert.equal(code, 1);
      assert.ok(ms >= 900 && ms < 5000, `exited ${ms.toFixed(0)} ms after SIGTERM`);
      assert.ok(s.logs.some((l) => l.level === 'error' && /deadline passed/.test(String(l.message))));
      request.socket.destroy();
      await assertNothingLeft(s);
    } finally {
      data.remove();
    }
  });
});
