import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { interceptLocalhostDns } from 'fauxqs';
import type { LambdaName } from '../../src/config.ts';
import { referenceEngine } from '../../src/workflow/workflow-engines.ts';
import { startDynalite } from './dynalite.ts';
import { startEventSourceMapping } from './event-source-mapping.ts';
import { startFauxqs } from './fauxqs.ts';
import { buildLambdaBundles, type LambdaHandler } from './lambda-bundles.ts';
import { startStepFunctionsEndpoint } from './step-functions-endpoint.ts';
import { defaultWorkflowRenderer, type WorkflowRenderer } from './workflow-rendering.ts';

const REGION = 'local-1';
const ACCOUNT = '000000000000';
const SQS_SEND_MESSAGE = 'arn:aws:states:::sqs:sendMessage';

export interface AwsHostOptions {
  workflowType: 'EXPRESS' | 'STANDARD';
  successRate: number;
  maxReceiveCount?: number;
  /** Whole seconds (fauxqs). */
  visibilityTimeoutSeconds?: number;
  /** How the ASL template is filled; by default Terraform's templatefile() when the CLI is there. */
  renderWorkflow?: WorkflowRenderer;
  /** The fulfil mapping's `function_response_types`; false only to show what goes wrong without it. */
  reportBatchItemFailures?: boolean;
}

/**
 * The AWS host offline, from the BUILT Lambda bundles: DynamoDB = dynalite, SQS = fauxqs (order_queue with
 * its redrive policy to order_dlq), Step Functions = the rendered ASL run by aws-local-stepfunctions behind
 * the Step Functions API (Task states invoke the bundles their Lambda ARNs name; sqs:sendMessage goes to
 * fauxqs), and the two SQS event source mappings. Each bundle reads its environment from process.env at
 * cold start, with AWS_ENDPOINT_URL_* pointing its SDK clients at the emulators.
 */
export async function startAwsHost(options: AwsHostOptions) {
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const savedEnv = { ...process.env };
  // The SFN endpoint is `states.localhost`, so that StartSyncExecution's `sync-` host prefix resolves.
  const restoreDns = interceptLocalhostDns('localhost');
  const cleanups: (() => unknown)[] = [
    () => {
      process.env = savedEnv;
    },
    restoreDns,
  ];
  const stop = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'stopping the AWS host failed');
  };
  /** Faults a test switches on and off: `sendMessage` makes every sqs:sendMessage of a workflow fail. */
  const faults = { sendMessage: false };
  try {
    const db = await startDynalite();
    cleanups.push(() => db.stop());
    const tables = await db.freshTables();
    const sqs = await startFauxqs(REGION);
    cleanups.push(() => sqs.stop());
    const queues = await sqs.createOrderQueues({
      maxReceiveCount,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1,
    });

    const functionArn = (name: LambdaName) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:dofs-e2e-${name}`;
    const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:dofs-e2e-orders`;
    const rendered = (options.renderWorkflow ?? defaultWorkflowRenderer)({
      validate_order_function_arn: functionArn('validate-order'),
      store_order_function_arn: functionArn('store-order'),
      order_queue_url: queues.orderQueue.url,
    });

    const bundles = await buildLambdaBundles();
    cleanups.push(() => bundles.remove());

    const sfn = await startStepFunctionsEndpoint({
      region: REGION,
      machines: [
        {
          arn: stateMachineArn,
          type: options.workflowType,
          execute: (input, executionName) =>
            engine.execute(input, {
              executionName,
              startTime: new Date().toISOString(),
              tasks,
              // While a fault is injected, the ASL's retries (seconds apart) run milliseconds apart.
              ...(faults.sendMessage ? { retryIntervalMs: 1 } : {}),
            }),
        },
      ],
    });
    cleanups.push(() => sfn.stop());

    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      // Every function gets the union of the variables Terraform sets; each reads only its own.
      ORDERS_TABLE: tables.orders,
      ORDER_HISTORY_TABLE: tables.orderHistory,
      FAILED_ORDERS_TABLE: tables.failedOrders,
      ORDER_QUEUE_URL: queues.orderQueue.url,
      STATE_MACHINE_ARN: stateMachineArn,
      WORKFLOW_TYPE: options.workflowType,
      FULFILLMENT_SUCCESS_RATE: String(options.successRate),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const functions = new Map<string, LambdaHandler>();
    const deploy = async (name: LambdaName) => {
      functions.set(functionArn(name), await bundles.coldStart(name));
    };
    for (const name of ['api', 'validate-order', 'store-order', 'fulfill-order', 'dead-letter'] as const)
      await deploy(name);
    const fn = (name: LambdaName) => () => functions.get(functionArn(name)) as LambdaHandler;

    const tasks = bindTaskStates(rendered.definition, {
      lambda: (arn) => functions.get(arn),
      sqs: sqs.client,
      sendMessageFails: () => faults.sendMessage,
    });
    const engine = referenceEngine(rendered.definition);

    const fulfilment = startEventSourceMapping({
      sqs: sqs.client,
      queueUrl: queues.orderQueue.url,
      queueArn: queues.orderQueue.arn,
      region: REGION,
      handler: fn('fulfill-order'),
      reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    });
    cleanups.push(() => fulfilment.stop());
    const deadLetters = startEventSourceMapping({
      sqs: sqs.client,
      queueUrl: queues.orderDlq.url,
      queueArn: queues.orderDlq.arn,
      region: REGION,
      handler: fn('dead-letter'),
      reportBatchItemFailures: true,
    });
    cleanups.push(() => deadLetters.stop());

    return {
      renderedBy: rendered.renderedBy,
      definition: rendered.definition,
      queues,
      sqs,
      sfnCalls: sfn.calls,
      faults,
      fulfilmentDeliveries: fulfilment.deliveries,
      deadLetterDeliveries: deadLetters.deliveries,
      /** API Gateway → the api function, as a REST API proxy integration invokes it. */
      async api(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
        return (await fn('api')()(event, {})) as APIGatewayProxyResult;
      },
      /**
       * A new FULFILLMENT_SUCCESS_RATE on the fulfil function: as on AWS, a configuration change takes effect
       * in new execution environments, so the bundle is cold-started again with the new value.
       */
      async setSuccessRate(rate: number) {
        process.env.FULFILLMENT_SUCCESS_RATE = String(rate);
        await deploy('fulfill-order');
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

export type AwsHost = Awaited<ReturnType<typeof startAwsHost>>;

/**
 * The Task states of a rendered definition, bound by their Resource as Step Functions binds them: a Lambda
 * ARN invokes that function (input and result through JSON, a thrown error seen as Lambda reports it:
 * Error = errorType, Cause = the JSON error object); `arn:aws:states:::sqs:sendMessage` sends its Parameters
 * with the SDK (a JSON MessageBody is serialised, as the integration does). An unknown Resource is refused.
 */
export function bindTaskStates(
  definition: unknown,
  targets: {
    lambda: (arn: string) => LambdaHandler | undefined;
    sqs: SQSClient;
    /** While true, the integration fails as it does when SQS refuses (a States.TaskFailed error). */
    sendMessageFails?: () => boolean;
  },
): Record<string, (input: never) => Promise<unknown>> {
  const states = (definition as { States: Record<string, { Type: string; Resource?: string }> }).States;
  const tasks: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    if (resource === SQS_SEND_MESSAGE) {
      tasks[name] = async (parameters: { QueueUrl: string; MessageBody: unknown }) => {
        const { MessageBody } = parameters;
        if (targets.sendMessageFails?.()) {
          const refused = new Error('Service Unavailable (injected)');
          refused.name = 'SQS.SdkClientException';
          throw refused;
        }
        const sent = await targets.sqs.send(
          new SendMessageCommand({
            QueueUrl: parameters.QueueUrl,
            MessageBody: typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody),
          }),
        );
        return { MessageId: sent.MessageId, MD5OfMessageBody: sent.MD5OfMessageBody };
      };
    } else if (resource.startsWith('arn:aws:lambda:')) {
      if (!targets.lambda(resource)) throw new Error(`state ${name}: no function deployed as ${resource}`);
      tasks[name] = async (input: unknown) => {
        const handler = targets.lambda(resource) as LambdaHandler;
        try {
          const result = await handler(JSON.parse(JSON.stringify(input ?? null)), {});
          return result === undefined ? null : JSON.parse(JSON.stringify(result));
        } catch (error) {
          const e = error as Error;
          const seen = new Error(
            JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: e.stack?.split('\n') ?? [] }),
          );
          seen.name = e.name;
          throw seen;
        }
      };
    } else {
      throw new Error(`state ${name}: resource ${resource} is not emulated`);
    }
  }
  return tasks;
}
