terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
  # Filled by terraform init -backend-config (see docs/deploy.md): the bucket and lock table from bootstrap/.
  backend "s3" {
    key     = "dofs/staging/terraform.tfstate"
    encrypt = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { project = "dofs", environment = "staging" }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

module "dofs" {
  source                   = "../../modules/dofs"
  environment              = "staging"
  package_dir              = var.package_dir
  lambda_runtime           = var.lambda_runtime
  permissions_boundary_arn = var.permissions_boundary_name == "" ? null : "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:policy/${var.permissions_boundary_name}"
  alarm_email              = ""
  deletion_protection      = false
  throttle_rate_limit      = 500
}
