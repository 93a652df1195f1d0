import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintOf, markValidated, parseOrderRequest, parseWorkflowOrder } from './order.ts';
import { parseSubmission } from './submit-order.ts';

function errorsOf(body: unknown) {
  const result = parseOrderRequest(body);
  assert.equal(result.ok, false, `expected ${JSON.stringify(body)} to be rejected`);
  return result.ok ? [] : result.errors;
}

describe('parseOrderRequest', () => {
  it('accepts the canonical shape as it is', () => {
    const body = {
      order_id: 'o-1',
      customer_id: 'c-1',
      items: [{ product_id: 'p-1', quantity: 2, price: 9.5 }],
    };
    assert.deepEqual(parseOrderRequest(body), { ok: true, value: body });
  });

  it('leaves order_id absent when the client sends none', () => {
    const result = parseOrderRequest({ customer_id: 'c-1', items: [{ product_id: 'p', quantity: 1 }] });
    assert.ok(result.ok && !('order_id' in result.value));
  });

  it('normalises the single-item { product, quantity, price } shape', () => {
    assert.deepEqual(parseOrderRequest({ order_id: 'o-2', product: 'widget', quantity: 3, price: 4 }), {
      ok: true,
      value: { order_id: 'o-2', customer_id: null, items: [{ product_id: 'widget', quantity: 3, price: 4 }] },
    });
  });

  it('normalises the single-item { item, quantity } shape', () => {
    assert.deepEqual(parseOrderRequest({ order_id: 'o-3', item: 'gadget', quantity: 1 }), {
      ok: true,
      value: { order_id: 'o-3', customer_id: null, items: [{ product_id: 'gadget', quantity: 1 }] },
    });
  });

  it('lists every failing field, each with a clear message', () => {
    const errors = errorsOf({ customer_id: 5, items: [] });
    assert.deepEqual(errors, [
      { field: 'customer_id', message: 'customer_id must be a string' },
      { field: 'items', message: 'items must be a non-empty array' },
    ]);
  });

  it('names the failing line of a multi-item order', () => {
    const errors = errorsOf({
      customer_id: 'c',
      items: [
        { product_id: 'p', quantity: 1 },
        { product_id: 'q', quantity: 0, price: -1 },
      ],
    });
    assert.deepEqual(errors, [
      { field: 'items.1.quantity', message: 'quantity must be a positive integer' },
      { field: 'items.1.price', message: 'price must be a number ≥ 0' },
    ]);
  });

  it('says which required fields are missing', () => {
    assert.deepEqual(errorsOf({}), [
      { field: 'customer_id', message: 'customer_id is required' },
      { field: 'items', message: 'items is required' },
    ]);
  });

  it('rejects fractional, string and huge quantities', () => {
    for (const quantity of [1.5, '2', 1e12, Number.MAX_SAFE_INTEGER + 2]) {
      const errors = errorsOf({ customer_id: 'c', items: [{ product_id: 'p', quantity }] });
      assert.equal(errors[0]?.field, 'items.0.quantity', `quantity ${quantity}`);
    }
  });

  it('rejects unknown fields, including __proto__ and constructor, by name', () => {
    const body = JSON.parse(
      '{"customer_id":"c","items":[{"product_id":"p","quantity":1}],"__proto__":{"x":1},"constructor":1}',
    );
    assert.deepEqual(errorsOf(body), [
      { field: '__proto__', message: '__proto__ is not a known field' },
      { field: 'constructor', message: 'constructor is not a known field' },
    ]);
    assert.equal(({} as Record<string, unknown>).x, undefined, 'no prototype pollution');
  });

  it('rejects ids outside the safe alphabet and over the length limit', () => {
    assert.equal(
      errorsOf({ order_id: 'has space', customer_id: 'c', items: [{ product_id: 'p', quantity: 1 }] })[0]
        ?.field,
      'order_id',
    );
    assert.equal(
      errorsOf({ order_id: 'x'.repeat(81), customer_id: 'c', items: [{ product_id: 'p', quantity: 1 }] })[0]
        ?.message,
      'order_id must be at most 80 characters',
    );
  });

  it('rejects bodies that are not objects', () => {
    for (const body of [null, [], 'order', 42]) {
      assert.deepEqual(errorsOf(body), [{ field: 'body', message: 'body must be a JSON object' }]);
    }
  });

  it('validates the legacy shapes too', () => {
    assert.deepEqual(errorsOf({ product: 'w', quantity: -1 }), [
      { field: 'quantity', message: 'quantity must be a positive integer' },
    ]);
    assert.deepEqual(errorsOf({ item: '', quantity: 1 }), [
      { field: 'item', message: 'item must not be empty' },
    ]);
  });
});

describe('fingerprintOf', () => {
  it('is equal for equal payloads whatever the key order', () => {
    const a = fingerprintOf({ customer_id: 'c', items: [{ product_id: 'p', quantity: 1, price: 2 }] });
    const b = fingerprintOf({ items: [{ price: 2, quantity: 1, product_id: 'p' }], customer_id: 'c' });
    assert.equal(a, b);
  });

  it('differs when any line differs', () => {
    const a = fingerprintOf({ customer_id: 'c', items: [{ product_id: 'p', quantity: 1 }] });
    const b = fingerprintOf({ customer_id: 'c', items: [{ product_id: 'p', quantity: 2 }] });
    assert.notEqual(a, b);
  });
});

describe('parseWorkflowOrder', () => {
  it('accepts a normalised legacy order (customer_id null) and requires order_id', () => {
    const order = { order_id: 'o', customer_id: null, items: [{ product_id: 'p', quantity: 1 }] };
    assert.deepEqual(parseWorkflowOrder(order), { ok: true, value: order });
    const { order_id: _, ...withoutId } = order;
    const missing = parseWorkflowOrder(withoutId);
    assert.ok(!missing.ok && missing.errors[0]?.message === 'order_id is required');
  });

  it('takes an order the API validated as it is, without parsing it again (validation once)', () => {
    const parsed = parseSubmission(
      { customer_id: 'c-1', items: [{ product_id: 'p', quantity: 1 }] },
      { orderId: () => 'generated-1' },
    );
    assert.ok(parsed.ok);
    const { order } = parsed.submission;
    const result = parseWorkflowOrder(order);
    // Parsing builds a new object; the same object back means the schema did not run a second time.
    assert.ok(result.ok && result.value === order);
    assert.equal(parsed.submission.fingerprint, fingerprintOf(order));
  });

  it('parses any other order, even one equal to a validated one', () => {
    const order = { order_id: 'o', customer_id: 'c', items: [{ product_id: 'p', quantity: 1 }] };
    markValidated(structuredClone(order));
    const result = parseWorkflowOrder(order);
    assert.ok(result.ok && result.value !== order);
    assert.deepEqual(result.value, order);
    const invalid = { ...order, items: [{ product_id: 'p', quantity: 0 }] };
    assert.equal(parseWorkflowOrder(invalid).ok, false);
  });
});
