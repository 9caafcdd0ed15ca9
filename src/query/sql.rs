//! The SQL trailctl writes over a trail's CloudTrail table (`model::athena`): always a day range
//! on the `timestamp` partition (a query without one reads every day in the bucket), the
//! `region` and `account` partitions when they are known, and literals and names quoted as
//! Athena (Trino) quotes them. Records come back as the columns `record` rebuilds into a
//! CloudTrail record, so what reads them does not depend on where they came from.

use serde_json::{Map, Value};

use crate::archive::layout::Day;

/// `'it''s'`: a string literal.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `"audit_logs"`: a quoted name.
pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A day as the `timestamp` partition writes it: `'2026/11/30'`.
pub fn day(d: Day) -> String {
    literal(d.key_segment().trim_end_matches('/'))
}

fn list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| literal(v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What partitions a query reads: days (always), and Regions and accounts when narrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partitions<'a> {
    pub since: Day,
    pub until: Day,
    pub regions: &'a [String],
    pub accounts: &'a [String],
}

impl Partitions<'_> {
    /// The window's conditions, the day range first. A record lies in the folder of the day
    /// CloudTrail delivered it, minutes after the call: the window reads the folders of its
    /// days and the next day's (the archive reader does the same), and keeps the records whose
    /// `eventTime` is a day of the window.
    pub fn conditions(&self) -> Vec<String> {
        let mut out = vec![
            format!(
                "\"timestamp\" BETWEEN {} AND {}",
                day(self.since),
                day(Day(self.until.0 + 1))
            ),
            format!(
                "substr(eventtime, 1, 10) BETWEEN {} AND {}",
                literal(&self.since.to_string()),
                literal(&self.until.to_string())
            ),
        ];
        if !self.regions.is_empty() {
            out.push(format!("region IN ({})", list(self.regions)));
        }
        if !self.accounts.is_empty() {
            out.push(format!("account IN ({})", list(self.accounts)));
        }
        out
    }
}

/// The record fields `investigate` reads, each with the column expression it comes from. A
/// dotted name is nested (`userIdentity.arn`).
const RECORD: &[(&str, &str)] = &[
    ("eventTime", "eventtime"),
    ("awsRegion", "awsregion"),
    ("eventSource", "eventsource"),
    ("eventName", "eventname"),
    ("eventID", "eventid"),
    ("recipientAccountId", "recipientaccountid"),
    ("sourceIPAddress", "sourceipaddress"),
    ("userAgent", "useragent"),
    ("errorCode", "errorcode"),
    ("readOnly", "readonly"),
    ("requestParameters", "requestparameters"),
    ("responseElements", "responseelements"),
    ("userIdentity.type", "useridentity.type"),
    ("userIdentity.arn", "useridentity.arn"),
    ("userIdentity.accessKeyId", "useridentity.accesskeyid"),
    (
        "userIdentity.sessionContext.sessionIssuer.arn",
        "useridentity.sessioncontext.sessionissuer.arn",
    ),
    (
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        "useridentity.sessioncontext.attributes.mfaauthenticated",
    ),
    (
        "resources",
        "CAST(transform(resources, r -> r.arn) AS JSON)",
    ),
];

/// The SQL of `investigate --athena`: the records that may concern one of `names` (named in the
/// request, the response or a resource ARN; the caller keeps those that do), in the window,
/// newest first. `events` narrows to those event names.
pub fn investigate(
    database: &str,
    table: &str,
    parts: &Partitions<'_>,
    names: &[String],
    events: &[String],
    limit: usize,
) -> String {
    let columns: Vec<String> = RECORD
        .iter()
        .map(|(name, expr)| format!("  {expr} AS {}", ident(name)))
        .collect();
    let mut conditions = parts.conditions();
    if !events.is_empty() {
        conditions.push(format!("eventname IN ({})", list(events)));
    }
    let named: Vec<String> = names
        .iter()
        .map(|n| {
            let v = literal(n);
            format!(
                "strpos(requestparameters, {v}) > 0 OR strpos(responseelements, {v}) > 0 OR any_match(resources, r -> strpos(r.arn, {v}) > 0)"
            )
        })
        .collect();
    if !named.is_empty() {
        conditions.push(format!("({})", named.join("\n    OR ")));
    }
    format!(
        "SELECT\n{}\nFROM {}.{}\nWHERE {}\nORDER BY eventtime DESC\nLIMIT {limit}",
        columns.join(",\n"),
        ident(database),
        ident(table),
        conditions.join("\n  AND ")
    )
}

/// A row of the `investigate` query as a CloudTrail record.
pub fn record(columns: &[String], row: &[Option<String>]) -> Value {
    let mut out = Map::new();
    for (name, cell) in columns.iter().zip(row) {
        let Some(text) = cell else {
            continue;
        };
        let value = match name.as_str() {
            "readOnly" => Value::Bool(text == "true"),
            "requestParameters" | "responseElements" => {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
            }
            "resources" => {
                let arns: Vec<String> = serde_json::from_str(text).unwrap_or_default();
                Value::Array(
                    arns.into_iter()
                        .map(|a| serde_json::json!({ "ARN": a }))
                        .collect(),
                )
            }
            _ => Value::String(text.clone()),
        };
        let mut at = &mut out;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                at.insert(part.to_owned(), value);
                break;
            }
            let next = at
                .entry(part.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(m) = next else {
                break;
            };
            at = m;
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_names_are_quoted_as_trino_quotes_them() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(day(Day::parse("2026-11-30").unwrap()), "'2026/11/30'");
    }

    #[test]
    fn the_investigate_query_is_golden() {
        let parts = Partitions {
            since: Day::parse("2026-08-01").unwrap(),
            until: Day::parse("2026-11-30").unwrap(),
            regions: &["us-east-1".to_owned(), "eu-west-1".to_owned()],
            accounts: &["123456789012".to_owned()],
        };
        let sql = investigate(
            "audit_logs",
            "cloudtrail",
            &parts,
            &["orders".to_owned(), "o'brien".to_owned()],
            &["DeleteTable".to_owned()],
            10_000,
        );
        let golden = include_str!("../../tests/fixtures/sql/investigate.sql");
        assert_eq!(sql, golden.trim_end());
    }

    #[test]
    fn a_row_becomes_the_record_it_was() {
        let columns: Vec<String> = RECORD.iter().map(|(n, _)| (*n).to_owned()).collect();
        let mut row: Vec<Option<String>> = vec![None; columns.len()];
        let set = |row: &mut Vec<Option<String>>, name: &str, v: &str| {
            let i = columns.iter().position(|c| c == name).unwrap();
            row[i] = Some(v.to_owned());
        };
        set(&mut row, "eventName", "DeleteTable");
        set(&mut row, "readOnly", "false");
        set(&mut row, "requestParameters", r#"{"tableName":"orders"}"#);
        set(
            &mut row,
            "userIdentity.sessionContext.sessionIssuer.arn",
            "arn:aws:iam::1:role/admin",
        );
        set(
            &mut row,
            "resources",
            r#"["arn:aws:dynamodb:us-east-1:1:table/orders"]"#,
        );
        let r = record(&columns, &row);
        assert_eq!(r["eventName"], "DeleteTable");
        assert_eq!(r["readOnly"], false);
        assert_eq!(r["requestParameters"]["tableName"], "orders");
        assert_eq!(
            r["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"],
            "arn:aws:iam::1:role/admin"
        );
        assert_eq!(
            r["resources"][0]["ARN"],
            "arn:aws:dynamodb:us-east-1:1:table/orders"
        );
        assert!(r.get("errorCode").is_none());
    }
}
