data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key alias/aws/sns (its policy
# cannot be changed to let cloudwatch.amazonaws.com use it): the alarms would fire and notify nobody. The
# topic gets a customer managed key whose policy lets CloudWatch encrypt the messages it publishes.
resource "aws_kms_key" "alarms" {
  description             = "${var.name_prefix}: encrypts the alarm topic; CloudWatch may use it to publish."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = local.alarm_key_policy
  tags                    = var.tags
}

resource "aws_kms_alias" "alarms" {
  name          = "alias/${var.name_prefix}-alarms"
  target_key_id = aws_kms_key.alarms.key_id
}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  alarm_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The account's IAM policies decide who administers the key (the default key policy).
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
}

resource "aws_sns_topic" "this" {
  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
  tags              = var.tags
}

# Only this account's CloudWatch alarms may publish to the topic.
resource "aws_sns_topic_policy" "this" {
  arn = aws_sns_topic.this.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountManages"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"]
        Resource  = aws_sns_topic.this.arn
      },
      {
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.this.arn
        Condition = {
          ArnLike = { "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:cloudwatch:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:alarm:${var.name_prefix}-*" }
        }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# Every alarm, by the end of its name (${var.name_prefix}-<key>); each spec says only how it differs from
# alarm_defaults. All notify the alarm topic.
locals {
  alarm_defaults = {
    description         = null
    statistic           = "Sum"
    extended_statistic  = null
    period              = 300
    evaluation_periods  = 1
    threshold           = 1
    comparison_operator = "GreaterThanOrEqualToThreshold"
    notify_ok           = false
  }
  api_dimensions = { ApiName = var.api_name, Stage = var.api_stage_name }
  alarm_specs = {
    # ApproximateNumberOfMessagesVisible is the metric that exists (other spellings never fire); it catches a
    # dead-letter handler that cannot keep up or keeps failing.
    "dlq-messages-visible" = {
      description = "Messages are waiting in order_dlq."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = var.dlq_name }
      statistic   = "Maximum"
      period      = 60
      threshold   = var.dlq_alarm_threshold
      notify_ok   = true
    }
    # The dead-letter handler drains order_dlq within seconds, so the queue depth alone rarely shows a failure:
    # the handler's own OrdersDeadLettered metric (Powertools EMF) counts every order that landed in failed_orders.
    "orders-dead-lettered" = {
      description = "Orders failed every attempt and were recorded in failed_orders."
      namespace   = "DOFS"
      metric_name = "OrdersDeadLettered"
      dimensions  = { service = "dofs-dead-letter" }
      threshold   = var.dlq_alarm_threshold
    }
    "workflow-executions-failed" = { namespace = "AWS/States", metric_name = "ExecutionsFailed", dimensions = { StateMachineArn = var.state_machine_arn } }
    "api-5xx"                    = { namespace = "AWS/ApiGateway", metric_name = "5XXError", dimensions = local.api_dimensions }
    "api-latency-p99" = {
      namespace           = "AWS/ApiGateway"
      metric_name         = "Latency"
      dimensions          = local.api_dimensions
      statistic           = null
      extended_statistic  = "p99"
      evaluation_periods  = 2
      threshold           = var.api_p99_latency_ms
      comparison_operator = "GreaterThanThreshold"
    }
  }
  # <function>-errors and <function>-throttles for every function.
  function_alarm_specs = {
    for pair in setproduct(keys(var.function_names), ["Errors", "Throttles"]) : "${pair[0]}-${lower(pair[1])}" => {
      namespace   = "AWS/Lambda"
      metric_name = pair[1]
      dimensions  = { FunctionName = var.function_names[pair[0]] }
    }
  }
  alarms = { for key, spec in merge(local.alarm_specs, local.function_alarm_specs) : key => merge(local.alarm_defaults, spec) }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each            = local.alarms
  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison_operator
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = each.value.notify_ok ? [aws_sns_topic.this.arn] : null
  tags                = var.tags
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title   = "Orders", region = data.aws_region.current.id, stat = "Sum", period = 60
          metrics = [["DOFS", "OrdersAccepted", "service", "dofs-api"], ["DOFS", "OrdersFulfilled", "service", "dofs-fulfill"], ["DOFS", "OrdersDeadLettered", "service", "dofs-dead-letter"]]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title   = "order_dlq", region = data.aws_region.current.id, stat = "Maximum", period = 60
          metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dlq_name]]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title   = "API latency p99 and 5xx", region = data.aws_region.current.id, period = 60
          metrics = [["AWS/ApiGateway", "Latency", "ApiName", var.api_name, "Stage", var.api_stage_name, { stat = "p99" }], ["AWS/ApiGateway", "5XXError", "ApiName", var.api_name, "Stage", var.api_stage_name, { stat = "Sum" }]]
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title   = "Workflow", region = data.aws_region.current.id, stat = "Sum", period = 60
          metrics = [["AWS/States", "ExecutionsSucceeded", "StateMachineArn", var.state_machine_arn], ["AWS/States", "ExecutionsFailed", "StateMachineArn", var.state_machine_arn]]
        }
      },
    ]
  })
}

data "aws_region" "current" {}
