import type { LogFields, Logger } from '../../core/ports.ts';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

let stdoutLines: string[] = [];

function flushStdout(): void {
  if (stdoutLines.length === 0) return;
  const text = stdoutLines.join('');
  stdoutLines = [];
  process.stdout.write(text);
}

/**
 * Writes log lines to stdout once per event-loop turn instead of once per line (at thousands of lines a
 * second the write calls were a tenth of the HTTP thread's time), and what is left when the process exits.
 * A `kill -9` loses at most the lines of the turn it interrupts.
 */
export function bufferedStdout(line: string): void {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', flushStdout);
  }
  if (stdoutLines.length === 0) setImmediate(flushStdout);
  stdoutLines.push(line);
}
let exitHook = false;

export type LogRecordLevel = Exclude<LogLevel, 'silent'>;

/**
 * A Logger that filters by level and hands each record (its time first, then the bound fields, then the
 * line's own) to `emit`: to stdout as JSON here, across threads from the local storage thread.
 */
export function levelLogger(options: {
  level: LogLevel;
  emit: (level: LogRecordLevel, message: string, fields: LogFields) => void;
  fields?: LogFields;
}): Logger {
  const threshold = LEVELS[options.level];
  const bound = options.fields ?? {};
  const log = (level: LogRecordLevel) => (message: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    // A record from another thread carries its own time; it would replace this one anyway.
    const time = typeof fields?.time === 'string' ? fields.time : new Date().toISOString();
    options.emit(level, message, { time, ...bound, ...fields });
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => levelLogger({ ...options, fields: { ...bound, ...fields } }),
  };
}

/** One JSON object per line, with the bound fields (order_id) on every line. */
export function jsonLogger(options: {
  level: LogLevel;
  write?: (line: string) => void;
  fields?: LogFields;
}): Logger {
  const write = options.write ?? bufferedStdout;
  return levelLogger({
    level: options.level,
    ...(options.fields ? { fields: options.fields } : {}),
    // `time` comes first in `fields` and stays first: a key written again keeps its place.
    emit: (level, message, fields) =>
      write(`${JSON.stringify({ time: fields.time, level, message, ...fields })}\n`),
  });
}
