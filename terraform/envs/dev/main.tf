terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
  }
  # Filled by terraform init -backend-config (see docs/deploy.md): the bucket and lock table from bootstrap/.
  backend "s3" {
    key     = "dofs/dev/terraform.tfstate"
    encrypt = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { project = "dofs", environment = "dev" }
  }
}

module "dofs" {
  source              = "../../modules/dofs"
  environment         = "dev"
  package_dir         = var.package_dir
  alarm_email         = ""
  deletion_protection = false
  throttle_rate_limit = 100
}
