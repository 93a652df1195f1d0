import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { IdGenerator, RandomSource, TimerClock } from '../../core/ports.ts';
import { seededRandom } from '../../core/random.ts';

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export const systemIds: IdGenerator = { orderId: () => uuidv7(), submissionId: () => randomUUID() };

/** Seeded (reproducible) when a seed is given, otherwise Math.random. */
export function randomSource(seed: string | undefined): RandomSource {
  return seed === undefined ? () => Math.random() : seededRandom(seed);
}
