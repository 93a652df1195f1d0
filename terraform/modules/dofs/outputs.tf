output "api_url" {
  description = "Base URL of the DOFS API."
  value       = module.api_gateway.url
}

output "api_key_id" {
  description = "Id of the API key."
  value       = module.api_gateway.api_key_id
}

output "state_machine_arn" {
  description = "ARN of the order workflow."
  value       = module.stepfunctions.state_machine_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.monitoring.alarm_topic_arn
}

output "safeguards" {
  description = "What sets one environment apart from another, as deployed: the tables' deletion protection, the API's rate limit, whether the alarms email someone."
  value = {
    deletion_protection    = module.dynamodb.deletion_protection
    api_rate_limit         = module.api_gateway.throttle_rate_limit
    alarm_email_subscribed = module.monitoring.alarm_email_subscribed
  }
}
