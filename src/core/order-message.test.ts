import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeOrderMessage, encodeOrderMessage } from './order-message.ts';

describe('order message', () => {
  it('decodes what it encodes', () => {
    assert.deepEqual(decodeOrderMessage(encodeOrderMessage('o-1')), { order_id: 'o-1' });
  });

  it('reads poison bodies as undefined: not JSON, no order_id, an empty or non-string id', () => {
    for (const body of ['not json', '{}', '{"order_id":""}', '{"order_id":7}', 'null', '"o-1"']) {
      assert.equal(decodeOrderMessage(body), undefined, body);
    }
  });

  it('has the shape the workflow SendToQueue state writes', () => {
    const asl = JSON.parse(
      readFileSync(new URL('../../workflow/order-workflow.asl.json', import.meta.url), 'utf8'),
    );
    const body: Record<string, string> = asl.States.SendToQueue.Parameters.MessageBody;
    // The ASL selects each field with a path ("order_id.$"); the same keys, without the suffix, are the message.
    const keys = Object.keys(body).map((key) => key.replace(/\.\$$/, ''));
    assert.deepEqual(keys, Object.keys(JSON.parse(encodeOrderMessage('o-1'))));
  });
});
