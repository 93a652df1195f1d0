output "environment" {
  description = "The environment this state belongs to."
  value       = terraform_data.environment.output
}

output "api_url" {
  description = "Base URL of the DOFS API."
  value       = module.dofs.api_url
}

output "api_key_id" {
  description = "Id of the API key: aws apigateway get-api-key --api-key <id> --include-value."
  value       = module.dofs.api_key_id
}

output "state_machine_arn" {
  description = "ARN of the order workflow."
  value       = module.dofs.state_machine_arn
}
