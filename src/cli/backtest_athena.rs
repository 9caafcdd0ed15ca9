//! `trailctl backtest --athena`: the spec's alerts counted over the trail's Athena table. Each
//! alert's pattern becomes SQL (`query::pattern_sql`): exact ones are counted as the archive
//! reader would count them, approximate ones are counted and said, the others are not run and
//! said. The window's totals in one query; the alerts in as few as Athena's limit on a query's
//! text allows (one for a few hundred alerts), the number said.

use std::time::Duration;

use crate::archive::layout::{Day, Window};
use crate::archive::listing::Found;
use crate::backtest::athena::{add_groups, add_totals, alerts_queries, totals_sql};
use crate::backtest::tally::Tally;
use crate::cli::args::BacktestArgs;
use crate::cli::backtest_report::finish;
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::query::{athena_trail, target};
use crate::cli::session;
use crate::exit::Exit;
use crate::live::aws::connect;
use crate::model::desired::Desired;
use crate::model::event_sources;
use crate::query::filter_sql::filter_condition;
use crate::query::pattern_sql::{Condition, condition};
use crate::query::sql::Partitions;
use crate::render::backtest::{BacktestView, Context};
use crate::verdict::Standing;

/// The window when `--since` is not given: a query without days reads the whole bucket.
const DEFAULT_DAYS: i64 = 30;

/// How long each query may take.
const TIMEOUT: Duration = Duration::from_secs(1800);

pub fn run(a: &BacktestArgs, config: &Config, io: &mut Io<'_>, desired: &Desired) -> CliResult {
    let today = Day::today();
    let mut problems = Vec::new();
    if !a.sources.is_empty() {
        problems.push("--athena counts over the trail's Athena table: give no SOURCE".to_owned());
    }
    let mut day = |flag: &str, v: &Option<String>, default: Day| match v.as_deref() {
        None => default,
        Some(t) => Window::parse_day(t, today).unwrap_or_else(|e| {
            problems.push(format!("--{flag}: {e}"));
            default
        }),
    };
    let since = day("since", &a.since, Day(today.0 - DEFAULT_DAYS));
    let until = day("until", &a.until, today);
    if !problems.is_empty() {
        return Err(CliError::Flags(problems));
    }
    let (_, athena) = athena_trail(desired, a.trail.as_deref())?;
    let parts = Partitions {
        since,
        until,
        regions: &a.regions,
        accounts: &a.accounts,
    };
    let mut names = Vec::new();
    let mut standings = Vec::new();
    let mut conditions = Vec::new();
    let mut notes = Vec::new();
    // The metric filters come after the rules, as the archive reader reports them.
    let mut filters = Vec::new();
    for alert in &desired.alerts {
        if let Some(m) = &alert.metric {
            let name = format!("{} [metric filter]", alert.name);
            match filter_condition(&m.filter) {
                Condition::Exact(sql) => filters.push((name, alert.enabled, sql)),
                Condition::Approximate(sql, why) => {
                    notes.push(format!(
                        "note: alert {}: its metric filter is counted on Athena approximately: {}",
                        alert.name,
                        why.join("; ")
                    ));
                    filters.push((name, alert.enabled, sql));
                }
                Condition::Unsupported(why) => notes.push(format!(
                    "note: alert {}: its metric filter is not counted on Athena: {why} (backtest it on the archive instead)",
                    alert.name
                )),
            }
        }
        if !alert.backend.eventbridge() {
            continue;
        }
        let sql = match condition(&alert.pattern) {
            Condition::Exact(sql) => sql,
            Condition::Approximate(sql, why) => {
                notes.push(format!(
                    "note: alert {}: counted on Athena approximately: {}",
                    alert.name,
                    why.join("; ")
                ));
                sql
            }
            Condition::Unsupported(why) => {
                notes.push(format!(
                    "note: alert {}: not counted on Athena: {why} (backtest it on the archive instead)",
                    alert.name
                ));
                continue;
            }
        };
        let regions = event_sources::regions(&alert.pattern, &alert.placement, &desired.regions);
        names.push(alert.name.clone());
        standings.push(Standing::of(alert, regions));
        conditions.push(sql);
    }
    for (name, enabled, sql) in filters {
        names.push(name);
        standings.push(Standing::of_filter(enabled));
        conditions.push(sql);
    }
    let totals = totals_sql(&athena.database, &athena.table, &parts);
    let alerts = alerts_queries(&athena.database, &athena.table, &parts, &conditions);
    if a.print_sql {
        writeln!(io.stdout, "{totals};")?;
        for (_, sql) in &alerts {
            writeln!(io.stdout, "\n{sql};")?;
        }
        for n in &notes {
            writeln!(io.stderr, "{n}")?;
        }
        return Ok(Exit::Success);
    }
    let at = target(desired, athena);
    let runtime = session::runtime()?;
    let account = runtime
        .block_on(connect(&config.aws, &desired.home_region))
        .map_err(|e| CliError::Live(e.message))?;
    let ask = |sql: &str| {
        runtime
            .block_on(crate::query::run(&account, &at, sql, TIMEOUT))
            .map_err(|e| CliError::Live(format!("the Athena backtest failed: {e}")))
    };
    let mut tally = Tally::new(names.len());
    add_totals(&mut tally, &ask(&totals)?);
    let refs: Vec<&Standing> = standings.iter().collect();
    for (range, sql) in &alerts {
        add_groups(
            &mut tally.alerts[range.clone()],
            &refs[range.clone()],
            &ask(sql)?,
        );
    }
    notes.push(format!(
        "note: {} Athena {} ran: the window's totals, and the alerts{}",
        alerts.len() + 1,
        if alerts.is_empty() {
            "query"
        } else {
            "queries"
        },
        if alerts.len() > 1 {
            format!(" in {} (Athena's limit on a query's text)", alerts.len())
        } else {
            String::new()
        }
    ));
    for n in &notes {
        writeln!(io.stderr, "{n}")?;
    }
    let view = BacktestView::new(
        &Context {
            spec: a.spec.file.display().to_string(),
            sources: vec![format!(
                "Athena table {}.{} (workgroup {})",
                athena.database, athena.table, athena.workgroup
            )],
            window: Window {
                since: Some(since),
                until: Some(until),
            },
            names: &names,
            found: &Found::default(),
            max_per_day: a.max_per_day,
        },
        &tally,
    );
    finish(a.format, config, io, &view)
}
