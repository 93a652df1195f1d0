// Writes terraform/modules/lambdas/tests/code-contract.json: for each Lambda function, the environment its
// config parser reads (src/config.ts) and the IAM actions of the SDK commands its code sends. The
// module's `terraform test` holds the planned functions and roles to this file; test/contracts/terraform.test.ts
// fails if the committed file is not what this script generates from the code.
import { writeFileSync } from 'node:fs';
import { LAMBDA_ENVIRONMENT, type LambdaName } from '../src/config.ts';

export const LAMBDA_CONTRACT_PATH = new URL(
  '../terraform/modules/lambdas/tests/code-contract.json',
  import.meta.url,
);

/** Variables a function reads that Terraform may leave unset (the parser has no default and does not need them). */
export const OPTIONAL_ENVIRONMENT: Partial<Record<LambdaName, readonly string[]>> = {
  'fulfill-order': ['DOFS_RANDOM_SEED'],
};

/**
 * The SDK commands each function sends, as IAM actions (src/hosts/aws/aws-system.ts and the adapters it builds;
 * test/contracts/terraform.test.ts checks the adapters send no other command). Event source mappings poll
 * with the consumer's role, so the consumers also need ReceiveMessage, DeleteMessage and GetQueueAttributes.
 */
export const LAMBDA_ACTIONS: Record<LambdaName, Record<'EXPRESS' | 'STANDARD', readonly string[]>> = (() => {
  const api = [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
    'sqs:SendMessage',
  ];
  // A transition copies the order's previous event into order_history and drops the oldest one there.
  const history = ['dynamodb:DeleteItem', 'dynamodb:PutItem'];
  const same = (actions: string[]) => ({ EXPRESS: actions.sort(), STANDARD: actions.sort() });
  const poll = ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];
  return {
    // get/list (BatchGetItem for a customer's page)/transition on orders (read, redrive) and their history
    // (put, delete, query), get/list/count/group (scan of the reason index)/delete on failed_orders,
    // redrive's send, and the start: StartSyncExecution (EXPRESS) or StartExecution + DescribeExecution
    // (STANDARD)
    api: {
      EXPRESS: [...api, 'states:StartSyncExecution'].sort(),
      STANDARD: [...api, 'states:DescribeExecution', 'states:StartExecution'].sort(),
    },
    'validate-order': same([]),
    // create = conditional PutItem, then GetItem on conflict
    'store-order': same(['dynamodb:GetItem', 'dynamodb:PutItem']),
    // get + conditional UpdateItem, and the history copy
    'fulfill-order': same(['dynamodb:GetItem', 'dynamodb:UpdateItem', ...history, ...poll]),
    // the same, and the failed_orders put (PutItem on both tables)
    'dead-letter': same([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      ...poll,
    ]),
  };
})();

export function lambdaContract(): string {
  const functions = Object.fromEntries(
    (Object.keys(LAMBDA_ENVIRONMENT) as LambdaName[]).sort().map((name) => {
      const optional = OPTIONAL_ENVIRONMENT[name] ?? [];
      const reads = [...LAMBDA_ENVIRONMENT[name]];
      return [
        name,
        {
          required_environment: reads.filter((v) => !optional.includes(v)).sort(),
          optional_environment: [...optional].sort(),
          actions: LAMBDA_ACTIONS[name],
        },
      ];
    }),
  );
  return `${JSON.stringify({ functions }, null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(LAMBDA_CONTRACT_PATH, lambdaContract());
  process.stdout.write(`wrote ${LAMBDA_CONTRACT_PATH.pathname}\n`);
}
