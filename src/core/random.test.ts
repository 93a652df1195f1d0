import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('returns the same number for the same seed and key, whatever the call order', () => {
    const a = seededRandom('42');
    const b = seededRandom('42');
    const first = a('order-1#0#1');
    b('something else');
    assert.equal(b('order-1#0#1'), first);
  });

  it('returns different sequences for different seeds', () => {
    assert.notEqual(seededRandom('1')('k'), seededRandom('2')('k'));
  });

  it('is roughly uniform on [0, 1)', () => {
    const random = seededRandom('uniformity');
    const buckets = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = random(`key-${i}`);
      assert.ok(x >= 0 && x < 1);
      buckets[Math.floor(x * 10)] += 1;
    }
    // Each bucket expects 10,000 ± 95 (1 sd); 6 sd is far outside chance but catches a biased hash.
    for (const count of buckets) assert.ok(Math.abs(count - n / 10) < 570, `bucket count ${count}`);
  });
});
