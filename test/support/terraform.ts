import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from '@cdktf/hcl2json';

export const TERRAFORM_DIR = new URL('../../terraform/', import.meta.url).pathname;

// biome-ignore lint/suspicious/noExplicitAny: hcl2json's output is untyped JSON, checked field by field.
export type Hcl = Record<string, any>;

export interface TerraformModule {
  /** Directory relative to terraform/, e.g. modules/sqs. */
  dir: string;
  files: { name: string; text: string; json: Hcl }[];
}

/** Every directory of .tf files under terraform/, each file parsed by @cdktf/hcl2json (a parse error throws). */
export async function loadTerraform(): Promise<Map<string, TerraformModule>> {
  const modules = new Map<string, TerraformModule>();
  const walk = async (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.tf')) {
        const key = relative(TERRAFORM_DIR, dir);
        const text = readFileSync(path, 'utf8');
        const json = (await parse(entry.name, text)) as Hcl;
        const module = modules.get(key) ?? { dir: key, files: [] };
        module.files.push({ name: entry.name, text, json });
        modules.set(key, module);
      }
    }
  };
  await walk(TERRAFORM_DIR);
  return modules;
}

/** Merges one section (variable, output, resource, module, locals, …) across a module's files. */
export function section(module: TerraformModule, name: string): Hcl {
  const merged: Hcl = {};
  for (const file of module.files) {
    const value = file.json[name];
    if (Array.isArray(value)) for (const item of value) Object.assign(merged, item);
    else if (value) Object.assign(merged, value);
  }
  return merged;
}
