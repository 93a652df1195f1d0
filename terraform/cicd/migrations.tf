# Addresses before the two builds were one for_each (issue 12): the deployed projects keep their state.
moved {
  from = aws_codebuild_project.plan
  to   = aws_codebuild_project.this["plan"]
}

moved {
  from = aws_codebuild_project.apply
  to   = aws_codebuild_project.this["apply"]
}
