variable "name" {
  description = "Name of the state machine; its ARN is built from it elsewhere, so nothing waits on this module."
  type        = string
}

variable "definition_file" {
  description = "Path of workflow/order-workflow.asl.json, the same file the local host runs."
  type        = string
}

variable "type" {
  description = "EXPRESS (default: ~$1 per million starts, synchronous starts for a durable 202) or STANDARD."
  type        = string
  default     = "EXPRESS"

  validation {
    condition     = contains(["EXPRESS", "STANDARD"], var.type)
    error_message = "type must be EXPRESS or STANDARD."
  }
}

variable "validate_order_function_arn" {
  description = "ARN of the ValidateOrder Task's function."
  type        = string
}

variable "store_order_function_arn" {
  description = "ARN of the StoreOrder Task's function."
  type        = string
}

variable "order_queue_url" {
  description = "URL of order_queue, for the SendToQueue integration."
  type        = string
}

variable "order_queue_arn" {
  description = "ARN of order_queue."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the execution log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the state machine's role; null for none."
  type        = string
  default     = null
}
