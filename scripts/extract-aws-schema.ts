// Regenerates terraform/schema/aws-provider-schema.json: for each resource and data source type the DOFS
// Terraform uses, the argument names and nested blocks the AWS provider accepts, read from the generated code
// of @cdktf/provider-aws (which is generated from the provider's own schema). Run it after unpacking that
// package somewhere (it is large, so CI does not install it):
//   npm pack @cdktf/provider-aws@21.22.1 && tar xzf cdktf-provider-aws-*.tgz
//   node scripts/extract-aws-schema.ts ./package
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

export const SCHEMA_PATH = new URL('../terraform/schema/aws-provider-schema.json', import.meta.url);
const TERRAFORM_DIR = new URL('../terraform/', import.meta.url).pathname;

export interface BlockSchema {
  attributes: string[];
  blocks: Record<string, BlockSchema>;
}

interface Interface {
  properties: { tfName: string; type: string }[];
}

/** Interfaces of one generated file: each property with its Terraform name (from the registry link) and TS type. */
function interfacesOf(source: string): Map<string, Interface> {
  const interfaces = new Map<string, Interface>();
  for (const match of source.matchAll(/^export interface (\w+)[^{]*\{([\s\S]*?)^\}/gm)) {
    const [, name, body] = match;
    const properties: Interface['properties'] = [];
    for (const prop of (body ?? '').matchAll(/#(\w+) \w+#\w+\}\s*\*\/\s*readonly \w+\??: ([^;]+);/g)) {
      properties.push({ tfName: prop[1] as string, type: prop[2] as string });
    }
    interfaces.set(name as string, { properties });
  }
  return interfaces;
}

function blockSchema(
  name: string,
  interfaces: Map<string, Interface>,
  seen = new Set<string>(),
): BlockSchema {
  const schema: BlockSchema = { attributes: [], blocks: {} };
  if (seen.has(name)) return schema;
  seen.add(name);
  for (const { tfName, type } of interfaces.get(name)?.properties ?? []) {
    const nested = [...type.matchAll(/\b(\w+)\b/g)]
      .map((m) => m[1] as string)
      .find((t) => interfaces.has(t) && t !== name);
    if (nested) schema.blocks[tfName] = blockSchema(nested, interfaces, new Set(seen));
    else schema.attributes.push(tfName);
  }
  schema.attributes.sort();
  return schema;
}

/** The resource and data source types used under terraform/. */
export async function typesUsed(): Promise<{ resources: Set<string>; data: Set<string> }> {
  const resources = new Set<string>();
  const data = new Set<string>();
  const walk = async (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.tf')) {
        const json = (await parse(entry.name, readFileSync(path, 'utf8'))) as Record<
          string,
          Record<string, unknown>
        >;
        for (const type of Object.keys(json.resource ?? {})) resources.add(type);
        for (const type of Object.keys(json.data ?? {})) data.add(type);
      }
    }
  };
  await walk(TERRAFORM_DIR);
  return { resources, data };
}

function schemaFor(packageDir: string, dir: string, tfType: string): BlockSchema {
  const file = join(packageDir, 'lib', dir, 'index.d.ts');
  if (!existsSync(file)) throw new Error(`${tfType}: no ${file} in @cdktf/provider-aws`);
  const source = readFileSync(file, 'utf8');
  const interfaces = interfacesOf(source);
  const config = [...interfaces.keys()].find(
    (n) => n.endsWith('Config') && !n.slice(0, -6).match(/[a-z]Config$/),
  );
  if (!config) throw new Error(`${tfType}: no Config interface`);
  return blockSchema(config, interfaces);
}

if (import.meta.main) {
  const packageDir = process.argv[2];
  if (!packageDir)
    throw new Error('usage: node scripts/extract-aws-schema.ts <unpacked @cdktf/provider-aws dir>');
  const { resources, data } = await typesUsed();
  const dirOf = (type: string) => type.replace(/^aws_/, '').replaceAll('_', '-');
  const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version as string;
  const provider = /hashicorp\/aws\/([\d.]+)\//.exec(
    readFileSync(join(packageDir, 'lib/sqs-queue/index.d.ts'), 'utf8'),
  )?.[1];
  const schema = {
    source: `@cdktf/provider-aws@${version} (hashicorp/aws ${provider})`,
    resources: Object.fromEntries([...resources].sort().map((t) => [t, schemaFor(packageDir, dirOf(t), t)])),
    data: Object.fromEntries(
      [...data].sort().map((t) => [t, schemaFor(packageDir, `data-aws-${dirOf(t)}`, t)]),
    ),
  };
  writeFileSync(SCHEMA_PATH, `${JSON.stringify(schema, null, 1)}\n`);
  process.stdout.write(
    `wrote ${SCHEMA_PATH.pathname}: ${resources.size} resource and ${data.size} data source types\n`,
  );
}
