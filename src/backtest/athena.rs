//! `backtest --athena`: the alerts over the trail's Athena table instead of the archive reader.
//! Every alert whose pattern compiles (`query::pattern_sql`) is counted in one query that groups
//! the matched events by day, Region, event name, principal and whether they are read-only
//! management events; each group is then judged as the archive reader judges one event
//! (placement, state, read-only), so the report is the same. A second query counts the window's
//! events and days.

use std::collections::BTreeMap;

use crate::archive::layout::Day;
use crate::backtest::tally::{AlertTally, Tally};
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

/// The query of the alerts whose `conditions` are given (`a0`, `a1`, … in that order).
pub fn alerts_sql(
    database: &str,
    table: &str,
    parts: &Partitions<'_>,
    conditions: &[String],
) -> String {
    let mut columns = vec![
        "substr(eventtime, 1, 10) AS day".to_owned(),
        "awsregion AS region".to_owned(),
        "eventname AS event".to_owned(),
        format!("{PRINCIPAL} AS principal"),
        format!("{} AS read_only", read_only_sql()),
    ];
    for (i, c) in conditions.iter().enumerate() {
        columns.push(format!("count_if({c}) AS a{i}"));
        columns.push(format!(
            "min(CASE WHEN {c} THEN eventtime || ' ' || eventid END) AS a{i}_first"
        ));
        columns.push(format!(
            "max(CASE WHEN {c} THEN eventtime END) AS a{i}_last"
        ));
    }
    let any: Vec<String> = conditions.iter().map(|c| format!("({c})")).collect();
    format!(
        "SELECT\n  {}\nFROM {}.{}\nWHERE {}\n  AND ({})\nGROUP BY 1, 2, 3, 4, 5",
        columns.join(",\n  "),
        ident(database),
        ident(table),
        parts.conditions().join("\n  AND "),
        any.join("\n    OR ")
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

    #[test]
    fn the_backtest_query_is_golden() {
        let parts = Partitions {
            since: Day::parse("2026-11-01").unwrap(),
            until: Day::parse("2026-11-30").unwrap(),
            regions: &[],
            accounts: &[],
        };
        let sql = alerts_sql(
            "audit_logs",
            "cloudtrail",
            &parts,
            &["(eventname = 'DeleteTable')".to_owned()],
        );
        let golden = include_str!("../../tests/fixtures/sql/backtest.sql");
        assert_eq!(sql, golden.trim_end());
        assert_eq!(
            totals_sql("audit_logs", "cloudtrail", &parts),
            "SELECT count(*) AS events, min(substr(eventtime, 1, 10)) AS first_day, max(substr(eventtime, 1, 10)) AS last_day\nFROM \"audit_logs\".\"cloudtrail\"\nWHERE \"timestamp\" BETWEEN '2026/11/01' AND '2026/11/30'"
        );
    }
}
