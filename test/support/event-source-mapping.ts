import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LambdaHandler } from './lambda-bundles.ts';

/** One invocation of the mapped function, kept for assertions. */
export interface Delivery {
  messageId: string;
  body: string;
  receiveCount: number;
  /** `deleted`: the record was deleted; `retried`: left on the queue for redelivery. */
  outcome: 'deleted' | 'retried';
}

export interface EventSourceMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** The function's current handler (read per batch, so a redeployed function takes over). */
  handler: () => LambdaHandler;
  /** `function_response_types = ["ReportBatchItemFailures"]`; false: any error fails the whole batch. */
  reportBatchItemFailures: boolean;
  batchSize?: number;
  /** Pause between empty receives. */
  idleMs?: number;
  /** A thrown error or a bad response (the emulation's own failures are re-thrown from stop()). */
  onError?: (error: unknown) => void;
}

/**
 * An SQS event source mapping as Lambda runs one: receive up to `batchSize` messages with all attributes,
 * invoke the function with an SQS event built as Lambda builds it, then, with ReportBatchItemFailures,
 * delete the records not listed in `batchItemFailures`. A thrown error, or a failure naming a record that
 * is not in the batch (or an empty identifier), fails the whole batch: nothing is deleted and every message
 * comes back after the visibility timeout. Lambda never changes the visibility of a failed record.
 *
 * Differences from Lambda, on purpose: one poller and one batch at a time (Lambda scales pollers and
 * concurrent invocations); short polling every `idleMs` instead of 20 s long polls, so that stop() returns
 * at once; no batching window.
 */
export function startEventSourceMapping(options: EventSourceMappingOptions) {
  const batchSize = options.batchSize ?? 10;
  const idleMs = options.idleMs ?? 25;
  const deliveries: Delivery[] = [];
  const errors: unknown[] = [];
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  async function pollOnce(): Promise<number> {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: batchSize,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) return 0;
    const records = Messages.map((m) => toRecord(m, options));
    const failed = await invoke({ Records: records });
    const toDelete = records.filter((r) => !failed.has(r.messageId));
    for (const record of records) {
      deliveries.push({
        messageId: record.messageId,
        body: record.body,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        outcome: failed.has(record.messageId) ? 'retried' : 'deleted',
      });
    }
    if (toDelete.length > 0) {
      const result = await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      if (result.Failed?.length)
        throw new Error(`DeleteMessageBatch failed: ${JSON.stringify(result.Failed)}`);
    }
    return Messages.length;
  }

  /** The message ids to leave on the queue. */
  async function invoke(event: SQSEvent): Promise<Set<string>> {
    const all = new Set(event.Records.map((r) => r.messageId));
    let response: unknown;
    try {
      response = await options.handler()(event, lambdaContext());
    } catch {
      return all;
    }
    if (!options.reportBatchItemFailures) return new Set();
    const failures = (response as SQSBatchResponse | null | undefined)?.batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    if (!Array.isArray(failures)) return all;
    const ids = failures.map((f) => f?.itemIdentifier);
    if (ids.some((id) => typeof id !== 'string' || !all.has(id))) return all;
    return new Set(ids as string[]);
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        if ((await pollOnce()) > 0) continue;
      } catch (error) {
        errors.push(error);
        options.onError?.(error);
      }
      if (!stopped) await sleep(idleMs);
    }
  })();

  return {
    deliveries,
    /** Stops polling after the batch in hand; throws if the emulation itself failed along the way. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
      if (errors.length > 0) throw new AggregateError(errors, 'event source mapping failed');
    },
  };
}

/** An SQS message as Lambda hands it to a function (aws-lambda's SQSRecord). */
function toRecord(
  message: Message,
  options: Pick<EventSourceMappingOptions, 'queueArn' | 'region'>,
): SQSRecord {
  const a = message.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '',
      SentTimestamp: a.SentTimestamp ?? '',
      SenderId: a.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '',
      ...(a.AWSTraceHeader === undefined ? {} : { AWSTraceHeader: a.AWSTraceHeader }),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

let requests = 0;
function lambdaContext() {
  requests += 1;
  return {
    awsRequestId: `request-${requests}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
  };
}
