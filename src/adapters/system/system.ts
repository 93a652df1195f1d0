import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock, IdGenerator, LogFields, Logger, RandomSource } from '../../core/ports.ts';
import { seededRandom } from '../../core/random.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const systemIds: IdGenerator = { orderId: () => uuidv7(), submissionId: () => randomUUID() };

/** Seeded (reproducible) when a seed is given, otherwise Math.random. */
export function randomSource(seed: string | undefined): RandomSource {
  return seed === undefined ? () => Math.random() : seededRandom(seed);
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/** One JSON object per line, with the bound fields (order_id) on every line. */
export function jsonLogger(options: {
  level: LogLevel;
  write?: (line: string) => void;
  fields?: LogFields;
}): Logger {
  const threshold = LEVELS[options.level];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const bound = options.fields ?? {};
  const log = (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...bound, ...fields })}\n`);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => jsonLogger({ ...options, fields: { ...bound, ...fields } }),
  };
}
