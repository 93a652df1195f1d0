import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock, IdGenerator, RandomSource } from '../../core/ports.ts';
import { seededRandom } from '../../core/random.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const systemIds: IdGenerator = { orderId: () => uuidv7(), submissionId: () => randomUUID() };

/** Seeded (reproducible) when a seed is given, otherwise Math.random. */
export function randomSource(seed: string | undefined): RandomSource {
  return seed === undefined ? () => Math.random() : seededRandom(seed);
}
