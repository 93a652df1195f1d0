import { readFileSync } from 'node:fs';

/** The one ASL file, shared with Terraform's templatefile(). */
export const ORDER_WORKFLOW_PATH = new URL('../../../workflow/order-workflow.asl.json', import.meta.url);

/** The `${name}` placeholders in an ASL text, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string))];
}

/** Fills the placeholders as Terraform's templatefile() would; a missing value is an error, not a blank. */
export function renderDefinition(text: string, values: Record<string, string>): unknown {
  const rendered = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ASL placeholder \${${name}}`);
    return value;
  });
  return JSON.parse(rendered);
}

/** Values for running the definition in-process: well-formed ARNs that are never called. */
export const LOCAL_PLACEHOLDERS: Record<string, string> = {
  validate_order_function_arn: 'arn:aws:lambda:local-1:000000000000:function:dofs-validate-order',
  store_order_function_arn: 'arn:aws:lambda:local-1:000000000000:function:dofs-store-order',
  order_queue_url: 'local://order_queue',
};

export function loadOrderWorkflowDefinition(values: Record<string, string> = LOCAL_PLACEHOLDERS): unknown {
  return renderDefinition(readFileSync(ORDER_WORKFLOW_PATH, 'utf8'), values);
}
