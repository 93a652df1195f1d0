# What sets one environment apart: environment, deletion_protection, throttle_rate_limit and
# subscribe_alarm_email, with no default: each <env>.tfvars gives them. The rest is the same everywhere.

variable "environment" {
  description = "The environment these values are for: dev, staging or prod. Its state must be that environment's (terraform_data.environment)."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "deletion_protection" {
  description = "Protect the DynamoDB tables from deletion."
  type        = bool
}

variable "throttle_rate_limit" {
  description = "Requests per second the API's usage plan sustains."
  type        = number
}

variable "subscribe_alarm_email" {
  description = "Whether alarm_email is subscribed to the alarms. The pipeline sets alarm_email for every environment; only those that say true here email it."
  type        = bool
}

variable "alarm_email" {
  description = "Email subscribed to the alarms where subscribe_alarm_email is true; the pipeline reads it from SSM (/dofs/alarm-email). Empty for none."
  type        = string
  default     = ""
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "package_dir" {
  description = "Directory of the Lambda zips (npm run package writes dist/), relative to this directory: a saved plan keeps the value."
  type        = string
  default     = "../../dist"

  validation {
    condition     = !startswith(var.package_dir, "/") && !can(regex("^[A-Za-z]:", var.package_dir))
    error_message = "package_dir must be relative to this directory: a saved plan keeps it, and the apply build has another absolute path."
  }
}

variable "lambda_runtime" {
  description = "Lambda runtime: nodejs22.x (default; hashicorp/aws 5.100 and 6.x) or nodejs24.x (6.x from about 6.19)."
  type        = string
  default     = "nodejs22.x"
}

variable "permissions_boundary_name" {
  description = "Name of the IAM policy every DOFS role must carry as its permissions boundary. The pipeline sets dofs-workload-boundary (terraform/cicd); empty for none, e.g. when deploying by hand."
  type        = string
  default     = ""
}
