import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLogger } from './json-logger.ts';

function lines(level: 'debug' | 'info' = 'info') {
  const written: string[] = [];
  const logger = jsonLogger({ level, write: (line) => written.push(line) });
  return { logger, written };
}

describe('jsonLogger', () => {
  it('writes one JSON object per line: time, level, message, then the bound fields, then its own', () => {
    const { logger, written } = lines();
    logger.child({ order_id: 'o-1' }).info('order fulfilled', { attempt: 2 });
    assert.equal(written.length, 1);
    assert.ok(written[0]?.endsWith('\n'));
    const record = JSON.parse(written[0] ?? '');
    assert.deepEqual(Object.keys(record), ['time', 'level', 'message', 'order_id', 'attempt']);
    assert.deepEqual(
      { ...record, time: undefined },
      { time: undefined, level: 'info', message: 'order fulfilled', order_id: 'o-1', attempt: 2 },
    );
    assert.ok(!Number.isNaN(Date.parse(record.time)));
  });

  it("keeps the time of a record forwarded from another thread (the storage thread's)", () => {
    const { logger, written } = lines();
    logger.info('order fulfilled', { time: '2026-01-01T00:00:00.000Z', order_id: 'o-1' });
    assert.equal(
      written[0],
      '{"time":"2026-01-01T00:00:00.000Z","level":"info","message":"order fulfilled","order_id":"o-1"}\n',
    );
  });

  it('writes nothing under its level', () => {
    const { logger, written } = lines('info');
    logger.debug('noise');
    assert.deepEqual(written, []);
  });
});
