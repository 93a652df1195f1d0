# The delivery pipeline, deployed once per account (with the bootstrap state backend). Two pipelines:
# develop -> dev, then staging; main -> prod after a manual approval. Each environment is planned by
# buildspec.yml and the saved plan applied by buildspec-apply.yml. The build role is not an administrator:
# it may manage only DOFS's resources (named dofs-*, or tagged project=dofs where AWS generates the ids), and
# only the environments' workload roles, which must carry the dofs-workload-boundary permissions boundary.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
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
    # Every role an environment creates carries the workload boundary (the build role may create no other).
    TF_VAR_permissions_boundary_name = aws_iam_policy.workload_boundary.name
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

locals {
  environments = distinct(flatten([for p in local.pipelines : p.environments]))
  arn          = "arn:${local.partition}"
  region_acct  = "${var.region}:${local.account}"
  # The roles an environment's Terraform creates: dofs-<env>-<function> and dofs-<env>-orders. The build
  # role (dofs-codebuild) and the pipeline role match none of these patterns.
  workload_roles  = [for env in local.environments : "${local.arn}:iam::${local.account}:role/dofs-${env}-*"]
  boundary_arn    = "${local.arn}:iam::${local.account}:policy/${local.boundary_name}"
  boundary_name   = "dofs-workload-boundary"
  protected_roles = ["${local.arn}:iam::${local.account}:role/dofs-codebuild", "${local.arn}:iam::${local.account}:role/dofs-codepipeline"]
  dofs_tag        = { "aws:ResourceTag/project" = "dofs" }

  # Policies are jsonencode()d values rather than aws_iam_policy_document data sources so that
  # `terraform test` (with a mocked provider) can read every statement; tests/cicd.tftest.hcl does.
  codebuild_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ManageDofsResources"
        Effect = "Allow"
        Action = ["dynamodb:*", "lambda:*", "logs:*", "sns:*", "sqs:*", "states:*"]
        Resource = [
          "${local.arn}:dynamodb:${local.region_acct}:table/dofs-*",
          "${local.arn}:lambda:${local.region_acct}:function:dofs-*",
          "${local.arn}:logs:${local.region_acct}:log-group:*dofs-*",
          "${local.arn}:sns:${local.region_acct}:dofs-*",
          "${local.arn}:sqs:${local.region_acct}:dofs-*",
          "${local.arn}:states:${local.region_acct}:stateMachine:dofs-*",
        ]
      },
      {
        # Tagging an alarm is a separate action from PutMetricAlarm, and every alarm is tagged (default_tags).
        Sid      = "Alarms"
        Effect   = "Allow"
        Action   = ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
        Resource = "${local.arn}:cloudwatch:${local.region_acct}:alarm:dofs-*"
      },
      {
        Sid      = "Dashboards"
        Effect   = "Allow"
        Action   = ["cloudwatch:DeleteDashboards", "cloudwatch:GetDashboard", "cloudwatch:PutDashboard"]
        Resource = "${local.arn}:cloudwatch::${local.account}:dashboard/dofs-*"
      },
      {
        # The provider validates a definition before creating or updating a state machine, and IAM evaluates
        # ValidateStateMachineDefinition on stateMachine:* whatever the name. It reads nothing.
        Sid      = "ValidateStateMachines"
        Effect   = "Allow"
        Action   = "states:ValidateStateMachineDefinition"
        Resource = "${local.arn}:states:${local.region_acct}:stateMachine:*"
      },
      {
        # Event source mappings have generated ids: scope them by the function they feed.
        Sid       = "EventSourceMappings"
        Effect    = "Allow"
        Action    = ["lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"]
        Resource  = "*"
        Condition = { ArnLike = { "lambda:FunctionArn" = "${local.arn}:lambda:${local.region_acct}:function:dofs-*" } }
      },
      {
        # REST APIs, API keys and usage plans have generated ids: DOFS's are the ones tagged project=dofs
        # (child resources inherit the REST API's tags for access control); new ones must carry the tag.
        Sid       = "CreateTaggedApis"
        Effect    = "Allow"
        Action    = "apigateway:POST"
        Resource  = ["${local.arn}:apigateway:${var.region}::/restapis", "${local.arn}:apigateway:${var.region}::/apikeys", "${local.arn}:apigateway:${var.region}::/usageplans"]
        Condition = { StringEquals = { "aws:RequestTag/project" = "dofs" } }
      },
      {
        Sid       = "ManageTaggedApis"
        Effect    = "Allow"
        Action    = ["apigateway:DELETE", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"]
        Resource  = ["${local.arn}:apigateway:${var.region}::/restapis/*", "${local.arn}:apigateway:${var.region}::/apikeys/*", "${local.arn}:apigateway:${var.region}::/usageplans/*", "${local.arn}:apigateway:${var.region}::/tags/*"]
        Condition = { StringEquals = local.dofs_tag }
      },
      {
        # The alarm topic's customer managed key (CloudWatch cannot publish to alias/aws/sns). Key ids are
        # generated: DOFS's keys are those tagged project=dofs, and a new key must carry the tag.
        Sid       = "CreateTaggedKeys"
        Effect    = "Allow"
        Action    = ["kms:CreateKey", "kms:TagResource"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:RequestTag/project" = "dofs" } }
      },
      {
        Sid       = "ManageTaggedKeys"
        Effect    = "Allow"
        Action    = ["kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription"]
        Resource  = "${local.arn}:kms:${local.region_acct}:key/*"
        Condition = { StringEquals = local.dofs_tag }
      },
      {
        Sid      = "KeyAliases"
        Effect   = "Allow"
        Action   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
        Resource = "${local.arn}:kms:${local.region_acct}:alias/dofs-*"
      },
      {
        # Writes to a role's permissions are allowed only on the environments' workload roles, and only while
        # the role carries the workload boundary: a policy put on such a role can never grant more than the
        # boundary, so the build cannot hand itself (or anything) administrator rights through them.
        Sid       = "WorkloadRolePermissions"
        Effect    = "Allow"
        Action    = ["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"]
        Resource  = local.workload_roles
        Condition = { StringEquals = { "iam:PermissionsBoundary" = local.boundary_arn } }
      },
      {
        Sid      = "WorkloadRoles"
        Effect   = "Allow"
        Action   = ["iam:DeleteRole", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:TagRole", "iam:UntagRole"]
        Resource = local.workload_roles
      },
      {
        Sid       = "PassWorkloadRoles"
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = local.workload_roles
        Condition = { StringEquals = { "iam:PassedToService" = ["lambda.amazonaws.com", "states.amazonaws.com"] } }
      },
      {
        # Belt and braces: whatever else a future statement allows, the build never changes its own role, the
        # pipeline's role or the boundary, and never lifts a boundary.
        Sid      = "NeverEscalate"
        Effect   = "Deny"
        Action   = ["iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:DeleteRolePermissionsBoundary", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:SetDefaultPolicyVersion", "iam:UpdateAssumeRolePolicy"]
        Resource = concat(local.protected_roles, [local.boundary_arn])
      },
      {
        Sid      = "NeverLiftABoundary"
        Effect   = "Deny"
        Action   = "iam:DeleteRolePermissionsBoundary"
        Resource = "*"
      },
      {
        Sid      = "TerraformState"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
        Resource = ["${local.arn}:s3:::${var.state_bucket}", "${local.arn}:s3:::${var.state_bucket}/dofs/*"]
      },
      {
        Sid      = "TerraformLock"
        Effect   = "Allow"
        Action   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"]
        Resource = "${local.arn}:dynamodb:${local.region_acct}:table/${var.lock_table}"
      },
      {
        Sid      = "Artifacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "${aws_s3_bucket.artifacts.arn}/*"
      },
      {
        Sid      = "Secrets"
        Effect   = "Allow"
        Action   = "ssm:GetParameters"
        Resource = "${local.arn}:ssm:${local.region_acct}:parameter/dofs/*"
      },
      {
        Sid      = "BuildLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${local.arn}:logs:${local.region_acct}:log-group:/aws/codebuild/dofs-*"
      },
      {
        # Read-only lookups Terraform makes while planning, and the log delivery set-up of a state machine's
        # logging configuration: these actions accept no resource-level permissions.
        Sid      = "Describe"
        Effect   = "Allow"
        Action   = ["apigateway:GET", "kms:ListAliases", "lambda:ListEventSourceMappings", "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery", "sts:GetCallerIdentity"]
        Resource = "*"
      },
    ]
  }

  # The most any DOFS workload role (functions, state machine) may ever do, whatever policy is put on it.
  workload_boundary = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "DofsData"
        Effect = "Allow"
        Action = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage", "states:DescribeExecution", "states:StartExecution", "states:StartSyncExecution", "lambda:InvokeFunction"]
        Resource = [
          "${local.arn}:dynamodb:${local.region_acct}:table/dofs-*",
          "${local.arn}:sqs:${local.region_acct}:dofs-*",
          "${local.arn}:states:${local.region_acct}:stateMachine:dofs-*",
          "${local.arn}:states:${local.region_acct}:execution:dofs-*",
          "${local.arn}:lambda:${local.region_acct}:function:dofs-*",
        ]
      },
      {
        Sid      = "OwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${local.arn}:logs:${local.region_acct}:log-group:*dofs-*"
      },
      {
        Sid      = "LogDeliveryAndTracing"
        Effect   = "Allow"
        Action   = ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        Resource = "*"
      },
    ]
  }
}

resource "aws_iam_policy" "workload_boundary" {
  name        = local.boundary_name
  description = "Permissions boundary of every role a DOFS environment creates."
  policy      = jsonencode(local.workload_boundary)
}

resource "aws_iam_role" "codebuild" {
  name = "dofs-codebuild"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "codebuild.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "codebuild" {
  name   = "dofs-codebuild"
  role   = aws_iam_role.codebuild.id
  policy = jsonencode(local.codebuild_policy)
}

# plan runs buildspec.yml (npm test, package, terraform plan -out=tfplan); apply runs buildspec-apply.yml on
# that saved plan.
locals {
  builds = {
    plan  = { compute_type = "BUILD_GENERAL1_MEDIUM", buildspec = "buildspec.yml" }
    apply = { compute_type = "BUILD_GENERAL1_SMALL", buildspec = "buildspec-apply.yml" }
  }
}

resource "aws_codebuild_project" "this" {
  for_each      = local.builds
  name          = "dofs-${each.key}"
  service_role  = aws_iam_role.codebuild.arn
  build_timeout = 60

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    compute_type = each.value.compute_type
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
    buildspec = each.value.buildspec
  }
}

resource "aws_iam_role" "pipeline" {
  name = "dofs-codepipeline"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "codepipeline.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "pipeline" {
  name = "dofs-codepipeline"
  role = aws_iam_role.pipeline.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], Resource = "${aws_s3_bucket.artifacts.arn}/*" },
      { Effect = "Allow", Action = ["codebuild:BatchGetBuilds", "codebuild:StartBuild"], Resource = [for build in aws_codebuild_project.this : build.arn] },
      { Effect = "Allow", Action = "codestar-connections:UseConnection", Resource = aws_codestarconnections_connection.this.arn },
    ]
  })
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

      # Plan, then (prod) a person's approval, then Apply of that saved plan.
      dynamic "action" {
        for_each = concat(
          [{ name = "Plan", run_order = 1, build = "plan", input = "source", output = "plan-${stage.value}" }],
          each.value.approval ? [{ name = "Approve", run_order = 2, build = null, input = null, output = null }] : [],
          [{ name = "Apply", run_order = 3, build = "apply", input = "plan-${stage.value}", output = null }],
        )
        content {
          name             = action.value.name
          category         = action.value.build == null ? "Approval" : "Build"
          owner            = "AWS"
          provider         = action.value.build == null ? "Manual" : "CodeBuild"
          version          = "1"
          run_order        = action.value.run_order
          input_artifacts  = action.value.input == null ? null : [action.value.input]
          output_artifacts = action.value.output == null ? null : [action.value.output]
          configuration = action.value.build == null ? null : {
            ProjectName          = aws_codebuild_project.this[action.value.build].name
            EnvironmentVariables = jsonencode([{ name = "DOFS_ENV", value = stage.value, type = "PLAINTEXT" }])
          }
        }
      }
    }
  }
}
