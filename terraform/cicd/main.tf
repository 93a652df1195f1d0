# The delivery pipeline, deployed once per account (with the bootstrap state backend). Two pipelines:
# develop -> dev, then staging; main -> prod after a manual approval. Each environment is planned by
# buildspec.yml and the saved plan applied by buildspec-apply.yml. The build role is not an administrator:
# it may manage only resources named dofs-* in this account and region, and pass only dofs-* roles.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
  }
  backend "s3" {
    key     = "dofs/cicd/terraform.tfstate"
    encrypt = true
  }
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  pipelines = {
    develop = { branch = "develop", environments = ["dev", "staging"], approval = false }
    main    = { branch = "main", environments = ["prod"], approval = true }
  }
  build_env = {
    TF_STATE_BUCKET = var.state_bucket
    TF_LOCK_TABLE   = var.lock_table
  }
}

resource "aws_codestarconnections_connection" "this" {
  name          = "dofs-github"
  provider_type = "GitHub"
}

resource "aws_s3_bucket" "artifacts" {
  bucket_prefix = "dofs-pipeline-artifacts-"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "codebuild_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "codebuild" {
  name               = "dofs-codebuild"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json
}

data "aws_iam_policy_document" "codebuild" {
  statement {
    sid     = "ManageDofsResources"
    actions = ["apigateway:*", "cloudwatch:*Alarm*", "cloudwatch:*Dashboard*", "dynamodb:*", "lambda:*", "logs:*", "sns:*", "sqs:*", "states:*"]
    resources = [
      "arn:${local.partition}:apigateway:${var.region}::/*",
      "arn:${local.partition}:cloudwatch:${var.region}:${local.account}:alarm:dofs-*",
      "arn:${local.partition}:cloudwatch::${local.account}:dashboard/dofs-*",
      "arn:${local.partition}:dynamodb:${var.region}:${local.account}:table/dofs-*",
      "arn:${local.partition}:lambda:${var.region}:${local.account}:function:dofs-*",
      "arn:${local.partition}:lambda:${var.region}:${local.account}:event-source-mapping:*",
      "arn:${local.partition}:logs:${var.region}:${local.account}:log-group:*dofs-*",
      "arn:${local.partition}:sns:${var.region}:${local.account}:dofs-*",
      "arn:${local.partition}:sqs:${var.region}:${local.account}:dofs-*",
      "arn:${local.partition}:states:${var.region}:${local.account}:stateMachine:dofs-*",
    ]
  }

  statement {
    sid       = "ManageDofsRoles"
    actions   = ["iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:PassRole", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy"]
    resources = ["arn:${local.partition}:iam::${local.account}:role/dofs-*"]
  }

  statement {
    sid       = "TerraformState"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${var.state_bucket}", "arn:${local.partition}:s3:::${var.state_bucket}/dofs/*"]
  }

  statement {
    sid       = "TerraformLock"
    actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"]
    resources = ["arn:${local.partition}:dynamodb:${var.region}:${local.account}:table/${var.lock_table}"]
  }

  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.artifacts.arn}/*"]
  }

  statement {
    sid       = "Secrets"
    actions   = ["ssm:GetParameters"]
    resources = ["arn:${local.partition}:ssm:${var.region}:${local.account}:parameter/dofs/*"]
  }

  statement {
    sid       = "BuildLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${var.region}:${local.account}:log-group:/aws/codebuild/dofs-*"]
  }

  # Read-only lookups Terraform makes while planning; they accept no resource-level permissions.
  statement {
    sid       = "Describe"
    actions   = ["apigateway:GET", "sts:GetCallerIdentity", "logs:DescribeLogGroups", "lambda:ListEventSourceMappings", "lambda:GetEventSourceMapping", "lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "codebuild" {
  name   = "dofs-codebuild"
  role   = aws_iam_role.codebuild.id
  policy = data.aws_iam_policy_document.codebuild.json
}

resource "aws_codebuild_project" "plan" {
  name          = "dofs-plan"
  service_role  = aws_iam_role.codebuild.arn
  build_timeout = 60

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    compute_type = "BUILD_GENERAL1_MEDIUM"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"

    dynamic "environment_variable" {
      for_each = local.build_env
      content {
        name  = environment_variable.key
        value = environment_variable.value
      }
    }
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = "buildspec.yml"
  }
}

resource "aws_codebuild_project" "apply" {
  name          = "dofs-apply"
  service_role  = aws_iam_role.codebuild.arn
  build_timeout = 60

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"

    dynamic "environment_variable" {
      for_each = local.build_env
      content {
        name  = environment_variable.key
        value = environment_variable.value
      }
    }
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = "buildspec-apply.yml"
  }
}

data "aws_iam_policy_document" "pipeline_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codepipeline.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "pipeline" {
  name               = "dofs-codepipeline"
  assume_role_policy = data.aws_iam_policy_document.pipeline_assume.json
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${aws_s3_bucket.artifacts.arn}/*"]
  }
  statement {
    actions   = ["codebuild:BatchGetBuilds", "codebuild:StartBuild"]
    resources = [aws_codebuild_project.plan.arn, aws_codebuild_project.apply.arn]
  }
  statement {
    actions   = ["codestar-connections:UseConnection"]
    resources = [aws_codestarconnections_connection.this.arn]
  }
}

resource "aws_iam_role_policy" "pipeline" {
  name   = "dofs-codepipeline"
  role   = aws_iam_role.pipeline.id
  policy = data.aws_iam_policy_document.pipeline.json
}

resource "aws_codepipeline" "this" {
  for_each      = local.pipelines
  name          = "dofs-${each.key}"
  role_arn      = aws_iam_role.pipeline.arn
  pipeline_type = "V2"

  artifact_store {
    location = aws_s3_bucket.artifacts.bucket
    type     = "S3"
  }

  stage {
    name = "Source"
    action {
      name             = "GitHub"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["source"]
      configuration = {
        ConnectionArn    = aws_codestarconnections_connection.this.arn
        FullRepositoryId = var.github_repository
        BranchName       = each.value.branch
      }
    }
  }

  dynamic "stage" {
    for_each = each.value.environments
    content {
      name = "Deploy-${stage.value}"

      action {
        name             = "Plan"
        category         = "Build"
        owner            = "AWS"
        provider         = "CodeBuild"
        version          = "1"
        run_order        = 1
        input_artifacts  = ["source"]
        output_artifacts = ["plan-${stage.value}"]
        configuration = {
          ProjectName          = aws_codebuild_project.plan.name
          EnvironmentVariables = jsonencode([{ name = "DOFS_ENV", value = stage.value, type = "PLAINTEXT" }])
        }
      }

      dynamic "action" {
        for_each = each.value.approval ? [1] : []
        content {
          name      = "Approve"
          category  = "Approval"
          owner     = "AWS"
          provider  = "Manual"
          version   = "1"
          run_order = 2
        }
      }

      action {
        name            = "Apply"
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        run_order       = 3
        input_artifacts = ["plan-${stage.value}"]
        configuration = {
          ProjectName          = aws_codebuild_project.apply.name
          EnvironmentVariables = jsonencode([{ name = "DOFS_ENV", value = stage.value, type = "PLAINTEXT" }])
        }
      }
    }
  }
}
