//! `trailctl import sigma PATH...`: Sigma rules read, each said as alerts or refused, the
//! alerts written as a spec fragment, and a report of every rule on standard error. A file that
//! is not Sigma stops the command before anything is written.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::args::{ImportBackend, ImportCommand, PresetFormat, SigmaArgs};
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::output::write_new;
use crate::exit::Exit;
use crate::model::alert::Backend;
use crate::sigma::write::{Options, Outcome, fragment};
use crate::sigma::{self, Imported, Verdict};

pub fn run(command: &ImportCommand, io: &mut Io<'_>) -> CliResult {
    match command {
        ImportCommand::Sigma(a) => sigma_rules(a, io),
    }
}

#[derive(Serialize)]
struct Row<'a> {
    file: String,
    #[serde(flatten)]
    rule: &'a Imported,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

fn sigma_rules(a: &SigmaArgs, io: &mut Io<'_>) -> CliResult {
    let mut files = Vec::new();
    for p in &a.paths {
        collect(p, &mut files)?;
    }
    if files.is_empty() {
        return Err(CliError::Input(
            "no .yml or .yaml file under the paths given".to_owned(),
        ));
    }
    let mut rules: Vec<(String, Imported)> = Vec::new();
    let mut bad = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let text =
            std::fs::read_to_string(f).map_err(|e| CliError::Read(format!("{name}: {e}")))?;
        match sigma::import(&text) {
            Ok(rs) => rules.extend(rs.into_iter().map(|r| (name.clone(), r))),
            Err(errors) => bad.extend(
                errors
                    .into_iter()
                    .map(|e| format!("{name}:{}:{}: {}", e.line, e.column, e.message)),
            ),
        }
    }
    if !bad.is_empty() {
        return Err(CliError::Input(format!(
            "not Sigma, nothing written:\n  {}",
            bad.join("\n  ")
        )));
    }
    let opts = Options {
        notify: a.notify.clone(),
        approximate: a.approximate,
        backend: match a.backend {
            ImportBackend::Eventbridge => Backend::EventBridge,
            ImportBackend::MetricFilter => Backend::MetricFilter,
            ImportBackend::Both => Backend::Both,
        },
    };
    let refs: Vec<&Imported> = rules.iter().map(|(_, r)| r).collect();
    let (text, outcomes) = fragment(&refs, &opts);
    let written: usize = outcomes.iter().map(|o| o.alerts.len()).sum();
    match &a.output {
        Some(path) => write_new(path, &text)?,
        None => io.stdout.write_all(text.as_bytes())?,
    }
    let rows: Vec<Row<'_>> = rules
        .iter()
        .zip(&outcomes)
        .map(|((file, rule), outcome)| Row {
            file: file.clone(),
            rule,
            outcome,
        })
        .collect();
    let count = |f: fn(&Verdict) -> bool| rows.iter().filter(|r| f(&r.rule.verdict)).count();
    let exact = count(|v| matches!(v, Verdict::Exact));
    let approximate = count(|v| matches!(v, Verdict::Approximate { .. }));
    let refused = count(|v| matches!(v, Verdict::Refused { .. }));
    let all_written = rows.iter().all(|r| !r.outcome.alerts.is_empty());
    let target = a
        .output
        .as_ref()
        .map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
    if a.format == PresetFormat::Json {
        let report = serde_json::json!({
            "rules": rows,
            "exact": exact,
            "approximate": approximate,
            "refused": refused,
            "alerts_written": written,
            "output": target,
        });
        writeln!(io.stderr, "{report}")?;
    } else {
        human(io, &rows, a.approximate)?;
        writeln!(
            io.stderr,
            "{} rules: {exact} exact, {approximate} approximate, {refused} refused; {written} alerts written to {target}",
            rows.len()
        )?;
    }
    Ok(if all_written {
        Exit::Success
    } else {
        Exit::PartlyImported
    })
}

fn human(io: &mut Io<'_>, rows: &[Row<'_>], approximate: bool) -> std::io::Result<()> {
    for r in rows {
        let at = format!("{}:{}", r.file, r.rule.line);
        match &r.rule.verdict {
            Verdict::Exact => writeln!(
                io.stderr,
                "exact        {at}  {} -> {}",
                r.rule.title,
                r.outcome.alerts.join(", ")
            )?,
            Verdict::Approximate { differences } => {
                let what = if approximate {
                    format!("-> {}", r.outcome.alerts.join(", "))
                } else {
                    "(not written: --approximate writes it)".to_owned()
                };
                writeln!(io.stderr, "approximate  {at}  {} {what}", r.rule.title)?;
                for d in differences {
                    writeln!(io.stderr, "             - {d}")?;
                }
            }
            Verdict::Refused { reason } => {
                writeln!(io.stderr, "refused      {at}  {}: {reason}", r.rule.title)?;
            }
        }
        if let Some(n) = &r.outcome.backend_note {
            writeln!(io.stderr, "             {n}")?;
        }
    }
    Ok(())
}

/// The rule files at `p`: the file itself, or the .yml and .yaml files under a directory, in
/// name order.
fn collect(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    if !p.is_dir() {
        if !p.exists() {
            return Err(CliError::Read(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
        out.push(p.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(|e| CliError::Read(format!("{}: {e}", p.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            collect(&e, out)?;
        } else if e.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(e);
        }
    }
    Ok(())
}
