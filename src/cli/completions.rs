//! `trailctl completions SHELL`: print a completion script.

use clap::CommandFactory;

use crate::cli::args::Args;
use crate::cli::error::CliResult;
use crate::cli::run::Io;
use crate::exit::Exit;

/// The script is made in memory first: clap_complete panics on a write that fails.
pub fn run(shell: clap_complete::Shell, io: &mut Io<'_>) -> CliResult {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "trailctl", &mut script);
    io.stdout.write_all(&script)?;
    Ok(Exit::Success)
}
