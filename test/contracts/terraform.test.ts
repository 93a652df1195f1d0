import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { BlockSchema } from '../../scripts/extract-aws-schema.ts';
import { MODEL_PATH, orderRequestModel } from '../../scripts/generate-api-model.ts';
import { failedOrdersTableDefinition, ordersTableDefinition } from '../../src/adapters/dynamodb/tables.ts';
import {
  ORDER_WORKFLOW_PATH,
  placeholdersOf,
} from '../../src/adapters/stepfunctions/order-workflow-definition.ts';
import { LAMBDA_ENVIRONMENT } from '../../src/config.ts';
import { type Hcl, loadTerraform, references, section, type TerraformModule } from '../support/terraform.ts';

// Offline stand-ins for `terraform validate`: every file parses, every argument and block exists in the AWS
// provider's schema, every reference resolves, and the code and the infrastructure agree with each other.

const schema = JSON.parse(
  readFileSync(new URL('../../terraform/schema/aws-provider-schema.json', import.meta.url), 'utf8'),
) as {
  resources: Record<string, BlockSchema>;
  data: Record<string, BlockSchema>;
};
const META = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider', 'dynamic']);

function checkBlock(where: string, block: Hcl, allowed: BlockSchema, problems: string[], topLevel: boolean) {
  for (const [key, value] of Object.entries(block)) {
    if (key === 'dynamic' || (topLevel && META.has(key))) {
      if (key === 'dynamic') {
        for (const [name, bodies] of Object.entries(value as Hcl)) {
          const nested = allowed.blocks[name];
          if (!nested) problems.push(`${where}: dynamic "${name}" is not a block of this type`);
          else
            for (const body of bodies as Hcl[])
              for (const content of body.content ?? [])
                checkBlock(`${where}.${name}`, content, nested, problems, false);
        }
      }
      continue;
    }
    if (allowed.attributes.includes(key)) continue;
    const nested = allowed.blocks[key];
    if (!nested) {
      problems.push(`${where}: "${key}" is not an argument or block of this type`);
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item && typeof item === 'object') checkBlock(`${where}.${key}`, item, nested, problems, false);
    }
  }
}

describe('Terraform, verified offline', () => {
  let modules: Map<string, TerraformModule>;
  before(async () => {
    modules = await loadTerraform();
  });
  const mod = (dir: string) => {
    const m = modules.get(dir);
    assert.ok(m, `terraform/${dir} exists`);
    return m;
  };

  it('parses every .tf file (hcl2json) in the expected modules and roots', () => {
    assert.deepEqual([...modules.keys()].sort(), [
      'bootstrap',
      'cicd',
      'envs/dev',
      'envs/prod',
      'envs/staging',
      'modules/api_gateway',
      'modules/dofs',
      'modules/dynamodb',
      'modules/lambdas',
      'modules/monitoring',
      'modules/sqs',
      'modules/stepfunctions',
    ]);
    for (const dir of [...modules.keys()].filter((d) => d.startsWith('modules/'))) {
      assert.deepEqual(
        mod(dir)
          .files.map((f) => f.name)
          .sort(),
        ['main.tf', 'outputs.tf', 'variables.tf', 'versions.tf'],
        dir,
      );
    }
  });

  it('uses only arguments and blocks that the AWS provider schema has', () => {
    const problems: string[] = [];
    for (const module of modules.values()) {
      for (const [kind, schemas] of [
        ['resource', schema.resources],
        ['data', schema.data],
      ] as const) {
        for (const [type, instances] of Object.entries(section(module, kind))) {
          const allowed = schemas[type];
          if (!allowed) {
            problems.push(
              `${module.dir}: ${kind} type ${type} is not in the schema (run scripts/extract-aws-schema.ts)`,
            );
            continue;
          }
          for (const [name, bodies] of Object.entries(instances as Hcl)) {
            for (const body of bodies as Hcl[])
              checkBlock(`${module.dir} ${type}.${name}`, body, allowed, problems, true);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('catches an argument the provider does not have (the check can fail)', () => {
    const problems: string[] = [];
    checkBlock(
      'test',
      { name: 'x', visibility_timeout: 30 },
      schema.resources.aws_sqs_queue as BlockSchema,
      problems,
      true,
    );
    assert.deepEqual(problems, ['test: "visibility_timeout" is not an argument or block of this type']);
  });

  it('declares every variable it reads, each with a description and a type', () => {
    for (const module of modules.values()) {
      const declared = section(module, 'variable');
      for (const name of references(module, 'var'))
        assert.ok(declared[name], `${module.dir}: var.${name} is not declared`);
      for (const [name, body] of Object.entries(declared)) {
        const v = (body as Hcl[])[0] ?? {};
        assert.ok(v.description, `${module.dir}: variable ${name} has no description`);
        assert.ok(v.type, `${module.dir}: variable ${name} has no type`);
      }
      const locals = section(module, 'locals');
      for (const name of references(module, 'local'))
        assert.ok(name in locals, `${module.dir}: local.${name} is not defined`);
    }
  });

  it('passes only inputs a module declares, every required one, and reads only outputs it has', () => {
    for (const module of modules.values()) {
      const calls = section(module, 'module');
      for (const [name, bodies] of Object.entries(calls)) {
        const body = (bodies as Hcl[])[0] as Hcl;
        const target = mod(new URL(`${body.source}/`, `file:///${module.dir}/`).pathname.slice(1, -1));
        const variables = section(target, 'variable');
        const inputs = Object.keys(body).filter((k) => k !== 'source' && !META.has(k));
        for (const input of inputs)
          assert.ok(variables[input], `${module.dir}: module ${name} has no input ${input}`);
        for (const [variable, decl] of Object.entries(variables)) {
          if (!('default' in ((decl as Hcl[])[0] ?? {})))
            assert.ok(inputs.includes(variable), `${module.dir}: module ${name} needs ${variable}`);
        }
        const outputs = section(target, 'output');
        const code = module.files.map((f) => f.text).join('\n');
        for (const match of code.matchAll(new RegExp(`module\\.${name}\\.([a-z_]+)`, 'g'))) {
          assert.ok(outputs[match[1] as string], `${module.dir}: module ${name} has no output ${match[1]}`);
        }
      }
    }
  });

  it('gives each Lambda function exactly the environment its config parser requires', () => {
    const functions = (section(mod('modules/lambdas'), 'locals').functions ?? {}) as Hcl;
    assert.deepEqual(Object.keys(functions).sort(), Object.keys(LAMBDA_ENVIRONMENT).sort());
    for (const [fn, required] of Object.entries(LAMBDA_ENVIRONMENT)) {
      const env = functions[fn].environment as Hcl | string;
      // fulfill-order merges the optional seed in: merge({...}, local.seed)
      const keys =
        typeof env === 'string' ? [...env.matchAll(/\b([A-Z_]+)\s*=/g)].map((m) => m[1]) : Object.keys(env);
      if (typeof env === 'string' && env.includes('local.seed')) keys.push('DOFS_RANDOM_SEED');
      assert.deepEqual(keys.sort(), [...required].sort(), fn);
    }
  });

  it("grants each function's role exactly the actions of the SDK commands it sends, with no wildcard on data", () => {
    // What each function calls (src/composition/aws.ts and the use cases) and the command each call sends.
    const expected: Record<string, string[]> = {
      // get/list/transition on orders (read, redrive), get/list/delete on failed_orders, the sync start, redrive's send
      api: [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'sqs:SendMessage',
        'states:StartSyncExecution',
      ],
      'validate-order': [],
      // create = conditional PutItem, then GetItem on conflict
      'store-order': ['dynamodb:GetItem', 'dynamodb:PutItem'],
      // get + conditional UpdateItem; the event source mapping polls with the function's role
      'fulfill-order': [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
      'dead-letter': [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
    };
    const functions = section(mod('modules/lambdas'), 'locals').functions as Hcl;
    // A statement that depends on workflow_type is an HCL conditional: take the branch of the given type.
    const branch = (statement: unknown, type: 'EXPRESS' | 'STANDARD') => {
      if (typeof statement !== 'string') return statement as { actions: string[]; resources: string[] };
      const [, express, standard] = /\?\s*(\{[^}]*\})\s*:\s*(\{[^}]*\})/.exec(statement) ?? [];
      const body = (type === 'EXPRESS' ? express : standard) ?? '';
      const list = (name: string) =>
        [
          ...(new RegExp(`${name}\\s*=\\s*\\[([^\\]]*)\\]`).exec(body)?.[1] ?? '').matchAll(
            /"([^"]+)"|([\w.]+)/g,
          ),
        ].map((m) => m[1] ?? m[2] ?? '');
      return { actions: list('actions'), resources: list('resources') };
    };
    const apiStandard = (functions.api.statements as unknown[]).map((s) => branch(s, 'STANDARD'));
    assert.deepEqual(
      [...new Set(apiStandard.flatMap((s) => s.actions))].sort(),
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'sqs:SendMessage',
        'states:DescribeExecution',
        'states:StartExecution',
      ],
      'api with a STANDARD workflow',
    );
    for (const [fn, actions] of Object.entries(expected)) {
      const statements = (functions[fn].statements as unknown[]).map((s) => branch(s, 'EXPRESS'));
      const granted = [...new Set(statements.flatMap((s) => s.actions))].sort();
      assert.deepEqual(granted, actions, fn);
      for (const s of statements) {
        assert.ok(
          s.actions.every((a) => !a.includes('*')),
          `${fn}: wildcard action`,
        );
        assert.ok(
          s.resources.every((r) => r !== '*'),
          `${fn}: wildcard resource on data`,
        );
      }
    }
    const commands = (file: string) =>
      [
        ...readFileSync(new URL(`../../src/adapters/${file}`, import.meta.url), 'utf8').matchAll(
          /new (\w+)Command\(/g,
        ),
      ].map((m) => m[1]);
    assert.deepEqual([...new Set(commands('dynamodb/dynamodb-order-repository.ts'))].sort(), [
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
    ]);
    assert.deepEqual(commands('stepfunctions/step-functions-order-workflow.ts').sort(), [
      'DescribeExecution',
      'StartExecution',
      'StartSyncExecution',
    ]);
    assert.deepEqual(commands('sqs/sqs-message-sender.ts'), ['SendMessage']);
  });

  it('fills every placeholder of the ASL file through templatefile(), and no other', () => {
    const asl = readFileSync(ORDER_WORKFLOW_PATH, 'utf8');
    const machine = section(mod('modules/stepfunctions'), 'resource').aws_sfn_state_machine.this[0] as Hcl;
    const template = String(machine.definition);
    const supplied = [...template.matchAll(/^\s*(\w+)\s*=/gm)].map((m) => m[1]);
    assert.deepEqual(supplied.sort(), placeholdersOf(asl).sort());
    assert.match(template, /^\$\{templatefile\(var\.definition_file,/);
    const call = (section(mod('modules/dofs'), 'module').stepfunctions as Hcl[])[0] as Hcl;
    assert.match(String(call.definition_file), /workflow\/order-workflow\.asl\.json/);
  });

  it('alarms only on metrics that exist, including the DLQ ApproximateNumberOfMessagesVisible', () => {
    const real: Record<string, string[]> = {
      'AWS/SQS': ['ApproximateNumberOfMessagesVisible'],
      'AWS/Lambda': ['Errors', 'Throttles'],
      'AWS/States': ['ExecutionsFailed'],
      'AWS/ApiGateway': ['5XXError', 'Latency'],
      // Emitted by the code itself (Powertools EMF):
      DOFS: ['OrdersDeadLettered'],
    };
    const alarms = section(mod('modules/monitoring'), 'resource').aws_cloudwatch_metric_alarm as Hcl;
    const used = Object.values(alarms).map((a) => (a as Hcl[])[0] as Hcl);
    for (const alarm of used)
      assert.ok(
        real[alarm.namespace]?.includes(alarm.metric_name),
        `${alarm.namespace} ${alarm.metric_name}`,
      );
    assert.ok(
      used.some((a) => a.namespace === 'AWS/SQS' && a.metric_name === 'ApproximateNumberOfMessagesVisible'),
    );
    const emitted = readFileSync(
      new URL('../../src/adapters/powertools/powertools-metrics.ts', import.meta.url),
      'utf8',
    );
    assert.match(emitted, /'OrdersDeadLettered'/);
  });

  it('reports batch item failures on both event source mappings and sets visibility to six times the consumer timeout', () => {
    const sqs = section(mod('modules/sqs'), 'resource');
    for (const mapping of Object.values(sqs.aws_lambda_event_source_mapping as Hcl)) {
      assert.deepEqual(((mapping as Hcl[])[0] as Hcl).function_response_types, ['ReportBatchItemFailures']);
    }
    assert.equal(
      ((sqs.aws_sqs_queue as Hcl).orders[0] as Hcl).visibility_timeout_seconds,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, compared as text.
      '${6 * var.consumer_timeout_seconds}',
    );
    assert.match(
      String(((sqs.aws_sqs_queue as Hcl).orders[0] as Hcl).redrive_policy),
      /maxReceiveCount\s+=\s+var\.max_receive_count/,
    );
  });

  it('declares the DynamoDB keys and indexes the adapters use', () => {
    const tables = section(mod('modules/dynamodb'), 'resource').aws_dynamodb_table as Hcl;
    for (const [name, definition] of [
      ['orders', ordersTableDefinition('x')],
      ['failed_orders', failedOrdersTableDefinition('x')],
    ] as const) {
      const table = tables[name][0] as Hcl;
      assert.equal(table.hash_key, definition.KeySchema[0]?.AttributeName);
      assert.deepEqual(
        (table.attribute as Hcl[]).map((a) => `${a.name}:${a.type}`).sort(),
        definition.AttributeDefinitions.map((a) => `${a.AttributeName}:${a.AttributeType}`).sort(),
      );
      const gsi = (table.global_secondary_index as Hcl[])[0] as Hcl;
      const expectedGsi = definition.GlobalSecondaryIndexes[0];
      assert.deepEqual(
        [gsi.name, gsi.hash_key, gsi.range_key],
        [
          expectedGsi?.IndexName,
          expectedGsi?.KeySchema[0]?.AttributeName,
          expectedGsi?.KeySchema[1]?.AttributeName,
        ],
      );
      assert.deepEqual(table.point_in_time_recovery, [{ enabled: true }]);
      assert.deepEqual(table.server_side_encryption, [{ enabled: true }]);
    }
  });

  it('keeps the API Gateway request model generated from the zod schema', () => {
    assert.equal(
      readFileSync(MODEL_PATH, 'utf8'),
      orderRequestModel(),
      'run node scripts/generate-api-model.ts',
    );
  });
});
