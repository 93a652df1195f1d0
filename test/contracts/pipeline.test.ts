import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ENVIRONMENTS } from '../support/terraform-cli.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const TEST_COMMAND = 'npm test';

describe('CI/CD definitions', () => {
  it('README, .ci/run, buildspec.yml and ci.yml run the same test command', () => {
    assert.match(read('README.md'), /`npm test`/);
    assert.match(read('.ci/run'), /^npm test$/m);
    const buildspec = parse(read('buildspec.yml'));
    assert.equal(buildspec.version, 0.2);
    assert.deepEqual(buildspec.phases.pre_build.commands, [TEST_COMMAND]);
    const ci = parse(read('.github/workflows/ci.yml'));
    assert.ok(ci.jobs.test.steps.some((s: { run?: string }) => s.run === TEST_COMMAND));
  });

  it('gives GitHub Actions the Terraform CLI before npm test, so the Terraform checks run there', () => {
    const job = parse(read('.github/workflows/ci.yml')).jobs.test as {
      env: Record<string, string>;
      steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
    };
    assert.equal(job.env.CI, 'true');
    const setup = job.steps.findIndex((s) => s.uses?.startsWith('hashicorp/setup-terraform@'));
    const test = job.steps.findIndex((s) => s.run === TEST_COMMAND);
    assert.ok(setup >= 0 && setup < test, 'setup-terraform comes before npm test');
    assert.equal(job.steps[setup]?.with?.terraform_wrapper, false);
  });

  it('plans in one build and applies only the saved plan in another; never destroys, never prints a secret', () => {
    const plan = parse(read('buildspec.yml'));
    const apply = parse(read('buildspec-apply.yml'));
    const planCommands = Object.values(plan.phases as Record<string, { commands: string[] }>).flatMap(
      (p) => p.commands,
    );
    const applyCommands = Object.values(apply.phases as Record<string, { commands: string[] }>).flatMap(
      (p) => p.commands,
    );
    assert.ok(planCommands.some((c) => /terraform .*plan .*-out=tfplan$/.test(c)));
    assert.ok(applyCommands.some((c) => /terraform .*apply tfplan$/.test(c)));
    for (const command of [...planCommands, ...applyCommands]) {
      assert.doesNotMatch(command, /destroy|set -x|printenv|\benv\b|echo .*\$TF_VAR/, command);
    }
    assert.deepEqual(plan.env['parameter-store'], { TF_VAR_alarm_email: '/dofs/alarm-email' });
  });

  it('saves a plan that the apply build can apply: no absolute path in it, the same providers, no provider in the artifact', () => {
    const plan = parse(read('buildspec.yml'));
    const apply = parse(read('buildspec-apply.yml'));
    const commands = (spec: { phases: Record<string, { commands: string[] }> }) =>
      Object.values(spec.phases).flatMap((p) => p.commands);
    for (const command of commands(plan).filter((c) => /terraform .*plan/.test(c))) {
      // A -var with a build path would be stored in the plan and missing where the plan is applied (the
      // values of a -var-file are stored, not its path).
      assert.doesNotMatch(command, /-var[ =]|CODEBUILD_SRC_DIR|\$PWD|\/codebuild\//, command);
    }
    for (const command of [...commands(plan), ...commands(apply)].filter((c) => /terraform .*init/.test(c))) {
      assert.match(command, /-lockfile=readonly/, command);
    }
    assert.deepEqual(plan.artifacts['exclude-paths'], ['terraform/**/.terraform/**/*']);
    assert.match(read('.gitignore'), /^\.terraform\/$/m);
    assert.equal(plan.env.variables.TERRAFORM_VERSION, apply.env.variables.TERRAFORM_VERSION);
  });

  it("plans and applies one root, terraform/envs, with DOFS_ENV's values on DOFS_ENV's state", () => {
    const commands = (path: string) =>
      Object.values(parse(read(path)).phases as Record<string, { commands: string[] }>)
        .flatMap((p) => p.commands)
        .filter((c) => c.startsWith('terraform '));
    const [planInit, planCommand, ...planRest] = commands('buildspec.yml');
    const [applyInit, applyCommand, ...applyRest] = commands('buildspec-apply.yml');
    assert.deepEqual([planRest, applyRest], [[], []]);
    for (const init of [planInit, applyInit])
      assert.match(
        init ?? '',
        /^terraform -chdir=terraform\/envs init .*-backend-config="\$DOFS_ENV\.tfbackend"/,
      );
    assert.equal(
      planCommand,
      'terraform -chdir=terraform/envs plan -var-file="$DOFS_ENV.tfvars" -out=tfplan',
    );
    assert.equal(applyCommand, 'terraform -chdir=terraform/envs apply tfplan');
    for (const env of ENVIRONMENTS)
      for (const file of [`${env}.tfbackend`, `${env}.tfvars`]) assert.ok(read(`terraform/envs/${file}`));
  });
});
