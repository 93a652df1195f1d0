variable "name_prefix" {
  description = "Prefix of every queue name, e.g. dofs-dev."
  type        = string
}

variable "max_receive_count" {
  description = "Receives before a message moves to the DLQ (redrive policy maxReceiveCount)."
  type        = number
  default     = 3

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be from 1 to 1000."
  }
}

variable "consumer_timeout_seconds" {
  description = "Timeout of the function consuming order_queue; the visibility timeout is six times it, as AWS requires for event source mappings."
  type        = number
}

variable "fulfill_function_arn" {
  description = "ARN of the fulfil function (consumer of order_queue)."
  type        = string
}

variable "dead_letter_function_arn" {
  description = "ARN of the dead-letter function (consumer of order_dlq)."
  type        = string
}

variable "batch_size" {
  description = "Messages per batch handed to the consumers."
  type        = number
  default     = 10
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
