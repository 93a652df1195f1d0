import { type SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import type { OrderWorkflow, OrderWorkflowInput, WorkflowRun } from '../../core/ports.ts';

/**
 * Runs the order workflow on AWS as a synchronous EXPRESS execution (StartSyncExecution), so the API answers
 * 202 only after StoreOrder and SendToQueue have succeeded — the same promise as the local host. An
 * asynchronous EXPRESS start would answer 202 before anything is stored, and EXPRESS runs at most once.
 * The execution name is not used for de-duplication (EXPRESS does not); StoreOrder's conditional put gives
 * replays and conflicts their answers.
 */
export class StepFunctionsOrderWorkflow implements OrderWorkflow {
  readonly #client: Pick<SFNClient, 'send'>;
  readonly #stateMachineArn: string;

  constructor(client: Pick<SFNClient, 'send'>, stateMachineArn: string) {
    this.#client = client;
    this.#stateMachineArn = stateMachineArn;
  }

  async run(input: OrderWorkflowInput): Promise<WorkflowRun> {
    const result = await this.#client.send(
      new StartSyncExecutionCommand({
        stateMachineArn: this.#stateMachineArn,
        // Execution names allow 80 characters of [A-Za-z0-9-_]: the order id schema guarantees that.
        name: `${input.order.order_id}`.slice(0, 80),
        input: JSON.stringify(input),
      }),
    );
    if (result.status === 'SUCCEEDED')
      return { status: 'SUCCEEDED', output: result.output ? JSON.parse(result.output) : null };
    if (result.status === 'FAILED')
      return { status: 'FAILED', error: result.error ?? 'States.Runtime', cause: result.cause ?? '' };
    return {
      status: 'FAILED',
      error: 'TransientError',
      cause: `execution ${result.status ?? 'ended without a status'}`,
    };
  }
}
