# The two tables: the keys and index the adapters use (test/contracts/terraform.test.ts compares them with
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
      t.name => "${t.hash_key}; ${join(" ", [for i in t.global_secondary_index : "${i.name}(${i.hash_key}, ${i.range_key}) ${i.projection_type}"])}; ${join(" ", sort([for a in t.attribute : "${a.name}:${a.type}"]))}"
      }) == tomap({
      dofs-test-orders        = "order_id; by-status(status_shard, created_key) ALL; created_key:S order_id:S status_shard:S"
      dofs-test-failed-orders = "order_id; by-failed-at(kind, failed_key) ALL; failed_key:S kind:S order_id:S"
    })
    error_message = "each table has its hash key, its index and an attribute definition for each key"
  }

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.this : t.billing_mode == "PAY_PER_REQUEST" && t.point_in_time_recovery[0].enabled && t.server_side_encryption[0].enabled && t.deletion_protection_enabled])
    error_message = "both tables are on demand, recoverable to a point in time, encrypted and (by default) protected from deletion"
  }
}

run "unprotected" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.this : !t.deletion_protection_enabled])
    error_message = "deletion_protection = false turns the protection off on both tables"
  }
}
