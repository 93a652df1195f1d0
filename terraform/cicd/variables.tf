variable "region" {
  description = "Region of the pipeline and of the environments it deploys."
  type        = string
  default     = "eu-west-1"
}

variable "github_repository" {
  description = "owner/name of the GitHub repository the CodeStar connection reads."
  type        = string
}

variable "state_bucket" {
  description = "Terraform state bucket from bootstrap/."
  type        = string
}

variable "lock_table" {
  description = "Terraform lock table from bootstrap/."
  type        = string
  default     = "dofs-terraform-locks"
}
