# dev's values for this root: terraform plan -var-file=dev.tfvars (with dev.tfbackend's state).
environment           = "dev"
deletion_protection   = false
throttle_rate_limit   = 100
subscribe_alarm_email = false
