//! Raw command-line flags (clap derive). Nothing past `config` sees these.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  trailctl validate                      Check ./trailctl.yaml
  trailctl plan -f examples/baseline.yaml
  trailctl apply --auto-approve          In CI, after review of the plan
  trailctl validate -f examples/baseline.yaml
  trailctl completions bash > /etc/bash_completion.d/trailctl

Exit codes:
  0  success (validate: the spec is valid; plan: planned, with or without changes)
  1  error: invalid spec, bad usage, a conflict in the plan, a failed AWS call,
     apply refused or not converged

Spec reference: docs/spec.md";

/// CloudTrail trails and real-time CloudTrail alerts as code, with no state file.
#[derive(Debug, Parser)]
#[command(name = "trailctl", version, about, after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// AWS shared-config profile (default: the standard credential chain)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS Region for calls that need one (default: the profile's or AWS_REGION)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint, e.g. a local emulator
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Never colour output (also when NO_COLOR is set)
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Log what trailctl does to stderr (-v info, -vv debug, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a spec offline and report every problem at once
    Validate(SpecFile),
    /// Read the account and show what apply would change
    Plan(PlanArgs),
    /// Make the account match the spec: plan, confirm, apply, verify
    Apply(ApplyArgs),
    /// Print a shell completion script
    Completions {
        /// bash, elvish, fish, powershell or zsh
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
pub struct SpecFile {
    /// The spec file
    #[arg(
        short = 'f',
        long = "file",
        default_value = "trailctl.yaml",
        value_name = "FILE"
    )]
    pub file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// Take over same-named trails and buckets that exist without trailctl's tags
    #[arg(long)]
    pub adopt: bool,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// Take over same-named trails and buckets that exist without trailctl's tags
    #[arg(long)]
    pub adopt: bool,
    /// Apply without asking (required when there is no terminal to ask on)
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow changes that reduce audit logging (delete a trail, stop logging, fewer events…)
    #[arg(long)]
    pub allow_destroy: bool,
}
