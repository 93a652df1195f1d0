variable "name_prefix" {
  description = "Prefix of every function and role name, e.g. dofs-dev."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime of every function. nodejs22.x is the newest that hashicorp/aws 5.100 accepts; 6.x takes nodejs24.x from about 6.19 on. The bundles target Node.js 22 (scripts/package.ts), so both run them."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = contains(["nodejs22.x", "nodejs24.x"], var.runtime)
    error_message = "runtime must be nodejs22.x or nodejs24.x (the bundles target Node.js 22)."
  }
}

variable "package_dir" {
  description = "Directory holding the zips built by npm run package (<function>.zip)."
  type        = string
}

variable "orders_table_name" {
  description = "Name of the orders table."
  type        = string
}

variable "orders_table_arn" {
  description = "ARN of the orders table."
  type        = string
}

variable "order_history_table_name" {
  description = "Name of the order_history table."
  type        = string
}

variable "order_history_table_arn" {
  description = "ARN of the order_history table."
  type        = string
}

variable "failed_orders_table_name" {
  description = "Name of the failed_orders table."
  type        = string
}

variable "failed_orders_table_arn" {
  description = "ARN of the failed_orders table."
  type        = string
}

variable "order_queue_url" {
  description = "URL of order_queue (the api function sends redriven orders there)."
  type        = string
}

variable "order_queue_arn" {
  description = "ARN of order_queue."
  type        = string
}

variable "dlq_arn" {
  description = "ARN of order_dlq."
  type        = string
}

variable "state_machine_arn" {
  description = "ARN of the order workflow, built from its name so that the functions do not depend on it."
  type        = string
}

variable "workflow_type" {
  description = "EXPRESS (the api starts executions synchronously) or STANDARD (it starts them and polls)."
  type        = string
  default     = "EXPRESS"
}

variable "fulfillment_success_rate" {
  description = "Probability that one simulated fulfilment attempt succeeds."
  type        = number
  default     = 0.7
}

variable "random_seed" {
  description = "DOFS_RANDOM_SEED for reproducible fulfilment outcomes; empty for random."
  type        = string
  default     = ""
}

variable "fulfill_timeout_seconds" {
  description = "Timeout of the fulfil function (order_queue's visibility timeout is six times it)."
  type        = number
  default     = 10
}

variable "log_retention_days" {
  description = "Retention of the functions' log groups."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of every function role (the pipeline's build role may only create roles that carry it); null for none."
  type        = string
  default     = null
}
