# The functions and their roles against the code: each function's environment is what its config parser
# reads and each role's data permissions are the SDK commands its code sends (code-contract.json, generated
# from the code by scripts/generate-lambda-contract.ts).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  contract                 = jsondecode(file("tests/code-contract.json")).functions
  name_prefix              = "dofs-test"
  package_dir              = "../../tests/fixtures/lambda-zips"
  orders_table_name        = "dofs-test-orders"
  orders_table_arn         = "arn:aws:dynamodb:eu-west-1:123456789012:table/dofs-test-orders"
  order_history_table_name = "dofs-test-order-history"
  order_history_table_arn  = "arn:aws:dynamodb:eu-west-1:123456789012:table/dofs-test-order-history"
  failed_orders_table_name = "dofs-test-failed-orders"
  failed_orders_table_arn  = "arn:aws:dynamodb:eu-west-1:123456789012:table/dofs-test-failed-orders"
  order_queue_url          = "https://sqs.eu-west-1.amazonaws.com/123456789012/dofs-test-order-queue"
  order_queue_arn          = "arn:aws:sqs:eu-west-1:123456789012:dofs-test-order-queue"
  dlq_arn                  = "arn:aws:sqs:eu-west-1:123456789012:dofs-test-order-dlq"
  state_machine_arn        = "arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-test-orders"
}

run "express" {
  command = apply

  assert {
    condition     = sort(keys(aws_lambda_function.this)) == sort(keys(var.contract))
    error_message = "one function per entry point in the code contract"
  }

  assert {
    condition = alltrue([for name, fn in var.contract :
      sort(keys(aws_lambda_function.this[name].environment[0].variables)) == sort(concat(fn.required_environment, ["POWERTOOLS_SERVICE_NAME"]))
    ])
    error_message = "without a seed, each function's environment is exactly what its config parser requires"
  }

  assert {
    condition = alltrue([for name, fn in var.contract :
      sort(distinct(flatten([for s in jsondecode(aws_iam_role_policy.this[name].policy).Statement : s.Action if startswith(s.Sid, "Data")]))) == sort(fn.actions.EXPRESS)
    ])
    error_message = "each role's data permissions are exactly the SDK commands its function sends (EXPRESS)"
  }

  assert {
    condition = alltrue(flatten([for name, fn in var.contract : [
      for s in jsondecode(aws_iam_role_policy.this[name].policy).Statement : [
        for r in flatten([s.Resource]) : r != "*" && alltrue([for a in flatten([s.Action]) : !strcontains(a, "*")])
      ] if startswith(s.Sid, "Data")
    ]]))
    error_message = "no wildcard action and no \"*\" resource on data"
  }

  assert {
    condition     = alltrue([for fn in aws_lambda_function.this : fn.runtime == "nodejs22.x" && fn.handler == "index.handler"])
    error_message = "the default runtime is nodejs22.x, which every supported provider version accepts"
  }

  assert {
    condition     = aws_lambda_function.this["fulfill-order"].timeout == 10
    error_message = "fulfill-order's timeout is the consumer timeout order_queue's visibility is derived from"
  }

  assert {
    condition     = alltrue([for role in aws_iam_role.this : role.permissions_boundary == null])
    error_message = "no permissions boundary unless one is given"
  }
}

run "standard_with_seed_and_boundary" {
  command = apply

  variables {
    workflow_type            = "STANDARD"
    random_seed              = "42"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/dofs-workload-boundary"
  }

  assert {
    condition     = sort(distinct(flatten([for s in jsondecode(aws_iam_role_policy.this["api"].policy).Statement : s.Action if startswith(s.Sid, "Data")]))) == sort(var.contract.api.actions.STANDARD)
    error_message = "a STANDARD workflow's api role may start and describe executions, and nothing else on the state machine"
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.this["api"].policy).Statement :
      contains(s.Resource, "arn:aws:states:eu-west-1:123456789012:execution:dofs-test-orders:*") if contains(s.Action, "states:DescribeExecution")
    ])
    error_message = "DescribeExecution is granted on the state machine's executions"
  }

  assert {
    condition = alltrue([for name, fn in var.contract :
      sort(keys(aws_lambda_function.this[name].environment[0].variables)) == sort(concat(fn.required_environment, fn.optional_environment, ["POWERTOOLS_SERVICE_NAME"]))
    ])
    error_message = "with a seed, each function's environment is everything its config parser reads"
  }

  assert {
    condition     = alltrue([for role in aws_iam_role.this : role.permissions_boundary == var.permissions_boundary_arn])
    error_message = "every function role carries the given permissions boundary"
  }
}

run "rejects_a_runtime_the_bundles_do_not_target" {
  command = plan

  variables {
    runtime = "nodejs18.x"
  }

  expect_failures = [var.runtime]
}
