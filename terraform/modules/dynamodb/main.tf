# Keys and indexes mirror src/adapters/dynamodb/tables.ts; the contract tests check both agree.

locals {
  tables = {
    orders = {
      name      = "orders"
      hash_key  = "order_id"
      range_key = null
      indexes = [
        # status#shard spreads each status over several partitions (see tables.ts STATUS_SHARDS).
        { name = "by-status", hash_key = "status_shard", range_key = "created_key", projection = "ALL", non_key_attributes = [] },
        # A customer's orders by creation time. Keys and status only, so the index is written when an order is
        # created or changes status, not on every attempt; pages read the orders from the table.
        { name = "by-customer", hash_key = "customer_key", range_key = "created_key", projection = "INCLUDE", non_key_attributes = ["status"] },
      ]
    }
    failed_orders = {
      name      = "failed-orders"
      hash_key  = "order_id"
      range_key = null
      indexes = [
        { name = "by-failed-at", hash_key = "kind", range_key = "failed_key", projection = "ALL", non_key_attributes = [] },
        # The reason filter, and the grouping by reason (a scan of these keys).
        { name = "by-reason", hash_key = "reason_key", range_key = "failed_key", projection = "KEYS_ONLY", non_key_attributes = [] },
      ]
    }
    # Every order's history, one item per event (the newest lives in the order item until the next transition
    # copies it here; see src/adapters/dynamodb/dynamodb-order-repository.ts).
    order_history = {
      name      = "order-history"
      hash_key  = "order_id"
      range_key = "seq"
      indexes   = []
    }
  }
  # Keys that are numbers; every other key is a string.
  number_keys = ["seq"]
}

resource "aws_dynamodb_table" "this" {
  for_each                    = local.tables
  name                        = "${var.name_prefix}-${each.value.name}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  range_key                   = each.value.range_key
  deletion_protection_enabled = var.deletion_protection

  # DynamoDB takes a definition for exactly the attributes that are keys (of the table or an index).
  dynamic "attribute" {
    for_each = toset(compact(concat(
      [each.value.hash_key, each.value.range_key == null ? "" : each.value.range_key],
      flatten([for index in each.value.indexes : [index.hash_key, index.range_key]]),
    )))
    content {
      name = attribute.value
      type = contains(local.number_keys, attribute.value) ? "N" : "S"
    }
  }

  dynamic "global_secondary_index" {
    for_each = each.value.indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection
      non_key_attributes = length(global_secondary_index.value.non_key_attributes) > 0 ? global_secondary_index.value.non_key_attributes : null
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}
