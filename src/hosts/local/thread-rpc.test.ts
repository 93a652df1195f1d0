import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { BadRequestError, DofsError, TransientError } from '../../core/errors.ts';
import { Batcher, RpcClient, type RpcMessage, remoteServices, serveRpc } from './thread-rpc.ts';

interface Counter {
  add(n: number): Promise<number>;
  fail(kind: string): Promise<never>;
}

interface Services {
  counter: Counter;
}

function pair(target: Partial<Counter>) {
  const { port1, port2 } = new MessageChannel();
  const serve = serveRpc(port1, { counter: target });
  const messages: RpcMessage[] = [];
  port1.on('message', (m: RpcMessage) => {
    messages.push(m);
    if (m.type === 'calls') serve(m.calls);
  });
  const client = new RpcClient(port2);
  port2.on('message', (m: RpcMessage) => {
    if (m.type === 'answers') client.receive(m.answers);
  });
  const close = () => {
    port1.close();
    port2.close();
  };
  return { client, services: remoteServices<Services>(client), messages, close };
}

describe('thread-rpc', () => {
  it('answers calls in order of settling and sends the calls of one turn together', async () => {
    let total = 0;
    const { services, messages, close } = pair({ add: async (n: number) => (total += n) });
    const results = await Promise.all(Array.from({ length: 10 }, () => services.counter.add(1)));
    assert.deepEqual(results, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(messages.filter((m) => m.type === 'calls').length, 1, 'ten calls, one message');
    close();
  });

  it('keeps the type of errors that map to HTTP answers, and the name and message of the rest', async () => {
    const { client, services, close } = pair({
      fail: async (kind: string) => {
        if (kind === 'transient') throw new TransientError('storage unavailable: database is busy');
        if (kind === 'bad') throw new BadRequestError('cursor is not valid');
        throw new RangeError('out of range');
      },
    });
    const counter = services.counter;
    await assert.rejects(counter.fail('transient'), (e: unknown) => {
      assert.ok(e instanceof TransientError);
      assert.equal(e.retryAfterSeconds, 1);
      return true;
    });
    await assert.rejects(counter.fail('bad'), (e: unknown) => {
      assert.ok(e instanceof DofsError);
      assert.deepEqual([e.name, e.message], ['BadRequest', 'cursor is not valid']);
      return true;
    });
    await assert.rejects(counter.fail('other'), { name: 'RangeError', message: 'out of range' });
    await assert.rejects(client.call('counter', 'missing', []), /no method counter.missing/);
    close();
  });

  it('offers each method of the typed services, once, and is no thenable itself', async () => {
    const { services, close } = pair({ add: async (n: number) => n * 2 });
    assert.equal(await services.counter.add(21), 42);
    assert.equal(services.counter.add, services.counter.add, 'one function per method, kept');
    assert.equal((services as unknown as { then?: unknown }).then, undefined);
    assert.equal((services.counter as unknown as { then?: unknown }).then, undefined);
    close();
  });

  it('rejects calls still owed, and later ones, once closed', async () => {
    const { client, close } = pair({ add: () => new Promise(() => undefined) });
    const owed = client.call('counter', 'add', [1]);
    client.close(new Error('DOFS is stopped'));
    await assert.rejects(owed, /DOFS is stopped/);
    await assert.rejects(client.call('counter', 'add', [1]), /DOFS is stopped/);
    close();
  });

  it('posts a batch as soon as it holds maxItems, without waiting for the end of the turn', () => {
    const posted: number[][] = [];
    const batcher = new Batcher<number>((items) => posted.push(items), 3);
    for (let i = 1; i <= 7; i++) batcher.push(i);
    assert.deepEqual(posted, [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    batcher.flush();
    assert.deepEqual(posted.at(-1), [7]);
  });
});
