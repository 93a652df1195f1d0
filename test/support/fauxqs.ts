import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

const ACCOUNT = '000000000000';

/**
 * fauxqs (an SQS emulator speaking the SDK's JSON protocol) in-process on 127.0.0.1 and a free port.
 * `startFauxqs()` would listen on 0.0.0.0, so its `buildApp()` is listened on here instead.
 */
export async function startFauxqs(region: string) {
  const app = buildApp({ logger: false, defaultRegion: region });
  const endpoint = (await app.listen({ port: 0, host: '127.0.0.1' })).replace(/\/$/, '');
  const client = new SQSClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  /**
   * A queue's URL on this endpoint. On AWS a queue URL has the SQS endpoint's host; fauxqs answers
   * `http://sqs.<region>.localhost:<port>/…`, which does not resolve here, and SDK v3 sends a request to the
   * host of its QueueUrl (not to AWS_ENDPOINT_URL_SQS) when the two differ. fauxqs finds a queue by the
   * last path segment of a URL without `sqs.<region>.` in the host, so path-style URLs on the endpoint work.
   */
  const urlOf = (name: string) => `${endpoint}/${ACCOUNT}/${name}`;
  return {
    endpoint,
    client,
    urlOf,
    /**
     * order_queue and order_dlq as terraform/modules/sqs/main.tf creates them: the DLQ first, then the queue
     * with a RedrivePolicy naming the DLQ's ARN. `visibilityTimeoutSeconds` is short in tests (Terraform:
     * 6 × the consumer's timeout); fauxqs parses it as whole seconds.
     */
    async createOrderQueues(options: { maxReceiveCount: number; visibilityTimeoutSeconds: number }) {
      const attributes = { VisibilityTimeout: String(options.visibilityTimeoutSeconds) };
      await client.send(new CreateQueueCommand({ QueueName: 'order_dlq', Attributes: attributes }));
      const dlqArn = await arnOf(urlOf('order_dlq'));
      await client.send(
        new CreateQueueCommand({
          QueueName: 'order_queue',
          Attributes: {
            ...attributes,
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: dlqArn,
              maxReceiveCount: options.maxReceiveCount,
            }),
          },
        }),
      );
      return {
        orderQueue: { url: urlOf('order_queue'), arn: await arnOf(urlOf('order_queue')) },
        orderDlq: { url: urlOf('order_dlq'), arn: dlqArn },
      };
    },
    /** Visible + in flight + delayed messages of a queue. */
    async depth(queueUrl: string) {
      const names: QueueAttributeName[] = [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ];
      const { Attributes = {} } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }),
      );
      return {
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };

  async function arnOf(queueUrl: string): Promise<string> {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    if (!Attributes?.QueueArn) throw new Error(`no QueueArn for ${queueUrl}`);
    return Attributes.QueueArn;
  }
}

export type Fauxqs = Awaited<ReturnType<typeof startFauxqs>>;
