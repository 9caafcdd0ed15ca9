//! `trailctl completions SHELL`, `trailctl man` and `trailctl schema`: a completion script and
//! the manual pages from the clap definitions `--help` shows, and the spec's JSON Schema from the
//! spec reader's tables.

use clap::CommandFactory;

use crate::cli::args::Args;
use crate::cli::error::CliResult;
use crate::cli::io::Io;
use crate::exit::Exit;

/// The script is made in memory first: clap_complete panics on a write that fails.
pub fn run(shell: clap_complete::Shell, io: &mut Io<'_>) -> CliResult {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "trailctl", &mut script);
    io.stdout.write_all(&script)?;
    Ok(Exit::Success)
}

/// The spec's JSON Schema on stdout.
pub fn schema(io: &mut Io<'_>) -> CliResult {
    let text = format!("{:#}\n", crate::spec::schema::spec_schema());
    io.stdout.write_all(text.as_bytes())?;
    Ok(Exit::Success)
}

/// The main page on stdout, or every page (one per command) into `dir`.
pub fn man(dir: Option<&std::path::Path>, io: &mut Io<'_>) -> CliResult {
    match dir {
        Some(dir) => clap_mangen::generate_to(Args::command(), dir)
            .map_err(|e| crate::cli::error::CliError::write_to(dir, e))?,
        None => {
            // Made in memory first, as the completion script: a failed write is ours to tell.
            let mut page = Vec::new();
            clap_mangen::Man::new(Args::command()).render(&mut page)?;
            io.stdout.write_all(&page)?;
        }
    }
    Ok(Exit::Success)
}
