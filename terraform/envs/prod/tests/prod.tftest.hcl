# The whole prod environment planned and applied against the mocked provider: every module wired, the ASL
# rendered, every for_each and reference resolved. The modules' own suites check what each part must be.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  package_dir = "../../tests/fixtures/lambda-zips"
  alarm_email = "ops@example.com"
}

run "applies" {
  command = apply

  assert {
    condition     = startswith(output.api_url, "https://") && output.api_key_id != ""
    error_message = "the environment has an API URL and key"
  }

  assert {
    condition     = module.dofs.safeguards == { deletion_protection = true, api_rate_limit = 1000, alarm_email_subscribed = true }
    error_message = "prod: tables protected from deletion, 1000 requests/s, the alarm email subscribed"
  }
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
