import { readFileSync } from 'node:fs';

/** The one ASL file, shared with Terraform's templatefile(). */
export const ORDER_WORKFLOW_PATH = new URL('../../workflow/order-workflow.asl.json', import.meta.url);

// Terraform's template syntax, as far as this file may use it: `${name}` is a placeholder, `$${` and `%%{`
// are escapes for a literal `${` and `%{`, and any other `${` or `%{` is an expression or directive that
// templatefile() would evaluate (or reject). The local host follows the same rules, so a text that
// Terraform refuses is refused here too (the literal `${...}` in a Comment once broke every plan).
const TEMPLATE_TOKEN = /\$\$\{|%%\{|\$\{([A-Za-z0-9_]+)\}|\$\{|%\{/g;

/** The `${name}` placeholders in an ASL text, in order of first use (escaped `$${` excluded). */
export function placeholdersOf(text: string): string[] {
  const names = [...text.matchAll(TEMPLATE_TOKEN)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
  return [...new Set(names)];
}

/** Fills the placeholders as Terraform's templatefile() would; a missing value is an error, not a blank. */
export function renderDefinition(text: string, values: Record<string, string>): unknown {
  const rendered = text.replace(TEMPLATE_TOKEN, (token: string, name: string | undefined) => {
    if (token === '$${') return '${';
    if (token === '%%{') return '%{';
    if (name === undefined) {
      throw new Error(
        `the ASL text has a template expression or directive (${token}) that is not a plain placeholder: escape a literal one as $${token}`,
      );
    }
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
