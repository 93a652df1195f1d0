import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { loadLocalConfig } from '../../src/config.ts';
import { createLocalSystem, type LocalSystem } from '../../src/hosts/local/local-system.ts';
import { recordingLogger } from '../support/builders.ts';
import { tempDataDir } from '../support/server-process.ts';

const RUNS = 10_000;

// Mostly JSON, so that most bodies reach the parser and the schema; sometimes a wrong type.
const contentType = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      'application/vnd.api+json',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/xml',
      'multipart/form-data',
      '',
      'application/jsonp',
    ),
  },
);
const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'é',
    '💥',
    '\u202e',
    'a'.repeat(5000),
    '../../etc/passwd',
    "'; DROP TABLE orders; --",
  ),
);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 1, 1.5, Number.MIN_VALUE),
);
const weirdValue = fc.oneof(
  weirdString,
  weirdNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const orderLike = fc.record(
  {
    order_id: weirdValue,
    customer_id: weirdValue,
    items: fc.oneof(
      fc.array(
        fc.record({ product_id: weirdValue, quantity: weirdValue, price: weirdValue }, { requiredKeys: [] }),
        { maxLength: 3 },
      ),
      weirdValue,
    ),
    product: weirdValue,
    item: weirdValue,
    quantity: weirdValue,
    price: weirdValue,
  },
  { requiredKeys: [] },
);
const rawBody = fc.oneof(
  { weight: 4, arbitrary: orderLike.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"polluted":true},"customer_id":"c","items":[{"product_id":"p","quantity":1}]}',
      '{"constructor":{"prototype":{"polluted":true}},"customer_id":"c","items":[]}',
      '{"customer_id":"c","items":[{"product_id":"p","quantity":1,"__proto__":{"polluted":true}}]}',
      '{"customer_id": "c", "items": [',
      'null',
      deep(5000),
      `{"a":${deep(2000)}}`,
      '\uFEFF{"customer_id":"c","items":[{"product_id":"p","quantity":1}]}',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 60_000, max: 80_000 })
      .map((n) => JSON.stringify({ customer_id: 'x'.repeat(n), items: [] })),
  },
);

describe(`HTTP API under ${RUNS.toLocaleString('en')} generated bodies (fast-check)`, () => {
  let system: LocalSystem;
  let url: string;
  let remove: () => void;
  before(async () => {
    const dir = tempDataDir();
    remove = dir.remove;
    system = createLocalSystem(
      loadLocalConfig({
        PORT: '0',
        DOFS_DATA_DIR: dir.dir,
        FULFILLMENT_SUCCESS_RATE: '1',
        DOFS_RATE_LIMIT_PER_S: '0',
      }),
      { logger: recordingLogger() },
    );
    const { port } = await system.start();
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await system.stop();
    remove();
  });

  it('never answers 5xx, always explains a 4xx, and never pollutes a prototype', async (t) => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        contentType,
        fc.constantFrom('/order', '/orders'),
        async (body, type, path) => {
          const response = await fetch(`${url}${path}`, {
            method: 'POST',
            headers: type ? { 'content-type': type } : {},
            body,
          });
          const text = await response.text();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          assert.ok(
            response.status < 500,
            `${response.status} for ${body.slice(0, 200)}: ${text.slice(0, 200)}`,
          );
          const parsed = JSON.parse(text);
          if (response.status >= 400) {
            assert.equal(typeof parsed.error.message, 'string');
            assert.ok(parsed.error.message.length > 0);
            assert.doesNotMatch(text, /at .*\.ts:\d+|node:internal|SQLITE/, 'no internals in a response');
          }
          if (response.status === 400 && parsed.error.code === 'OrderInvalid')
            assert.ok(parsed.error.fields.length > 0);
        },
      ),
      { numRuns: RUNS, seed: 424242 },
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
    assert.equal((await fetch(`${url}/health`)).status, 200, 'still serving');
    t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  });
});
