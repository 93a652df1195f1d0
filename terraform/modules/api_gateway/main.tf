# The REST API in front of the api function: every route is a proxy integration to the same HTTP app the
# local host serves. POST bodies are checked at the edge against the model generated from the zod schema.

locals {
  # route key => path, method, whether the body is an order, whether an API key is needed. Generated from the
  # app's route table (src/handlers/http/routes.ts) by scripts/generate-api-model.ts, so API Gateway serves
  # exactly the routes the app and its OpenAPI document have.
  routes = jsondecode(file("${path.module}/routes.json"))
  # Every prefix of every route path is a resource, keyed by that path without its leading slash.
  resource_paths = distinct(flatten([
    for r in values(local.routes) : [
      for i in range(1, length(split("/", trimprefix(r.path, "/"))) + 1) :
      join("/", slice(split("/", trimprefix(r.path, "/")), 0, i))
    ]
  ]))
  resources = {
    for p in local.resource_paths : p => {
      path   = element(split("/", p), length(split("/", p)) - 1)
      parent = join("/", slice(split("/", p), 0, length(split("/", p)) - 1))
    }
  }
  depth1 = { for k, r in local.resources : k => r if r.parent == "" }
  depth2 = { for k, r in local.resources : k => r if r.parent != "" && lookup(local.depth1, r.parent, null) != null }
  depth3 = { for k, r in local.resources : k => r if r.parent != "" && lookup(local.depth1, r.parent, null) == null }
  resource_ids = merge(
    { for k, r in aws_api_gateway_resource.depth1 : k => r.id },
    { for k, r in aws_api_gateway_resource.depth2 : k => r.id },
    { for k, r in aws_api_gateway_resource.depth3 : k => r.id },
  )
}

resource "aws_api_gateway_rest_api" "this" {
  name = var.name
  endpoint_configuration {
    types = ["REGIONAL"]
  }
  tags = var.tags
}

resource "aws_api_gateway_resource" "depth1" {
  for_each    = local.depth1
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.path
}

resource "aws_api_gateway_resource" "depth2" {
  for_each    = local.depth2
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth1[each.value.parent].id
  path_part   = each.value.path
}

resource "aws_api_gateway_resource" "depth3" {
  for_each    = local.depth3
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth2[each.value.parent].id
  path_part   = each.value.path
}

resource "aws_api_gateway_model" "order_request" {
  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = "OrderRequest"
  content_type = "application/json"
  schema       = file("${path.module}/order-request.schema.json")
}

resource "aws_api_gateway_request_validator" "body" {
  rest_api_id           = aws_api_gateway_rest_api.this.id
  name                  = "order-body"
  validate_request_body = true
}

resource "aws_api_gateway_method" "this" {
  for_each             = local.routes
  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = local.resource_ids[trimprefix(each.value.path, "/")]
  http_method          = each.value.method
  authorization        = "NONE"
  api_key_required     = each.value.key
  request_validator_id = each.value.order_body ? aws_api_gateway_request_validator.body.id : null
  request_models       = each.value.order_body ? { "application/json" = aws_api_gateway_model.order_request.name } : null
}

resource "aws_api_gateway_integration" "this" {
  for_each                = local.routes
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = local.resource_ids[trimprefix(each.value.path, "/")]
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.api_invoke_arn
}

# A body the edge validator refuses still answers in DOFS's error shape. Gateway response templates are plain
# substitution (no VTL, no $util): $context.error.validationErrorString is an unquoted string, so the
# template quotes it ($context.error.messageString is the one that comes quoted).
resource "aws_api_gateway_gateway_response" "bad_request_body" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = "BAD_REQUEST_BODY"
  status_code   = "400"
  response_templates = {
    "application/json" = jsonencode({ error = { code = "OrderInvalid", message = "$context.error.validationErrorString" } })
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = var.api_function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/*"
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  triggers = {
    redeploy = sha1(jsonencode([local.routes, local.resources, aws_api_gateway_model.order_request.schema]))
  }
  lifecycle {
    create_before_destroy = true
  }
  depends_on = [aws_api_gateway_integration.this]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId = "$context.requestId"
      ip        = "$context.identity.sourceIp"
      method    = "$context.httpMethod"
      path      = "$context.resourcePath"
      status    = "$context.status"
      latencyMs = "$context.responseLatency"
      error     = "$context.error.message"
    })
  }

  tags = var.tags
}

resource "aws_api_gateway_api_key" "this" {
  name = var.name
  tags = var.tags
}

resource "aws_api_gateway_usage_plan" "this" {
  name = var.name

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.this.stage_name
  }

  throttle_settings {
    rate_limit  = var.throttle_rate_limit
    burst_limit = var.throttle_burst_limit
  }

  tags = var.tags
}

resource "aws_api_gateway_usage_plan_key" "this" {
  key_id        = aws_api_gateway_api_key.this.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this.id
}
