# Keys and indexes mirror src/adapters/dynamodb/tables.ts; the contract tests check both agree.

resource "aws_dynamodb_table" "orders" {
  name                        = "${var.name_prefix}-orders"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "order_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "order_id"
    type = "S"
  }
  attribute {
    name = "status_shard"
    type = "S"
  }
  attribute {
    name = "created_key"
    type = "S"
  }

  # status#shard spreads each status over several partitions (see tables.ts STATUS_SHARDS).
  global_secondary_index {
    name            = "by-status"
    hash_key        = "status_shard"
    range_key       = "created_key"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

resource "aws_dynamodb_table" "failed_orders" {
  name                        = "${var.name_prefix}-failed-orders"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "order_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "order_id"
    type = "S"
  }
  attribute {
    name = "kind"
    type = "S"
  }
  attribute {
    name = "failed_key"
    type = "S"
  }

  global_secondary_index {
    name            = "by-failed-at"
    hash_key        = "kind"
    range_key       = "failed_key"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}
