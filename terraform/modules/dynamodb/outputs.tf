output "orders_table_name" {
  description = "Name of the orders table."
  value       = aws_dynamodb_table.this["orders"].name
}

output "orders_table_arn" {
  description = "ARN of the orders table."
  value       = aws_dynamodb_table.this["orders"].arn
}

output "failed_orders_table_name" {
  description = "Name of the failed_orders table."
  value       = aws_dynamodb_table.this["failed_orders"].name
}

output "failed_orders_table_arn" {
  description = "ARN of the failed_orders table."
  value       = aws_dynamodb_table.this["failed_orders"].arn
}

output "order_history_table_name" {
  description = "Name of the order_history table."
  value       = aws_dynamodb_table.this["order_history"].name
}

output "order_history_table_arn" {
  description = "ARN of the order_history table."
  value       = aws_dynamodb_table.this["order_history"].arn
}

output "deletion_protection" {
  description = "Whether the tables refuse to be deleted (all alike)."
  value       = alltrue([for t in aws_dynamodb_table.this : t.deletion_protection_enabled])
}
