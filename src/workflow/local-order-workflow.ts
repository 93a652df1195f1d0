import type {
  Clock,
  Logger,
  MessageSender,
  OrderWorkflow,
  OrderWorkflowInput,
  WorkflowRun,
} from '../core/ports.ts';
import type { createStoreOrder } from '../core/store-order.ts';
import type { createValidateOrder } from '../core/validate-order.ts';
import type { ExecutionJournal } from './execution-journal.ts';
import { createWorkflowEngine, type WorkflowEngine, type WorkflowEngineName } from './workflow-engines.ts';

/**
 * The Task states of the order workflow, bound to the same use-case functions the Lambdas call, and typed
 * from them: go-to-definition from a state name lands on its use case.
 */
export interface OrderWorkflowTasks {
  ValidateOrder: ReturnType<typeof createValidateOrder>;
  StoreOrder: ReturnType<typeof createStoreOrder>;
  /** The `arn:aws:states:::sqs:sendMessage` integration: receives its Parameters, returns `{ MessageId }`. */
  SendToQueue: (input: { QueueUrl: string; MessageBody: unknown }) => Promise<{ MessageId: string }>;
}

/** The local binding of SendToQueue: the message body as the sqs:sendMessage integration would send it. */
export function sendToQueueTask(queue: MessageSender): OrderWorkflowTasks['SendToQueue'] {
  return async ({ MessageBody }) => ({
    MessageId: (await queue.send(typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody)))
      .messageId,
  });
}

export interface LocalOrderWorkflowDeps {
  definition: unknown;
  tasks: OrderWorkflowTasks;
  /**
   * STANDARD semantics: each execution is journaled, so one cut short by a crash is resumed, and a name runs
   * once. Without a journal, EXPRESS semantics (the AWS default): at most once, nothing written besides
   * what the steps write. Both are safe for orders: a 202 is only sent once StoreOrder and SendToQueue have
   * committed, and the start-up reconciliation re-queues a stored order that never reached the queue.
   */
  journal?: ExecutionJournal;
  clock: Clock;
  logger: Logger;
  /** Milliseconds between Task retries, overriding the ASL's IntervalSeconds (tests). */
  retryIntervalMs?: number;
  /** `compiled` (default) or the reference `aws-local-stepfunctions`; both run the same ASL file. */
  engine?: WorkflowEngineName;
}

// Failures that are the order's fault: re-submitting the same payload would fail the same way.
const BUSINESS_ERRORS = new Set(['OrderInvalid', 'OrderConflict']);

/**
 * Runs the ASL order workflow in-process, the state machine built once, with the compiled executor or
 * with aws-local-stepfunctions (`DOFS_WORKFLOW_ENGINE`), as an EXPRESS or a STANDARD workflow
 * (`DOFS_WORKFLOW_TYPE`). STANDARD journals each execution (name = order id) before it starts, so
 * executions cut short by a crash are re-run by `resumeUnfinished()` (their steps are idempotent), and a
 * second start with the same name does not run again, except after an infrastructure failure. EXPRESS
 * runs every start: a duplicate is caught by StoreOrder's conditional put, as on AWS.
 */
export class LocalOrderWorkflow implements OrderWorkflow {
  readonly #engine: WorkflowEngine;
  readonly #inFlight = new Map<string, { fingerprint: string; done: Promise<WorkflowRun> }>();

  private readonly deps: LocalOrderWorkflowDeps;

  constructor(deps: LocalOrderWorkflowDeps) {
    this.deps = deps;
    this.#engine = createWorkflowEngine(deps.engine ?? 'compiled', deps.definition);
  }

  run(input: OrderWorkflowInput, fingerprint: string): Promise<WorkflowRun> {
    const name = input.order.order_id;
    const running = this.#inFlight.get(name);
    if (running) {
      // A concurrent submission of the same id waits for the one in flight instead of racing it, then is
      // answered from what is stored (the caller reads the order), never from the other request's payload.
      // A run that failed for lack of infrastructure decided nothing for this payload: this one runs itself.
      const after = (run: WorkflowRun | undefined): Promise<WorkflowRun> | WorkflowRun =>
        run && (run.status !== 'FAILED' || BUSINESS_ERRORS.has(run.error))
          ? { status: 'ALREADY_RAN', sameInput: running.fingerprint === fingerprint }
          : this.run(input, fingerprint);
      return running.done.then(after, () => after(undefined));
    }
    return this.#track(
      name,
      fingerprint,
      this.deps.journal
        ? this.#startOrFind(this.deps.journal, name, input, fingerprint)
        : this.#runMachine(name, input),
    );
  }

  async #startOrFind(
    journal: ExecutionJournal,
    name: string,
    input: OrderWorkflowInput,
    fingerprint: string,
  ): Promise<WorkflowRun> {
    const record = { name, input: JSON.stringify(input), fingerprint, now: this.deps.clock.now() };
    const begun = await journal.begin(record);
    if (!begun.created) {
      const { existing } = begun;
      const retriable = existing.status === 'FAILED' && !BUSINESS_ERRORS.has(existing.error ?? '');
      if (!retriable || !(await journal.restart(record))) {
        return { status: 'ALREADY_RAN', sameInput: existing.fingerprint === fingerprint };
      }
    }
    return this.#runMachine(name, input);
  }

  /** Re-runs every execution a previous process started and did not finish. */
  async resumeUnfinished(): Promise<number> {
    if (!this.deps.journal) return 0;
    const running = await this.deps.journal.listRunning();
    for (const record of running) {
      this.deps.logger.info('resuming workflow execution', { order_id: record.name });
      const input = JSON.parse(record.input) as OrderWorkflowInput;
      await this.#track(record.name, record.fingerprint, this.#runMachine(record.name, input));
    }
    return running.length;
  }

  /** Resolves when every execution started so far has finished. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight.values()].map((r) => r.done));
  }

  #track(name: string, fingerprint: string, run: Promise<WorkflowRun>): Promise<WorkflowRun> {
    const done = run.finally(() => this.#inFlight.delete(name));
    this.#inFlight.set(name, { fingerprint, done });
    return done;
  }

  async #runMachine(name: string, input: OrderWorkflowInput): Promise<WorkflowRun> {
    const result = await this.#engine.execute(input, {
      executionName: name,
      startTime: new Date(this.deps.clock.now()).toISOString(),
      tasks: this.deps.tasks as never,
      ...(this.deps.retryIntervalMs === undefined ? {} : { retryIntervalMs: this.deps.retryIntervalMs }),
    });
    const run: WorkflowRun = result.ok
      ? { status: 'SUCCEEDED', output: result.output }
      : { status: 'FAILED', error: result.error, cause: result.cause };
    if (run.status === 'FAILED') {
      this.deps.logger.warn('workflow execution failed', {
        order_id: name,
        error: run.error,
        cause: run.cause,
      });
    }
    const now = this.deps.clock.now();
    await this.deps.journal?.finish(
      name,
      run.status === 'FAILED'
        ? { status: 'FAILED', error: run.error, cause: run.cause, now }
        : { status: 'SUCCEEDED', now },
    );
    return run;
  }
}
