variable "environment" {
  description = "Environment name: dev, staging or prod."
  type        = string
}

variable "package_dir" {
  description = "Directory of the Lambda zips built by npm run package, relative to the root module: a saved plan keeps this value, and an absolute build path would not exist where the plan is applied."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime of every function: nodejs22.x (accepted by hashicorp/aws 5.100 and 6.x) or nodejs24.x (6.x from about 6.19)."
  type        = string
  default     = "nodejs22.x"
}

variable "permissions_boundary_name" {
  description = "Name of the IAM policy every role DOFS creates carries as its permissions boundary (the pipeline sets dofs-workload-boundary, defined in terraform/cicd); empty for none."
  type        = string
  default     = ""
}

variable "workflow_type" {
  description = "EXPRESS or STANDARD."
  type        = string
  default     = "EXPRESS"
}

variable "max_receive_count" {
  description = "Fulfilment attempts before an order is dead-lettered."
  type        = number
  default     = 3
}

variable "fulfillment_success_rate" {
  description = "Probability that one simulated fulfilment attempt succeeds."
  type        = number
  default     = 0.7
}

variable "alarm_email" {
  description = "Email for alarm notifications; empty for none."
  type        = string
  default     = ""
}

variable "deletion_protection" {
  description = "Protect the tables from deletion."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of every log group."
  type        = number
  default     = 30
}

variable "throttle_rate_limit" {
  description = "API usage plan requests per second."
  type        = number
  default     = 1000
}
