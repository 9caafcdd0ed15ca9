//! `run`: parse the arguments, set up logging and colour, dispatch to one command.

use std::ffi::OsString;
use std::io::{BufRead, Write};

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::args::{Args, Command};
use crate::cli::config::{Config, Terminal};
use crate::cli::output::Output;
use crate::cli::{
    apply, backtest, completions, drift, events, plan, presets, show, test, validate,
};
use crate::exit::Exit;

/// The process's standard streams, and whether each is a terminal.
pub struct Io<'a> {
    /// Read only to confirm `apply` on a terminal.
    pub stdin: &'a mut dyn BufRead,
    pub stdin_is_terminal: bool,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
}

/// Runs trailctl with `args` (program name first) and returns the exit code. Standard output
/// that could not be written (a full disk, a closed file) is an error: exit 1 with one message
/// on stderr. A closed pipe (`trailctl … | head`) is not: the command's own code, quietly.
pub fn run<I, T>(args: I, io: &mut Io<'_>) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut stdout = Output::new(&mut *io.stdout);
    let mut tracked = Io {
        stdin: &mut *io.stdin,
        stdin_is_terminal: io.stdin_is_terminal,
        stdout: &mut stdout,
        stderr: &mut *io.stderr,
        stdout_is_terminal: io.stdout_is_terminal,
        stderr_is_terminal: io.stderr_is_terminal,
    };
    let code = command(args, &mut tracked);
    // Buffered output reaches the file only here: its failure counts as much as any other.
    let flushed = tracked.stdout.flush();
    match stdout.failure() {
        None if flushed.is_ok() => code,
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        failure => {
            let reason = failure.map_or_else(
                || flushed.err().map(|e| e.to_string()).unwrap_or_default(),
                ToString::to_string,
            );
            // Nothing more can be said if stderr fails too: the exit code still says it.
            if writeln!(
                io.stderr,
                "error: cannot write to standard output: {reason}"
            )
            .is_err()
            {
                return Exit::Failure;
            }
            Exit::Failure
        }
    }
}

fn command<I, T>(args: I, io: &mut Io<'_>) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let (out, code) = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    (&mut io.stdout, Exit::Success)
                }
                _ => (&mut io.stderr, Exit::Failure),
            };
            let _ = write!(out, "{e}");
            return code;
        }
    };
    init_logging(args.global.verbose);
    let term = Terminal {
        stdout: io.stdout_is_terminal,
        stderr: io.stderr_is_terminal,
        no_color_env: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    };
    let config = Config::new(&args.global, term);
    tracing::debug!(?config, "configuration");
    match args.command {
        Command::Validate(a) => validate::run(&a, &config, io),
        Command::Plan(a) => plan::run(&a, &config, io),
        Command::Apply(a) => apply::run(&a, &config, io),
        Command::Show(a) => show::run(&a, &config, io),
        Command::Drift(a) => drift::run(&a, &config, io),
        Command::Test(a) => test::run(&a, &config, io),
        Command::Backtest(a) => backtest::run(&a, &config, io),
        Command::Events(e) => events::run(e, &config, io),
        Command::Presets(p) => presets::run(&p, &config, io),
        Command::Completions { shell } => completions::run(shell, io),
    }
}

/// Tracing to stderr at a level set by `-v`; silent without it. Set up once per process.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(format!(
            "trailctl={level},aws_config=info"
        )))
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
