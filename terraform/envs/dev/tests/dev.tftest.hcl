# The whole dev environment planned and applied against the mocked provider: every module wired, the ASL
# rendered, every for_each and reference resolved. The modules' own suites check what each part must be.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  package_dir = "../../tests/fixtures/lambda-zips"
}

run "applies" {
  command = apply

  assert {
    condition     = startswith(output.api_url, "https://") && output.api_key_id != ""
    error_message = "the environment has an API URL and key"
  }

  assert {
    condition     = module.dofs.safeguards == { deletion_protection = false, api_rate_limit = 100, alarm_email_subscribed = false }
    error_message = "dev: tables that can be deleted, 100 requests/s, no alarm email"
  }
}

run "refuses_an_absolute_package_dir" {
  command = plan

  variables {
    package_dir = "/codebuild/output/src123/src/dist"
  }

  expect_failures = [var.package_dir]
}
