//! `backtest --athena`: the alerts over the trail's Athena table instead of the archive reader.
//! Every alert whose pattern compiles (`query::pattern_sql`) is counted in a query (several when
//! the alerts' text passes Athena's limit on a query) that groups
//! the matched events by day, Region, event name, principal and whether they are read-only
//! management events; each group is then judged as the archive reader judges one event
//! (placement, state, read-only), so the report is the same. A second query counts the window's
//! events and days.

use std::collections::BTreeMap;

use crate::archive::layout::Day;
use crate::backtest::tally::{AlertTally, Tally};
use crate::model::envelope::DETAIL_TYPES;
use crate::model::event_sources::{CHANGE_EVENTS, READ_ONLY_EVENTS, READ_ONLY_PREFIXES};
use crate::query::Answer;
use crate::query::sql::{Partitions, ident, literal};
use crate::verdict::{Arrival, Delivery, Standing};

/// Whether a row is a read-only management event, as `event_sources::is_read_only_record`
/// decides it: an API call whose `readOnly` says so, or without one, whose name is a read.
fn read_only_sql() -> String {
    let list = |l: &[&str]| l.iter().map(|s| literal(s)).collect::<Vec<_>>().join(", ");
    let prefixes = READ_ONLY_PREFIXES.join("|");
    format!(
        "(eventtype = 'AwsApiCall' AND COALESCE(readonly = 'true', eventname NOT IN ({}) AND (eventname IN ({}) OR regexp_like(eventname, '^({prefixes})'))))",
        list(CHANGE_EVENTS),
        list(READ_ONLY_EVENTS)
    )
}

/// What the archive reader calls the principal of a record.
const PRINCIPAL: &str =
    "COALESCE(useridentity.arn, useridentity.invokedby, useridentity.type, '(no userIdentity)')";

/// The query counting the window's events and their first and last day.
pub fn totals_sql(database: &str, table: &str, parts: &Partitions<'_>) -> String {
    format!(
        "SELECT count(*) AS events, min(substr(eventtime, 1, 10)) AS first_day, max(substr(eventtime, 1, 10)) AS last_day\nFROM {}.{}\nWHERE {}",
        ident(database),
        ident(table),
        parts.conditions().join("\n  AND ")
    )
}

/// Athena refuses a query text longer than this (`StartQueryExecution`, `QueryString`).
pub const MAX_QUERY_BYTES: usize = 262_144;

/// The queries of the alerts whose `conditions` are given, each with the range of the alerts it
/// counts: as many alerts per query as fit in Athena's limit on a query's text, each condition
/// written once. A query's columns are `a0`, `a1`, … in the order of its range.
pub fn alerts_queries(
    database: &str,
    table: &str,
    parts: &Partitions<'_>,
    conditions: &[String],
) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < conditions.len() {
        // The most alerts from `start` whose query fits (at least one).
        let mut end = start + 1;
        let mut query = alerts_sql(database, table, parts, &conditions[start..end]);
        while end < conditions.len() {
            let bigger = alerts_sql(database, table, parts, &conditions[start..=end]);
            if bigger.len() > MAX_QUERY_BYTES {
                break;
            }
            query = bigger;
            end += 1;
        }
        out.push((start..end, query));
        start = end;
    }
    out
}

/// Only the record types EventBridge receives are counted, as the archive reader counts them
/// (`model::envelope`): others (`AwsVpceEvent`, …) never reach a rule.
fn received_sql() -> String {
    let types: Vec<String> = DETAIL_TYPES.iter().map(|(t, _)| literal(t)).collect();
    format!("eventtype IN ({})", types.join(", "))
}

/// The query of the alerts whose `conditions` are given (`a0`, `a1`, … in that order): each
/// condition once, as a column `m{i}` of the window's records, counted by group.
fn alerts_sql(
    database: &str,
    table: &str,
    parts: &Partitions<'_>,
    conditions: &[String],
) -> String {
    let mut inner = vec![
        "substr(eventtime, 1, 10) AS day".to_owned(),
        "awsregion AS region".to_owned(),
        "eventname AS event".to_owned(),
        format!("{PRINCIPAL} AS principal"),
        format!("{} AS read_only", read_only_sql()),
        "eventtime".to_owned(),
        "eventid".to_owned(),
    ];
    let mut columns = vec![
        "day".to_owned(),
        "region".to_owned(),
        "event".to_owned(),
        "principal".to_owned(),
        "read_only".to_owned(),
    ];
    for (i, c) in conditions.iter().enumerate() {
        inner.push(format!("({c}) AS m{i}"));
        columns.push(format!("count_if(m{i}) AS a{i}"));
        columns.push(format!(
            "min(CASE WHEN m{i} THEN eventtime || ' ' || eventid END) AS a{i}_first"
        ));
        columns.push(format!(
            "max(CASE WHEN m{i} THEN eventtime END) AS a{i}_last"
        ));
    }
    let any: Vec<String> = (0..conditions.len()).map(|i| format!("m{i}")).collect();
    let mut filters = parts.conditions();
    filters.push(received_sql());
    format!(
        "SELECT\n  {}\nFROM (\nSELECT\n  {}\nFROM {}.{}\nWHERE {}\n) AS matched\nWHERE {}\nGROUP BY 1, 2, 3, 4, 5",
        columns.join(",\n  "),
        inner.join(",\n  "),
        ident(database),
        ident(table),
        filters.join("\n  AND "),
        any.join(" OR ")
    )
}

/// The window's totals from the `totals_sql` answer into the tally.
pub fn add_totals(tally: &mut Tally, a: &Answer) {
    let Some(row) = a.rows.first() else {
        return;
    };
    let cell = |name: &str| {
        a.columns
            .iter()
            .position(|c| c == name)
            .and_then(|i| row.get(i).cloned().flatten())
    };
    let events: u64 = cell("events").and_then(|n| n.parse().ok()).unwrap_or(0);
    tally.records = events;
    tally.judged = events;
    for d in ["first_day", "last_day"] {
        if let Some(day) = cell(d).and_then(|t| Day::parse(&t)) {
            tally.saw_day(day);
        }
    }
}

/// The groups of the `alerts_sql` answer, judged for the alerts (`standings[i]` is `a{i}`),
/// into their tallies (`tallies[i]`).
pub fn add_groups(tallies: &mut [AlertTally], standings: &[&Standing], a: &Answer) {
    let col: BTreeMap<&str, usize> = a
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    for row in &a.rows {
        let get = |name: &str| col.get(name).and_then(|i| row.get(*i)).cloned().flatten();
        let region = get("region").unwrap_or_default();
        let arrival = Arrival {
            region: Some(&region),
            read_only: get("read_only").as_deref() == Some("true"),
        };
        for (i, (tally, standing)) in tallies.iter_mut().zip(standings).enumerate() {
            let n: u64 = get(&format!("a{i}"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            if n == 0 {
                continue;
            }
            match standing.delivery(true, arrival) {
                Delivery::Delivered => {
                    let first = get(&format!("a{i}_first")).unwrap_or_default();
                    let (time, id) = first.split_once(' ').unwrap_or((first.as_str(), ""));
                    let last = get(&format!("a{i}_last")).unwrap_or_default();
                    tally.deliver_group(
                        n,
                        get("day").as_deref().and_then(Day::parse),
                        &region,
                        &get("event").unwrap_or_default(),
                        &get("principal").unwrap_or_default(),
                        (time, id),
                        &last,
                    );
                }
                other => *tally.withheld.entry(other).or_default() += n,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> Partitions<'static> {
        Partitions {
            since: Day::parse("2026-11-01").unwrap(),
            until: Day::parse("2026-11-30").unwrap(),
            regions: &[],
            accounts: &[],
        }
    }

    #[test]
    fn the_backtest_query_is_golden() {
        let queries = alerts_queries(
            "audit_logs",
            "cloudtrail",
            &parts(),
            &["(eventname = 'DeleteTable')".to_owned()],
        );
        assert_eq!(queries.len(), 1);
        let golden = include_str!("../../tests/fixtures/sql/backtest.sql");
        assert_eq!(queries[0].1, golden.trim_end());
        assert_eq!(
            totals_sql("audit_logs", "cloudtrail", &parts()),
            "SELECT count(*) AS events, min(substr(eventtime, 1, 10)) AS first_day, max(substr(eventtime, 1, 10)) AS last_day\nFROM \"audit_logs\".\"cloudtrail\"\nWHERE \"timestamp\" BETWEEN '2026/11/01' AND '2026/12/01'\n  AND substr(eventtime, 1, 10) BETWEEN '2026-11-01' AND '2026-11-30'"
        );
    }

    /// Athena refuses a query text over 256 KiB: 400 alerts of 2 KB of conditions each are
    /// counted in several queries, each under the limit, each condition written once.
    #[test]
    fn many_alerts_are_counted_in_several_queries_under_athenas_limit() {
        let conditions: Vec<String> = (0..400)
            .map(|i| {
                format!(
                    "(eventname = 'E{i}' AND useragent <> '{}')",
                    "x".repeat(2000)
                )
            })
            .collect();
        let queries = alerts_queries("db", "t", &parts(), &conditions);
        assert!(queries.len() > 1, "{}", queries.len());
        let mut next = 0;
        for (range, sql) in &queries {
            assert_eq!(range.start, next);
            next = range.end;
            assert!(sql.len() <= MAX_QUERY_BYTES, "{}", sql.len());
            for i in range.clone() {
                assert_eq!(sql.matches(&format!("'E{i}'")).count(), 1);
            }
        }
        assert_eq!(next, 400);
    }
}
