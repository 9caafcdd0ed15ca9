//! `trailctl backtest`: the spec's alerts over a trail's archived logs. Checks every flag and
//! source first (no AWS call on bad input), finds the log objects (S3 listing pruned to the
//! window, Regions and accounts; or a directory walk), reads them on every core, and reports
//! per alert what EventBridge would have delivered.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::archive::layout::{Day, Filter, Window};
use crate::archive::listing::{Found, Location};
use crate::backtest::pipeline::{self, Item, Spares};
use crate::cli::archives::{self, Source, find, show};
use crate::cli::args::{BacktestArgs, OutputFormat};
use crate::cli::backtest_report::finish;
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session;
use crate::cli::validate;
use crate::exit::Exit;
use crate::live::aws::connect;
use crate::live::services::Objects;
use crate::model::desired::Desired;
use crate::model::event_sources;
use crate::pattern::{Pattern, json::Json};
use crate::render::backtest::{BacktestView, Context};
use crate::verdict::{Alerts, Standing};

pub fn run(a: &BacktestArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let loaded = validate::load(&a.spec, config, io)?;
    let desired = &loaded.desired;
    if a.athena {
        return crate::cli::backtest_athena::run(a, config, io, desired);
    }
    let (filter, sources) = inputs(a, desired).map_err(CliError::Flags)?;
    let (names, alerts) = compile(desired).map_err(CliError::Pattern)?;
    let runtime = session::runtime()?;
    let mut account = None;
    if sources.iter().any(|s| matches!(s, Source::S3 { .. })) {
        let acc = runtime
            .block_on(connect(&config.aws, &desired.home_region))
            .map_err(|e| CliError::Live(e.message))?;
        account = Some(acc);
    }
    let found = runtime
        .block_on(find(&sources, &filter, account.as_ref()))
        .map_err(CliError::Input)?;
    let shown: Vec<String> = sources.iter().map(show).collect();
    if found.logs.is_empty() {
        let narrowed = filter != Filter::default();
        let what = format!(
            "no CloudTrail log files {} in {} ({} log files outside the filter, {} digest files, {} other objects)",
            if narrowed {
                "within --since/--until/--regions/--accounts"
            } else {
                "at all"
            },
            shown.join(", "),
            found.filtered,
            found.digests,
            found.others
        );
        if narrowed {
            // A window with nothing in it is an answer, not an error.
            writeln!(io.stdout, "{what}")?;
            return Ok(Exit::Success);
        }
        return Err(CliError::Input(what));
    }
    let jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    let bar = progress(
        io.stderr_is_terminal && a.format == OutputFormat::Human,
        &found,
    );
    let (objects, events) = (AtomicU64::new(0), AtomicU64::new(0));
    let on_object = |bytes: u64, records: u64| {
        let done = objects.fetch_add(1, Ordering::Relaxed) + 1;
        let seen = events.fetch_add(records, Ordering::Relaxed) + records;
        bar.inc(bytes);
        bar.set_message(format!(
            "{done}/{} log files, {seen} events",
            found.logs.len()
        ));
    };
    let tally = pipeline::run(
        &alerts,
        filter.window,
        jobs,
        |tx, spares| produce(&runtime, account.as_ref(), &found, jobs, tx, spares),
        &on_object,
    );
    bar.finish_and_clear();
    let view = BacktestView::new(
        &Context {
            spec: a.spec.file.display().to_string(),
            sources: shown,
            window: filter.window,
            names: &names,
            found: &found,
            max_per_day: a.max_per_day,
        },
        &tally,
    );
    finish(a.format, config, io, &view)
}

/// The filter and the sources, or every problem with the flags at once.
fn inputs(a: &BacktestArgs, desired: &Desired) -> Result<(Filter, Vec<Source>), Vec<String>> {
    let mut problems = Vec::new();
    let today = Day::today();
    let mut day =
        |flag: &str, v: &Option<String>| match v.as_deref().map(|t| Window::parse_day(t, today)) {
            None => None,
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                problems.push(format!("--{flag}: {e}"));
                None
            }
        };
    let window = Window {
        since: day("since", &a.since),
        until: day("until", &a.until),
    };
    let mut sources = archives::check_flags(&window, &a.accounts, &a.sources, &mut problems);
    if let Some(name) = &a.trail {
        match desired.trails.iter().find(|t| &t.name == name) {
            Some(t) => sources.push(Source::S3 {
                bucket: t.settings.bucket.clone(),
                prefix: t.settings.prefix.clone().unwrap_or_default(),
            }),
            None => problems.push(format!(
                "--trail {name}: the spec has no such trail (it has: {})",
                desired
                    .trails
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    if sources.is_empty() && problems.is_empty() {
        problems.push(
            "nothing to read: give a SOURCE (s3://BUCKET/PREFIX or a directory) or --trail NAME"
                .to_owned(),
        );
    }
    if problems.is_empty() {
        Ok((
            Filter {
                accounts: a.accounts.clone(),
                regions: a.regions.clone(),
                window,
            },
            sources,
        ))
    } else {
        Err(problems)
    }
}

/// Every alert of the spec, compiled into one rule set with its standing (placement, state),
/// and the metric filters of the alerts deployed on that backend (`NAME [metric filter]`).
fn compile(desired: &Desired) -> Result<(Vec<String>, Alerts), String> {
    let mut out = Vec::new();
    let mut filters = Vec::new();
    for alert in &desired.alerts {
        if let Some(m) = &alert.metric {
            filters.push((
                format!("{} [metric filter]", alert.name),
                m.filter.clone(),
                alert.enabled,
            ));
        }
        if !alert.backend.eventbridge() {
            continue;
        }
        // The spec loader validated every pattern; an error here is a bug, reported as one.
        let pattern = Pattern::from_json(&Json::from_value(&alert.pattern))
            .map_err(|e| format!("alert {}: invalid event pattern: {e}", alert.name))?;
        let regions = event_sources::regions(&alert.pattern, &alert.placement, &desired.regions);
        out.push((alert.name.clone(), pattern, Standing::of(alert, regions)));
    }
    let alerts = Alerts::new(out).with_filters(filters);
    Ok((alerts.names().to_vec(), alerts))
}

/// Hands every log object to the readers: files read from disk (into buffers the readers
/// are done with), S3 objects fetched `2 × jobs` at a time.
fn produce<O: Objects>(
    runtime: &tokio::runtime::Runtime,
    account: Option<&O>,
    found: &Found,
    jobs: usize,
    tx: tokio::sync::mpsc::Sender<Item>,
    spares: &Spares,
) {
    let mut remote = Vec::new();
    for log in &found.logs {
        match &log.location {
            Location::File(path) => {
                let mut bytes = spares.take();
                let read = std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes));
                let item = Item {
                    name: log.name.clone(),
                    gzip: log.log.gzip,
                    bytes: read.map(|_| bytes).map_err(|e| format!("cannot read: {e}")),
                };
                if tx.blocking_send(item).is_err() {
                    return;
                }
            }
            Location::S3 { .. } => remote.push(log),
        }
    }
    let Some(account) = account else {
        return;
    };
    runtime.block_on(async {
        let mut fetched = stream::iter(remote)
            .map(|log| async move {
                let bytes = archives::read(Some(account), log).await;
                Item {
                    name: log.name.clone(),
                    gzip: log.log.gzip,
                    bytes,
                }
            })
            .buffer_unordered(2 * jobs);
        while let Some(item) = fetched.next().await {
            if tx.send(item).await.is_err() {
                return;
            }
        }
    });
}

/// A progress bar on a terminal (stored bytes, with the rate and time left); hidden otherwise.
fn progress(on_terminal: bool, found: &Found) -> ProgressBar {
    if !on_terminal {
        return ProgressBar::hidden();
    }
    let total: u64 = found.logs.iter().map(|l| l.size).sum();
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}  {msg}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::layout::LogName;
    use crate::live::error::{ErrorKind, LiveError, LiveResult};
    use crate::live::services::ObjectPage;

    /// A bucket whose `gone` object was deleted after the listing and whose `denied` object is
    /// refused.
    struct Store;

    impl Objects for Store {
        async fn bucket_region(&self, _: &str) -> LiveResult<Option<String>> {
            Ok(Some("us-east-1".into()))
        }
        async fn list_page(
            &self,
            _: &str,
            _: &str,
            _: &str,
            _: bool,
            _: Option<String>,
        ) -> LiveResult<ObjectPage> {
            Ok(ObjectPage::default())
        }
        async fn get_object(
            &self,
            region: &str,
            _: &str,
            key: &str,
        ) -> LiveResult<Option<Vec<u8>>> {
            match key {
                "gone" => Ok(None),
                "denied" => Err(LiveError::new(
                    "S3:GetObject",
                    Some(region),
                    ErrorKind::AccessDenied,
                    "not yours".to_owned(),
                )),
                _ => Ok(Some(br#"{"Records":[]}"#.to_vec())),
            }
        }
    }

    #[test]
    fn objects_gone_or_refused_are_problems_and_the_rest_is_read() {
        let log = |key: &str| crate::archive::listing::Log {
            name: format!("s3://b/{key}"),
            location: Location::S3 {
                bucket: "b".into(),
                region: "us-east-1".into(),
                key: key.into(),
            },
            size: 1,
            log: LogName {
                account: "111122223333".into(),
                region: "us-east-1".into(),
                day: Day(0),
                gzip: false,
            },
        };
        let found = Found {
            logs: ["ok", "gone", "denied", "ok2"]
                .into_iter()
                .map(log)
                .collect(),
            ..Found::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let alerts = Alerts::new(vec![]);
        let tally = pipeline::run(
            &alerts,
            Window::default(),
            2,
            |tx, spares| produce(&runtime, Some(&Store), &found, 2, tx, spares),
            &|_, _| {},
        );
        assert_eq!(tally.objects, 2);
        assert_eq!(tally.problem_count, 2);
        let about = |name: &str| {
            tally
                .problems
                .iter()
                .find(|p| p.object == name)
                .map(|p| p.message.clone())
                .unwrap_or_default()
        };
        assert!(about("s3://b/gone").contains("deleted between listing and reading"));
        assert!(
            about("s3://b/denied").contains("AccessDenied"),
            "{}",
            about("s3://b/denied")
        );
    }
}
