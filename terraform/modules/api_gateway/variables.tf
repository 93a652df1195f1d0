variable "name" {
  description = "Name of the REST API, e.g. dofs-dev."
  type        = string
}

variable "stage_name" {
  description = "Stage name (part of the URL)."
  type        = string
  default     = "v1"
}

variable "api_function_name" {
  description = "Name of the api function."
  type        = string
}

variable "api_invoke_arn" {
  description = "Invoke ARN of the api function."
  type        = string
}

variable "throttle_rate_limit" {
  description = "Usage plan steady-state requests per second."
  type        = number
  default     = 1000
}

variable "throttle_burst_limit" {
  description = "Usage plan burst."
  type        = number
  default     = 2000
}

variable "log_retention_days" {
  description = "Retention of the access log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
