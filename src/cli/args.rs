//! Raw command-line flags (clap derive). Nothing past `config` sees these.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  trailctl validate                      Check ./trailctl.yaml
  trailctl validate -f examples/baseline.yaml
  trailctl completions bash > /etc/bash_completion.d/trailctl

Exit codes:
  0  success (validate: the spec is valid)
  1  error: invalid spec, bad usage, a failed AWS call

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
