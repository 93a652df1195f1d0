import { constants } from 'node:os';
import type { Logger } from '../../core/ports.ts';

/** The signals that stop DOFS: Ctrl-C, a supervisor's stop, the terminal going away. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * One Ctrl-C can arrive twice: the terminal sends SIGINT to its whole foreground process group, and a wrapper
 * in that group (`npm start`, the `dofs` launcher) forwards its own copy to us a few milliseconds later. A
 * repeat within this window is that copy; a later one is somebody pressing Ctrl-C again.
 */
export const REPEAT_WINDOW_MS = 500;

export interface ShutdownOptions {
  /** Stops accepting, lets work in flight finish, closes the database. */
  stop: () => Promise<void>;
  logger: Logger;
  /** The deadline for `stop`: past it the process exits with status 1 (what was acknowledged is durable). */
  deadlineMs: number;
  exit: (code: number) => void;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => void;
}

/**
 * The stop sequence of the local host: the first signal starts a graceful stop with a deadline; the same
 * signal again (past the repeat window) exits at once, with 128 + the signal's number as a shell reports it.
 * `shutdown` also serves stops that come from elsewhere (the parent process went away).
 */
export function createShutdown(options: ShutdownOptions) {
  const now = options.now ?? (() => performance.now());
  const setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  let startedAt: number | undefined;
  let done = false;
  const exit = (code: number) => {
    if (done) return;
    done = true;
    options.exit(code);
  };

  function shutdown(reason: string, fields: Record<string, unknown> = {}): void {
    if (startedAt !== undefined) return;
    startedAt = now();
    options.logger.info('shutting down', {
      reason,
      ...fields,
      deadline_s: options.deadlineMs / 1000,
      hint: 'send the signal again (Ctrl-C) to exit at once',
    });
    setTimer(() => {
      if (done) return;
      options.logger.error('shutdown deadline passed: exiting with work still in flight', {
        deadline_s: options.deadlineMs / 1000,
      });
      exit(1);
    }, options.deadlineMs);
    options.stop().then(
      () => exit(0),
      (error: unknown) => {
        options.logger.error('shutdown failed', { error: String(error) });
        exit(1);
      },
    );
  }

  function onSignal(signal: StopSignal): void {
    if (startedAt === undefined) {
      shutdown('signal', { signal });
      return;
    }
    if (done || now() - startedAt < REPEAT_WINDOW_MS) return;
    options.logger.warn('second signal: exiting now, without waiting for work in flight', { signal });
    exit(128 + constants.signals[signal]);
  }

  return { shutdown, onSignal };
}
