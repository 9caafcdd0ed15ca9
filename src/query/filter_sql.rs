//! An alert's CloudWatch Logs metric filter as a SQL condition over the CloudTrail table, for
//! `backtest --athena`: the filter's selectors are the record's members (`$.eventName` is
//! `detail.eventName` of a pattern), found in the same columns as a pattern's fields
//! (`pattern_sql::column`), and each test reads as the filter decides it (`filter::eval`).
//!
//! Exact: the record's top-level strings and `userIdentity` fields with `=`, `!=` (value
//! nodes: a string column holds strings), `IS TRUE`/`IS FALSE` (never true of a string),
//! numeric comparisons (never true of a string), and `readOnly` with `IS TRUE` / `IS FALSE`.
//! Approximate (run, and said): `NOT EXISTS` and `IS NULL` (the table cannot tell a null
//! member from a missing one), and paths into `requestParameters`, `responseElements`,
//! `additionalEventData` (JSON text in the table, read with `json_extract_scalar`: a number and
//! its text look the same, and a number is compared as text). Anything else (`resources`,
//! list items outside the JSON text columns, members the table does not hold) is not run.

use crate::filter::{Expr, Filter, Selector, Step, Test, Value};
use crate::query::pattern_sql::{Column, Condition, Notes, column, like, like_escaped};
use crate::query::sql::literal;

/// A metric filter as SQL.
pub fn filter_condition(filter: &Filter) -> Condition {
    let mut notes = Notes::default();
    match expr(&filter.expr, &mut notes) {
        Err(why) => Condition::Unsupported(why),
        Ok(sql) if notes.0.is_empty() => Condition::Exact(sql),
        Ok(sql) => Condition::Approximate(sql, notes.0),
    }
}

fn expr(e: &Expr, notes: &mut Notes) -> Result<String, String> {
    let join = |parts: &[Expr], op: &str, notes: &mut Notes| -> Result<String, String> {
        let parts = parts
            .iter()
            .map(|p| expr(p, notes))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("({})", parts.join(op)))
    };
    match e {
        Expr::And(parts) => join(parts, " AND ", notes),
        Expr::Or(parts) => join(parts, " OR ", notes),
        Expr::Cmp(c) => {
            let (value, kind) = place(&c.selector, notes)?;
            Ok(format!(
                "COALESCE({}, FALSE)",
                test(&value, kind, &c.test, notes)
            ))
        }
    }
}

/// What kind of value a column holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Strings (a value node), or NULL.
    Text,
    /// `readonly`: the record's boolean, as text.
    Boolean,
    /// The scalar at a path of JSON text, as text: a string or a number.
    Json,
}

/// The SQL expression of the value a selector reaches, and its kind.
fn place(selector: &Selector, notes: &mut Notes) -> Result<(String, Kind), String> {
    let not_mapped = || {
        format!("`{selector}` is not a column of the CloudTrail table (or not one trailctl maps)")
    };
    let Some(Step::Key(first)) = selector.steps.first() else {
        return Err(not_mapped());
    };
    // A member held as JSON text: the rest of the selector is a path into it.
    if let Some(Column::Json { column: json, .. }) = column(&format!("detail.{first}._")) {
        let rest = &selector.steps[1..];
        if rest.is_empty() {
            return Err(format!(
                "`{selector}`: a whole JSON text column, which is not a value node"
            ));
        }
        let path: String = rest
            .iter()
            .map(|s| match s {
                Step::Key(k) => format!("[{}]", serde_json::Value::String(k.clone())),
                Step::Index(i) => format!("[{i}]"),
            })
            .collect();
        notes.add(format!(
            "`{selector}`: JSON text in the table, read with json_extract_scalar (a number and its text look the same)"
        ));
        return Ok((
            format!(
                "json_extract_scalar({json}, {})",
                literal(&format!("${path}"))
            ),
            Kind::Json,
        ));
    }
    let keys = selector
        .steps
        .iter()
        .map(|s| match s {
            Step::Key(k) => Ok(k.as_str()),
            Step::Index(_) => Err(format!(
                "`{selector}`: a list item outside the table's JSON text columns"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    match column(&format!("detail.{}", keys.join("."))) {
        Some(Column::Text(c)) => Ok((c, Kind::Text)),
        Some(Column::Boolean(c)) => Ok((c, Kind::Boolean)),
        _ => Err(not_mapped()),
    }
}

/// `=` of a value node `v` (NULL when the selector finds nothing, or no value node).
fn equal(v: &str, value: &Value) -> String {
    match value {
        Value::Any => format!("{v} IS NOT NULL"),
        // A string equals a number's text (a number in JSON text reads as its text too).
        Value::Number { text, .. } => format!("{v} = {}", literal(text)),
        Value::Text {
            text,
            any_before,
            any_after,
        } => match (any_before, any_after) {
            (false, false) => format!("{v} = {}", literal(text)),
            (false, true) => like(v, &format!("{}%", like_escaped(text))),
            (true, false) => like(v, &format!("%{}", like_escaped(text))),
            (true, true) => like(v, &format!("%{}%", like_escaped(text))),
        },
    }
}

fn test(v: &str, kind: Kind, t: &Test, notes: &mut Notes) -> String {
    let null = |notes: &mut Notes| {
        notes.add("`IS NULL`: the table cannot tell a null member from a missing one".to_owned())
    };
    let numeric = |op: &str, n: f64, notes: &mut Notes| match kind {
        // A string (or a boolean) is never compared as a number.
        Kind::Text | Kind::Boolean => "FALSE".to_owned(),
        Kind::Json => {
            notes.add(format!(
                "`{op} {n}`: a number's text in JSON text reads as the number"
            ));
            format!("try_cast({v} AS double) {op} {n:?}")
        }
    };
    match (t, kind) {
        (Test::NotExists, _) => {
            notes.add(
                "`NOT EXISTS`: the table cannot tell a missing member from a null one".to_owned(),
            );
            format!("{v} IS NULL")
        }
        (Test::IsNull, _) => {
            null(notes);
            format!("{v} IS NULL")
        }
        (Test::IsTrue, Kind::Boolean) => format!("{v} = 'true'"),
        (Test::IsFalse, Kind::Boolean) => format!("{v} = 'false'"),
        (Test::IsTrue | Test::IsFalse, Kind::Text) => "FALSE".to_owned(),
        (Test::IsTrue, Kind::Json) => {
            notes.add("`IS TRUE` in JSON text: the text `true` reads as the boolean".to_owned());
            format!("{v} = 'true'")
        }
        (Test::IsFalse, Kind::Json) => {
            notes.add("`IS FALSE` in JSON text: the text `false` reads as the boolean".to_owned());
            format!("{v} = 'false'")
        }
        // A boolean is not a value node: neither `=` nor `!=` holds.
        (Test::Equal(_) | Test::NotEqual(_), Kind::Boolean) => "FALSE".to_owned(),
        (Test::Equal(value), _) => equal(v, value),
        (Test::NotEqual(value), _) => format!("({v} IS NOT NULL AND NOT ({}))", equal(v, value)),
        (Test::Less(n), _) => numeric("<", *n, notes),
        (Test::LessOrEqual(n), _) => numeric("<=", *n, notes),
        (Test::Greater(n), _) => numeric(">", *n, notes),
        (Test::GreaterOrEqual(n), _) => numeric(">=", *n, notes),
    }
}
