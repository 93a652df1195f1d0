/**
 * Resolves once `check` holds, checking every `intervalMs`; rejects after `ms`, so a condition that never
 * holds fails the test instead of hanging it. For waiting on another process or thread; in-process time is
 * a ManualClock's to move.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
