variable "name_prefix" {
  description = "Prefix of every table name, e.g. dofs-dev."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse to delete the tables (on in prod)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
