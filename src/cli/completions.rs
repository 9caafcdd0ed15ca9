//! `trailctl completions SHELL`: print a completion script.

use clap::CommandFactory;

use crate::cli::args::Args;
use crate::cli::run::Io;
use crate::exit::Exit;

pub fn run(shell: clap_complete::Shell, io: &mut Io<'_>) -> Exit {
    clap_complete::generate(shell, &mut Args::command(), "trailctl", io.stdout);
    Exit::Success
}
