variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "package_dir" {
  description = "Directory of the Lambda zips (npm run package writes dist/)."
  type        = string
  default     = "../../../dist"
}

variable "alarm_email" {
  description = "Email subscribed to the alarms (used by prod)."
  type        = string
  default     = ""
}
