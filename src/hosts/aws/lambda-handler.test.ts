import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import { OrderConflictError } from '../../core/errors.ts';
import { lambdaHandler } from './lambda-handler.ts';

// What Lambda sets in an on-demand execution environment; Powertools counts a ColdStart only there.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
const context = { functionName: 'dofs-test-fn', awsRequestId: 'req-1' } as Context;

/** What the handler printed (Powertools writes EMF and log lines to stdout), as parsed JSON lines. */
async function printed(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await run().catch(() => undefined);
  } finally {
    process.stdout.write = write;
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

const metricNames = (lines: Record<string, unknown>[]) =>
  lines.flatMap((line) => {
    const aws = line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } | undefined;
    return aws ? aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((metric) => metric.Name)) : [];
  });

describe('lambdaHandler', () => {
  it('builds once, logs with the Lambda context, counts one ColdStart and publishes what the handler recorded', async () => {
    let builds = 0;
    const handler = lambdaHandler('dofs-test', ({ logger, metrics }) => {
      builds += 1;
      return async (event: { n: number }) => {
        logger.info('handled', { n: event.n });
        metrics.attempted(true);
        return event.n * 2;
      };
    });
    let result: unknown;
    const first = await printed(async () => {
      result = await handler({ n: 21 }, context);
    });
    const second = await printed(() => handler({ n: 1 }, context));
    assert.equal(result, 42);
    assert.equal(builds, 1);
    const log = first.find((line) => line.message === 'handled');
    assert.equal(log?.function_name, 'dofs-test-fn', 'the Lambda context is on the log line');
    assert.deepEqual(metricNames(first).sort(), ['ColdStart', 'FulfilmentAttemptsSucceeded']);
    assert.deepEqual(metricNames(second), ['FulfilmentAttemptsSucceeded'], 'ColdStart once');
  });

  it('rethrows a typed error unchanged (the ASL matches its name) and still publishes the metrics', async () => {
    const handler = lambdaHandler('dofs-test', ({ metrics }) => async () => {
      metrics.attempted(false);
      throw new OrderConflictError('o-1');
    });
    const lines = await printed(() =>
      assert.rejects(
        handler({}, context),
        (e: unknown) => e instanceof OrderConflictError && e.name === 'OrderConflict',
      ),
    );
    assert.ok(metricNames(lines).includes('FulfilmentAttemptsFailed'));
  });
});
