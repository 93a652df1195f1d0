# What SQS and the event source mappings must be for failed attempts to be retried and then dead-lettered.

mock_provider "aws" {
  source = "../../tests/mocks"
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:dofs-test-order-dlq"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/dofs-test-order-dlq"
  }
}

override_resource {
  target = aws_sqs_queue.orders
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:dofs-test-order-queue"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/dofs-test-order-queue"
  }
}

variables {
  name_prefix              = "dofs-test"
  consumer_timeout_seconds = 10
  fulfill_function_arn     = "arn:aws:lambda:eu-west-1:123456789012:function:dofs-test-fulfill-order"
  dead_letter_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:dofs-test-dead-letter"
}

run "queues_and_mappings" {
  command = apply

  assert {
    condition     = aws_lambda_event_source_mapping.fulfill.function_response_types == toset(["ReportBatchItemFailures"]) && aws_lambda_event_source_mapping.dead_letter.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "both mappings report batch item failures: otherwise a failed attempt is never retried alone"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.fulfill.event_source_arn == aws_sqs_queue.orders.arn && aws_lambda_event_source_mapping.fulfill.function_name == var.fulfill_function_arn
    error_message = "order_queue feeds the fulfil function"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.dead_letter.event_source_arn == aws_sqs_queue.dlq.arn && aws_lambda_event_source_mapping.dead_letter.function_name == var.dead_letter_function_arn
    error_message = "order_dlq feeds the dead-letter function"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.orders.redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq.arn && jsondecode(aws_sqs_queue.orders.redrive_policy).maxReceiveCount == 3
    error_message = "order_queue redrives to order_dlq at maxReceiveCount 3 (the default)"
  }

  assert {
    condition     = aws_sqs_queue.orders.visibility_timeout_seconds >= 6 * var.consumer_timeout_seconds
    error_message = "visibility timeout is at least six times the consumer's timeout (AWS refuses the mapping otherwise)"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.fulfill.batch_size <= 10 && aws_lambda_event_source_mapping.dead_letter.batch_size <= 10
    error_message = "batches of at most 10: more needs a batching window"
  }

  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds > aws_sqs_queue.orders.message_retention_seconds
    error_message = "the DLQ keeps a message longer than order_queue does (the age carries over on a move)"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.dlq.redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.orders.arn]
    error_message = "only order_queue may dead-letter into order_dlq"
  }
}

run "max_receive_count_is_passed_through" {
  command = plan

  variables {
    max_receive_count = 5
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.orders.redrive_policy).maxReceiveCount == 5
    error_message = "maxReceiveCount follows var.max_receive_count"
  }
}

run "refuses_zero_receives" {
  command = plan

  variables {
    max_receive_count = 0
  }

  expect_failures = [var.max_receive_count]
}
