output "connection_arn" {
  description = "The CodeStar connection: confirm it once in the console (Developer Tools > Connections)."
  value       = aws_codestarconnections_connection.this.arn
}

output "pipelines" {
  description = "Pipeline names by branch."
  value       = { for branch, p in aws_codepipeline.this : branch => p.name }
}
