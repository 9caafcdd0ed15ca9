//! `run`: parse the arguments, set up logging and colour, dispatch to one command.

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::args::{Args, Command};
use crate::cli::config::{Config, Terminal};
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::Output;
use crate::cli::{
    apply, backtest, completions, drift, events, import, init, investigate, plan, policy, presets,
    query, show, test, validate,
};
use crate::exit::Exit;
use crate::render::style::Color;

use crate::cli::io::Io;

/// Runs trailctl with `args` (program name first) and returns the exit code. A command's
/// failure is told here, once. Standard output that could not be written (a full disk, a closed
/// file) is an error: exit 1 with one message on stderr. A closed pipe (`trailctl … | head`) is
/// not: the command ends quietly.
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
    let (outcome, color) = command(args, &mut tracked);
    // Buffered output reaches the file only here: its failure counts as much as any other.
    let flushed = tracked.stdout.flush();
    let outcome = match stdout.failure() {
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => match outcome {
            Err(CliError::Write(..)) => Ok(Exit::Success),
            other => other,
        },
        Some(e) => match outcome {
            Ok(_) | Err(CliError::Write(..)) => {
                Err(CliError::from(std::io::Error::new(e.kind(), e.to_string())))
            }
            other => other,
        },
        None => flushed.map_err(CliError::from).and(outcome),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            tell(io.stderr, color, &e);
            Exit::Failure
        }
    }
}

/// Writes a failure to stderr: `error: …` for each message, its details as they are. If stderr
/// fails too nothing more can be said; the exit code still says it.
fn tell(stderr: &mut dyn Write, color: Color, e: &CliError) {
    for (i, line) in e.lines().iter().enumerate() {
        let written = if e.is_message(i) {
            writeln!(stderr, "{}: {line}", color.red("error"))
        } else {
            writeln!(stderr, "{line}")
        };
        if written.is_err() {
            return;
        }
    }
}

/// Parses the arguments and runs one command; its outcome, and the colour for stderr.
fn command<I, T>(args: I, io: &mut Io<'_>) -> (CliResult, Color)
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let outcome = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => write!(io.stdout, "{e}")
                    .map(|()| Exit::Success)
                    .map_err(CliError::from),
                _ => Err(CliError::Usage(e.to_string())),
            };
            return (outcome, Color::Never);
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
    let outcome = match args.command {
        Command::Validate(a) => validate::run(&a, &config, io),
        Command::Plan(a) => plan::run(&a, &config, io),
        Command::Apply(a) => apply::run(&a, &config, io),
        Command::Show(a) => show::run(&a, &config, io),
        Command::Drift(a) => drift::run(&a, &config, io),
        Command::Test(a) => test::run(&a, &config, io),
        Command::Backtest(a) => backtest::run(&a, &config, io),
        Command::Investigate(a) => investigate::run(&a, &config, io),
        Command::Init(a) => init::run(&a, &config, io),
        Command::Query(a) => query::run(&a, &config, io),
        Command::Policy(a) => policy::run(&a, &config, io),
        Command::Events(e) => events::run(e, &config, io),
        Command::Presets(p) => presets::run(&p, io),
        Command::Import(i) => import::run(&i, io),
        Command::Completions { shell } => completions::run(shell, io),
        Command::Schema => completions::schema(io),
        Command::Man { dir } => completions::man(dir.as_deref(), io),
    };
    (outcome, config.stderr_color)
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
