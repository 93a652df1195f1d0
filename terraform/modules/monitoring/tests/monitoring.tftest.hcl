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

  # One line per alarm: namespace, metric, dimensions, statistic, period x evaluation periods, comparison, threshold.
  assert {
    condition = tomap({ for key, a in aws_cloudwatch_metric_alarm.this :
      key => "${a.namespace} ${a.metric_name} ${join(",", [for name, value in a.dimensions : "${name}=${value}"])} ${coalesce(a.statistic, a.extended_statistic)} ${a.period}x${a.evaluation_periods} ${a.comparison_operator} ${a.threshold}"
      }) == tomap({
      "dlq-messages-visible"       = "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=dofs-test-order-dlq Maximum 60x1 GreaterThanOrEqualToThreshold 1"
      "orders-dead-lettered"       = "DOFS OrdersDeadLettered service=dofs-dead-letter Sum 300x1 GreaterThanOrEqualToThreshold 1"
      "workflow-executions-failed" = "AWS/States ExecutionsFailed StateMachineArn=${var.state_machine_arn} Sum 300x1 GreaterThanOrEqualToThreshold 1"
      "api-5xx"                    = "AWS/ApiGateway 5XXError ApiName=dofs-test,Stage=v1 Sum 300x1 GreaterThanOrEqualToThreshold 1"
      "api-latency-p99"            = "AWS/ApiGateway Latency ApiName=dofs-test,Stage=v1 p99 300x2 GreaterThanThreshold 2000"
      "api-errors"                 = "AWS/Lambda Errors FunctionName=dofs-test-api Sum 300x1 GreaterThanOrEqualToThreshold 1"
      "api-throttles"              = "AWS/Lambda Throttles FunctionName=dofs-test-api Sum 300x1 GreaterThanOrEqualToThreshold 1"
      "fulfill-order-errors"       = "AWS/Lambda Errors FunctionName=dofs-test-fulfill-order Sum 300x1 GreaterThanOrEqualToThreshold 1"
      "fulfill-order-throttles"    = "AWS/Lambda Throttles FunctionName=dofs-test-fulfill-order Sum 300x1 GreaterThanOrEqualToThreshold 1"
    })
    error_message = "each alarm watches its metric with its dimensions, statistic and threshold (DLQ: AWS/SQS ApproximateNumberOfMessagesVisible, other spellings never fire; dead-lettered: the metric the dead-letter function emits)"
  }

  assert {
    condition     = alltrue([for key, a in aws_cloudwatch_metric_alarm.this : a.alarm_name == "dofs-test-${key}" && a.treat_missing_data == "notBreaching"])
    error_message = "every alarm is named <name_prefix>-<key> (the topic policy lets only alarms named <name_prefix>-* publish) and treats missing data as not breaching"
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset([aws_sns_topic.this.arn])])
    error_message = "every alarm notifies the alarm topic"
  }

  assert {
    condition     = [for key, a in aws_cloudwatch_metric_alarm.this : key if try(length(a.ok_actions), 0) > 0] == ["dlq-messages-visible"] && aws_cloudwatch_metric_alarm.this["dlq-messages-visible"].ok_actions == toset([aws_sns_topic.this.arn])
    error_message = "only the DLQ alarm also notifies when it clears"
  }

  assert {
    condition = tomap({ for key, a in aws_cloudwatch_metric_alarm.this : key => a.alarm_description if a.alarm_description != null }) == tomap({
      "dlq-messages-visible" = "Messages are waiting in order_dlq."
      "orders-dead-lettered" = "Orders failed every attempt and were recorded in failed_orders."
    })
    error_message = "the two dead-letter alarms say what they mean"
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

run "thresholds" {
  command = plan

  variables {
    dlq_alarm_threshold = 5
    api_p99_latency_ms  = 1500
  }

  assert {
    condition = [for key in ["dlq-messages-visible", "orders-dead-lettered", "api-latency-p99", "api-5xx"] :
      aws_cloudwatch_metric_alarm.this[key].threshold
    ] == [5, 5, 1500, 1]
    error_message = "dlq_alarm_threshold sets both dead-letter alarms, api_p99_latency_ms the latency alarm; the rest alarm on the first one"
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
