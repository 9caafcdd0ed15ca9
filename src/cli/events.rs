//! `trailctl events match` and `trailctl events validate-pattern`: the pattern engine on the
//! command line, offline.

use crate::cli::args::{EventsCommand, MatchArgs};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::inputs;
use crate::cli::run::Io;
use crate::exit::Exit;
use crate::pattern::{Pattern, RuleSet, Scratch};

/// Pattern files larger than this are refused (a pattern is at most a few KiB).
const MAX_PATTERN_FILE: u64 = 1024 * 1024;

pub fn run(cmd: EventsCommand, config: &Config, io: &mut Io<'_>) -> CliResult {
    match cmd {
        EventsCommand::Match(a) => match_events(&a, config, io),
        EventsCommand::ValidatePattern { pattern } => {
            load(&pattern)?;
            writeln!(io.stdout, "{}", config.stdout_color.green("valid"))?;
            Ok(Exit::Success)
        }
    }
}

/// The pattern given inline (JSON text) or as a file holding it.
fn load(arg: &str) -> Result<Pattern, CliError> {
    let inline = arg.trim_start().starts_with(['{', '[']);
    let text = if inline {
        arg.to_owned()
    } else {
        let unreadable = |e: std::io::Error| CliError::Read(format!("cannot read {arg}: {e}"));
        let meta = std::fs::metadata(arg).map_err(unreadable)?;
        if meta.len() > MAX_PATTERN_FILE {
            return Err(CliError::Input(format!(
                "{arg}: larger than 1 MiB; not a pattern"
            )));
        }
        std::fs::read_to_string(arg).map_err(unreadable)?
    };
    let name = if inline { "the pattern" } else { arg };
    Pattern::parse(text.trim()).map_err(|e| CliError::Pattern(format!("{name} is invalid: {e}")))
}

fn match_events(a: &MatchArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let pattern = load(&a.pattern)?;
    // Every input is read before anything is printed: a bad file fails the whole run.
    let mut events = Vec::new();
    for f in &a.files {
        let list = inputs::read(f, &f.display().to_string(), a.raw)
            .map_err(|e| CliError::Input(e.to_string()))?;
        events.extend(list);
    }
    let rules = RuleSet::new(vec![(String::new(), pattern)]);
    let mut scratch = Scratch::default();
    let mut any = false;
    for input in &events {
        let matched = !rules
            .matches(&input.event.to_string(), &mut scratch)
            .map_err(|e| CliError::Input(format!("{}: {e}", input.label)))?
            .is_empty();
        any |= matched;
        let verdict = if matched {
            config.stdout_color.green("match")
        } else {
            "no match".to_owned()
        };
        writeln!(io.stdout, "{}: {verdict}", input.label)?;
    }
    Ok(if any { Exit::Success } else { Exit::NoMatch })
}
