import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { call, type ServerProcess, startServer, tempDataDir } from '../support/server-process.ts';

// Races between clients of one order, with real concurrency: many HTTP requests in flight at once against the
// real server process, over many rounds (one round rarely loses a race that many rounds win).

describe('concurrent submissions of one order id (server process over HTTP)', () => {
  let server: ServerProcess;
  let removeDir: () => void;
  before(async () => {
    const { dir, remove } = tempDataDir();
    removeDir = remove;
    server = await startServer({ DOFS_DATA_DIR: dir, FULFILLMENT_SUCCESS_RATE: '1' });
  });
  after(async () => {
    await server.stop();
    removeDir();
  });

  it('answers a correct retry from what is stored (200 replay), never 409, while a conflicting request races it', async (t) => {
    const ROUNDS = 200;
    const tally = { replayed: 0, retryConflict: 0, otherConflict: 0, otherAnswer: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const order_id = `race-${round}`;
      const p = anOrderBody({ order_id });
      const q = anOrderBody({ order_id, customer_id: 'someone-else' });
      assert.equal((await call(`${server.url}/order`, { body: p })).status, 202);
      // Q first by a hair, so it is usually the request in flight when P's retry arrives.
      const [other, retry] = await Promise.all([
        call(`${server.url}/order`, { body: q }),
        call(`${server.url}/order`, { body: p }),
      ]);
      if (retry.status === 200 && retry.headers.get('idempotent-replayed') === 'true') tally.replayed++;
      else if (retry.status === 409) tally.retryConflict++;
      if (other.status === 409) tally.otherConflict++;
      else tally.otherAnswer++;
    }
    t.diagnostic(JSON.stringify(tally));
    assert.deepEqual(tally, { replayed: ROUNDS, retryConflict: 0, otherConflict: ROUNDS, otherAnswer: 0 });
  });
});
