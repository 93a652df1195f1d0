import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { CompiledStateMachine, type TaskHandlers } from './compiled-state-machine.ts';

export type WorkflowEngineName = 'compiled' | 'aws-local-stepfunctions';

/** How an execution ended: its output, or the ASL error name and cause. */
export type EngineResult = { ok: true; output: unknown } | { ok: false; error: string; cause: string };

/** Runs one execution of a state machine built once from the definition. */
export interface WorkflowEngine {
  readonly name: WorkflowEngineName;
  execute(
    input: unknown,
    run: { executionName: string; startTime: string; tasks: TaskHandlers; retryIntervalMs?: number },
  ): Promise<EngineResult>;
}

function failureOf(error: unknown): { ok: false; error: string; cause: string } {
  const cause = error instanceof ExecutionError ? (error.cause as Error | undefined) : undefined;
  const failure = cause ?? (error as Error);
  return { ok: false, error: failure.name || 'Error', cause: failure.message };
}

/** aws-local-stepfunctions: the reference interpreter of the full language. */
export function referenceEngine(definition: unknown): WorkflowEngine {
  const machine = new StateMachine(definition as StateMachineDefinition);
  const stateNames = Object.keys((definition as { States: Record<string, unknown> }).States);
  return {
    name: 'aws-local-stepfunctions',
    async execute(input, run) {
      const retryIntervalOverrides =
        run.retryIntervalMs === undefined
          ? undefined
          : Object.fromEntries(stateNames.map((s) => [s, run.retryIntervalMs as number]));
      const execution = machine.run(input as never, {
        overrides: {
          taskResourceLocalHandlers: run.tasks as never,
          ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
        },
        context: {
          Execution: {
            Id: `local:${run.executionName}`,
            Name: run.executionName,
            Input: input,
            StartTime: run.startTime,
          },
        } as never,
      });
      try {
        return { ok: true, output: await execution.result };
      } catch (error) {
        return failureOf(error);
      }
    },
  };
}

/** The compiled executor for DOFS's subset of ASL (see compiled-state-machine.ts); the default locally. */
export function compiledEngine(definition: unknown): WorkflowEngine {
  const machine = new CompiledStateMachine(definition);
  return {
    name: 'compiled',
    async execute(input, run) {
      try {
        const output = await machine.run(input, {
          tasks: run.tasks,
          ...(machine.usesContext
            ? {
                context: {
                  Execution: {
                    Id: `local:${run.executionName}`,
                    Name: run.executionName,
                    Input: input as never,
                    StartTime: run.startTime,
                  },
                },
              }
            : {}),
          ...(run.retryIntervalMs === undefined ? {} : { retryIntervalMs: run.retryIntervalMs }),
        });
        return { ok: true, output };
      } catch (error) {
        return failureOf(error);
      }
    },
  };
}

export function createWorkflowEngine(name: WorkflowEngineName, definition: unknown): WorkflowEngine {
  return name === 'compiled' ? compiledEngine(definition) : referenceEngine(definition);
}
