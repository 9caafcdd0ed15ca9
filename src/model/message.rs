//! An alert's message: a plain-text template with `<path>` placeholders into the CloudTrail
//! record, turned into an EventBridge `InputTransformer`.
//!
//! The classic pitfall: a template that is itself a JSON string (`"<a> did <b>"`, quotes
//! included) is delivered as a JSON string, quotes and escapes in the email. trailctl sends
//! the template unquoted, so EventBridge treats it as text and SNS delivers it as written.
//! Source: the `InputTransformer` API reference (docs.aws.amazon.com/eventbridge/latest/
//! APIReference/API_InputTransformer.html): `"InputTemplate": "<instance> is in state <status>"`.

use std::collections::BTreeMap;

/// EventBridge allows at most 100 variables per transformer (same page).
pub const MAX_VARIABLES: usize = 100;
/// `InputTemplate` length limit (same page).
pub const MAX_TEMPLATE: usize = 8192;
/// Variables EventBridge defines itself; usable without a path (eb-transform-target-input).
const PREDEFINED: &[&str] = &[
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
];

/// The default message: who, what, where, when, from where, and any error.
pub const DEFAULT: &str = "<eventName> by <userIdentity.arn> on <eventSource> in <awsRegion> (account <recipientAccountId>) at <eventTime> from <sourceIPAddress>. Error: <errorCode>";

/// `InputPathsMap` and `InputTemplate`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputTransformer {
    pub paths: BTreeMap<String, String>,
    pub template: String,
}

/// The placeholders of a template, in order, or what is wrong with one.
pub fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            return Err(format!(
                "`<` at `{}` opens a placeholder that is never closed with `>`",
                &rest[start..rest.len().min(start + 20)]
            ));
        };
        let name = &after[..end];
        if !is_path(name) && !PREDEFINED.contains(&name) {
            return Err(format!(
                "placeholder `<{name}>` is not a path into the CloudTrail record (like `<userIdentity.arn>`)"
            ));
        }
        out.push(name);
        rest = &after[end + 1..];
    }
    Ok(out)
}

/// `a.b.c`, each segment letters, digits, `_` or `-`.
fn is_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// The JSONPath of a record path inside the EventBridge event (the record is `detail`);
/// numeric segments are array indices.
fn json_path(path: &str) -> String {
    let mut out = "$.detail".to_owned();
    for seg in path.split('.') {
        if seg.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            out.push('.');
            out.push_str(seg);
        }
    }
    out
}

/// The transformer for `message` (or the default). Call only with a template that
/// [`placeholders`] accepts; anything else yields a template without variables.
pub fn transformer(message: Option<&str>) -> InputTransformer {
    let text = message.unwrap_or(DEFAULT);
    let mut paths = BTreeMap::new();
    let mut template = String::with_capacity(text.len());
    let mut rest = text;
    let names = placeholders(text).unwrap_or_default();
    for name in names {
        let Some(start) = rest.find(&format!("<{name}>")) else {
            break;
        };
        template.push_str(&rest[..start]);
        if PREDEFINED.contains(&name) {
            template.push_str(&format!("<{name}>"));
        } else {
            let var: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            paths.insert(var.clone(), json_path(name));
            template.push_str(&format!("<{var}>"));
        }
        rest = &rest[start + name.len() + 2..];
    }
    template.push_str(rest);
    InputTransformer { paths, template }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_paths_into_detail() {
        let t = transformer(Some(
            "<userIdentity.arn> deleted <requestParameters.tableName> at <eventTime> (<resources.0.ARN>, <aws.events.rule-name>)",
        ));
        assert_eq!(
            t.template,
            "<userIdentity_arn> deleted <requestParameters_tableName> at <eventTime> (<resources_0_ARN>, <aws.events.rule-name>)"
        );
        assert_eq!(t.paths["userIdentity_arn"], "$.detail.userIdentity.arn");
        assert_eq!(t.paths["resources_0_ARN"], "$.detail.resources[0].ARN");
        assert_eq!(t.paths.len(), 4);
        // The template is plain text, never a JSON string.
        assert!(serde_json::from_str::<serde_json::Value>(&t.template).is_err());
    }

    #[test]
    fn the_default_names_who_what_where_when_and_from_where() {
        let t = transformer(None);
        for p in [
            "$.detail.userIdentity.arn",
            "$.detail.eventName",
            "$.detail.eventSource",
            "$.detail.awsRegion",
            "$.detail.recipientAccountId",
            "$.detail.eventTime",
            "$.detail.sourceIPAddress",
            "$.detail.errorCode",
        ] {
            assert!(t.paths.values().any(|v| v == p), "{p}");
        }
    }

    #[test]
    fn bad_placeholders_are_named() {
        assert!(placeholders("<a b>").unwrap_err().contains("<a b>"));
        assert!(placeholders("x < y").unwrap_err().contains("never closed"));
        assert!(placeholders("<a..b>").is_err());
        assert_eq!(placeholders("no placeholders").unwrap(), Vec::<&str>::new());
    }
}
