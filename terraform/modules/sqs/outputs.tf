output "order_queue_url" {
  description = "URL of order_queue."
  value       = aws_sqs_queue.orders.id
}

output "order_queue_arn" {
  description = "ARN of order_queue."
  value       = aws_sqs_queue.orders.arn
}

output "order_queue_name" {
  description = "Name of order_queue."
  value       = aws_sqs_queue.orders.name
}

output "dlq_arn" {
  description = "ARN of order_dlq."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of order_dlq (the alarm's QueueName dimension)."
  value       = aws_sqs_queue.dlq.name
}
