import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineResult } from '../../src/workflow/workflow-engines.ts';

/** A state machine the endpoint serves: its type and how to run one execution of it. */
export interface HostedStateMachine {
  arn: string;
  type: 'EXPRESS' | 'STANDARD';
  execute(input: unknown, executionName: string): Promise<EngineResult>;
}

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  startDate: number;
  stopDate?: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  output?: string;
  error?: string;
  cause?: string;
  done: Promise<void>;
}

class ServiceError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

const seconds = (ms: number) => ms / 1000;

/**
 * The Step Functions API on 127.0.0.1, as the AWS SDK calls it (AWS JSON 1.0: POST /, `X-Amz-Target:
 * AWSStepFunctions.<Operation>`), for the operations DOFS uses, answered as the API reference documents:
 *
 * - StartSyncExecution (EXPRESS only, else StateMachineTypeNotSupported): runs the execution and answers
 *   status SUCCEEDED with `output`, or FAILED with `error` and `cause`. The SDK sends it to the `sync-` host
 *   prefix of the endpoint (sync-states.<region>.amazonaws.com on AWS); a request for it on any other host is
 *   refused here, so the test shows the SDK did that.
 * - StartExecution (STANDARD): name = idempotency key for 90 days. Same name and same input while the
 *   execution is RUNNING → the original answer; otherwise (other input, or the execution has closed) →
 *   ExecutionAlreadyExists. Runs in the background.
 * - DescribeExecution: the execution's status, input, output or error and cause; ExecutionDoesNotExist.
 *
 * Not emulated: the 5-minute EXPRESS limit, TIMED_OUT and ABORTED, billing and trace details, IAM.
 */
export async function startStepFunctionsEndpoint(options: {
  region: string;
  machines: HostedStateMachine[];
}) {
  const machines = new Map(options.machines.map((m) => [m.arn, m]));
  const executions = new Map<string, Execution>();
  /** Every call and how it was answered: the execution status and error, or the service error. */
  const calls: { operation: string; host: string; answer: string }[] = [];

  function machineOf(arn: unknown): HostedStateMachine {
    const machine = typeof arn === 'string' ? machines.get(arn) : undefined;
    if (!machine)
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  function begin(
    machine: HostedStateMachine,
    request: Record<string, unknown>,
    kind: 'express' | 'execution',
  ) {
    const name = typeof request.name === 'string' ? request.name : randomUUID();
    const input = typeof request.input === 'string' ? request.input : '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new ServiceError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const machineName = machine.arn.split(':').at(-1);
    const execution: Execution = {
      executionArn: `arn:aws:states:${options.region}:000000000000:${kind}:${machineName}:${name}${kind === 'express' ? `:${randomUUID()}` : ''}`,
      stateMachineArn: machine.arn,
      name,
      input,
      startDate: Date.now(),
      status: 'RUNNING',
      done: Promise.resolve(),
    };
    execution.done = machine.execute(parsed, name).then(
      (result) => settle(execution, result),
      (error: Error) =>
        settle(execution, { ok: false, error: 'States.Runtime', cause: String(error?.message) }),
    );
    return execution;
  }

  function settle(execution: Execution, result: EngineResult) {
    execution.stopDate = Date.now();
    if (result.ok) {
      execution.status = 'SUCCEEDED';
      execution.output = JSON.stringify(result.output);
    } else {
      execution.status = 'FAILED';
      execution.error = result.error;
      execution.cause = result.cause;
    }
  }

  function describe(execution: Execution) {
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: seconds(execution.startDate),
      ...(execution.stopDate === undefined ? {} : { stopDate: seconds(execution.stopDate) }),
      input: execution.input,
      inputDetails: { included: true },
      ...(execution.output === undefined
        ? {}
        : { output: execution.output, outputDetails: { included: true } }),
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    };
  }

  const operations: Record<string, (request: Record<string, unknown>, host: string) => Promise<unknown>> = {
    async StartSyncExecution(request, host) {
      if (!host.startsWith('sync-')) {
        throw new ServiceError('UnknownOperationException', 'StartSyncExecution is served on the sync- host');
      }
      const machine = machineOf(request.stateMachineArn);
      if (machine.type !== 'EXPRESS') {
        throw new ServiceError(
          'StateMachineTypeNotSupported',
          'This operation is not supported by this type of state machine',
        );
      }
      // EXPRESS names are not de-duplicated: every start runs.
      const execution = begin(machine, request, 'express');
      await execution.done;
      return describe(execution);
    },
    async StartExecution(request) {
      const machine = machineOf(request.stateMachineArn);
      if (machine.type !== 'STANDARD') {
        throw new ServiceError(
          'UnknownOperationException',
          'this test endpoint starts STANDARD executions only',
        );
      }
      const name = typeof request.name === 'string' ? request.name : undefined;
      const key = `${machine.arn}/${name}`;
      const existing = name === undefined ? undefined : executions.get(key);
      if (existing) {
        const input = typeof request.input === 'string' ? request.input : '{}';
        if (existing.status === 'RUNNING' && existing.input === input) {
          return { executionArn: existing.executionArn, startDate: seconds(existing.startDate) };
        }
        throw new ServiceError(
          'ExecutionAlreadyExists',
          `Execution Already Exists: '${existing.executionArn}'`,
        );
      }
      const execution = begin(machine, request, 'execution');
      executions.set(`${machine.arn}/${execution.name}`, execution);
      return { executionArn: execution.executionArn, startDate: seconds(execution.startDate) };
    },
    async DescribeExecution(request) {
      const execution = [...executions.values()].find((e) => e.executionArn === request.executionArn);
      if (!execution) {
        throw new ServiceError(
          'ExecutionDoesNotExist',
          `Execution Does Not Exist: '${request.executionArn}'`,
        );
      }
      return describe(execution);
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    const host = String(req.headers.host ?? '');
    const answer = (status: number, body: Record<string, unknown>, errorType?: string) => {
      calls.push({
        operation,
        host,
        answer: errorType ?? [body.status, body.error].filter((v) => v !== undefined).join(' '),
      });
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(body));
    };
    try {
      const run = operations[operation];
      if (req.method !== 'POST' || !run || req.headers['content-type'] !== 'application/x-amz-json-1.0') {
        throw new ServiceError('UnknownOperationException', `unsupported request: ${req.method} ${target}`);
      }
      answer(
        200,
        (await run(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'), host)) as Record<
          string,
          unknown
        >,
      );
    } catch (error) {
      if (error instanceof ServiceError) {
        answer(error.status, { __type: error.type, message: error.message }, error.type);
      } else {
        answer(500, { __type: 'InternalFailure', message: String(error) }, 'InternalFailure');
      }
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    /**
     * The endpoint for AWS_ENDPOINT_URL_SFN. Its host is a `.localhost` name so that the SDK's `sync-` host
     * prefix gives a name too (`sync-127.0.0.1` is not one); the suite resolves `*.localhost` to 127.0.0.1.
     */
    endpoint: `http://states.localhost:${port}`,
    calls,
    /** Waits for the STANDARD executions still running, then closes the server. */
    async stop() {
      await Promise.allSettled([...executions.values()].map((e) => e.done));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
