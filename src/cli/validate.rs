//! `trailctl validate`: check a spec offline and report every problem at once.

use crate::cli::args::{SpecFile, ValidateArgs, ValidateFormat};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::exit::Exit;
use crate::model;
use crate::model::diagnostic::Severity;
use crate::render::{cis, diagnostics, sarif};
use crate::spec::{self, LoadError, Loaded};

pub fn run(args: &ValidateArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let spec = &args.spec;
    if args.format != ValidateFormat::Human {
        return document(args, io);
    }
    let name = spec.file.display().to_string();
    let loaded = load(spec, config, io)?;
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
    writeln!(
        io.stdout,
        "{name}: {} ({}; {})",
        config.stdout_color.green("valid"),
        counts.join(", "),
        diagnostics::findings(&loaded.warnings),
    )?;
    cis::human(io.stdout, &model::cis::report(d), config.stdout_color)?;
    cis::prowler_human(io.stdout, &model::prowler::report(d), config.stdout_color)?;
    Ok(Exit::Success)
}

/// Loads the spec, writing its warnings and notes, or every error (then no AWS call follows).
/// With `--deny-warnings`, warnings fail it too.
pub fn load(spec: &SpecFile, config: &Config, io: &mut Io<'_>) -> Result<Loaded, CliError> {
    let file = &spec.file;
    let name = file.display().to_string();
    match spec::load(file) {
        Ok(loaded) => {
            crate::access::denied::install(file, &loaded.desired);
            diagnostics::write(io.stderr, &name, &loaded.warnings, config.stderr_color)?;
            let warnings = loaded
                .warnings
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            if spec.deny_warnings && warnings > 0 {
                return Err(CliError::DeniedWarnings {
                    file: name,
                    warnings: diagnostics::plural(warnings, "warning"),
                });
            }
            Ok(loaded)
        }
        Err(LoadError::Invalid(found)) => {
            diagnostics::write(io.stderr, &name, &found, config.stderr_color)?;
            Err(CliError::InvalidSpec {
                file: name,
                summary: diagnostics::summary(&found),
            })
        }
        Err(e @ LoadError::Read { .. }) => Err(CliError::Read(e.to_string())),
    }
}

/// Every finding as one document on stdout (JSON or SARIF), none on stderr; the exit code is
/// the human form's.
fn document(args: &ValidateArgs, io: &mut Io<'_>) -> CliResult {
    let file = &args.spec.file;
    let (found, valid, controls) = match spec::load(file) {
        Ok(loaded) => {
            let controls = model::cis::report(&loaded.desired);
            let prowler = model::prowler::report(&loaded.desired);
            (loaded.warnings, true, (controls, prowler))
        }
        Err(LoadError::Invalid(found)) => (found, false, (Vec::new(), Vec::new())),
        Err(e @ LoadError::Read { .. }) => return Err(CliError::Read(e.to_string())),
    };
    let name = file.display().to_string();
    let text = match args.format {
        ValidateFormat::Sarif => serde_json::to_string_pretty(&sarif::log(&name, &found)),
        _ => serde_json::to_string_pretty(&sarif::Findings {
            cis_checks: cis::json(&controls.0),
            prowler_checks: cis::prowler_json(&controls.1),
            ..sarif::json(&name, valid, &found)
        }),
    }
    .map_err(|e| CliError::Write("JSON".to_owned(), e.into()))?;
    writeln!(io.stdout, "{text}")?;
    let warned = found.iter().any(|d| d.severity == Severity::Warning);
    if !valid || (args.spec.deny_warnings && warned) {
        Ok(Exit::Failure)
    } else {
        Ok(Exit::Success)
    }
}
