mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name              = "dofs-test"
  api_function_name = "dofs-test-api"
  api_invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:dofs-test-api/invocations"
}

run "api" {
  command = apply

  # Gateway response templates are plain substitution: validationErrorString arrives unquoted, so the
  # template must put it inside a JSON string. Substituting a sample message must leave valid JSON.
  assert {
    condition = jsondecode(replace(
      aws_api_gateway_gateway_response.bad_request_body.response_templates["application/json"],
      "$context.error.validationErrorString",
      "[object has missing required properties ([customer_id])]",
    )).error == { code = "OrderInvalid", message = "[object has missing required properties ([customer_id])]" }
    error_message = "the BAD_REQUEST_BODY response is valid JSON in DOFS's error shape once API Gateway fills it"
  }

  assert {
    condition     = alltrue([for k, m in aws_api_gateway_method.this : m.api_key_required == !contains(["health", "openapi_document"], k)])
    error_message = "every route but /health and /openapi.json needs the API key"
  }

  assert {
    condition = (
      aws_api_gateway_method.this["redrive_one"].resource_id == aws_api_gateway_resource.depth3["failed-orders/{order_id}/redrive"].id &&
      aws_api_gateway_resource.depth3["failed-orders/{order_id}/redrive"].path_part == "redrive" &&
      aws_api_gateway_resource.depth3["failed-orders/{order_id}/redrive"].parent_id == aws_api_gateway_resource.depth2["failed-orders/{order_id}"].id &&
      aws_api_gateway_resource.depth2["failed-orders/{order_id}"].path_part == "{order_id}" &&
      aws_api_gateway_resource.depth2["failed-orders/{order_id}"].parent_id == aws_api_gateway_resource.depth1["failed-orders"].id &&
      aws_api_gateway_resource.depth1["failed-orders"].parent_id == aws_api_gateway_rest_api.this.root_resource_id
    )
    error_message = "each route's method sits on the resources of its path, one per segment"
  }

  assert {
    condition     = length(aws_api_gateway_method.this) == length(jsondecode(file("routes.json"))) && length(aws_api_gateway_resource.depth1) == 5
    error_message = "one method per route of routes.json; one top-level resource per first path segment"
  }

  assert {
    condition     = alltrue([for i in aws_api_gateway_integration.this : i.type == "AWS_PROXY" && i.uri == var.api_invoke_arn])
    error_message = "every route is a proxy integration to the api function"
  }

  assert {
    condition     = aws_api_gateway_method.this["post_order"].request_validator_id == aws_api_gateway_request_validator.body.id && aws_api_gateway_method.this["post_order"].request_models["application/json"] == "OrderRequest"
    error_message = "POST /order bodies are validated at the edge against the generated model"
  }

  assert {
    condition     = length(aws_api_gateway_stage.this.access_log_settings) == 1 && aws_api_gateway_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.access.arn
    error_message = "the stage writes access logs (the account's API Gateway CloudWatch role is set by terraform/bootstrap)"
  }

  assert {
    condition     = aws_lambda_permission.api.source_arn == "${aws_api_gateway_rest_api.this.execution_arn}/*/*"
    error_message = "only this API may invoke the api function"
  }
}
