import type { AlarmStatus } from './dlq-alarm.ts';

/** One readiness check: whether it passed, and what was seen. */
export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

/** The body of GET /ready. */
export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: { storage_thread: ReadinessCheck; database: ReadinessCheck; serving: ReadinessCheck };
  /** For information: a dead-letter backlog does not make DOFS unready (see docs/operations.md). */
  alarm: AlarmStatus;
}

/** How long the storage thread may take to answer a readiness check. */
export const READINESS_TIMEOUT_MS = 2000;

const TIMED_OUT = Symbol('timed out');

async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function check(work: () => Promise<void>, ms: number, passed: string): Promise<ReadinessCheck> {
  try {
    const result = await within(work(), ms);
    return result === TIMED_OUT
      ? { ok: false, detail: `no answer within ${ms} ms` }
      : { ok: true, detail: passed };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Whether this DOFS should get traffic: its storage thread answers, the database takes a write, and it is not
 * shutting down. The alarm is reported, not judged: orders are still accepted and fulfilled in ALARM, and
 * taking the instance out of service would not redrive anything.
 */
export function createReadiness(deps: {
  ping: () => Promise<void>;
  probeWrite: () => Promise<void>;
  draining: () => boolean;
  alarm: () => AlarmStatus;
  timeoutMs?: number;
}): () => Promise<Readiness> {
  const ms = deps.timeoutMs ?? READINESS_TIMEOUT_MS;
  return async () => {
    const [storage_thread, database] = await Promise.all([
      check(deps.ping, ms, 'answering'),
      check(deps.probeWrite, ms, 'a write committed'),
    ]);
    const serving: ReadinessCheck = deps.draining()
      ? { ok: false, detail: 'shutting down: finishing work in flight' }
      : { ok: true, detail: 'not draining' };
    const ok = storage_thread.ok && database.ok && serving.ok;
    return {
      status: ok ? 'ready' : 'not_ready',
      checks: { storage_thread, database, serving },
      alarm: deps.alarm(),
    };
  };
}
