import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordingLogger } from '../../../test/support/builders.ts';
import { createShutdown, REPEAT_WINDOW_MS } from './shutdown.ts';

/** A shutdown whose stop, clock, timers and exit are in the test's hands. */
function aShutdown(deadlineMs = 10_000) {
  let now = 0;
  const timers: { at: number; callback: () => void }[] = [];
  const exits: number[] = [];
  let finishStop: () => void = () => undefined;
  let failStop: (error: Error) => void = () => undefined;
  let stops = 0;
  const logger = recordingLogger();
  const shutdown = createShutdown({
    stop: () => {
      stops += 1;
      return new Promise<void>((resolve, reject) => {
        finishStop = resolve;
        failStop = reject;
      });
    },
    logger,
    deadlineMs,
    exit: (code) => exits.push(code),
    now: () => now,
    setTimer: (callback, ms) => timers.push({ at: now + ms, callback }),
  });
  return {
    ...shutdown,
    logger,
    exits,
    stops: () => stops,
    finishStop: () => finishStop(),
    failStop: (error: Error) => failStop(error),
    advance(ms: number) {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now)) timer.callback();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createShutdown', () => {
  it('stops gracefully on the first signal and exits 0 once the stop is done', async () => {
    const s = aShutdown();
    s.onSignal('SIGTERM');
    assert.equal(s.stops(), 1);
    assert.deepEqual(s.exits, []);
    s.finishStop();
    await settle();
    assert.deepEqual(s.exits, [0]);
    assert.ok(s.logger.lines.some((l) => l.message === 'shutting down' && l.signal === 'SIGTERM'));
  });

  it('takes a repeat within the window as the same Ctrl-C (the copy a wrapper forwards)', async () => {
    const s = aShutdown();
    s.onSignal('SIGINT');
    s.advance(REPEAT_WINDOW_MS - 1);
    s.onSignal('SIGINT');
    assert.deepEqual([s.exits, s.stops()], [[], 1]);
  });

  it('exits at once on a second signal, with 128 + its number', () => {
    const s = aShutdown();
    s.onSignal('SIGINT');
    s.advance(REPEAT_WINDOW_MS);
    s.onSignal('SIGINT');
    assert.deepEqual(s.exits, [130]);
    const t = aShutdown();
    t.onSignal('SIGTERM');
    t.advance(REPEAT_WINDOW_MS + 1000);
    t.onSignal('SIGTERM');
    assert.deepEqual(t.exits, [143]);
    assert.ok(t.logger.lines.some((l) => l.level === 'warn' && /second signal/.test(String(l.message))));
  });

  it('exits with 1 when the stop outlasts the deadline, and only once', async () => {
    const s = aShutdown(2000);
    s.onSignal('SIGTERM');
    s.advance(1999);
    assert.deepEqual(s.exits, []);
    s.advance(1);
    assert.deepEqual(s.exits, [1]);
    assert.ok(s.logger.lines.some((l) => l.level === 'error' && /deadline passed/.test(String(l.message))));
    s.finishStop();
    await settle();
    assert.deepEqual(s.exits, [1]);
  });

  it('exits with 1 when the stop fails', async () => {
    const s = aShutdown();
    s.onSignal('SIGHUP');
    s.failStop(new Error('disk gone'));
    await settle();
    assert.deepEqual(s.exits, [1]);
  });

  it('serves a stop that is not a signal (the parent went away) the same way, once', async () => {
    const s = aShutdown();
    s.shutdown('parent process exited');
    s.shutdown('parent process exited');
    assert.equal(s.stops(), 1);
    s.finishStop();
    await settle();
    assert.deepEqual(s.exits, [0]);
  });
});
