import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransientError } from '../../core/errors.ts';
import type { AlarmStatus } from './dlq-alarm.ts';
import { createReadiness } from './readiness.ts';

const alarm = (state: AlarmStatus['state'] = 'OK'): AlarmStatus => ({
  name: 'dofs-dlq-backlog',
  state,
  value: state === 'ALARM' ? 3 : 0,
  threshold: 1,
  since: '2026-01-01T00:00:00.000Z',
});
const never = () => new Promise<void>(() => undefined);
const fine = async () => undefined;

describe('createReadiness', () => {
  it('is ready when the storage thread answers, a write commits and DOFS is not draining', async () => {
    const ready = createReadiness({ ping: fine, probeWrite: fine, draining: () => false, alarm });
    assert.deepEqual(await ready(), {
      status: 'ready',
      checks: {
        storage_thread: { ok: true, detail: 'answering' },
        database: { ok: true, detail: 'a write committed' },
        serving: { ok: true, detail: 'not draining' },
      },
      alarm: alarm(),
    });
  });

  it('stays ready in ALARM, with the alarm in the detail', async () => {
    const ready = createReadiness({
      ping: fine,
      probeWrite: fine,
      draining: () => false,
      alarm: () => alarm('ALARM'),
    });
    const readiness = await ready();
    assert.deepEqual([readiness.status, readiness.alarm.state], ['ready', 'ALARM']);
  });

  it('is not ready when a write does not commit, and says why', async () => {
    const ready = createReadiness({
      ping: fine,
      probeWrite: () => Promise.reject(new TransientError('storage unavailable: database or disk is full')),
      draining: () => false,
      alarm,
    });
    const readiness = await ready();
    assert.equal(readiness.status, 'not_ready');
    assert.deepEqual(readiness.checks.database, {
      ok: false,
      detail: 'storage unavailable: database or disk is full',
    });
    assert.equal(readiness.checks.storage_thread.ok, true);
  });

  it('is not ready when the storage thread does not answer in time', async () => {
    const ready = createReadiness({
      ping: never,
      probeWrite: never,
      draining: () => false,
      alarm,
      timeoutMs: 20,
    });
    const readiness = await ready();
    assert.equal(readiness.status, 'not_ready');
    assert.deepEqual(readiness.checks.storage_thread, { ok: false, detail: 'no answer within 20 ms' });
    assert.deepEqual(readiness.checks.database, { ok: false, detail: 'no answer within 20 ms' });
  });

  it('is not ready while draining', async () => {
    let draining = false;
    const ready = createReadiness({ ping: fine, probeWrite: fine, draining: () => draining, alarm });
    assert.equal((await ready()).status, 'ready');
    draining = true;
    const readiness = await ready();
    assert.deepEqual(
      [readiness.status, readiness.checks.serving],
      ['not_ready', { ok: false, detail: 'shutting down: finishing work in flight' }],
    );
  });
});
