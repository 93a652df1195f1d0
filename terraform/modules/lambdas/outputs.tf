output "function_arns" {
  description = "ARN of each function, by name (api, validate-order, store-order, fulfill-order, dead-letter)."
  value       = { for name, fn in aws_lambda_function.this : name => fn.arn }
}

output "function_names" {
  description = "Name of each function, by short name."
  value       = { for name, fn in aws_lambda_function.this : name => fn.function_name }
}

output "api_invoke_arn" {
  description = "Invoke ARN of the api function, for API Gateway."
  value       = aws_lambda_function.this["api"].invoke_arn
}

output "fulfill_timeout_seconds" {
  description = "Timeout of the fulfil function."
  value       = aws_lambda_function.this["fulfill-order"].timeout
}
