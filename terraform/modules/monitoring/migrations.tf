# Addresses before the alarms were one for_each (issue 12): deployed alarms keep their state, nothing is
# replaced. The function keys are the functions modules/lambdas creates.

moved {
  from = aws_cloudwatch_metric_alarm.dlq_visible
  to   = aws_cloudwatch_metric_alarm.this["dlq-messages-visible"]
}

moved {
  from = aws_cloudwatch_metric_alarm.dead_lettered
  to   = aws_cloudwatch_metric_alarm.this["orders-dead-lettered"]
}

moved {
  from = aws_cloudwatch_metric_alarm.executions_failed
  to   = aws_cloudwatch_metric_alarm.this["workflow-executions-failed"]
}

moved {
  from = aws_cloudwatch_metric_alarm.api_5xx
  to   = aws_cloudwatch_metric_alarm.this["api-5xx"]
}

moved {
  from = aws_cloudwatch_metric_alarm.api_latency_p99
  to   = aws_cloudwatch_metric_alarm.this["api-latency-p99"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_errors["api"]
  to   = aws_cloudwatch_metric_alarm.this["api-errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_throttles["api"]
  to   = aws_cloudwatch_metric_alarm.this["api-throttles"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_errors["validate-order"]
  to   = aws_cloudwatch_metric_alarm.this["validate-order-errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_throttles["validate-order"]
  to   = aws_cloudwatch_metric_alarm.this["validate-order-throttles"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_errors["store-order"]
  to   = aws_cloudwatch_metric_alarm.this["store-order-errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_throttles["store-order"]
  to   = aws_cloudwatch_metric_alarm.this["store-order-throttles"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_errors["fulfill-order"]
  to   = aws_cloudwatch_metric_alarm.this["fulfill-order-errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_throttles["fulfill-order"]
  to   = aws_cloudwatch_metric_alarm.this["fulfill-order-throttles"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_errors["dead-letter"]
  to   = aws_cloudwatch_metric_alarm.this["dead-letter-errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_throttles["dead-letter"]
  to   = aws_cloudwatch_metric_alarm.this["dead-letter-throttles"]
}
