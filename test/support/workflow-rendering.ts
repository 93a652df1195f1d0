import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ORDER_WORKFLOW_PATH, renderDefinition } from '../../src/workflow/order-workflow-definition.ts';
import { findTerraform } from './terraform-cli.ts';

/** The ASL definition with its placeholders filled, and who filled them. */
export interface RenderedWorkflow {
  definition: unknown;
  renderedBy: 'terraform templatefile()' | 'renderDefinition()';
}

/** Fills the ASL template's placeholders: the hook through which a test host gets its definition. */
export type WorkflowRenderer = (values: Record<string, string>) => RenderedWorkflow;

const hcl = (value: string) => JSON.stringify(value).replaceAll('${', '$${').replaceAll('%{', '%%{');

/**
 * Terraform's own templatefile(), through `terraform console` in an empty directory (no provider, no
 * state); undefined where there is no terraform binary (findTerraform). Its multi-line string answer comes
 * as a `<<EOT` heredoc.
 */
export function renderWithTerraform(values: Record<string, string>): RenderedWorkflow | undefined {
  const terraform = findTerraform();
  if (!terraform) return undefined;
  const path = fileURLToPath(ORDER_WORKFLOW_PATH);
  const vars = Object.entries(values)
    .map(([name, value]) => `${name} = ${hcl(value)}`)
    .join(', ');
  const dir = mkdtempSync(join(tmpdir(), 'dofs-tf-console-'));
  try {
    // No CLI configuration file: `terraform console` needs none, and a missing one is only a warning.
    const config = join(dir, 'cli.tfrc');
    writeFileSync(config, '');
    const result = spawnSync(terraform, ['console'], {
      cwd: dir,
      input: `templatefile(${hcl(path)}, { ${vars} })\n`,
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: config, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
      timeout: 30_000,
    });
    if (result.status !== 0)
      throw new Error(`terraform console failed: ${result.error ?? ''}${result.stderr}${result.stdout}`);
    const heredoc = /^<<EOT\n([\s\S]*)\nEOT\n?$/.exec(result.stdout);
    if (!heredoc?.[1]) throw new Error(`unexpected terraform console output: ${result.stdout.slice(0, 200)}`);
    return { definition: JSON.parse(heredoc[1]), renderedBy: 'terraform templatefile()' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The project's own rendering, which follows templatefile()'s rules. */
export function renderLocally(values: Record<string, string>): RenderedWorkflow {
  return {
    definition: renderDefinition(readFileSync(ORDER_WORKFLOW_PATH, 'utf8'), values),
    renderedBy: 'renderDefinition()',
  };
}

/** Terraform's templatefile() when `terraform` is on PATH, renderDefinition() otherwise. */
export const defaultWorkflowRenderer: WorkflowRenderer = (values) =>
  renderWithTerraform(values) ?? renderLocally(values);
