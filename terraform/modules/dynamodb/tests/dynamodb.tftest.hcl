# The three tables: the keys and index the adapters use (test/contracts/terraform.test.ts compares them with
# src/adapters/dynamodb/tables.ts), an attribute definition for exactly those keys, recovery and encryption on.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name_prefix = "dofs-test"
}

run "tables" {
  command = apply

  assert {
    condition = tomap({ for t in aws_dynamodb_table.this :
      t.name => "${join(" ", compact([t.hash_key, t.range_key]))}; ${join(" ", sort([for i in t.global_secondary_index : "${i.name}(${i.hash_key}, ${i.range_key}) ${i.projection_type}"]))}; ${join(" ", sort([for a in t.attribute : "${a.name}:${a.type}"]))}"
      }) == tomap({
      dofs-test-orders        = "order_id; by-customer(customer_key, created_key) INCLUDE by-status(status_shard, created_key) ALL; created_key:S customer_key:S order_id:S status_shard:S"
      dofs-test-failed-orders = "order_id; by-failed-at(kind, failed_key) ALL by-reason(reason_key, failed_key) KEYS_ONLY; failed_key:S kind:S order_id:S reason_key:S"
      dofs-test-order-history = "order_id seq; ; order_id:S seq:N"
    })
    error_message = "each table has its keys, its indexes and an attribute definition for each key"
  }

  assert {
    condition     = [for i in aws_dynamodb_table.this["orders"].global_secondary_index : i.non_key_attributes if i.name == "by-customer"] == [toset(["status"])]
    error_message = "the customer index carries the status (its filter) and nothing else beyond the keys"
  }

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.this : t.billing_mode == "PAY_PER_REQUEST" && t.point_in_time_recovery[0].enabled && t.server_side_encryption[0].enabled && t.deletion_protection_enabled])
    error_message = "every table is on demand, recoverable to a point in time, encrypted and (by default) protected from deletion"
  }
}

run "unprotected" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.this : !t.deletion_protection_enabled])
    error_message = "deletion_protection = false turns the protection off on every table"
  }
}
