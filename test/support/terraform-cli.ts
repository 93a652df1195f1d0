import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TERRAFORM_ROOT = new URL('../../terraform/', import.meta.url).pathname;

/** The roots a person runs `terraform apply` in; envs once per environment. */
export const TERRAFORM_ROOTS = ['envs', 'bootstrap', 'cicd'] as const;

/** The environments: terraform/envs run with `<env>.tfvars` on the state `<env>.tfbackend` names. */
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

export interface TerraformSuite {
  /** Directory under terraform/. */
  dir: string;
  /** `terraform test -var-file` of an environment's run of envs (`dev.tfvars`), relative to dir. */
  varFile?: string;
  /** How a test names it, e.g. `envs -var-file=dev.tfvars`; also its data directory's name. */
  name: string;
}

/**
 * The roots (envs once with each environment's values), then every module that has a `tests/` folder of its
 * own (unit runs of one module).
 */
export function terraformTestSuites(): TerraformSuite[] {
  const roots = TERRAFORM_ROOTS.flatMap((dir): TerraformSuite[] =>
    dir === 'envs'
      ? ENVIRONMENTS.map((env) => ({ dir, varFile: `${env}.tfvars`, name: `${dir} -var-file=${env}.tfvars` }))
      : [{ dir, name: dir }],
  );
  const modules = readdirSync(join(TERRAFORM_ROOT, 'modules'))
    .map((name) => `modules/${name}`)
    .filter((dir) => existsSync(join(TERRAFORM_ROOT, dir, 'tests')))
    .sort()
    .map((dir) => ({ dir, name: dir }));
  return [...roots, ...modules];
}

/** The `terraform` binary on PATH (or $TERRAFORM), or undefined where there is none. */
export function findTerraform(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TERRAFORM) return existsSync(env.TERRAFORM) ? env.TERRAFORM : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'terraform');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

const MIRROR_SUFFIX = join('registry.terraform.io', 'hashicorp', 'aws');

/**
 * A local filesystem mirror holding hashicorp/aws (a machine without network keeps its providers in one), or
 * undefined: then Terraform downloads from the registry as usual. The usual plugin folders are looked at
 * first, then a bounded search of the file system, as `find / -maxdepth 6` would.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const home = homedir();
  const candidates = [
    env.DOFS_TERRAFORM_MIRROR,
    '/opt/tf-plugins',
    join(home, '.terraform.d', 'plugins'),
    join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter((c): c is string => Boolean(c));
  for (const dir of candidates) if (existsSync(join(dir, MIRROR_SUFFIX))) return dir;
  const found = spawnSync(
    'find',
    ['/', '-maxdepth', '6', '-type', 'd', '-path', `*/${MIRROR_SUFFIX}`, '-not', '-path', '/proc/*'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  const first = found.stdout?.split('\n').find((line) => line.endsWith(MIRROR_SUFFIX));
  return first ? first.slice(0, -MIRROR_SUFFIX.length - 1) : undefined;
}

export interface TerraformRunner {
  /**
   * Runs terraform in terraform/<dir> with the data directory named `dataDir` (one per dir by default: runs
   * of one root that may run at once, e.g. envs with each environment's values, each have their own);
   * resolves with the output, rejects on a non-zero exit.
   */
  run(dir: string, args: string[], dataDir?: string): Promise<string>;
  /** Where the providers come from, for the test's report. */
  providerSource: string;
}

/**
 * Terraform as the tests run it: a data directory per root outside the work tree (nothing is written into
 * the checkout; lock files are read-only) and, where the machine has a provider mirror and no CLI
 * configuration of its own, a CLI configuration that installs from that mirror.
 */
export function terraformRunner(binary: string, env: NodeJS.ProcessEnv = process.env): TerraformRunner {
  const scratch = mkdtempSync(join(tmpdir(), 'dofs-terraform-'));
  const runEnv: NodeJS.ProcessEnv = {
    ...env,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    NO_COLOR: '1',
  };
  let providerSource = 'the Terraform registry';
  const configured = env.TF_CLI_CONFIG_FILE && existsSync(env.TF_CLI_CONFIG_FILE);
  if (configured) {
    providerSource = `the CLI configuration ${env.TF_CLI_CONFIG_FILE}`;
  } else {
    const mirror = findProviderMirror(env);
    if (mirror) {
      const config = join(scratch, 'terraform.rc');
      writeFileSync(
        config,
        `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
      );
      runEnv.TF_CLI_CONFIG_FILE = config;
      providerSource = `the filesystem mirror ${mirror}`;
    }
  }
  return {
    providerSource,
    run(dir, args, name = dir) {
      const dataDir = join(scratch, name.replace(/[^\w.]+/g, '-'));
      mkdirSync(dataDir, { recursive: true });
      return new Promise((resolve, reject) => {
        execFile(
          binary,
          [`-chdir=${join(TERRAFORM_ROOT, dir)}`, ...args],
          { env: { ...runEnv, TF_DATA_DIR: dataDir }, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
          (error, stdout, stderr) => {
            const output = `${stdout}${stderr}`;
            if (error)
              reject(new Error(`terraform ${args.join(' ')} in terraform/${dir} failed:\n${output}`));
            else resolve(output);
          },
        );
      });
    },
  };
}
