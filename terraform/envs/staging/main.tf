# staging: its state, its provider and the values that make it staging. What an environment is: modules/dofs.

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

module "dofs" {
  source                    = "../../modules/dofs"
  environment               = "staging"
  deletion_protection       = false
  throttle_rate_limit       = 500
  package_dir               = var.package_dir
  lambda_runtime            = var.lambda_runtime
  permissions_boundary_name = var.permissions_boundary_name
}
