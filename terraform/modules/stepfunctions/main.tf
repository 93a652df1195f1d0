resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "states.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

# jsonencode rather than aws_iam_policy_document: a value `terraform test` can read under a mocked provider.
resource "aws_iam_role_policy" "this" {
  name = var.name
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Tasks"
        Effect   = "Allow"
        Action   = "lambda:InvokeFunction"
        Resource = [var.validate_order_function_arn, var.store_order_function_arn]
      },
      {
        Sid      = "SendToQueue"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = var.order_queue_arn
      },
      # CloudWatch Logs delivery for state machines and X-Ray accept no resource-level permissions.
      {
        Sid    = "LogsAndTracing"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:DescribeLogGroups",
          "logs:DescribeResourcePolicies",
          "logs:GetLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:UpdateLogDelivery",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "xray:PutTelemetryRecords",
          "xray:PutTraceSegments",
        ]
        Resource = "*"
      },
    ]
  })
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  name     = var.name
  type     = var.type
  role_arn = aws_iam_role.this.arn
  definition = templatefile(var.definition_file, {
    validate_order_function_arn = var.validate_order_function_arn
    store_order_function_arn    = var.store_order_function_arn
    order_queue_url             = var.order_queue_url
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  tracing_configuration {
    enabled = true
  }

  tags = var.tags

  # Creating the state machine checks that its role may deliver logs: the role's policy must exist first.
  depends_on = [aws_iam_role_policy.this]
}
