//! `trailctl query SQL`: SQL over a trail's logs, run in the trail's Athena workgroup with its
//! database as the default schema; rows as a table, JSON or CSV, and what it scanned on stderr.

use std::time::Duration;

use crate::cli::args::{QueryArgs, QueryFormat};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session;
use crate::cli::validate;
use crate::exit::Exit;
use crate::live::aws::connect;
use crate::model::athena::Athena;
use crate::model::desired::{Desired, Trail};
use crate::query::{self, Target};
use crate::render::query as report;

/// The trail `name` names (or the spec's only trail with `athena:`) and its `athena:`.
pub fn athena_trail<'a>(
    d: &'a Desired,
    name: Option<&str>,
) -> Result<(&'a Trail, &'a Athena), CliError> {
    let with: Vec<(&Trail, &Athena)> = d
        .trails
        .iter()
        .filter_map(|t| t.athena.as_ref().map(|a| (t, a)))
        .collect();
    match name {
        Some(n) => {
            let t = d.trails.iter().find(|t| t.name == n).ok_or_else(|| {
                CliError::Flags(vec![format!("--trail {n}: the spec has no such trail")])
            })?;
            let a = t.athena.as_ref().ok_or_else(|| {
                CliError::Flags(vec![format!(
                    "--trail {n}: the trail has no `athena:` (its table, database and workgroup)"
                )])
            })?;
            Ok((t, a))
        }
        None => match with.as_slice() {
            [one] => Ok(*one),
            [] => Err(CliError::Flags(vec![
                "no trail of the spec has `athena:`: add one (docs/spec.md) and apply it"
                    .to_owned(),
            ])),
            many => Err(CliError::Flags(vec![format!(
                "{} trails have `athena:` ({}): say which with --trail",
                many.len(),
                many.iter()
                    .map(|(t, _)| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )])),
        },
    }
}

/// Where a trail's queries run.
pub fn target(d: &Desired, a: &Athena) -> Target {
    Target {
        region: d.home_region.clone(),
        workgroup: a.workgroup.clone(),
        database: a.database.clone(),
    }
}

pub fn run(a: &QueryArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let desired = validate::load(&a.spec, config, io)?.desired;
    let (_, athena) = athena_trail(&desired, a.trail.as_deref())?;
    let sql = if a.sql == "-" {
        let mut text = String::new();
        io.stdin
            .read_to_string(&mut text)
            .map_err(|e| CliError::Input(format!("reading the SQL from standard input: {e}")))?;
        text
    } else {
        a.sql.clone()
    };
    if sql.trim().is_empty() {
        return Err(CliError::Flags(vec!["the SQL is empty".to_owned()]));
    }
    let at = target(&desired, athena);
    let runtime = session::runtime()?;
    let account = runtime
        .block_on(connect(&config.aws, &desired.home_region))
        .map_err(|e| CliError::Live(e.message))?;
    let answer = runtime
        .block_on(query::run(
            &account,
            &at,
            &sql,
            Duration::from_secs(a.timeout),
        ))
        .map_err(|e| CliError::Live(e.to_string()))?;
    match a.format {
        QueryFormat::Table => report::table(io.stdout, &answer)?,
        QueryFormat::Json => report::json(io.stdout, &answer)?,
        QueryFormat::Csv => report::csv(io.stdout, &answer)?,
    }
    writeln!(
        io.stderr,
        "{} rows; scanned {} in workgroup {} (query {})",
        answer.rows.len(),
        answer
            .bytes_scanned
            .map_or_else(|| "an unknown amount".to_owned(), bytes),
        at.workgroup,
        answer.id
    )?;
    Ok(Exit::Success)
}

/// `1.2 MB`, in the decimal units Athena bills by.
fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} KB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}
