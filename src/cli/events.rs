//! `trailctl events match` and `trailctl events validate-pattern`: the pattern engine on the
//! command line, offline.

use crate::cli::args::{EventsCommand, MatchArgs};
use crate::cli::config::Config;
use crate::cli::inputs;
use crate::cli::run::Io;
use crate::exit::Exit;
use crate::pattern::{Pattern, RuleSet, Scratch};

/// Pattern files larger than this are refused (a pattern is at most a few KiB).
const MAX_PATTERN_FILE: u64 = 1024 * 1024;

pub fn run(cmd: EventsCommand, config: &Config, io: &mut Io<'_>) -> Exit {
    match cmd {
        EventsCommand::Match(a) => match_events(&a, config, io),
        EventsCommand::ValidatePattern { pattern } => match load(&pattern) {
            Ok(_) => {
                let _ = writeln!(io.stdout, "{}", config.stdout_color.green("valid"));
                Exit::Success
            }
            Err(message) => fail(config, io, &message),
        },
    }
}

fn fail(config: &Config, io: &mut Io<'_>, message: &str) -> Exit {
    let _ = writeln!(io.stderr, "{}: {message}", config.stderr_color.red("error"));
    Exit::Failure
}

/// The pattern given inline (JSON text) or as a file holding it.
fn load(arg: &str) -> Result<Pattern, String> {
    let inline = arg.trim_start().starts_with(['{', '[']);
    let text = if inline {
        arg.to_owned()
    } else {
        let meta = std::fs::metadata(arg).map_err(|e| format!("cannot read {arg}: {e}"))?;
        if meta.len() > MAX_PATTERN_FILE {
            return Err(format!("{arg}: larger than 1 MiB; not a pattern"));
        }
        std::fs::read_to_string(arg).map_err(|e| format!("cannot read {arg}: {e}"))?
    };
    let name = if inline { "the pattern" } else { arg };
    Pattern::parse(text.trim()).map_err(|e| format!("{name} is invalid: {e}"))
}

fn match_events(a: &MatchArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let pattern = match load(&a.pattern) {
        Ok(p) => p,
        Err(message) => return fail(config, io, &message),
    };
    // Every input is read before anything is printed: a bad file fails the whole run.
    let mut events = Vec::new();
    for f in &a.files {
        match inputs::read(f, &f.display().to_string(), a.raw) {
            Ok(list) => events.extend(list),
            Err(e) => return fail(config, io, &e.to_string()),
        }
    }
    let rules = RuleSet::new(vec![(String::new(), pattern)]);
    let mut scratch = Scratch::default();
    let mut any = false;
    for input in &events {
        let matched = match rules.matches(&input.event.to_string(), &mut scratch) {
            Ok(m) => !m.is_empty(),
            Err(e) => return fail(config, io, &format!("{}: {e}", input.label)),
        };
        any |= matched;
        let verdict = if matched {
            config.stdout_color.green("match")
        } else {
            "no match".to_owned()
        };
        let _ = writeln!(io.stdout, "{}: {verdict}", input.label);
    }
    if any { Exit::Success } else { Exit::NoMatch }
}
