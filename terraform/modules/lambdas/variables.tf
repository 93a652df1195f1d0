variable "name_prefix" {
  description = "Prefix of every function and role name, e.g. dofs-dev."
  type        = string
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
