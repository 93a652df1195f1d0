# staging's values for this root: terraform plan -var-file=staging.tfvars (with staging.tfbackend's state).
environment           = "staging"
deletion_protection   = false
throttle_rate_limit   = 500
subscribe_alarm_email = false
