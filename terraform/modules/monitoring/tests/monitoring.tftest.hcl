# The alarms watch metrics that exist and reach someone: the DLQ alarm on the metric SQS publishes, and a
# topic CloudWatch is allowed to publish to (its key's policy lets cloudwatch.amazonaws.com use it).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name_prefix       = "dofs-test"
  alarm_email       = "ops@example.com"
  dlq_name          = "dofs-test-order-dlq"
  function_names    = { api = "dofs-test-api", "fulfill-order" = "dofs-test-fulfill-order" }
  state_machine_arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-test-orders"
  api_name          = "dofs-test"
  api_stage_name    = "v1"
}

run "alarms" {
  command = apply

  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_visible.namespace == "AWS/SQS" && aws_cloudwatch_metric_alarm.dlq_visible.metric_name == "ApproximateNumberOfMessagesVisible"
    error_message = "the DLQ alarm watches AWS/SQS ApproximateNumberOfMessagesVisible (other spellings never fire)"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_visible.dimensions == tomap({ QueueName = var.dlq_name })
    error_message = "the DLQ alarm's only dimension is QueueName = the DLQ's name"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_visible.threshold == 1 && aws_cloudwatch_metric_alarm.dlq_visible.comparison_operator == "GreaterThanOrEqualToThreshold"
    error_message = "one message in the DLQ raises the alarm"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_lettered.namespace == "DOFS" && aws_cloudwatch_metric_alarm.dead_lettered.metric_name == "OrdersDeadLettered" && aws_cloudwatch_metric_alarm.dead_lettered.dimensions == tomap({ service = "dofs-dead-letter" })
    error_message = "the dead-lettered alarm watches the metric the dead-letter function emits (Powertools EMF)"
  }

  assert {
    condition = alltrue(concat(
      [aws_cloudwatch_metric_alarm.dlq_visible.alarm_actions == toset([aws_sns_topic.this.arn])],
      [aws_cloudwatch_metric_alarm.dead_lettered.alarm_actions == toset([aws_sns_topic.this.arn])],
      [for a in aws_cloudwatch_metric_alarm.function_errors : a.alarm_actions == toset([aws_sns_topic.this.arn])],
    ))
    error_message = "every alarm notifies the alarm topic"
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == aws_kms_key.alarms.arn && !strcontains(aws_sns_topic.this.kms_master_key_id, "alias/aws/sns")
    error_message = "the topic is encrypted with the customer managed key, never alias/aws/sns (CloudWatch cannot publish to it)"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_kms_key.alarms.policy).Statement :
      s.Effect == "Allow" && try(s.Principal.Service, "") == "cloudwatch.amazonaws.com" && contains(flatten([s.Action]), "kms:Decrypt") && contains(flatten([s.Action]), "kms:GenerateDataKey*")
    ])
    error_message = "the key policy lets CloudWatch use the key (kms:Decrypt, kms:GenerateDataKey*)"
  }

  assert {
    condition     = aws_kms_key.alarms.enable_key_rotation
    error_message = "the alarm key rotates"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_sns_topic_policy.this.policy).Statement :
      s.Effect == "Allow" && try(s.Principal.Service, "") == "cloudwatch.amazonaws.com" && s.Action == "sns:Publish" && s.Resource == aws_sns_topic.this.arn
    ])
    error_message = "the topic policy lets CloudWatch alarms publish"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 1 && aws_sns_topic_subscription.email[0].endpoint == var.alarm_email
    error_message = "an alarm email is subscribed when given"
  }
}

run "no_email" {
  command = plan

  variables {
    alarm_email = ""
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "no subscription without an email"
  }
}
