//! An alert's EventBridge pattern as a SQL condition over the CloudTrail table, for
//! `backtest --athena`: exact where the table holds what EventBridge matches on, and said when
//! it is not. The envelope is rebuilt from the record's columns as `model::envelope` builds it
//! (`source` from `eventsource`, `detail-type` from `eventtype`, `account`, `region`).
//!
//! Exact: the envelope fields, the record's top-level strings, `userIdentity` fields, the
//! resources' `ARN`/`type`/`accountId` (any element, as EventBridge matches a list), with every
//! string matcher (exact, prefix, suffix, wildcard, anything-but, exists, cidr; ignore-case for
//! ASCII). A number or `null` never matches these string fields, as in EventBridge, so it is
//! `FALSE`. Approximate (run, and said): `requestParameters`, `responseElements` and
//! `additionalEventData` paths (JSON text in the table, read with `json_extract_scalar`: a list
//! in the record matches element-wise in EventBridge, not here; a number and its text look the
//! same; `insightDetails`, an Insights event's own fields, is JSON text too), `null` (the table
//! cannot tell a null field from a missing one), ignore-case beyond
//! ASCII (SQL `lower` is not Unicode case folding). Anything else is not run.

use serde_json::{Map, Value};

use crate::model::envelope::DETAIL_TYPES;
use crate::query::sql::literal;

/// A pattern as SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Exact(String),
    /// Runs, but may count otherwise than EventBridge would, for these reasons.
    Approximate(String, Vec<String>),
    /// Cannot be said in SQL over this table.
    Unsupported(String),
}

/// Where a pattern field is in the table.
pub(super) enum Column {
    /// A string column (or expression).
    Text(String),
    /// `readonly`: a boolean in the record, text in the table.
    Boolean(String),
    /// A field of each element of `resources`.
    Resource(&'static str),
    /// A path into a JSON text column.
    Json { column: &'static str, path: String },
}

fn source_expr() -> String {
    "(CASE WHEN eventtype = 'AwsCloudTrailInsight' THEN 'aws.cloudtrail' ELSE 'aws.' || regexp_replace(eventsource, '\\.amazonaws\\.com$', '') END)".to_owned()
}

fn detail_type_expr() -> String {
    let arms: Vec<String> = DETAIL_TYPES
        .iter()
        .map(|(t, d)| format!("WHEN {} THEN {}", literal(t), literal(d)))
        .collect();
    format!("(CASE eventtype {} END)", arms.join(" "))
}

/// The record's top-level string fields and their columns.
const TOP_LEVEL: &[(&str, &str)] = &[
    ("eventVersion", "eventversion"),
    ("eventTime", "eventtime"),
    ("eventSource", "eventsource"),
    ("eventName", "eventname"),
    ("awsRegion", "awsregion"),
    ("sourceIPAddress", "sourceipaddress"),
    ("userAgent", "useragent"),
    ("errorCode", "errorcode"),
    ("errorMessage", "errormessage"),
    ("requestID", "requestid"),
    ("eventID", "eventid"),
    ("eventType", "eventtype"),
    ("apiVersion", "apiversion"),
    ("recipientAccountId", "recipientaccountid"),
    ("sharedEventID", "sharedeventid"),
    ("vpcEndpointId", "vpcendpointid"),
    ("vpcEndpointAccountId", "vpcendpointaccountid"),
    ("eventCategory", "eventcategory"),
    (
        "sessionCredentialFromConsole",
        "sessioncredentialfromconsole",
    ),
];

/// `userIdentity`'s string fields (a dotted path below it) in the table's struct.
const IDENTITY: &[&str] = &[
    "type",
    "principalId",
    "arn",
    "accountId",
    "invokedBy",
    "accessKeyId",
    "userName",
    "onBehalfOf.userId",
    "onBehalfOf.identityStoreArn",
    "sessionContext.attributes.mfaAuthenticated",
    "sessionContext.attributes.creationDate",
    "sessionContext.sessionIssuer.type",
    "sessionContext.sessionIssuer.principalId",
    "sessionContext.sessionIssuer.arn",
    "sessionContext.sessionIssuer.accountId",
    "sessionContext.sessionIssuer.userName",
    "sessionContext.ec2RoleDelivery",
    "sessionContext.webIdFederationData.federatedProvider",
];

pub(super) fn column(path: &str) -> Option<Column> {
    let text = |s: &str| Some(Column::Text(s.to_owned()));
    match path {
        "source" => return Some(Column::Text(source_expr())),
        "detail-type" => return Some(Column::Text(detail_type_expr())),
        "region" => return text("awsregion"),
        "account" => return text("COALESCE(recipientaccountid, useridentity.accountid)"),
        _ => {}
    }
    let field = path.strip_prefix("detail.")?;
    if field == "readOnly" {
        return Some(Column::Boolean("readonly".to_owned()));
    }
    if let Some((_, c)) = TOP_LEVEL.iter().find(|(f, _)| *f == field) {
        return text(c);
    }
    if let Some(rest) = field.strip_prefix("userIdentity.") {
        return IDENTITY
            .contains(&rest)
            .then(|| Column::Text(format!("useridentity.{}", rest.to_ascii_lowercase())));
    }
    if let Some(f) = field.strip_prefix("resources.").and_then(resource_column) {
        return Some(Column::Resource(f));
    }
    for (prefix, column) in [
        ("requestParameters.", "requestparameters"),
        ("responseElements.", "responseelements"),
        ("additionalEventData.", "additionaleventdata"),
        ("insightDetails.", "insightdetails"),
    ] {
        if let Some(rest) = field.strip_prefix(prefix) {
            let path = rest
                .split('.')
                .map(|k| format!("[{}]", serde_json::Value::String(k.to_owned())))
                .collect::<String>();
            return Some(Column::Json {
                column,
                path: format!("${path}"),
            });
        }
    }
    None
}

/// `LIKE` text for a literal piece: `%`, `_` and `\` escaped (with `ESCAPE '\'`).
pub(super) fn like_escaped(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub(super) fn like(expr: &str, pattern: &str) -> String {
    format!("{expr} LIKE {} ESCAPE '\\'", literal(pattern))
}

/// A wildcard pattern as `LIKE` text, read by the pattern engine's own parser (`\\` one
/// backslash, `\*` one star, `*` any text): its literal pieces escaped, joined by `%`.
fn wildcard_like(w: &str) -> Result<String, String> {
    let parsed =
        crate::pattern::Wildcard::parse(w).map_err(|e| format!("`wildcard` {w:?}: {e}"))?;
    Ok(parsed
        .pieces()
        .iter()
        .map(|p| like_escaped(p))
        .collect::<Vec<_>>()
        .join("%"))
}

/// Collects why a condition is approximate.
#[derive(Default)]
pub(super) struct Notes(pub(super) Vec<String>);

impl Notes {
    pub(super) fn add(&mut self, why: String) {
        if !self.0.contains(&why) {
            self.0.push(why);
        }
    }
}

/// One matcher on a value expression `v` (a string, or NULL when the field is absent).
fn matcher(v: &str, m: &Value, boolean: bool, notes: &mut Notes) -> Result<String, String> {
    let ascii = |s: &str, notes: &mut Notes| {
        if !s.is_ascii() {
            notes.add(format!(
                "`{s}`: ignore-case beyond ASCII is SQL lower(), not Unicode case folding"
            ));
        }
    };
    Ok(match m {
        // A string never equals the record's boolean.
        Value::String(_) if boolean => "FALSE".to_owned(),
        Value::String(s) => format!("{v} = {}", literal(s)),
        Value::Bool(b) if boolean => format!("{v} = {}", literal(&b.to_string())),
        Value::Null => {
            notes.add("`null`: the table cannot tell a null field from a missing one".to_owned());
            format!("{v} IS NULL")
        }
        Value::Bool(_) | Value::Number(_) => "FALSE".to_owned(),
        Value::Object(o) => {
            let (op, arg) = o.iter().next().ok_or("an empty matcher")?;
            match (op.as_str(), arg) {
                ("prefix", Value::String(p)) => format!("starts_with({v}, {})", literal(p)),
                ("prefix", Value::Object(i)) => match i.get("equals-ignore-case") {
                    Some(Value::String(p)) => {
                        ascii(p, notes);
                        format!("starts_with(lower({v}), lower({}))", literal(p))
                    }
                    _ => return Err(format!("`prefix` {arg}")),
                },
                ("suffix", Value::String(s)) => like(v, &format!("%{}", like_escaped(s))),
                ("suffix", Value::Object(i)) => match i.get("equals-ignore-case") {
                    Some(Value::String(s)) => {
                        ascii(s, notes);
                        like(
                            &format!("lower({v})"),
                            &format!("%{}", like_escaped(&s.to_lowercase())),
                        )
                    }
                    _ => return Err(format!("`suffix` {arg}")),
                },
                ("equals-ignore-case", Value::String(s)) => {
                    ascii(s, notes);
                    format!("lower({v}) = lower({})", literal(s))
                }
                ("wildcard", Value::String(w)) => like(v, &wildcard_like(w)?),
                ("exists", Value::Bool(true)) => format!("{v} IS NOT NULL"),
                ("exists", Value::Bool(false)) => format!("{v} IS NULL"),
                ("numeric", _) => {
                    if boolean {
                        "FALSE".to_owned()
                    } else {
                        return Err("`numeric`: the table's fields are text".to_owned());
                    }
                }
                ("cidr", Value::String(c)) => {
                    format!("contains({}, try_cast({v} AS ipaddress))", literal(c))
                }
                ("anything-but", inner) => {
                    let inner: Vec<Value> = match inner {
                        Value::Array(items) => items.clone(),
                        Value::Object(_) => vec![inner.clone()],
                        other => vec![other.clone()],
                    };
                    let parts = inner
                        .iter()
                        .map(|i| match i {
                            // anything-but a number: every string is.
                            Value::Number(_) => Ok("FALSE".to_owned()),
                            _ => matcher(v, i, boolean, notes),
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    format!("({v} IS NOT NULL AND NOT ({}))", parts.join(" OR "))
                }
                _ => return Err(format!("the matcher `{op}`")),
            }
        }
        Value::Array(_) => return Err("a nested list".to_owned()),
    })
}

/// One field's matchers (any of them).
fn field(path: &str, values: &[Value], notes: &mut Notes) -> Result<String, String> {
    let col = column(path).ok_or_else(|| {
        format!("`{path}` is not a column of the CloudTrail table (or not one trailctl maps)")
    })?;
    let one = |v: &str, boolean: bool, notes: &mut Notes| -> Result<String, String> {
        let parts = values
            .iter()
            .map(|m| matcher(v, m, boolean, notes))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("({})", parts.join(" OR ")))
    };
    match col {
        Column::Text(c) => one(&c, false, notes),
        Column::Boolean(c) => one(&c, true, notes),
        Column::Resource(f) => resources(&[(f, values)], notes),
        Column::Json { column, path: p } => {
            notes.add(format!(
                "`{path}`: JSON text in the table, read with json_extract_scalar (a list in the record matches element by element in EventBridge, not here)"
            ));
            one(
                &format!("json_extract_scalar({column}, {})", literal(&p)),
                false,
                notes,
            )
        }
    }
}

/// Conditions on the fields of `resources` (`ARN`, `type`, `accountId`, each with its matchers),
/// as EventBridge matches a list of objects: the fields of one pattern are matched on one
/// element (array consistency), where `exists: false` means that element lacks the field; a
/// field whose only matcher is `exists: false`, alone or beside others like it, means no element
/// has it.
fn resources(fields: &[(&str, &[Value])], notes: &mut Notes) -> Result<String, String> {
    let absent = |m: &Value| m.get("exists") == Some(&Value::Bool(false));
    let in_no_element =
        |f: &str| format!("NOT COALESCE(any_match(resources, r -> r.{f} IS NOT NULL), false)");
    let mut per_element = Vec::new();
    let mut nowhere = Vec::new();
    let bound = fields.iter().any(|(_, ms)| ms.iter().any(|m| !absent(m)));
    for (f, matchers) in fields {
        let column = format!("r.{f}");
        let values = matchers
            .iter()
            .filter(|m| !absent(m))
            .map(|m| matcher(&column, m, false, notes))
            .collect::<Result<Vec<_>, _>>()?;
        let may_lack = matchers.iter().any(absent);
        if !bound {
            nowhere.push(in_no_element(f));
            continue;
        }
        let mut alternatives = values;
        if may_lack && fields.len() > 1 {
            alternatives.push(format!("{column} IS NULL"));
        }
        if alternatives.is_empty() {
            continue;
        }
        let this = format!("({})", alternatives.join(" OR "));
        if may_lack && fields.len() == 1 {
            // One field: present with a value that matches, or in no element at all.
            return Ok(format!(
                "(COALESCE(any_match(resources, r -> {this}), false) OR {})",
                in_no_element(f)
            ));
        }
        per_element.push(this);
    }
    if !bound {
        return Ok(format!("({})", nowhere.join(" AND ")));
    }
    Ok(format!(
        "COALESCE(any_match(resources, r -> {}), false)",
        per_element.join(" AND ")
    ))
}

/// The column of a field of `resources`' elements.
fn resource_column(field: &str) -> Option<&'static str> {
    match field {
        "ARN" => Some("arn"),
        "type" => Some("type"),
        "accountId" => Some("accountid"),
        _ => None,
    }
}

/// A `resources` object of a pattern: its fields matched on one element.
fn resources_object(o: &Map<String, Value>, notes: &mut Notes) -> Result<String, String> {
    let mut fields = Vec::new();
    for (k, v) in o {
        let column = resource_column(k).ok_or_else(|| {
            format!(
                "`detail.resources.{k}` is not a column of the CloudTrail table (or not one trailctl maps)"
            )
        })?;
        let Value::Array(values) = v else {
            return Err(format!("`detail.resources.{k}`: a leaf that is not a list"));
        };
        fields.push((column, values.as_slice()));
    }
    resources(&fields, notes)
}

/// The fields of one object (and its `$or`), ANDed.
fn object(prefix: &str, o: &Map<String, Value>, notes: &mut Notes) -> Result<String, String> {
    let mut all = Vec::new();
    for (k, v) in o {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match (k.as_str(), v) {
            ("$or", Value::Array(branches)) => {
                let parts = branches
                    .iter()
                    .map(|b| match b {
                        Value::Object(bo) => object(prefix, bo, notes),
                        _ => Err("`$or` of something else than objects".to_owned()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                all.push(format!("({})", parts.join(" OR ")));
            }
            (_, Value::Array(values)) => all.push(field(&path, values, notes)?),
            (_, Value::Object(inner)) if path == "detail.resources" => {
                all.push(resources_object(inner, notes)?);
            }
            (_, Value::Object(inner)) => all.push(object(&path, inner, notes)?),
            _ => return Err(format!("`{path}`: a leaf that is not a list")),
        }
    }
    Ok(if all.is_empty() {
        "TRUE".to_owned()
    } else {
        all.join("\n  AND ")
    })
}

/// An alert's pattern as a condition.
pub fn condition(pattern: &Value) -> Condition {
    let Value::Object(o) = pattern else {
        return Condition::Unsupported("the pattern is not an object".to_owned());
    };
    let mut notes = Notes::default();
    match object("", o, &mut notes) {
        Err(why) => Condition::Unsupported(why),
        Ok(sql) if notes.0.is_empty() => Condition::Exact(sql),
        Ok(sql) => Condition::Approximate(sql, notes.0),
    }
}

#[cfg(test)]
#[path = "pattern_sql_tests.rs"]
mod tests;
