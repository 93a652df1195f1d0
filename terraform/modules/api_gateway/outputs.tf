output "url" {
  description = "Base URL of the stage, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/v1."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "api_key_id" {
  description = "Id of the API key (read its value with aws apigateway get-api-key --include-value)."
  value       = aws_api_gateway_api_key.this.id
}

output "api_name" {
  description = "Name of the REST API (the ApiName dimension of its metrics)."
  value       = aws_api_gateway_rest_api.this.name
}

output "stage_name" {
  description = "Stage name (the Stage dimension of its metrics)."
  value       = aws_api_gateway_stage.this.stage_name
}

output "throttle_rate_limit" {
  description = "Requests per second the usage plan sustains."
  value       = aws_api_gateway_usage_plan.this.throttle_settings[0].rate_limit
}
