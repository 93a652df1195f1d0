# Keys and indexes mirror src/adapters/dynamodb/tables.ts; the contract tests check both agree.

locals {
  tables = {
    orders = {
      name     = "orders"
      hash_key = "order_id"
      # status#shard spreads each status over several partitions (see tables.ts STATUS_SHARDS).
      index = { name = "by-status", hash_key = "status_shard", range_key = "created_key" }
    }
    failed_orders = {
      name     = "failed-orders"
      hash_key = "order_id"
      index    = { name = "by-failed-at", hash_key = "kind", range_key = "failed_key" }
    }
  }
}

resource "aws_dynamodb_table" "this" {
  for_each                    = local.tables
  name                        = "${var.name_prefix}-${each.value.name}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  deletion_protection_enabled = var.deletion_protection

  # DynamoDB takes a definition for exactly the attributes that are keys (of the table or an index); every
  # key here is a string.
  dynamic "attribute" {
    for_each = toset([each.value.hash_key, each.value.index.hash_key, each.value.index.range_key])
    content {
      name = attribute.value
      type = "S"
    }
  }

  global_secondary_index {
    name            = each.value.index.name
    hash_key        = each.value.index.hash_key
    range_key       = each.value.index.range_key
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
