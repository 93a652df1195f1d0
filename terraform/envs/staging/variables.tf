variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "package_dir" {
  description = "Directory of the Lambda zips (npm run package writes dist/), relative to this directory: a saved plan keeps the value."
  type        = string
  default     = "../../../dist"

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
