import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import {
  apiGatewayRoutes,
  MODEL_PATH,
  orderRequestModel,
  ROUTES_PATH,
} from '../../scripts/generate-api-model.ts';
import { LAMBDA_CONTRACT_PATH, lambdaContract } from '../../scripts/generate-lambda-contract.ts';
import {
  failedOrdersTableDefinition,
  orderHistoryTableDefinition,
  ordersTableDefinition,
} from '../../src/adapters/dynamodb/tables.ts';
import {
  type Hcl,
  loadTerraform,
  section,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../support/terraform.ts';
import {
  ENVIRONMENTS,
  findTerraform,
  TERRAFORM_ROOTS,
  terraformRunner,
  terraformTestSuites,
} from '../support/terraform-cli.ts';

// Terraform is checked by Terraform: `fmt -check`, then `init -backend=false`, `validate` and `terraform test`
// (mocked provider; the suites sit in each root's and module's tests/ folder) on every root (envs once with
// each environment's <env>.tfvars) and on every module with a suite of its own. Without a terraform binary the
// suite is skipped, visibly, except under CI=true, where it must run.

const terraform = findTerraform();
const mustRun = process.env.CI === 'true';
const isRoot = (dir: string) => (TERRAFORM_ROOTS as readonly string[]).includes(dir);

describe('Terraform, checked by Terraform itself', { concurrency: 2 }, () => {
  if (!terraform) {
    if (mustRun)
      it('finds the Terraform CLI (CI=true: the Terraform checks must run)', () => {
        assert.fail('no terraform on PATH (or $TERRAFORM): install the Terraform CLI');
      });
    else
      it('terraform fmt, init, validate and test on every root', {
        skip: 'no terraform CLI on PATH (or $TERRAFORM): the Terraform checks did not run',
      });
    return;
  }
  const tf = terraformRunner(terraform);

  it('is formatted (terraform fmt -check -recursive)', async (t) => {
    t.diagnostic(`terraform: ${terraform}; providers from ${tf.providerSource}`);
    await tf.run('.', ['fmt', '-check', '-recursive', '-diff']);
  });

  for (const { dir, varFile, name } of terraformTestSuites()) {
    it(`terraform/${name}: init -backend=false, ${isRoot(dir) ? 'validate, ' : ''}test`, async (t) => {
      await tf.run(dir, ['init', '-backend=false', '-input=false', '-lockfile=readonly', '-no-color'], name);
      // `terraform test` validates a configuration before its runs; a root is also validated on its own,
      // as a person deploying it would (a module's own validate adds nothing its roots' do not).
      if (isRoot(dir))
        assert.match(await tf.run(dir, ['validate', '-no-color'], name), /The configuration is valid/);
      const output = await tf.run(
        dir,
        ['test', '-no-color', ...(varFile ? [`-var-file=${varFile}`] : [])],
        name,
      );
      const summary = /Success! (\d+) passed, 0 failed\./.exec(output);
      assert.ok(summary, output);
      assert.ok(Number(summary[1]) > 0, `terraform/${name} has no test run`);
      t.diagnostic(`terraform/${name}: ${summary[0]}`);
    });
  }

  it('creates the state machine and the functions only after their roles have their policies (terraform graph)', async () => {
    for (const [dir, from, to] of [
      ['modules/stepfunctions', 'aws_sfn_state_machine.this', 'aws_iam_role_policy.this'],
      ['modules/lambdas', 'aws_lambda_function.this', 'aws_iam_role_policy.this'],
    ] as const) {
      await tf.run(dir, ['init', '-backend=false', '-input=false', '-lockfile=readonly', '-no-color']);
      const graph = await tf.run(dir, ['graph']);
      assert.ok(graph.includes(`"${from}" -> "${to}"`), `${dir}: ${from} does not depend on ${to}\n${graph}`);
    }
  });
});

describe('the code and the infrastructure agree', () => {
  let modules: Map<string, TerraformModule>;
  before(async () => {
    modules = await loadTerraform();
  });
  const mod = (dir: string) => {
    const m = modules.get(dir);
    assert.ok(m, `terraform/${dir} exists`);
    return m;
  };

  it("runs envs for each environment the pipelines deploy, with that environment's values on its own state", async () => {
    const pipelines = section(mod('cicd'), 'locals').pipelines as Record<string, { environments: string[] }>;
    const deployed = Object.values(pipelines).flatMap((p) => p.environments);
    assert.deepEqual([...deployed].sort(), [...ENVIRONMENTS].sort());
    const envsDir = join(TERRAFORM_DIR, 'envs');
    assert.deepEqual(
      readdirSync(envsDir)
        .filter((file) => /\.(tfvars|tfbackend)$/.test(file))
        .sort(),
      ENVIRONMENTS.flatMap((env) => [`${env}.tfbackend`, `${env}.tfvars`]).sort(),
    );
    const read = async (file: string) =>
      (await parse(file, readFileSync(join(envsDir, file), 'utf8'))) as Hcl;
    for (const env of ENVIRONMENTS) {
      // The values name their environment (the guard in envs/main.tf compares it with the state's), and the
      // state is the one each environment's own root kept before the roots became one: nothing to migrate.
      assert.equal((await read(`${env}.tfvars`)).environment, env, `${env}.tfvars`);
      assert.deepEqual(
        await read(`${env}.tfbackend`),
        { key: `dofs/${env}/terraform.tfstate` },
        `${env}.tfbackend`,
      );
    }
  });

  it('keeps the functions contract (environment, IAM actions) generated from the code', () => {
    assert.equal(
      readFileSync(LAMBDA_CONTRACT_PATH, 'utf8'),
      lambdaContract(),
      'run node scripts/generate-lambda-contract.ts',
    );
  });

  it('sends from the adapters exactly the SDK commands the contract grants', () => {
    const commands = (file: string) =>
      [
        ...readFileSync(new URL(`../../src/adapters/${file}`, import.meta.url), 'utf8').matchAll(
          /new (\w+)Command\(/g,
        ),
      ].map((m) => m[1]);
    // Put and Delete on orders' history table; BatchGet (batch-get.ts) for pages read through keys-only
    // indexes; Scan of the reason index.
    assert.deepEqual([...new Set(commands('dynamodb/dynamodb-order-repository.ts'))].sort(), [
      'Delete',
      'Get',
      'Put',
      'Query',
      'Update',
    ]);
    assert.deepEqual([...new Set(commands('dynamodb/dynamodb-failed-order-repository.ts'))].sort(), [
      'Delete',
      'Get',
      'Put',
      'Query',
      'Scan',
    ]);
    assert.deepEqual(commands('dynamodb/batch-get.ts'), ['BatchGet']);
    assert.deepEqual(commands('stepfunctions/step-functions-order-workflow.ts').sort(), [
      'DescribeExecution',
      'StartExecution',
      'StartSyncExecution',
    ]);
    assert.deepEqual(commands('sqs/sqs-message-sender.ts'), ['SendMessage']);
  });

  it('alarms on the dead-lettered metric the dead-letter function emits', () => {
    const emitted = readFileSync(
      new URL('../../src/adapters/powertools/powertools-metrics.ts', import.meta.url),
      'utf8',
    );
    assert.match(emitted, /'OrdersDeadLettered'/);
    const alarm = (section(mod('modules/monitoring'), 'locals').alarm_specs as Hcl)[
      'orders-dead-lettered'
    ] as Hcl;
    assert.deepEqual([alarm.namespace, alarm.metric_name], ['DOFS', 'OrdersDeadLettered']);
  });

  it('declares the DynamoDB keys and indexes the adapters use', () => {
    const dynamodb = mod('modules/dynamodb');
    const tables = section(dynamodb, 'locals').tables as Hcl;
    const numberKeys = section(dynamodb, 'locals').number_keys as string[];
    for (const [name, definition] of [
      ['orders', ordersTableDefinition('x')],
      ['failed_orders', failedOrdersTableDefinition('x')],
      ['order_history', orderHistoryTableDefinition('x')],
    ] as const) {
      const table = tables[name] as Hcl;
      assert.ok(table, `terraform declares the ${name} table`);
      const indexes = table.indexes as Hcl[];
      assert.deepEqual(
        [table.hash_key, table.range_key ?? undefined],
        [definition.KeySchema[0]?.AttributeName, definition.KeySchema[1]?.AttributeName],
      );
      assert.deepEqual(
        indexes.map((index) => [
          index.name,
          index.hash_key,
          index.range_key,
          index.projection,
          index.non_key_attributes,
        ]),
        (definition.GlobalSecondaryIndexes ?? []).map((gsi) => [
          gsi.IndexName,
          gsi.KeySchema[0]?.AttributeName,
          gsi.KeySchema[1]?.AttributeName,
          gsi.Projection.ProjectionType,
          'NonKeyAttributes' in gsi.Projection ? gsi.Projection.NonKeyAttributes : [],
        ]),
      );
      // Terraform defines an attribute for each key of the table and of its indexes: numbers where listed.
      const keys = [table.hash_key, table.range_key, ...indexes.flatMap((i) => [i.hash_key, i.range_key])];
      assert.deepEqual(
        [...new Set(keys.filter(Boolean))]
          .map((key) => `${key}:${numberKeys.includes(key) ? 'N' : 'S'}`)
          .sort(),
        definition.AttributeDefinitions.map((a) => `${a.AttributeName}:${a.AttributeType}`).sort(),
      );
    }
    const resource = (section(dynamodb, 'resource').aws_dynamodb_table as Hcl).this[0] as Hcl;
    assert.deepEqual(resource.point_in_time_recovery, [{ enabled: true }]);
    assert.deepEqual(resource.server_side_encryption, [{ enabled: true }]);
  });

  it('keeps the API Gateway request model generated from the zod schema', () => {
    assert.equal(
      readFileSync(MODEL_PATH, 'utf8'),
      orderRequestModel(),
      'run node scripts/generate-api-model.ts',
    );
  });

  it("keeps API Gateway's routes generated from the app's route table", () => {
    assert.equal(
      readFileSync(ROUTES_PATH, 'utf8'),
      apiGatewayRoutes(),
      'run node scripts/generate-api-model.ts',
    );
  });
});
