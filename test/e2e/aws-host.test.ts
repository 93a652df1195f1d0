import assert from 'node:assert/strict';
import { it } from 'node:test';
import { anOrderBody } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { MAX_RECEIVE_COUNT, startAwsHostDriver } from '../support/host-driver.ts';
import { describeHostScenarios, uniqueId } from './host-scenarios.ts';

/**
 * The shared host scenarios (host-scenarios.ts) on the AWS host, from the BUILT Lambda bundles: DynamoDB =
 * dynalite, SQS = fauxqs, Step Functions = the rendered ASL on aws-local-stepfunctions behind the Step
 * Functions API, and emulated event source mappings (test/support/aws-host.ts). Then what only this host
 * shows: how the SQS messages and the Step Functions calls went.
 */
for (const workflowType of ['EXPRESS', 'STANDARD'] as const) {
  describeHostScenarios(
    `AWS host end to end (built Lambda bundles on dynalite, fauxqs, aws-local-stepfunctions), ${workflowType}`,
    () => startAwsHostDriver({ workflowType, successRate: 1 }),
    (host) => {
      it('runs the definition with Task states bound to the function ARNs it was rendered with', (t) => {
        const { aws } = host();
        t.diagnostic(`ASL rendered by ${aws.renderedBy}`);
        // Where Terraform is installed it renders the definition, as it does for AWS; CI has it and must use it.
        if (process.env.CI === 'true') assert.equal(aws.renderedBy, 'terraform templatefile()');
        const states = (
          aws.definition as {
            States: Record<string, { Resource?: string; Parameters?: Record<string, unknown> }>;
          }
        ).States;
        assert.match(String(states.ValidateOrder?.Resource), /:function:dofs-e2e-validate-order$/);
        assert.match(String(states.StoreOrder?.Resource), /:function:dofs-e2e-store-order$/);
        assert.equal(states.SendToQueue?.Parameters?.QueueUrl, aws.queues.orderQueue.url);
      });

      it('reached Step Functions through the SDK the way AWS is called, and answered as AWS does', () => {
        const calls = host().aws.sfnCalls.map((c) =>
          `${c.operation}@${c.host.replace(/:\d+$/, '')} ${c.answer}`.trim(),
        );
        const seen = [...new Set(calls)].sort();
        // The conflict (scenario e) is a FAILED execution (EXPRESS) or a name already taken (STANDARD).
        assert.deepEqual(
          seen,
          workflowType === 'EXPRESS'
            ? [
                'StartSyncExecution@sync-states.localhost FAILED OrderConflict',
                'StartSyncExecution@sync-states.localhost SUCCEEDED',
              ]
            : [
                'DescribeExecution@states.localhost RUNNING',
                'DescribeExecution@states.localhost SUCCEEDED',
                'StartExecution@states.localhost',
                'StartExecution@states.localhost ExecutionAlreadyExists',
              ],
        );
      });

      it('moves an order whose SendToQueue failed past its retries once the same order is resubmitted', async () => {
        const driver = host();
        const { aws } = driver;
        const order_id = uniqueId('unqueued');
        const body = JSON.stringify(anOrderBody({ order_id }));
        aws.faults.sendMessage = true;
        try {
          const refused = await driver.request('POST', '/order', body);
          assert.equal(refused.status, 503, JSON.stringify(refused.body));
        } finally {
          aws.faults.sendMessage = false;
        }
        const stored = await driver.request('GET', `/orders/${order_id}`);
        assert.deepEqual([stored.body.status, stored.body.attempts], ['PENDING', 0], 'stored, never queued');
        const resubmitted = await driver.request('POST', '/order', body);
        assert.equal(resubmitted.status, 202, 'this submission is the one that queued it');
        await eventually(
          async () => (await driver.request('GET', `/orders/${order_id}`)).body.status === 'FULFILLED',
          10_000,
          25,
        );
        const replay = await driver.request('POST', '/order', body);
        assert.equal(replay.status, 200);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const deliveries = aws.fulfilmentDeliveries.filter((d) => d.body.includes(`"${order_id}"`));
        assert.equal(deliveries.length, 1, 'one message: the replay of a queued order sent none');
      });

      it(`delivers a failing message ${MAX_RECEIVE_COUNT} times to fulfill-order, then once to dead-letter, and leaves no message`, async () => {
        const driver = host();
        const { aws } = driver;
        await driver.setSuccessRate(0);
        const order_id = uniqueId('counted');
        assert.equal(
          (await driver.request('POST', '/order', JSON.stringify(anOrderBody({ order_id })))).status,
          202,
        );
        const mine = <T extends { body: string }>(deliveries: T[]) =>
          deliveries.filter((d) => d.body.includes(`"${order_id}"`));
        await eventually(async () => mine(aws.deadLetterDeliveries).length > 0, 15_000, 25);
        assert.deepEqual(
          mine(aws.fulfilmentDeliveries).map((d) => [d.receiveCount, d.outcome]),
          [
            [1, 'retried'],
            [2, 'retried'],
            [3, 'retried'],
          ],
        );
        const [dead] = mine(aws.deadLetterDeliveries);
        assert.equal(dead?.outcome, 'deleted');
        // The DLQ keeps the message id of the message that failed.
        assert.equal(dead?.messageId, mine(aws.fulfilmentDeliveries)[0]?.messageId);
        await driver.setSuccessRate(1);
        for (const queue of [aws.queues.orderQueue, aws.queues.orderDlq]) {
          await eventually(
            async () => {
              const depth = await aws.sqs.depth(queue.url);
              return depth.visible + depth.inFlight + depth.delayed === 0;
            },
            5_000,
            25,
          );
        }
      });
    },
  );
}
