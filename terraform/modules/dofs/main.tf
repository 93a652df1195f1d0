# Everything one environment of DOFS needs, wired together. The state machine's ARN is built from its name,
# so the functions (which need it) and the state machine (which needs theirs) do not form a cycle.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition                = data.aws_partition.current.partition
  account                  = data.aws_caller_identity.current.account_id
  name_prefix              = "dofs-${var.environment}"
  state_machine_name       = "${local.name_prefix}-orders"
  state_machine_arn        = "arn:${local.partition}:states:${data.aws_region.current.id}:${local.account}:stateMachine:${local.state_machine_name}"
  permissions_boundary_arn = var.permissions_boundary_name == "" ? null : "arn:${local.partition}:iam::${local.account}:policy/${var.permissions_boundary_name}"
  tags                     = { project = "dofs", environment = var.environment }
  fulfill_timeout          = 10
}

module "dynamodb" {
  source              = "../dynamodb"
  name_prefix         = local.name_prefix
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

module "sqs" {
  source                   = "../sqs"
  name_prefix              = local.name_prefix
  max_receive_count        = var.max_receive_count
  consumer_timeout_seconds = local.fulfill_timeout
  fulfill_function_arn     = module.lambdas.function_arns["fulfill-order"]
  dead_letter_function_arn = module.lambdas.function_arns["dead-letter"]
  tags                     = local.tags
}

module "lambdas" {
  source                   = "../lambdas"
  name_prefix              = local.name_prefix
  package_dir              = var.package_dir
  runtime                  = var.lambda_runtime
  permissions_boundary_arn = local.permissions_boundary_arn
  orders_table_name        = module.dynamodb.orders_table_name
  orders_table_arn         = module.dynamodb.orders_table_arn
  order_history_table_name = module.dynamodb.order_history_table_name
  order_history_table_arn  = module.dynamodb.order_history_table_arn
  failed_orders_table_name = module.dynamodb.failed_orders_table_name
  failed_orders_table_arn  = module.dynamodb.failed_orders_table_arn
  order_queue_url          = module.sqs.order_queue_url
  order_queue_arn          = module.sqs.order_queue_arn
  dlq_arn                  = module.sqs.dlq_arn
  state_machine_arn        = local.state_machine_arn
  workflow_type            = var.workflow_type
  fulfillment_success_rate = var.fulfillment_success_rate
  fulfill_timeout_seconds  = local.fulfill_timeout
  log_retention_days       = var.log_retention_days
  tags                     = local.tags
}

module "stepfunctions" {
  source                      = "../stepfunctions"
  name                        = local.state_machine_name
  definition_file             = "${path.module}/../../../workflow/order-workflow.asl.json"
  type                        = var.workflow_type
  validate_order_function_arn = module.lambdas.function_arns["validate-order"]
  store_order_function_arn    = module.lambdas.function_arns["store-order"]
  order_queue_url             = module.sqs.order_queue_url
  order_queue_arn             = module.sqs.order_queue_arn
  permissions_boundary_arn    = local.permissions_boundary_arn
  log_retention_days          = var.log_retention_days
  tags                        = local.tags
}

module "api_gateway" {
  source              = "../api_gateway"
  name                = local.name_prefix
  api_function_name   = module.lambdas.function_names["api"]
  api_invoke_arn      = module.lambdas.api_invoke_arn
  throttle_rate_limit = var.throttle_rate_limit
  log_retention_days  = var.log_retention_days
  tags                = local.tags
}

module "monitoring" {
  source            = "../monitoring"
  name_prefix       = local.name_prefix
  alarm_email       = var.alarm_email
  dlq_name          = module.sqs.dlq_name
  function_names    = module.lambdas.function_names
  state_machine_arn = module.stepfunctions.state_machine_arn
  api_name          = module.api_gateway.api_name
  api_stage_name    = module.api_gateway.stage_name
  tags              = local.tags
}
