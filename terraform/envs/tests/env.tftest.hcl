# The environment root planned and applied against the mocked provider, once with each <env>.tfvars
# (terraform test -var-file=<env>.tfvars, as test/contracts/terraform.test.ts runs it): every module wired, the
# ASL rendered, every for_each and reference resolved, and what sets that environment apart. The modules' own
# suites check what each part must be.

mock_provider "aws" {
  source = "../tests/mocks"
}

variables {
  package_dir = "../tests/fixtures/lambda-zips"
  # The pipeline sets the alarm email for every environment (TF_VAR_alarm_email, from SSM).
  alarm_email = "ops@example.com"
}

run "applies" {
  command = apply

  assert {
    condition     = startswith(output.api_url, "https://") && output.api_key_id != ""
    error_message = "the environment has an API URL and key"
  }

  assert {
    condition = module.dofs.safeguards == {
      dev     = { deletion_protection = false, api_rate_limit = 100, alarm_email_subscribed = false }
      staging = { deletion_protection = false, api_rate_limit = 500, alarm_email_subscribed = false }
      prod    = { deletion_protection = true, api_rate_limit = 1000, alarm_email_subscribed = true }
    }[var.environment]
    error_message = "dev: tables that can be deleted, 100 requests/s, no alarm email; staging: the same at 500 requests/s; prod: tables protected from deletion, 1000 requests/s, the alarm email subscribed"
  }

  assert {
    condition     = output.environment == var.environment
    error_message = "the state records the environment it belongs to"
  }
}

# The same environment's values planned again on its own state: the guard lets them through.
run "plans_again_on_its_own_state" {
  command = plan

  assert {
    condition     = output.environment == var.environment
    error_message = "the state still belongs to its environment"
  }
}

# Another environment's values planned on this state (as if <other>.tfvars were run against this backend):
# the plan fails on the guard instead of replacing this environment's resources with the other's.
run "refuses_another_environments_values_on_this_state" {
  command = plan

  variables {
    environment = var.environment == "prod" ? "dev" : "prod"
  }

  expect_failures = [terraform_data.environment]
}

# The same with a plan of one part only: the module reads its environment through the guard, so the guard is
# planned with it.
run "refuses_another_environments_values_in_a_targeted_plan" {
  command = plan

  variables {
    environment = var.environment == "prod" ? "dev" : "prod"
  }

  plan_options {
    target = [module.dofs.module.dynamodb]
  }

  expect_failures = [terraform_data.environment]
}

run "refuses_an_unknown_environment" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}

run "without_an_alarm_email" {
  command = plan

  variables {
    alarm_email = ""
  }

  assert {
    condition     = !module.dofs.safeguards.alarm_email_subscribed
    error_message = "no subscription without an email"
  }
}

run "refuses_an_absolute_package_dir" {
  command = plan

  variables {
    package_dir = "/codebuild/output/src123/src/dist"
  }

  expect_failures = [var.package_dir]
}
