// npm run bench:lambda: cold import plus first invocation of each Lambda bundle, in fresh processes (median of 7).
// Invocations that need no network: validate-order with an order, api with GET /health; the other bundles
// are timed on import alone (their first invocation needs DynamoDB).
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { packageFunctions } from '../scripts/package.ts';

const cache = new URL('../node_modules/.cache/dofs-cold-start/', import.meta.url).pathname;
const packaged = await packageFunctions(cache);
const events: Record<string, string> = {
  'validate-order': JSON.stringify({
    order: { order_id: 'o', customer_id: 'c', items: [{ product_id: 'p', quantity: 1 }] },
  }),
  api: JSON.stringify({
    httpMethod: 'GET',
    path: '/health',
    headers: {},
    multiValueQueryStringParameters: null,
    body: null,
    isBase64Encoded: false,
  }),
};
const env = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  ORDERS_TABLE: 'orders',
  ORDER_HISTORY_TABLE: 'order-history',
  FAILED_ORDERS_TABLE: 'failed-orders',
  ORDER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
process.stdout.write(
  '| function | bundle KiB | cold import + first invocation ms (median of 7) |\n|---|---|---|\n',
);
for (const p of packaged) {
  const event = events[p.name];
  const script = `const t=performance.now();const m=await import(${JSON.stringify(pathToFileURL(p.bundle).href)});${event ? `await m.handler(${event});` : ''}process.stdout.write(String(performance.now()-t));`;
  const times = Array.from({ length: 7 }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })),
  );
  process.stdout.write(
    `| ${p.name}${event ? '' : ' (import only)'} | ${(p.bundleBytes / 1024).toFixed(1)} | ${median(times).toFixed(1)} |\n`,
  );
}
