import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { fingerprintOf } from '../../core/order.ts';
import type { OrderWorkflow, OrderWorkflowInput, WorkflowRun } from '../../core/ports.ts';

export type WorkflowType = 'EXPRESS' | 'STANDARD';

/**
 * Runs the order workflow on AWS and resolves when its intake steps have finished, so the API answers 202
 * only after StoreOrder and SendToQueue succeeded — the same promise as the local host.
 *
 * - EXPRESS (default): StartSyncExecution. An asynchronous EXPRESS start would answer before anything is
 *   stored, and EXPRESS runs at most once. Names are not de-duplicated; StoreOrder's conditional put gives
 *   replays and conflicts their answers.
 * - STANDARD: StartExecution (name = order id), then DescribeExecution until it ends. A name already taken
 *   answers ExecutionAlreadyExists whenever the input differs (always: each submission has its own
 *   submission_id) or that execution has closed, so the existing execution's input says whether it was
 *   for the same payload (a replay) or another one (a conflict).
 */
export class StepFunctionsOrderWorkflow implements OrderWorkflow {
  readonly #client: Pick<SFNClient, 'send'>;
  readonly #stateMachineArn: string;
  readonly #type: WorkflowType;
  readonly #pollMs: number;
  readonly #timeoutMs: number;

  constructor(
    client: Pick<SFNClient, 'send'>,
    stateMachineArn: string,
    options: { type?: WorkflowType; pollMs?: number; timeoutMs?: number } = {},
  ) {
    this.#client = client;
    this.#stateMachineArn = stateMachineArn;
    this.#type = options.type ?? 'EXPRESS';
    this.#pollMs = options.pollMs ?? 100;
    // API Gateway gives an integration 29 s.
    this.#timeoutMs = options.timeoutMs ?? 25_000;
  }

  run(input: OrderWorkflowInput, fingerprint = fingerprintOf(input.order)): Promise<WorkflowRun> {
    return this.#type === 'EXPRESS' ? this.#runExpress(input) : this.#runStandard(input, fingerprint);
  }

  async #runExpress(input: OrderWorkflowInput): Promise<WorkflowRun> {
    const result = await this.#client.send(
      new StartSyncExecutionCommand({
        stateMachineArn: this.#stateMachineArn,
        name: input.order.order_id,
        input: JSON.stringify(input),
      }),
    );
    return this.#toRun(result.status, result.output, result.error, result.cause);
  }

  async #runStandard(input: OrderWorkflowInput, fingerprint: string): Promise<WorkflowRun> {
    let executionArn: string | undefined;
    try {
      ({ executionArn } = await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name: input.order.order_id,
          input: JSON.stringify(input),
        }),
      ));
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) {
        const existing = await this.#existing(input);
        return {
          status: 'ALREADY_RAN',
          sameInput: existing.fingerprint === fingerprint,
          ...(existing.failed ? { failedEarlier: true } : {}),
        };
      }
      throw error;
    }
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const execution = await this.#describe(executionArn);
      if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
        return this.#toRun(execution.status, execution.output, execution.error, execution.cause);
      }
      if (Date.now() > deadline) {
        // Still running: it will finish on its own; the client retries with the same order_id.
        return { status: 'FAILED', error: 'TransientError', cause: 'the workflow is still running' };
      }
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
  }

  /**
   * The payload fingerprint of the execution named after this order (its ARN follows from the name), and
   * whether it ended for lack of infrastructure: a STANDARD name runs once, so what that execution left
   * undone (an order stored and never queued) is for the caller to finish.
   */
  async #existing(input: OrderWorkflowInput): Promise<{ fingerprint: string | undefined; failed: boolean }> {
    const executionArn = `${this.#stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.order.order_id}`;
    const existing = await this.#describe(executionArn);
    const order = (JSON.parse(existing.input ?? '{}') as Partial<OrderWorkflowInput>).order;
    const ended =
      existing.status === 'FAILED' || existing.status === 'TIMED_OUT' || existing.status === 'ABORTED';
    return {
      fingerprint: order ? fingerprintOf(order) : undefined,
      failed: ended && existing.error !== 'OrderConflict' && existing.error !== 'OrderInvalid',
    };
  }

  #describe(executionArn: string | undefined) {
    return this.#client.send(new DescribeExecutionCommand({ executionArn }));
  }

  #toRun(status: string | undefined, output?: string, error?: string, cause?: string): WorkflowRun {
    if (status === 'SUCCEEDED') return { status: 'SUCCEEDED', output: output ? JSON.parse(output) : null };
    if (status === 'FAILED')
      return { status: 'FAILED', error: error ?? 'States.Runtime', cause: cause ?? '' };
    return {
      status: 'FAILED',
      error: 'TransientError',
      cause: `execution ${status ?? 'ended without a status'}`,
    };
  }
}
