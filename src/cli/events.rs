//! `trailctl events match` and `trailctl events validate-pattern`: the pattern engine (and the
//! CloudWatch Logs filter engine) on the command line, offline.

use crate::cli::args::{EventsCommand, MatchArgs};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::inputs;
use crate::cli::io::Io;
use crate::exit::Exit;
use crate::filter::Filter;
use crate::pattern::{Pattern, RuleSet, Scratch};
use crate::verdict::log_record;

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

/// The text of a pattern or filter given inline (`inline` decides) or as a file holding it.
fn text_of(arg: &str, inline: bool, what: &str) -> Result<String, CliError> {
    if inline {
        return Ok(arg.to_owned());
    }
    let unreadable = |e: std::io::Error| CliError::Read(format!("cannot read {arg}: {e}"));
    let meta = std::fs::metadata(arg).map_err(unreadable)?;
    if meta.len() > MAX_PATTERN_FILE {
        return Err(CliError::Input(format!(
            "{arg}: larger than 1 MiB; not {what}"
        )));
    }
    std::fs::read_to_string(arg).map_err(unreadable)
}

/// The pattern given inline (JSON text) or as a file holding it.
fn load(arg: &str) -> Result<Pattern, CliError> {
    let inline = arg.trim_start().starts_with(['{', '[']);
    let text = text_of(arg, inline, "a pattern")?;
    let name = if inline { "the pattern" } else { arg };
    Pattern::parse(text.trim()).map_err(|e| CliError::Pattern(format!("{name} is invalid: {e}")))
}

/// The filter given inline (`{ … }`) or as a file holding it.
fn load_filter(arg: &str) -> Result<Filter, CliError> {
    let inline = arg.trim_start().starts_with('{');
    let text = text_of(arg, inline, "a filter pattern")?;
    let name = if inline { "the filter" } else { arg };
    Filter::parse(text.trim()).map_err(|e| CliError::Pattern(format!("{name} is invalid: {e}")))
}

/// How each event is decided: an EventBridge pattern on the event, or a filter on its record.
enum Matching {
    Rule(Box<(RuleSet, Scratch)>),
    Filter(Filter),
}

impl Matching {
    fn matches(&mut self, event: &serde_json::Value) -> Result<bool, String> {
        match self {
            Matching::Rule(rule) => {
                let (rules, scratch) = &mut **rule;
                rules
                    .matches(&event.to_string(), scratch)
                    .map(|m| !m.is_empty())
                    .map_err(|e| e.to_string())
            }
            Matching::Filter(f) => Ok(f.matches(log_record(event))),
        }
    }
}

fn match_events(a: &MatchArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let mut matching = match (&a.pattern, &a.filter) {
        (_, Some(f)) => Matching::Filter(load_filter(f)?),
        (Some(p), None) => Matching::Rule(Box::new((
            RuleSet::new(vec![(String::new(), load(p)?)]),
            Scratch::default(),
        ))),
        (None, None) => {
            return Err(CliError::Usage("give --pattern or --filter".to_owned()));
        }
    };
    // Every input is read before anything is printed: a bad file fails the whole run.
    let mut events = Vec::new();
    for f in &a.files {
        let list = inputs::read(f, &f.display().to_string(), a.raw)
            .map_err(|e| CliError::Input(e.to_string()))?;
        events.extend(list);
    }
    let mut any = false;
    for input in &events {
        let matched = matching
            .matches(&input.event)
            .map_err(|e| CliError::Input(format!("{}: {e}", input.label)))?;
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
