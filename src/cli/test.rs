//! `trailctl test`: runs the tests the spec's alerts carry (records that must or must not be
//! delivered) through the EventBridge engine and the alerts' placement, and through the
//! CloudWatch Logs filter of each alert deployed as a metric filter, offline.

use std::path::Path;

use crate::cli::args::{TestArgs, TestFormat};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::inputs;
use crate::cli::io::Io;
use crate::cli::validate;
use crate::exit::Exit;
use crate::model::alert::{AlertTest, Engine, TestRecord};
use crate::model::diagnostic::Diagnostic;
use crate::model::event_sources;
use crate::pattern::{Pattern, json::Json};
use crate::render::{diagnostics, test_report};
use crate::spec;
use crate::verdict::{Judge, TestResult, filter_verdict};

pub fn run(a: &TestArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let file = &a.spec.file;
    let loaded = validate::load(&a.spec, config, io)?;
    let desired = &loaded.desired;
    let base = file.parent().unwrap_or(Path::new("."));
    let mut results = Vec::new();
    let mut problems = Vec::new();
    for alert in &desired.alerts {
        if alert.tests.is_empty() {
            continue;
        }
        // The spec loader validated the pattern; an error here would be a bug, reported as one.
        let pattern = match Pattern::from_json(&Json::from_value(&alert.pattern)) {
            Ok(p) => p,
            Err(e) => {
                problems.push(Diagnostic::error(
                    &alert.tests[0].path.parent().parent(),
                    format!("invalid event pattern: {e}"),
                ));
                continue;
            }
        };
        let regions = event_sources::regions(&alert.pattern, &alert.placement, &desired.regions);
        let mut judge = Judge::new(alert, pattern, regions);
        let filter = alert.metric.as_ref().map(|m| &m.filter);
        let engines = AlertTest::engines(alert.backend);
        for t in &alert.tests {
            let read = match &t.record {
                TestRecord::File(f) => inputs::read(&base.join(f), f, false),
                TestRecord::Inline(v) => {
                    inputs::event("inline record".to_owned(), v.clone(), false).map(|i| vec![i])
                }
            };
            let events = match read {
                Ok(events) => events,
                Err(e) => {
                    problems.push(Diagnostic::error(&t.path.key("record"), e.to_string()));
                    continue;
                }
            };
            for input in events {
                for &engine in &engines {
                    let verdict = match (engine, &filter) {
                        (Engine::Filter, Some(f)) => filter_verdict(f, alert.enabled, &input.event),
                        (Engine::Filter, None) => continue,
                        (Engine::Rule, _) => match judge.verdict(&input.event) {
                            Ok(v) => v,
                            Err(e) => {
                                problems.push(Diagnostic::error(
                                    &t.path.key("record"),
                                    format!("{}: {e}", input.label),
                                ));
                                continue;
                            }
                        },
                    };
                    let note = match (engine, &t.expect_filter) {
                        (Engine::Filter, Some((_, why))) => Some(why.clone()),
                        _ => None,
                    };
                    results.push(TestResult {
                        alert: alert.name.clone(),
                        engine,
                        note,
                        record: input.label.clone(),
                        expect_match: t.expects(engine),
                        verdict,
                    });
                }
            }
        }
    }
    if !problems.is_empty() {
        let name = file.display().to_string();
        let found = spec::position(file, problems);
        diagnostics::write(io.stderr, &name, &found, config.stderr_color)?;
        return Err(CliError::Input(format!(
            "{name}: the alerts' tests cannot run ({})",
            diagnostics::plural(found.len(), "problem")
        )));
    }
    if results.is_empty() {
        writeln!(
            io.stderr,
            "{}: no alert in {} carries tests (add `tests:` to an alert; see docs/spec.md)",
            config.stderr_color.yellow("warning"),
            file.display()
        )?;
    }
    match a.format {
        TestFormat::Human => test_report::human(io.stdout, &results, config.stdout_color)?,
        TestFormat::Junit => test_report::junit(io.stdout, &results)?,
        TestFormat::Json => test_report::json(io.stdout, &results)?,
    }
    Ok(if results.iter().all(TestResult::passed) {
        Exit::Success
    } else {
        Exit::TestsFailed
    })
}
