import type { QueueDepth } from '../../core/ports.ts';

/**
 * A queue's visible backlog, sampled every `everyMs` instead of read per request or per order: the overload
 * bound of the HTTP guards and the storage thread's admission both read it this way. A failed read keeps the
 * last value.
 */
export function sampleBacklog(queue: { depth(): Promise<QueueDepth> }, everyMs: number) {
  let visible = 0;
  const timer = setInterval(() => {
    queue.depth().then(
      (depth) => {
        visible = depth.visible;
      },
      () => undefined,
    );
  }, everyMs);
  timer.unref();
  return { current: () => visible, stop: () => clearInterval(timer) };
}
