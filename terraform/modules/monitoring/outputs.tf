output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify."
  value       = aws_sns_topic.this.arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_email_subscribed" {
  description = "Whether an email address is subscribed to the alarm topic (the address itself is kept out of outputs and logs)."
  value       = length(aws_sns_topic_subscription.email) > 0
}
