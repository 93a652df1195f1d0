output "state_bucket" {
  description = "Pass as -backend-config=bucket=... to terraform init in envs/."
  value       = aws_s3_bucket.state.bucket
}

output "lock_table" {
  description = "Pass as -backend-config=dynamodb_table=... to terraform init in envs/."
  value       = aws_dynamodb_table.lock.name
}

output "api_gateway_cloudwatch_role_arn" {
  description = "The account's API Gateway CloudWatch role (stage access logs need it)."
  value       = aws_api_gateway_account.this.cloudwatch_role_arn
}
