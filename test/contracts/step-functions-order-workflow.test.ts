import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StepFunctionsOrderWorkflow } from '../../src/adapters/stepfunctions/step-functions-order-workflow.ts';

const input = {
  submission_id: 's-1',
  order: { order_id: 'o-1', customer_id: 'c', items: [{ product_id: 'p', quantity: 1 }] },
};

/** An SFN client that answers each command from a script and records what it was sent. */
function scriptedClient(answers: ((command: unknown) => unknown)[]) {
  const sent: unknown[] = [];
  return {
    sent,
    client: {
      send: async (command: unknown) => {
        sent.push(command);
        const answer = answers.shift();
        if (!answer) throw new Error('unexpected call');
        return answer(command);
      },
    } as never,
  };
}

describe('StepFunctionsOrderWorkflow', () => {
  it('EXPRESS: starts synchronously with name = order id and returns the parsed output', async () => {
    const { client, sent } = scriptedClient([
      () => ({ status: 'SUCCEEDED', output: '{"stored":{"outcome":"CREATED"}}' }),
    ]);
    const run = await new StepFunctionsOrderWorkflow(client, 'arn:sm').run(input);
    assert.deepEqual(run, { status: 'SUCCEEDED', output: { stored: { outcome: 'CREATED' } } });
    const command = sent[0] as StartSyncExecutionCommand;
    assert.ok(command instanceof StartSyncExecutionCommand);
    assert.deepEqual(
      [command.input.name, command.input.stateMachineArn, JSON.parse(command.input.input ?? '')],
      ['o-1', 'arn:sm', input],
    );
  });

  it('EXPRESS: maps a failed execution to its error and cause, and a timeout to TransientError', async () => {
    const failed = scriptedClient([() => ({ status: 'FAILED', error: 'OrderConflict', cause: 'exists' })]);
    assert.deepEqual(await new StepFunctionsOrderWorkflow(failed.client, 'arn:sm').run(input), {
      status: 'FAILED',
      error: 'OrderConflict',
      cause: 'exists',
    });
    const timedOut = scriptedClient([() => ({ status: 'TIMED_OUT' })]);
    assert.deepEqual(await new StepFunctionsOrderWorkflow(timedOut.client, 'arn:sm').run(input), {
      status: 'FAILED',
      error: 'TransientError',
      cause: 'execution TIMED_OUT',
    });
  });

  it('STANDARD: starts, polls DescribeExecution until the execution ends', async () => {
    const { client, sent } = scriptedClient([
      () => ({ executionArn: 'arn:exec' }),
      () => ({ status: 'RUNNING' }),
      () => ({ status: 'SUCCEEDED', output: '{}' }),
    ]);
    const run = await new StepFunctionsOrderWorkflow(client, 'arn:sm', { type: 'STANDARD', pollMs: 1 }).run(
      input,
    );
    assert.deepEqual(run, { status: 'SUCCEEDED', output: {} });
    assert.ok(sent[0] instanceof StartExecutionCommand);
    assert.ok(sent[1] instanceof DescribeExecutionCommand && sent[2] instanceof DescribeExecutionCommand);
  });

  it('STANDARD: answers a name taken by another payload as ALREADY_RAN with another input (409)', async () => {
    const other = { ...input, submission_id: 's-0', order: { ...input.order, customer_id: 'someone-else' } };
    const { client, sent } = scriptedClient([
      () => {
        throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
      },
      () => ({ status: 'SUCCEEDED', input: JSON.stringify(other) }),
    ]);
    assert.deepEqual(
      await new StepFunctionsOrderWorkflow(client, 'arn:aws:states:r:1:stateMachine:sm', {
        type: 'STANDARD',
      }).run(input),
      { status: 'ALREADY_RAN', sameInput: false },
    );
    const describe = sent[1] as DescribeExecutionCommand;
    assert.ok(describe instanceof DescribeExecutionCommand);
    assert.equal(describe.input.executionArn, 'arn:aws:states:r:1:execution:sm:o-1');
  });

  it('STANDARD: answers a name taken by another submission of the same payload as a replay', async () => {
    // AWS answers ExecutionAlreadyExists for any other input (each submission has its own submission_id)
    // and for a closed execution even with the same input.
    const { client } = scriptedClient([
      () => {
        throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
      },
      () => ({ status: 'SUCCEEDED', input: JSON.stringify({ ...input, submission_id: 's-0' }) }),
    ]);
    assert.deepEqual(
      await new StepFunctionsOrderWorkflow(client, 'arn:aws:states:r:1:stateMachine:sm', {
        type: 'STANDARD',
      }).run(input),
      { status: 'ALREADY_RAN', sameInput: true },
    );
  });

  it('STANDARD: gives up polling before API Gateway would, with a retryable error', async () => {
    const { client } = scriptedClient([
      () => ({ executionArn: 'arn:exec' }),
      ...Array.from({ length: 50 }, () => () => ({ status: 'RUNNING' })),
    ]);
    const run = await new StepFunctionsOrderWorkflow(client, 'arn:sm', {
      type: 'STANDARD',
      pollMs: 1,
      timeoutMs: 5,
    }).run(input);
    assert.deepEqual(run, {
      status: 'FAILED',
      error: 'TransientError',
      cause: 'the workflow is still running',
    });
  });
});
