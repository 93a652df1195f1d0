import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { ManualClock, recordingLogger } from '../../../test/support/builders.ts';
import { openDatabase } from '../../adapters/sqlite/database.ts';
import { SqliteOrderRepository } from '../../adapters/sqlite/sqlite-order-repository.ts';
import { SqliteQueue } from '../../adapters/sqlite/sqlite-queue.ts';
import { createStoreOrder } from '../../core/store-order.ts';
import { createAcceptOrder, parseSubmission } from '../../core/submit-order.ts';
import { createValidateOrder } from '../../core/validate-order.ts';
import { LocalOrderWorkflow, sendToQueueTask } from '../../workflow/local-order-workflow.ts';
import { loadOrderWorkflowDefinition } from '../../workflow/order-workflow-definition.ts';
import { Admission, createIntake } from './intake.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** Long enough for several turns of the admission, busy or idle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function anAdmission(overrides: Partial<ConstructorParameters<typeof Admission>[0]> = {}) {
  return new Admission({
    perTurn: 2,
    backlogLimit: 100,
    backlog: () => 0,
    finished: () => 0,
    maxWaitMs: 60_000,
    ...overrides,
  });
}

describe('Admission', () => {
  it('starts at most perTurn orders per turn, the rest in arrival order on later turns', async () => {
    const admission = anAdmission({ perTurn: 2 });
    const started: number[] = [];
    const runs = [1, 2, 3, 4, 5].map((n) =>
      admission.run(async () => {
        started.push(n);
        return n;
      }),
    );
    assert.deepEqual(started, [1, 2], 'this turn: two');
    await nextTurn();
    assert.deepEqual(started, [1, 2, 3, 4]);
    await nextTurn();
    assert.deepEqual(started, [1, 2, 3, 4, 5]);
    assert.deepEqual(await Promise.all(runs), [1, 2, 3, 4, 5]);
  });

  it('over the backlog limit, starts only as many orders as the consumers finished since the last turn', async () => {
    let backlog = 500;
    let finished = 0;
    const admission = anAdmission({
      perTurn: 10,
      backlogLimit: 100,
      backlog: () => backlog,
      finished: () => finished,
    });
    const started: number[] = [];
    const runs = Array.from({ length: 16 }, (_, n) => admission.run(async () => void started.push(n)));
    assert.equal(started.length, 10, 'the first turn starts the full allowance');
    await settle();
    assert.equal(started.length, 10, 'nothing finished since: nothing more starts, however many turns');
    finished += 3;
    await settle();
    assert.deepEqual(started.slice(10), [10, 11, 12], 'three finished: the next three start');
    backlog = 0;
    await settle();
    assert.equal(started.length, 16, 'under the limit again: the rest start');
    await Promise.all(runs);
  });

  it('refuses an order that waited longer than maxWaitMs with a TransientError (503, retry later)', async () => {
    const admission = anAdmission({ perTurn: 1, maxWaitMs: 20, backlog: () => 500, finished: () => 0 });
    const first = admission.run(async () => 'started');
    const second = assert.rejects(
      admission.run(async () => 'started'),
      {
        name: 'TransientError',
        message: /overloaded/,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    await second;
    assert.equal(await first, 'started');
    assert.equal(admission.waiting, 0);
  });
});

describe('intake in the storage thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dofs-intake-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  function anIntake() {
    const path = join(dir, `intake-${++n}.sqlite`);
    const db = openDatabase(path);
    const clock = new ManualClock();
    const orders = new SqliteOrderRepository(db.early);
    const queue = new SqliteQueue(db.early, { name: 'order_queue', visibilityTimeoutMs: 1000, clock });
    const workflow = new LocalOrderWorkflow({
      definition: loadOrderWorkflowDefinition(),
      tasks: {
        ValidateOrder: createValidateOrder(),
        StoreOrder: createStoreOrder({ orders, clock }),
        SendToQueue: sendToQueueTask(queue),
      },
      clock,
      logger: recordingLogger(),
    });
    let ids = 0;
    const intake = createIntake({
      acceptOrder: createAcceptOrder({
        workflow,
        orders,
        ids: { orderId: () => `generated-${++ids}`, submissionId: () => `submission-${++ids}` },
        clock,
      }),
      store: db,
      admission: anAdmission({ perTurn: 100 }),
    });
    const reader = new DatabaseSync(path, { readOnly: true });
    const stored = (orderId: string) => ({
      order: (({ status, queued }) => (status === undefined ? undefined : { status, queued }))(
        reader.prepare('SELECT status, queued FROM orders WHERE order_id = ?').get(orderId) ?? {},
      ),
      messages: Number(
        reader
          .prepare("SELECT count(*) AS n FROM messages WHERE json_extract(body, '$.order_id') = ?")
          .get(orderId)?.n,
      ),
    });
    const submission = (body: unknown) => {
      const parsed = parseSubmission(body, { orderId: () => 'unused' });
      assert.ok(parsed.ok);
      // As it crosses threads: a copy, not the object the HTTP thread validated.
      return structuredClone(parsed.submission);
    };
    const close = () => {
      reader.close();
      db.close();
    };
    return { db, intake, stored, submission, close };
  }

  it('answers only once the order and its message are committed, all three writes in one commit', async () => {
    const { db, intake, stored, submission, close } = anIntake();
    const before = db.commits;
    const answer = await intake.accept(
      submission({ order_id: 'o-1', customer_id: 'c-1', items: [{ product_id: 'p-1', quantity: 2 }] }),
    );
    // Read by another connection at the instant the answer exists: durable, queued, and marked queued.
    assert.deepEqual(stored('o-1'), { order: { status: 'PENDING', queued: null }, messages: 1 });
    assert.ok(answer.ok && !answer.replayed && answer.order.order_id === 'o-1');
    assert.equal(db.commits - before, 1, 'StoreOrder, SendToQueue and the queued mark share one commit');
    close();
  });

  it('answers a replay and a conflict from what is stored, as plain data', async () => {
    const { intake, submission, close } = anIntake();
    const body = { order_id: 'o-1', customer_id: 'c-1', items: [{ product_id: 'p-1', quantity: 2 }] };
    await intake.accept(submission(body));
    const replay = await intake.accept(submission(body));
    assert.ok(replay.ok && replay.replayed);
    const conflict = await intake.accept(submission({ ...body, customer_id: 'c-2' }));
    assert.deepEqual(conflict, { ok: false, conflict: true });
    close();
  });

  it('answers 503 (TransientError), not 202, when the commit fails, and keeps nothing', async () => {
    const { db, intake, stored, submission, close } = anIntake();
    db.db.exec(`PRAGMA foreign_keys = ON;
      CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
    const accepted = intake.accept(
      submission({ order_id: 'o-1', customer_id: 'c-1', items: [{ product_id: 'p-1', quantity: 1 }] }),
    );
    // Another write of the same turn makes the commit fail (a deferred foreign key is checked at COMMIT).
    const bad = db.run(() => db.db.prepare('INSERT INTO child VALUES (42)').run());
    await Promise.all([
      assert.rejects(accepted, { name: 'TransientError' }),
      assert.rejects(bad, /FOREIGN KEY/),
    ]);
    assert.deepEqual(stored('o-1'), { order: undefined, messages: 0 });
    close();
  });
});
