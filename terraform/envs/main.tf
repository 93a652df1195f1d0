# The one root of every environment, run once per environment with its values and its state (docs/deploy.md):
#   terraform init -backend-config=<env>.tfbackend -backend-config=bucket=... (and the lock table, the region)
#   terraform plan -var-file=<env>.tfvars
# What an environment is: modules/dofs. What sets one apart from another: <env>.tfvars.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
  # Partial: the key comes from <env>.tfbackend (dofs/<env>/terraform.tfstate), the bucket and lock table from
  # bootstrap/, all through terraform init -backend-config.
  backend "s3" {
    encrypt = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { project = "dofs", environment = var.environment }
  }
}

# The environment a state belongs to, written into it by its first apply and never changed after
# (ignore_changes): planning one environment's values against another's state (dev.tfvars on prod's backend)
# fails here, before anything is replaced, instead of renaming prod's tables and functions to dev's.
resource "terraform_data" "environment" {
  input = var.environment

  lifecycle {
    ignore_changes = [input]

    postcondition {
      condition     = self.output == var.environment
      error_message = "This state belongs to the ${self.output} environment, and these values are ${var.environment}'s: init with ${var.environment}.tfbackend (or plan with ${self.output}.tfvars)."
    }
  }
}

# The module reads its environment through the guard (its input: var.environment, or the state's own once
# applied), so every plan of it, a -target one too, plans the guard with it.
module "dofs" {
  source                    = "../modules/dofs"
  environment               = terraform_data.environment.input
  deletion_protection       = var.deletion_protection
  throttle_rate_limit       = var.throttle_rate_limit
  alarm_email               = var.subscribe_alarm_email ? var.alarm_email : ""
  package_dir               = var.package_dir
  lambda_runtime            = var.lambda_runtime
  permissions_boundary_name = var.permissions_boundary_name
}
