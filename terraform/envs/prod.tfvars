# prod's values for this root: terraform plan -var-file=prod.tfvars (with prod.tfbackend's state).
environment           = "prod"
deletion_protection   = true
throttle_rate_limit   = 1000
subscribe_alarm_email = true
