# The state machine's definition is workflow/order-workflow.asl.json rendered by templatefile(): this plan
# evaluates it (terraform validate does not), so a template error in the ASL file fails here.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name                        = "dofs-test-orders"
  definition_file             = "../../../workflow/order-workflow.asl.json"
  validate_order_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:dofs-test-validate-order"
  store_order_function_arn    = "arn:aws:lambda:eu-west-1:123456789012:function:dofs-test-store-order"
  order_queue_url             = "https://sqs.eu-west-1.amazonaws.com/123456789012/dofs-test-order-queue"
  order_queue_arn             = "arn:aws:sqs:eu-west-1:123456789012:dofs-test-order-queue"
}

run "express" {
  command = apply

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.ValidateOrder.Resource == var.validate_order_function_arn && jsondecode(aws_sfn_state_machine.this.definition).States.StoreOrder.Resource == var.store_order_function_arn
    error_message = "the Task states invoke the two functions"
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.SendToQueue.Parameters.QueueUrl == var.order_queue_url
    error_message = "SendToQueue sends to order_queue"
  }

  assert {
    condition     = !strcontains(replace(aws_sfn_state_machine.this.definition, "$${order_queue_url}", ""), "$${")
    error_message = "no placeholder is left unrendered (the Comment's literal one aside)"
  }

  assert {
    condition     = aws_sfn_state_machine.this.type == "EXPRESS" && aws_sfn_state_machine.this.logging_configuration[0].log_destination == "${aws_cloudwatch_log_group.this.arn}:*"
    error_message = "an EXPRESS state machine logging to its own log group"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      contains(flatten([s.Action]), "logs:CreateLogDelivery") && s.Resource == "*"
    ])
    error_message = "the role may set up log delivery (it accepts no resource-level permission)"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      s.Action == "lambda:InvokeFunction" && s.Resource == [var.validate_order_function_arn, var.store_order_function_arn]
    ])
    error_message = "the role may invoke exactly the two Task functions"
  }
}

run "refuses_an_unknown_type" {
  command = plan

  variables {
    type = "SYNC"
  }

  expect_failures = [var.type]
}
