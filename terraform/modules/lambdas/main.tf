# One function per entry point in src/hosts/aws/lambda, each with its own least-privilege role. The
# environment of each function is exactly what its config parser requires (src/config.ts LAMBDA_ENVIRONMENT);
# the IAM actions are exactly the SDK commands it sends. test/contracts/terraform.test.ts checks both.

locals {
  seed = var.random_seed == "" ? {} : { DOFS_RANDOM_SEED = var.random_seed }
  # arn:...:stateMachine:NAME -> arn:...:execution:NAME:* (DescribeExecution is granted on executions)
  executions_arn = "${replace(var.state_machine_arn, ":stateMachine:", ":execution:")}:*"
  functions = {
    api = {
      timeout = 29
      memory  = 512
      environment = {
        ORDERS_TABLE        = var.orders_table_name
        ORDER_HISTORY_TABLE = var.order_history_table_name
        FAILED_ORDERS_TABLE = var.failed_orders_table_name
        ORDER_QUEUE_URL     = var.order_queue_url
        STATE_MACHINE_ARN   = var.state_machine_arn
        WORKFLOW_TYPE       = var.workflow_type
      }
      statements = [
        { actions = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"], resources = [var.orders_table_arn, "${var.orders_table_arn}/index/by-status", "${var.orders_table_arn}/index/by-customer"] },
        { actions = ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Query"], resources = [var.order_history_table_arn] },
        { actions = ["dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"], resources = [var.failed_orders_table_arn, "${var.failed_orders_table_arn}/index/by-failed-at", "${var.failed_orders_table_arn}/index/by-reason"] },
        var.workflow_type == "EXPRESS"
        ? { actions = ["states:StartSyncExecution"], resources = [var.state_machine_arn] }
        : { actions = ["states:DescribeExecution", "states:StartExecution"], resources = [var.state_machine_arn, local.executions_arn] },
        { actions = ["sqs:SendMessage"], resources = [var.order_queue_arn] },
      ]
    }
    validate-order = {
      timeout     = 5
      memory      = 256
      environment = {}
      statements  = []
    }
    store-order = {
      timeout = 10
      memory  = 256
      environment = {
        ORDERS_TABLE = var.orders_table_name
      }
      statements = [
        { actions = ["dynamodb:GetItem", "dynamodb:PutItem"], resources = [var.orders_table_arn] },
      ]
    }
    fulfill-order = {
      timeout = var.fulfill_timeout_seconds
      memory  = 256
      environment = merge({
        ORDERS_TABLE             = var.orders_table_name
        ORDER_HISTORY_TABLE      = var.order_history_table_name
        FULFILLMENT_SUCCESS_RATE = tostring(var.fulfillment_success_rate)
      }, local.seed)
      statements = [
        { actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources = [var.orders_table_arn] },
        { actions = ["dynamodb:DeleteItem", "dynamodb:PutItem"], resources = [var.order_history_table_arn] },
        { actions = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"], resources = [var.order_queue_arn] },
      ]
    }
    dead-letter = {
      timeout = 10
      memory  = 256
      environment = {
        ORDERS_TABLE        = var.orders_table_name
        ORDER_HISTORY_TABLE = var.order_history_table_name
        FAILED_ORDERS_TABLE = var.failed_orders_table_name
      }
      statements = [
        { actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources = [var.orders_table_arn] },
        { actions = ["dynamodb:DeleteItem", "dynamodb:PutItem"], resources = [var.order_history_table_arn] },
        { actions = ["dynamodb:PutItem"], resources = [var.failed_orders_table_arn] },
        { actions = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"], resources = [var.dlq_arn] },
      ]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.functions
  name     = "${var.name_prefix}-${each.key}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = local.functions
  name              = "/aws/lambda/${var.name_prefix}-${each.key}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# Policies are written with jsonencode rather than aws_iam_policy_document so that they are values Terraform
# computes itself: `terraform test` with a mocked provider can then read and check every statement.
resource "aws_iam_role_policy" "this" {
  for_each = local.functions
  name     = "${var.name_prefix}-${each.key}"
  role     = aws_iam_role.this[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "Logs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.this[each.key].arn}:*"
        },
        # X-Ray accepts no resource-level permissions: "*" is the only form it takes.
        {
          Sid      = "Tracing"
          Effect   = "Allow"
          Action   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
          Resource = "*"
        },
      ],
      [for i, statement in each.value.statements : {
        Sid      = "Data${i}"
        Effect   = "Allow"
        Action   = statement.actions
        Resource = statement.resources
      }],
    )
  })
}

resource "aws_lambda_function" "this" {
  for_each         = local.functions
  function_name    = "${var.name_prefix}-${each.key}"
  role             = aws_iam_role.this[each.key].arn
  runtime          = var.runtime
  handler          = "index.handler"
  filename         = "${var.package_dir}/${each.key}.zip"
  source_code_hash = filebase64sha256("${var.package_dir}/${each.key}.zip")
  timeout          = each.value.timeout
  memory_size      = each.value.memory
  architectures    = ["arm64"]
  # The event source mappings are created against these functions and AWS checks then that the role may
  # receive from the queue: the role's policy must exist first.
  depends_on = [aws_iam_role_policy.this]

  environment {
    variables = merge(each.value.environment, {
      POWERTOOLS_SERVICE_NAME = "dofs-${each.key}"
    })
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this[each.key].name
  }

  tags = var.tags
}
