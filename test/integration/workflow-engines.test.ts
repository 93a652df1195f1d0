import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createValidateOrder } from '../../src/core/validate-order.ts';
import { UnsupportedAslError } from '../../src/workflow/compiled-state-machine.ts';
import { loadOrderWorkflowDefinition } from '../../src/workflow/order-workflow-definition.ts';
import { compiledEngine, referenceEngine, type WorkflowEngine } from '../../src/workflow/workflow-engines.ts';

const run = { executionName: 'diff', startTime: '2026-01-01T00:00:00.000Z', retryIntervalMs: 0 };

/** Task handlers whose failures follow a script, so both engines see exactly the same behaviour. */
function scriptedTasks(script: { store: string[]; send: string[]; storeOutcome: 'CREATED' | 'EXISTS' }) {
  const calls: string[] = [];
  const fail = (queue: string[], state: string) => {
    const name = queue.shift();
    calls.push(`${state}:${name ?? 'ok'}`);
    if (name) {
      const error = new Error(`${state} failed with ${name}`);
      error.name = name;
      throw error;
    }
  };
  const store = [...script.store];
  const send = [...script.send];
  return {
    calls,
    tasks: {
      ValidateOrder: createValidateOrder(),
      StoreOrder: (input: { order: { order_id: string } }) => {
        fail(store, 'StoreOrder');
        return { outcome: script.storeOutcome, status: 'PENDING', echo: input.order.order_id };
      },
      SendToQueue: (input: { QueueUrl: string; MessageBody: unknown }) => {
        fail(send, 'SendToQueue');
        return { MessageId: `m-${JSON.stringify(input.MessageBody)}`, MD5OfMessageBody: 'x' };
      },
    },
  };
}

/** Both engines, each built once for the definition. */
function engines(definition: unknown): WorkflowEngine[] {
  return [referenceEngine(definition), compiledEngine(definition)];
}

async function both(pair: WorkflowEngine[], input: unknown, make: () => ReturnType<typeof scriptedTasks>) {
  const results = [];
  for (const engine of pair) {
    const { tasks, calls } = make();
    // Executions receive JSON: a round trip gives the generated value the shape a real input has.
    const result = await engine.execute(JSON.parse(JSON.stringify(input)), { ...run, tasks: tasks as never });
    results.push({ result, calls });
  }
  return results as [(typeof results)[0], (typeof results)[0]];
}

const errorName = fc.constantFrom(
  'TransientError',
  'OrderConflict',
  'Lambda.ServiceException',
  'Error',
  'TypeError',
);
const orderInput = fc.record({
  submission_id: fc.string({ minLength: 1, maxLength: 10 }),
  order: fc.oneof(
    fc.record({
      order_id: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
      customer_id: fc.oneof(fc.constant(null), fc.stringMatching(/^[a-z0-9]{1,8}$/)),
      items: fc.array(
        fc.record({
          product_id: fc.stringMatching(/^[a-z0-9]{1,6}$/),
          quantity: fc.integer({ min: -1, max: 5 }),
        }),
        { maxLength: 3 },
      ),
    }),
    fc.jsonValue(),
  ),
});

describe('compiled executor against aws-local-stepfunctions (differential)', () => {
  const orderWorkflow = engines(loadOrderWorkflowDefinition());

  it('gives the same output or the same error, with the same Task calls, for generated inputs and failures', async () => {
    await fc.assert(
      fc.asyncProperty(
        orderInput,
        fc.array(errorName, { maxLength: 6 }),
        fc.array(errorName, { maxLength: 6 }),
        fc.constantFrom('CREATED' as const, 'EXISTS' as const),
        async (input, store, send, storeOutcome) => {
          const [reference, compiled] = await both(orderWorkflow, input, () =>
            scriptedTasks({ store, send, storeOutcome }),
          );
          assert.deepEqual(compiled.result, reference.result);
          assert.deepEqual(compiled.calls, reference.calls);
        },
      ),
      { numRuns: 300, seed: 20261121 },
    );
  });

  it('agrees on Pass, Choice operators (And, Or, Not, NumericEquals, BooleanEquals), InputPath and OutputPath', async () => {
    const machine = {
      StartAt: 'Shape',
      States: {
        Shape: {
          Type: 'Pass',
          Parameters: { 'n.$': '$.n', 'flag.$': '$.flag', fixed: { a: [1, 'two'] } },
          ResultPath: '$.shaped',
          Next: 'Route',
        },
        Route: {
          Type: 'Choice',
          InputPath: '$.shaped',
          Choices: [
            {
              And: [
                { Variable: '$.n', NumericEquals: 3 },
                { Variable: '$.flag', BooleanEquals: true },
              ],
              Next: 'Three',
            },
            {
              Or: [
                { Variable: '$.n', NumericEquals: 1 },
                { Not: { Variable: '$.flag', BooleanEquals: true } },
              ],
              Next: 'One',
            },
          ],
          Default: 'Other',
        },
        Three: {
          Type: 'Pass',
          Result: { which: 'three' },
          ResultPath: '$.which',
          OutputPath: '$.which',
          End: true,
        },
        One: { Type: 'Succeed' },
        Other: { Type: 'Fail', Error: 'NoRoute', Cause: 'nothing matched' },
      },
    };
    const inputs = fc.record({ n: fc.integer({ min: 0, max: 4 }), flag: fc.boolean() });
    const pair = engines(machine);
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => {
        const [reference, compiled] = await both(pair, input, () =>
          scriptedTasks({ store: [], send: [], storeOutcome: 'CREATED' }),
        );
        assert.deepEqual(compiled.result, reference.result);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('refuses, at construction, ASL it does not implement', () => {
    const withIntrinsic = {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Parameters: { 'x.$': "States.Format('{}', $.a)" }, End: true } },
    };
    assert.throws(() => compiledEngine(withIntrinsic), UnsupportedAslError);
    const withMap = { StartAt: 'A', States: { A: { Type: 'Map', End: true } } };
    // IsPresent is left out on purpose: aws-local-stepfunctions 3.0.0 answers false for IsPresent: false on
    // a missing path, where Step Functions answers true, so the two engines could not be held to agree.
    const withIsPresent = {
      StartAt: 'A',
      States: {
        A: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'B' }], Default: 'B' },
        B: { Type: 'Succeed' },
      },
    };
    assert.throws(() => compiledEngine(withIsPresent), UnsupportedAslError);
    assert.throws(() => compiledEngine(withMap), UnsupportedAslError);
    const withTimeout = {
      StartAt: 'A',
      States: { A: { Type: 'Task', Resource: 'arn:aws:states:::x', TimeoutSeconds: 5, End: true } },
    };
    assert.throws(() => compiledEngine(withTimeout), UnsupportedAslError);
  });
});
