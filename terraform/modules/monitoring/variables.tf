variable "name_prefix" {
  description = "Prefix of alarm, topic and dashboard names, e.g. dofs-dev."
  type        = string
}

variable "alarm_email" {
  description = "Email subscribed to the alarm topic; empty for none."
  type        = string
  default     = ""
}

variable "dlq_name" {
  description = "Name of order_dlq."
  type        = string
}

variable "dlq_alarm_threshold" {
  description = "DLQ messages visible, or orders dead-lettered in five minutes, that raise the alarm."
  type        = number
  default     = 1
}

variable "function_names" {
  description = "Function names by short name, for error and throttle alarms."
  type        = map(string)
}

variable "state_machine_arn" {
  description = "ARN of the order workflow."
  type        = string
}

variable "api_name" {
  description = "Name of the REST API."
  type        = string
}

variable "api_stage_name" {
  description = "Stage of the REST API."
  type        = string
}

variable "api_p99_latency_ms" {
  description = "API p99 latency that raises an alarm."
  type        = number
  default     = 2000
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
