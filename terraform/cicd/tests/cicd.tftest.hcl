# The build role can deploy DOFS and nothing more: it cannot change its own permissions or any role's beyond
# the environments' workload roles, and those are capped by a permissions boundary. What IAM itself decides
# (evaluation, tag inheritance) only AWS can show; these runs check the policy as rendered.

mock_provider "aws" {
  source = "../tests/mocks"
}

override_resource {
  target = aws_iam_role.codebuild
  values = {
    arn = "arn:aws:iam::123456789012:role/dofs-codebuild"
  }
}

override_resource {
  target = aws_iam_role.pipeline
  values = {
    arn = "arn:aws:iam::123456789012:role/dofs-codepipeline"
  }
}

override_resource {
  target = aws_iam_policy.workload_boundary
  values = {
    arn = "arn:aws:iam::123456789012:policy/dofs-workload-boundary"
  }
}

variables {
  github_repository = "example/dofs"
  state_bucket      = "dofs-test-state"
  # Every IAM action that changes what a role may do.
  iam_writes = ["iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:SetDefaultPolicyVersion", "iam:UpdateAssumeRolePolicy"]
}

run "build_role" {
  command = apply

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement : [
      for a in flatten([s.Action]) : a != "*" && a != "iam:*" && !startswith(a, "iam:*")
    ]]))
    error_message = "no statement grants every action or every IAM action"
  }

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement : [
      for r in flatten([s.Resource]) : can(regex("^arn:aws:iam::123456789012:role/dofs-(dev|staging|prod)-\\*$", r))
    ] if s.Effect == "Allow" && length(setintersection(flatten([s.Action]), var.iam_writes)) > 0]))
    error_message = "IAM writes are allowed only on the environments' workload roles, dofs-<env>-*"
  }

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement : [
      for r in flatten([s.Resource]) : [
        for role in [aws_iam_role.codebuild.arn, aws_iam_role.pipeline.arn] : !can(regex("^${replace(r, "*", ".*")}$", role))
      ]
    ] if s.Effect == "Allow" && anytrue([for a in flatten([s.Action]) : startswith(a, "iam:")])]))
    error_message = "no IAM permission of the build role applies to the build role or the pipeline role"
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement :
      try(s.Condition.StringEquals["iam:PermissionsBoundary"], "") == aws_iam_policy.workload_boundary.arn
      if s.Effect == "Allow" && length(setintersection(flatten([s.Action]), var.iam_writes)) > 0
    ])
    error_message = "a workload role's permissions may be written only while it carries the workload boundary"
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement :
      sort(try(s.Condition.StringEquals["iam:PassedToService"], [])) == tolist(["lambda.amazonaws.com", "states.amazonaws.com"])
      if s.Effect == "Allow" && contains(flatten([s.Action]), "iam:PassRole")
    ])
    error_message = "roles are passed only to Lambda and Step Functions"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement :
      s.Effect == "Deny" && contains(flatten([s.Action]), "iam:PutRolePolicy") && contains(flatten([s.Resource]), aws_iam_role.codebuild.arn) && contains(flatten([s.Resource]), aws_iam_policy.workload_boundary.arn)
    ])
    error_message = "an explicit Deny keeps the build from rewriting its own role or the boundary"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement :
      s.Effect == "Allow" && contains(flatten([s.Action]), "states:ValidateStateMachineDefinition") && contains(flatten([s.Resource]), "arn:aws:states:eu-west-1:123456789012:stateMachine:*")
    ])
    error_message = "the provider's ValidateStateMachineDefinition call is allowed on stateMachine:* (where IAM evaluates it)"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement :
      s.Effect == "Allow" && contains(flatten([s.Action]), "cloudwatch:TagResource") && contains(flatten([s.Action]), "cloudwatch:PutMetricAlarm") && contains(flatten([s.Resource]), "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:dofs-*")
    ])
    error_message = "alarms can be created with their tags (every alarm is tagged through default_tags)"
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement :
      try(s.Condition.StringEquals["aws:ResourceTag/project"], s.Condition.StringEquals["aws:RequestTag/project"], "") == "dofs"
      if s.Effect == "Allow" && anytrue([for a in flatten([s.Action]) : startswith(a, "apigateway:") && a != "apigateway:GET"])
    ])
    error_message = "API Gateway writes are limited to APIs tagged project=dofs (ids are generated, names cannot scope them)"
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.codebuild.policy).Statement :
      length(s.Condition) > 0
      if s.Effect == "Allow" && anytrue([for a in flatten([s.Action]) : startswith(a, "kms:") && a != "kms:ListAliases"]) && contains(flatten([s.Resource]), "*")
    ])
    error_message = "KMS keys are created and managed only with the project tag"
  }

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_policy.workload_boundary.policy).Statement : [
      for a in flatten([s.Action]) : !startswith(a, "iam:") && !strcontains(a, "*")
    ]]))
    error_message = "the workload boundary grants no IAM action and no wildcard action"
  }

  assert {
    condition = length(aws_codebuild_project.this) == 2 && alltrue([for p in aws_codebuild_project.this :
      anytrue([for v in p.environment[0].environment_variable : v.name == "TF_VAR_permissions_boundary_name" && v.value == aws_iam_policy.workload_boundary.name])
    ])
    error_message = "both builds give the environments the boundary's name, so every role they create carries it"
  }
}

run "pipelines" {
  command = apply

  assert {
    condition     = [for s in aws_codepipeline.this["main"].stage : s.name] == ["Source", "Deploy-prod"]
    error_message = "main deploys prod only"
  }

  assert {
    condition     = [for a in aws_codepipeline.this["main"].stage[1].action : "${a.run_order}:${a.name}"] == ["1:Plan", "2:Approve", "3:Apply"]
    error_message = "prod applies the saved plan only after a manual approval"
  }

  assert {
    condition = [for a in aws_codepipeline.this["main"].stage[1].action :
      "${a.name}: ${try(a.configuration.ProjectName, "-")} ${join(",", coalesce(a.input_artifacts, []))} -> ${join(",", coalesce(a.output_artifacts, []))}"
    ] == ["Plan: dofs-plan source -> plan-prod", "Approve: -  -> ", "Apply: dofs-apply plan-prod -> "]
    error_message = "the plan build turns the source into a saved plan; the apply build applies that plan"
  }

  assert {
    condition = tomap({ for p in aws_codebuild_project.this : p.name => "${p.source[0].buildspec} on ${p.environment[0].compute_type}" }) == tomap({
      dofs-plan  = "buildspec.yml on BUILD_GENERAL1_MEDIUM"
      dofs-apply = "buildspec-apply.yml on BUILD_GENERAL1_SMALL"
    })
    error_message = "dofs-plan runs buildspec.yml, dofs-apply buildspec-apply.yml"
  }

  assert {
    condition     = [for s in aws_codepipeline.this["develop"].stage : s.name] == ["Source", "Deploy-dev", "Deploy-staging"]
    error_message = "develop deploys dev, then staging"
  }

  assert {
    condition     = alltrue(flatten([for p in aws_codepipeline.this : [for s in p.stage : [for a in s.action : a.name != "Approve" || a.category == "Approval"]]]))
    error_message = "approvals are manual approval actions"
  }
}
