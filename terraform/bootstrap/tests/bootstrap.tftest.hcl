mock_provider "aws" {
  source = "../tests/mocks"
}

override_resource {
  target = aws_iam_role.api_gateway_cloudwatch
  values = {
    arn = "arn:aws:iam::123456789012:role/dofs-apigateway-cloudwatch"
  }
}

variables {
  state_bucket_name = "dofs-test-state"
}

run "bootstrap" {
  command = apply

  assert {
    condition     = aws_api_gateway_account.this.cloudwatch_role_arn == aws_iam_role.api_gateway_cloudwatch.arn
    error_message = "the account's API Gateway CloudWatch role is set (stage access logs need it)"
  }

  assert {
    condition     = jsondecode(aws_iam_role.api_gateway_cloudwatch.assume_role_policy).Statement[0].Principal.Service == "apigateway.amazonaws.com"
    error_message = "API Gateway may assume the role"
  }

  assert {
    condition     = endswith(aws_iam_role_policy_attachment.api_gateway_cloudwatch.policy_arn, ":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")
    error_message = "the role may write API Gateway's logs"
  }

  assert {
    condition     = aws_s3_bucket_versioning.state.versioning_configuration[0].status == "Enabled"
    error_message = "state is versioned"
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.state.block_public_acls && aws_s3_bucket_public_access_block.state.block_public_policy && aws_s3_bucket_public_access_block.state.ignore_public_acls && aws_s3_bucket_public_access_block.state.restrict_public_buckets
    error_message = "the state bucket is never public"
  }

  assert {
    condition     = aws_dynamodb_table.lock.hash_key == "LockID"
    error_message = "the lock table has the key the S3 backend uses"
  }

  assert {
    condition     = output.state_bucket == "dofs-test-state" && output.lock_table == "dofs-terraform-locks"
    error_message = "the outputs name what envs/ pass to terraform init"
  }
}
