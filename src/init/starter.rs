//! `trailctl init` without `--from-account`: a commented starter spec, valid as written.

use crate::init::yaml::MODELINE;

/// The starter spec for `stack` homed in `home`.
pub fn starter(stack: &str, home: &str) -> String {
    format!(
        "{MODELINE}
# A starter spec (docs/spec.md is the reference; `trailctl schema > trailctl.schema.json`
# gives editors completion). Check it with `trailctl validate`, then `trailctl plan`.
version: 1
# Everything trailctl creates is tagged trailctl:stack = {stack}: what it owns.
stack: {stack}
# account: \"123456789012\"   # uncomment: commands then refuse any other account
home_region: {home}
# Alerts on regional services get a rule in each of these Regions (`all`: every default one).
regions: [{home}]

buckets:
  # Bucket names are global: make this one yours.
  - name: {stack}-cloudtrail-logs
    retention_days: 400

trails:
  # One trail for every Region: all management events, log file validation on.
  - name: {stack}
    bucket: {stack}-cloudtrail-logs

topics:
  - name: {stack}-security-alerts
    subscriptions:
      - email: security@example.com   # the address confirms the subscription by email

alerts:
  # The seed's three alerts: a DynamoDB table deleted, a role assumed, a security group opened.
  # `trailctl presets list` shows the others (`- preset: cis` adds CIS 4.1-4.15).
  - preset: seed
    notify: [{stack}-security-alerts]
"
    )
}
