//! `trailctl completions SHELL`: print a completion script.

use clap::CommandFactory;

use crate::cli::args::Args;
use crate::cli::run::Io;
use crate::exit::Exit;

/// The script is made in memory first: clap_complete panics on a write that fails.
pub fn run(shell: clap_complete::Shell, io: &mut Io<'_>) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "trailctl", &mut script);
    match io.stdout.write_all(&script) {
        Ok(()) => Exit::Success,
        // A closed pipe (`| head`) ends quietly; `run` reports any other failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(_) => Exit::Failure,
    }
}
