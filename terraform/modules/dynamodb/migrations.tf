# Addresses before the two tables were one for_each (issue 12): the deployed tables keep their state and
# their data; nothing is replaced.
moved {
  from = aws_dynamodb_table.orders
  to   = aws_dynamodb_table.this["orders"]
}

moved {
  from = aws_dynamodb_table.failed_orders
  to   = aws_dynamodb_table.this["failed_orders"]
}
