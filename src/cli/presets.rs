//! `trailctl presets list` and `trailctl presets show ID`: the embedded preset catalogue.

use crate::cli::args::{PresetFormat, PresetsCommand};
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session::json_line;
use crate::exit::Exit;
use crate::model::presets::{self, Preset};

pub fn run(command: &PresetsCommand, io: &mut Io<'_>) -> CliResult {
    match command {
        PresetsCommand::List { format } => {
            let all = presets::all();
            if *format == PresetFormat::Json {
                json_line(io, &all, true)?;
                return Ok(Exit::Success);
            }
            let width = all.iter().map(|p| p.id.len()).max().unwrap_or(0);
            writeln!(
                io.stdout,
                "{:width$}  {:9}  {:13}  {:22}  TITLE",
                "ID", "CIS", "SECURITY HUB", "SCOPE"
            )?;
            for p in all {
                writeln!(
                    io.stdout,
                    "{:width$}  {:9}  {:13}  {:22}  {}",
                    p.id,
                    p.cis
                        .as_ref()
                        .map_or("-".to_owned(), |c| format!("{}/{}", c.v1_4_to_v3, c.v6)),
                    p.security_hub.as_deref().unwrap_or("-"),
                    p.scope.name(),
                    p.title
                )?;
            }
            writeln!(
                io.stdout,
                "\nSets: {} (in a spec: `- preset: cis` or `- preset: ID`, with `notify:`)",
                presets::SETS.join(", ")
            )?;
            Ok(Exit::Success)
        }
        PresetsCommand::Show { id, format } => {
            let p = presets::find(id).ok_or_else(|| {
                CliError::Input(format!(
                    "unknown preset `{id}`; `trailctl presets list` shows them all"
                ))
            })?;
            if *format == PresetFormat::Json {
                json_line(io, p, true)?;
            } else {
                show(io, p)?;
            }
            Ok(Exit::Success)
        }
    }
}

fn show(io: &mut Io<'_>, p: &Preset) -> std::io::Result<()> {
    let out = &mut *io.stdout;
    writeln!(out, "{}: {}\n", p.id, p.title)?;
    writeln!(out, "{}\n", p.description)?;
    if let Some(c) = &p.cis {
        writeln!(
            out,
            "CIS:          {} (v1.4–v3.0), {} (v6.0)",
            c.v1_4_to_v3, c.v6
        )?;
    }
    if let Some(h) = &p.security_hub {
        writeln!(out, "Security Hub: {h}")?;
    }
    writeln!(out, "Sets:         {}", p.sets.join(", "))?;
    writeln!(out, "Scope:        {}", p.scope.name())?;
    writeln!(
        out,
        "Rule state:   {}",
        if p.read_only_events {
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (its events include read-only calls)"
        } else {
            "ENABLED"
        }
    )?;
    if let Some(m) = &p.message {
        writeln!(out, "Message:      {m}")?;
    }
    writeln!(
        out,
        "\nPattern:\n{}",
        serde_json::to_string_pretty(&p.pattern).unwrap_or_default()
    )?;
    match (&p.filter, &p.filter_source) {
        (Some(f), Some(source)) => writeln!(
            out,
            "\nMetric filter (backend: metric_filter):\n{f}\n  from {source}"
        )?,
        _ => writeln!(
            out,
            "\nMetric filter (backend: metric_filter): said from the pattern"
        )?,
    }
    writeln!(out, "\nFixtures:")?;
    for (list, expect) in [
        (&p.fixtures.matching, "match"),
        (&p.fixtures.no_match, "no match"),
    ] {
        for f in list {
            writeln!(
                out,
                "  {expect:8}  {} ({})",
                f.record["eventName"].as_str().unwrap_or("?"),
                f.source
            )?;
            if let Some(why) = &f.filter_differs {
                writeln!(
                    out,
                    "            the metric filter decides otherwise: {why}"
                )?;
            }
        }
    }
    writeln!(out, "\nReferences:")?;
    for r in &p.references {
        writeln!(out, "  {r}")?;
    }
    Ok(())
}
