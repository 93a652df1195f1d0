import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

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

  it('checks Terraform formatting and validity in GitHub Actions', () => {
    const steps = parse(read('.github/workflows/ci.yml')).jobs.terraform.steps as { run?: string }[];
    const runs = steps.map((s) => s.run ?? '').join('\n');
    assert.match(runs, /terraform fmt -check -recursive terraform/);
    assert.match(runs, /terraform -chdir="\$dir" validate/);
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
    assert.ok(planCommands.some((c) => /terraform .*plan -out=tfplan/.test(c)));
    assert.ok(applyCommands.some((c) => /terraform .*apply tfplan$/.test(c)));
    for (const command of [...planCommands, ...applyCommands]) {
      assert.doesNotMatch(command, /destroy|set -x|printenv|\benv\b|echo .*\$TF_VAR/, command);
    }
    assert.deepEqual(plan.env['parameter-store'], { TF_VAR_alarm_email: '/dofs/alarm-email' });
  });
});

describe('the build role', () => {
  it('is not an administrator: no "*" action, no managed admin policy, PassRole only for dofs-* roles', async () => {
    const { parse: parseHcl } = await import('@cdktf/hcl2json');
    const text = read('terraform/cicd/main.tf');
    const json = (await parseHcl('main.tf', text)) as {
      data: Record<string, Record<string, { statement: { actions: string[]; resources: string[] }[] }[]>>;
    };
    const statements = json.data.aws_iam_policy_document?.codebuild?.[0]?.statement ?? [];
    assert.ok(statements.length > 0);
    for (const s of statements) {
      assert.ok(!s.actions.includes('*'), 'no "*" action');
      if (s.actions.includes('iam:PassRole')) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform interpolations, compared as text.
        assert.deepEqual(s.resources, ['arn:${local.partition}:iam::${local.account}:role/dofs-*']);
      }
    }
    assert.doesNotMatch(text, /AdministratorAccess|PowerUserAccess/);
    assert.doesNotMatch(text, /destroy/);
  });
});
