//! `trailctl validate`: check a spec offline and report every problem at once.

use crate::cli::args::{SpecFile, ValidateArgs, ValidateFormat};
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::exit::Exit;
use crate::model::diagnostic::Severity;
use crate::render::{diagnostics, sarif};
use crate::spec::{self, LoadError, Loaded};

pub fn run(args: &ValidateArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let spec = &args.spec;
    if args.format != ValidateFormat::Human {
        return document(args, config, io);
    }
    let name = spec.file.display().to_string();
    match load(spec, config, io) {
        Some(loaded) => {
            let d = &loaded.desired;
            let plural = diagnostics::plural;
            let mut counts = vec![
                plural(d.trails.len(), "trail"),
                plural(d.buckets.len(), "bucket"),
            ];
            if !d.topics.is_empty() || !d.alerts.is_empty() {
                counts.push(plural(d.topics.len(), "topic"));
                counts.push(plural(d.alerts.len(), "alert"));
            }
            let _ = writeln!(
                io.stdout,
                "{name}: {} ({}; {})",
                config.stdout_color.green("valid"),
                counts.join(", "),
                diagnostics::findings(&loaded.warnings),
            );
            Exit::Success
        }
        None => Exit::Failure,
    }
}

/// Loads the spec, printing its warnings and notes, or every error (then `None`: no AWS call
/// follows). With `--deny-warnings`, warnings fail it too.
pub fn load(spec: &SpecFile, config: &Config, io: &mut Io<'_>) -> Option<Loaded> {
    let file = &spec.file;
    let name = file.display().to_string();
    match spec::load(file) {
        Ok(loaded) => {
            let _ = diagnostics::write(io.stderr, &name, &loaded.warnings, config.stderr_color);
            let warnings = loaded
                .warnings
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            if spec.deny_warnings && warnings > 0 {
                let _ = writeln!(
                    io.stderr,
                    "{name}: {} ({} and --deny-warnings)",
                    config.stderr_color.red("refused"),
                    diagnostics::plural(warnings, "warning")
                );
                return None;
            }
            Some(loaded)
        }
        Err(LoadError::Invalid(found)) => {
            let _ = diagnostics::write(io.stderr, &name, &found, config.stderr_color);
            let _ = writeln!(
                io.stderr,
                "{name}: invalid ({})",
                diagnostics::summary(&found)
            );
            None
        }
        Err(e @ LoadError::Read { .. }) => {
            let _ = writeln!(io.stderr, "{}: {e}", config.stderr_color.red("error"));
            None
        }
    }
}

/// Every finding as one document on stdout (JSON or SARIF), none on stderr; the exit code is
/// the human form's.
fn document(args: &ValidateArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let file = &args.spec.file;
    let (found, valid) = match spec::load(file) {
        Ok(loaded) => (loaded.warnings, true),
        Err(LoadError::Invalid(found)) => (found, false),
        Err(e @ LoadError::Read { .. }) => {
            let _ = writeln!(io.stderr, "{}: {e}", config.stderr_color.red("error"));
            return Exit::Failure;
        }
    };
    let name = file.display().to_string();
    let text = match args.format {
        ValidateFormat::Sarif => serde_json::to_string_pretty(&sarif::log(&name, &found)),
        _ => serde_json::to_string_pretty(&sarif::json(&name, valid, &found)),
    };
    let written = match text {
        Ok(t) => writeln!(io.stdout, "{t}"),
        Err(e) => {
            let _ = writeln!(io.stderr, "error: cannot write JSON: {e}");
            return Exit::Failure;
        }
    };
    let warned = found.iter().any(|d| d.severity == Severity::Warning);
    if written.is_err() || !valid || (args.spec.deny_warnings && warned) {
        Exit::Failure
    } else {
        Exit::Success
    }
}
