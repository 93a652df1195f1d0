variable "region" {
  description = "Region of the state bucket and lock table."
  type        = string
  default     = "eu-west-1"
}

variable "state_bucket_name" {
  description = "Globally unique name of the S3 bucket for Terraform state."
  type        = string
}

variable "lock_table_name" {
  description = "Name of the DynamoDB table for state locking."
  type        = string
  default     = "dofs-terraform-locks"
}
