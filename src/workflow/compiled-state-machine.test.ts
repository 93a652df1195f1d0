import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompiledStateMachine, type TaskHandlers } from './compiled-state-machine.ts';
import { loadOrderWorkflowDefinition } from './order-workflow-definition.ts';

const passThrough = {
  StartAt: 'Work',
  States: {
    Work: { Type: 'Task', Resource: 'arn:local:work', ResultPath: '$.worked', Next: 'Check' },
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.worked', BooleanEquals: true, Next: 'Done' }],
      Default: 'Failed',
    },
    Done: { Type: 'Succeed' },
    Failed: { Type: 'Fail', Error: 'NotWorked' },
  },
};

describe('CompiledStateMachine', () => {
  it('binds its steps to a set of task handlers once, not once per execution', async () => {
    const machine = new CompiledStateMachine(passThrough);
    let lookups = 0;
    const tasks = {
      get Work() {
        lookups += 1;
        return () => true;
      },
    } as unknown as TaskHandlers;
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await machine.run({ n: i }, { tasks }), { n: i, worked: true });
    assert.equal(lookups, 1);
  });

  it('runs a synchronous handler and an asynchronous one alike, and fails the same way', async () => {
    const machine = new CompiledStateMachine(passThrough);
    assert.deepEqual(await machine.run({}, { tasks: { Work: () => true } }), { worked: true });
    assert.deepEqual(await machine.run({}, { tasks: { Work: async () => true } }), { worked: true });
    await assert.rejects(machine.run({}, { tasks: { Work: () => false } }), { name: 'NotWorked' });
    await assert.rejects(machine.run({}, { tasks: { Work: async () => false } }), { name: 'NotWorked' });
  });

  it('builds no context object for a definition that never reads `$$`, and passes it to one that does', async () => {
    assert.equal(new CompiledStateMachine(loadOrderWorkflowDefinition()).usesContext, false);
    const named = new CompiledStateMachine({
      StartAt: 'Name',
      States: { Name: { Type: 'Pass', Parameters: { 'name.$': '$$.Execution.Name' }, End: true } },
    });
    assert.equal(named.usesContext, true);
    assert.deepEqual(await named.run({}, { tasks: {}, context: { Execution: { Name: 'o-1' } } }), {
      name: 'o-1',
    });
  });
});
