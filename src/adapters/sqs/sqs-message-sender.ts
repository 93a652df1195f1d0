import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageSender } from '../../core/ports.ts';

/** Sends to order_queue (redrive); the workflow itself sends through Step Functions' SQS integration. */
export class SqsMessageSender implements MessageSender {
  readonly #client: Pick<SQSClient, 'send'>;
  readonly #queueUrl: string;

  constructor(client: Pick<SQSClient, 'send'>, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(body: string): Promise<{ messageId: string }> {
    const result = await this.#client.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: body }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
