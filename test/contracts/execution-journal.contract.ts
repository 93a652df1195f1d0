import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionJournal } from '../../src/workflow/execution-journal.ts';

/** The behaviour every ExecutionJournal adapter must have. */
export function executionJournalContract(adapter: string, make: () => ExecutionJournal) {
  const record = (name: string, fingerprint = 'f1') => ({
    name,
    input: `{"n":"${name}"}`,
    fingerprint,
    now: 1,
  });

  describe(`ExecutionJournal contract: ${adapter}`, () => {
    it('begins an execution once per name and lists it as running until it finishes', async () => {
      const journal = make();
      assert.deepEqual(await journal.begin(record('a')), { created: true });
      const again = await journal.begin(record('a', 'f2'));
      assert.equal(again.created, false);
      assert.equal(!again.created && again.existing.fingerprint, 'f1', 'the first input is kept');
      assert.deepEqual(
        (await journal.listRunning()).map((r) => r.name),
        ['a'],
      );
      await journal.finish('a', { status: 'SUCCEEDED', now: 2 });
      assert.deepEqual(await journal.listRunning(), []);
    });

    it('restarts only a FAILED execution, with the new input', async () => {
      const journal = make();
      await journal.begin(record('a'));
      assert.equal(await journal.restart(record('a', 'f2')), false, 'a running execution is not restarted');
      await journal.finish('a', { status: 'FAILED', error: 'TransientError', cause: 'disk full', now: 2 });
      const failed = await journal.begin(record('a'));
      assert.ok(
        !failed.created && failed.existing.status === 'FAILED' && failed.existing.error === 'TransientError',
      );
      assert.equal(await journal.restart(record('a', 'f2')), true);
      const [running] = await journal.listRunning();
      assert.deepEqual([running?.name, running?.fingerprint, running?.error], ['a', 'f2', null]);
    });
  });
}
