resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name_prefix}-order-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "orders" {
  name                       = "${var.name_prefix}-order-queue"
  visibility_timeout_seconds = 6 * var.consumer_timeout_seconds
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.orders.arn]
  })
}

# Without ReportBatchItemFailures a failed record either fails the whole batch or, if swallowed, is never
# retried and never reaches the DLQ.
resource "aws_lambda_event_source_mapping" "fulfill" {
  event_source_arn        = aws_sqs_queue.orders.arn
  function_name           = var.fulfill_function_arn
  batch_size              = var.batch_size
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_lambda_event_source_mapping" "dead_letter" {
  event_source_arn        = aws_sqs_queue.dlq.arn
  function_name           = var.dead_letter_function_arn
  batch_size              = var.batch_size
  function_response_types = ["ReportBatchItemFailures"]
}
