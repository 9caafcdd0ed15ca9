//! `trailctl investigate TARGET`: the records that concern one resource, as a timeline — from
//! CloudTrail event history (every Region at once, each paged at the documented 2 calls per
//! second) and from the trail's archives; the timeline does not depend on where they came from.

use std::time::Duration;

use serde_json::Value;

use crate::archive::decode::Decoder;
use crate::archive::layout::{Day, Filter, Window};
use crate::archive::split;
use crate::cli::archives::{self, Source};
use crate::cli::args::{InvestigateArgs, OutputFormat};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session;
use crate::cli::validate;
use crate::exit::Exit;
use crate::investigate::{Entry, Target, Timeline};
use crate::live::aws::{AwsAccount, connect};
use crate::live::services::{EventHistory, Lookup};
use crate::query::sql;
use crate::render::investigate::{self as report, Searched};

/// `LookupEvents` is limited to two calls per second per account and Region (CloudTrail API
/// reference, LookupEvents): calls in one Region are spaced this far apart.
const LOOKUP_INTERVAL: Duration = Duration::from_millis(500);

/// Event history keeps the last 90 days.
const HISTORY_DAYS: i64 = 90;

/// Records an Athena search returns at most.
const ATHENA_LIMIT: usize = 10_000;

/// How long an Athena search may take.
const ATHENA_TIMEOUT: Duration = Duration::from_secs(900);

/// Pages read per lookup at most (50 records each).
const MAX_PAGES: usize = 40;

pub fn run(a: &InvestigateArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let today = Day::today();
    let mut problems = Vec::new();
    let target = Target::parse(&a.target).map_err(|e| problems.push(e)).ok();
    let mut day = |flag: &str, text: &str| {
        Window::parse_day(text, today)
            .map_err(|e| problems.push(format!("--{flag}: {e}")))
            .ok()
    };
    let since = day("since", &a.since);
    let until = a.until.as_deref().and_then(|u| day("until", u));
    let window = Window {
        since,
        until: until.or(Some(today)),
    };
    let mut sources = archives::check_flags(&window, &a.accounts, &a.archives, &mut problems);
    if a.athena && !a.archives.is_empty() {
        problems.push(
            "--athena searches the trail's Athena table: --archive is for the archive reader"
                .to_owned(),
        );
    }
    let (Some(target), true) = (target, problems.is_empty()) else {
        return Err(CliError::Flags(problems));
    };
    // The spec is read only when it is needed: for the Regions of a bare name, or --trail.
    let needs_spec = a.athena
        || a.trail.is_some()
        || (a.regions.is_empty() && target.region.is_none() && !target.global());
    let desired = if needs_spec {
        Some(validate::load(&a.spec, config, io)?.desired)
    } else {
        None
    };
    if a.athena {
        let d = desired
            .as_ref()
            .ok_or_else(|| CliError::Flags(vec!["--athena needs the spec".to_owned()]))?;
        return athena(a, config, io, d, &target, &window, today);
    }
    if let (Some(name), Some(d)) = (&a.trail, &desired) {
        let t = d.trails.iter().find(|t| &t.name == name).ok_or_else(|| {
            CliError::Flags(vec![format!("--trail {name}: the spec has no such trail")])
        })?;
        sources.push(Source::S3 {
            bucket: t.settings.bucket.clone(),
            prefix: t.settings.prefix.clone().unwrap_or_default(),
        });
    }
    let spec_regions = desired
        .as_ref()
        .map(|d| d.regions.clone())
        .unwrap_or_default();
    let regions = if a.regions.is_empty() {
        target.regions(&spec_regions)
    } else {
        a.regions.clone()
    };
    let home = desired
        .as_ref()
        .map(|d| d.home_region.clone())
        .or_else(|| regions.first().cloned())
        .unwrap_or_else(|| crate::model::event_sources::GLOBAL_REGION.to_owned());
    let runtime = session::runtime()?;
    let account = runtime
        .block_on(connect(&config.aws, &home))
        .map_err(|e| CliError::Live(e.message))?;
    // Event history holds the last 90 days: the part of the window inside them.
    let (since, until) = (
        window.since.unwrap_or(Day(today.0 - HISTORY_DAYS)),
        window.until.unwrap_or(today),
    );
    let history_since = Day(since.0.max(today.0 - HISTORY_DAYS));
    let mut lookups: Vec<Lookup> = target
        .lookup_names()
        .into_iter()
        .map(Lookup::ResourceName)
        .collect();
    lookups.extend(a.events.iter().cloned().map(Lookup::EventName));
    let mut records = Vec::new();
    if history_since <= until {
        let start = history_since.0 * 86_400;
        let end = until.0 * 86_400 + 86_399;
        records = runtime
            .block_on(history(&account, &regions, &lookups, start, end))
            .map_err(|e| CliError::Live(format!("reading event history failed: {e}")))?;
    }
    let filter = Filter {
        accounts: a.accounts.clone(),
        regions: a.regions.clone(),
        window,
    };
    let mut archive_problems = Vec::new();
    if !sources.is_empty() {
        let (found, problems) = runtime
            .block_on(search_archives(&account, &sources, &filter, &target))
            .map_err(CliError::Input)?;
        records.extend(found);
        archive_problems = problems;
    }
    let timeline = timeline(a, &target, &window, &records);
    let searched = Searched {
        target: &target,
        since,
        until,
        history_since: (history_since <= until).then_some(history_since),
        regions: &regions,
        archives: sources.iter().map(archives::show).collect(),
        problems: archive_problems,
    };
    show(a.format, config, io, &timeline, &searched)?;
    if searched.problems.is_empty() {
        Ok(Exit::Success)
    } else {
        Err(CliError::Input(format!(
            "{} reading the archives (listed above); everything else was searched",
            crate::render::diagnostics::plural(searched.problems.len(), "problem")
        )))
    }
}

/// `--athena`: the same search over the trail's Athena table, for the whole window (the SQL
/// narrows by partitions and names; the records it returns are filtered and shown exactly as
/// those of event history and the archives). `--print-sql` prints the SQL instead.
fn athena(
    a: &InvestigateArgs,
    config: &Config,
    io: &mut Io<'_>,
    d: &crate::model::desired::Desired,
    target: &Target,
    window: &Window,
    today: Day,
) -> CliResult {
    let (_, athena) = crate::cli::query::athena_trail(d, a.trail.as_deref())?;
    let regions = if a.regions.is_empty() {
        target.regions(&d.regions)
    } else {
        a.regions.clone()
    };
    let (since, until) = (
        window.since.unwrap_or(Day(today.0 - 7)),
        window.until.unwrap_or(today),
    );
    let parts = sql::Partitions {
        since,
        until,
        regions: &regions,
        accounts: &a.accounts,
    };
    let text = sql::investigate(
        &athena.database,
        &athena.table,
        &parts,
        &target.lookup_names(),
        &a.events,
        ATHENA_LIMIT,
    );
    if a.print_sql {
        writeln!(io.stdout, "{text};")?;
        return Ok(Exit::Success);
    }
    let at = crate::cli::query::target(d, athena);
    let runtime = session::runtime()?;
    let account = runtime
        .block_on(connect(&config.aws, &d.home_region))
        .map_err(|e| CliError::Live(e.message))?;
    let answer = runtime
        .block_on(crate::query::run(&account, &at, &text, ATHENA_TIMEOUT))
        .map_err(|e| CliError::Live(format!("the Athena search failed: {e}")))?;
    if answer.rows.len() >= ATHENA_LIMIT {
        writeln!(
            io.stderr,
            "warning: the Athena search stopped at {ATHENA_LIMIT} records: narrow the window with --since/--until or --event"
        )?;
    }
    let records: Vec<Value> = answer
        .rows
        .iter()
        .map(|row| sql::record(&answer.columns, row))
        .collect();
    let timeline = timeline(a, target, window, &records);
    let searched = Searched {
        target,
        since,
        until,
        history_since: None,
        regions: &regions,
        archives: vec![format!(
            "Athena table {}.{} (workgroup {})",
            athena.database, athena.table, athena.workgroup
        )],
        problems: Vec::new(),
    };
    show(a.format, config, io, &timeline, &searched)?;
    Ok(Exit::Success)
}

/// The records that concern the target, in the window, of the events and the user asked for,
/// as a timeline: the one filter every source's records go through.
fn timeline(a: &InvestigateArgs, target: &Target, window: &Window, records: &[Value]) -> Timeline {
    let entries = records
        .iter()
        .filter(|r| target.concerned_by(r) && window.holds_time(time_of(r)))
        .map(Entry::of)
        .filter(|e| a.events.is_empty() || a.events.contains(&e.event))
        .filter(|e| a.user.as_deref().is_none_or(|u| e.made_by(u)));
    Timeline::new(entries)
}

/// The timeline in the format asked for.
fn show(
    format: OutputFormat,
    config: &Config,
    io: &mut Io<'_>,
    timeline: &Timeline,
    searched: &Searched<'_>,
) -> Result<(), CliError> {
    match format {
        OutputFormat::Human => report::human(io.stdout, timeline, searched, config.stdout_color)?,
        OutputFormat::Markdown => report::markdown(io.stdout, timeline, searched)?,
        OutputFormat::Json => session::json_line(io, &report::json(timeline, searched), true)?,
    }
    Ok(())
}

fn time_of(record: &Value) -> &str {
    record
        .get("eventTime")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Every lookup in every Region: Regions at once, the calls of one Region spaced
/// `LOOKUP_INTERVAL` apart (throttling beyond that is retried by the SDK).
async fn history<H: EventHistory>(
    account: &H,
    regions: &[String],
    lookups: &[Lookup],
    start: i64,
    end: i64,
) -> Result<Vec<Value>, crate::live::LiveError> {
    let per_region = regions.iter().map(|region| async move {
        let mut out = Vec::new();
        let mut next_call = tokio::time::Instant::now();
        for lookup in lookups {
            let mut token = None;
            for _ in 0..MAX_PAGES {
                tokio::time::sleep_until(next_call).await;
                next_call = tokio::time::Instant::now() + LOOKUP_INTERVAL;
                let (page, next) = account
                    .lookup_events(region, lookup, start, end, token.take())
                    .await?;
                out.extend(page);
                match next {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
        }
        Ok::<_, crate::live::LiveError>(out)
    });
    let mut all = Vec::new();
    for r in futures_util::future::try_join_all(per_region).await? {
        all.extend(r);
    }
    Ok(all)
}

/// The records of the archives that may concern `target` (those whose text names it), and the
/// objects that could not be read.
async fn search_archives(
    account: &AwsAccount,
    sources: &[Source],
    filter: &Filter,
    target: &Target,
) -> Result<(Vec<Value>, Vec<(String, String)>), String> {
    let found = archives::find(sources, filter, Some(account)).await?;
    let needle = target.name.as_bytes();
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut decoder = Decoder::default();
    for log in &found.logs {
        let bytes = match archives::read(Some(account), log).await {
            Ok(b) => b,
            Err(e) => {
                problems.push((log.name.clone(), e));
                continue;
            }
        };
        let text = match decoder.text(&bytes, log.log.gzip) {
            Ok(t) => t,
            Err(e) => {
                problems.push((log.name.clone(), e.to_string()));
                continue;
            }
        };
        let split = split::records(text, |r| {
            if memchr::memmem::find(r.text.as_bytes(), needle).is_some()
                && let Ok(v) = serde_json::from_str::<Value>(r.text)
            {
                records.push(v);
            }
        });
        if let Err(e) = split {
            problems.push((log.name.clone(), e.to_string()));
        }
    }
    Ok((records, problems))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::fake::Fake;
    use serde_json::json;

    /// The in-memory account serves event history as the emulator does: by attribute, in the
    /// time range, newest first, 50 a page; every page is read.
    #[test]
    fn every_page_of_every_lookup_in_every_region() {
        let f = Fake::new("123456789012");
        let record = |i: usize, region: &str, table: &str| {
            json!({"eventID": format!("{region}-{i}"), "eventName": "PutItem",
                "eventTime": format!("2026-11-{:02}T{:02}:00:00Z", 1 + i / 24, i % 24),
                "awsRegion": region, "requestParameters": {"tableName": table}})
        };
        {
            let mut s = f.state.borrow_mut();
            s.history.insert(
                "eu-west-1".into(),
                (0..60).map(|i| record(i, "eu-west-1", "orders")).collect(),
            );
            s.history.insert(
                "us-east-1".into(),
                vec![
                    record(0, "us-east-1", "orders"),
                    record(1, "us-east-1", "other"),
                ],
            );
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let regions = ["eu-west-1".to_owned(), "us-east-1".to_owned()];
        let lookups = [Lookup::ResourceName("orders".into())];
        let (start, end) = (Day::parse("2026-11-01").unwrap().0 * 86_400, i64::MAX);
        let found = rt
            .block_on(history(&f, &regions, &lookups, start, end))
            .unwrap();
        assert_eq!(found.len(), 61);
        assert_eq!(f.calls("CloudTrail:LookupEvents"), 3, "two pages, and one");
        assert_eq!(found[0]["eventID"], "eu-west-1-59", "newest first");
        let late = rt
            .block_on(history(&f, &regions[..1], &lookups, end - 1, end))
            .unwrap();
        assert!(late.is_empty(), "outside the time range");
    }
}
