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

impl InputTransformer {
    /// The text it delivers with each variable replaced by the JSONPath it reads
    /// (`<$.detail.eventName> by <$.detail.userIdentity.arn>`): transformers that deliver the
    /// same text are the same, whatever their variables are called.
    pub fn meaning(&self) -> String {
        pieces(&self.template)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t.to_owned(),
                Piece::Var(name) => match self.paths.get(name) {
                    Some(path) => format!("<{path}>"),
                    None => format!("<{name}>"),
                },
            })
            .collect()
    }
}

/// A part of a template: text, or the name between `<` and `>`.
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// A template in pieces; a `<` that is never closed is text.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            break;
        };
        out.push(Piece::Text(&rest[..start]));
        out.push(Piece::Var(&after[..end]));
        rest = &after[end + 1..];
    }
    out.push(Piece::Text(rest));
    out
}

/// The message a transformer renders, as the spec writes it (`None`: the default message): the
/// reverse of [`transformer`]. Refused, with why, when no message says the same: a variable
/// outside the CloudTrail record or a template that is JSON rather than text.
pub fn message_of(t: &InputTransformer) -> Result<Option<String>, String> {
    if t.meaning() == transformer(None).meaning() {
        return Ok(None);
    }
    let mut text = String::with_capacity(t.template.len());
    for piece in pieces(&t.template) {
        let name = match piece {
            Piece::Text(s) => {
                text.push_str(s);
                continue;
            }
            Piece::Var(name) => name,
        };
        let placeholder = if PREDEFINED.contains(&name) {
            name.to_owned()
        } else {
            let path = t
                .paths
                .get(name)
                .ok_or_else(|| format!("uses `<{name}>`, which no InputPathsMap entry defines"))?;
            record_path(path).ok_or_else(|| {
                format!("reads `{path}`, outside the CloudTrail record (`$.detail`)")
            })?
        };
        text.push_str(&format!("<{placeholder}>"));
    }
    if text.trim_start().starts_with(['"', '{', '[']) {
        return Err(
            "renders JSON (a quoted string or an object), not the plain text a message is"
                .to_owned(),
        );
    }
    let again = transformer(Some(&text));
    if placeholders(&text).is_err() || again.meaning() != t.meaning() {
        return Err("renders text that a message cannot say the same way".to_owned());
    }
    Ok(Some(text))
}

/// `$.detail.a.b[0].c` → `a.b.0.c`, the record path a placeholder names.
fn record_path(json_path: &str) -> Option<String> {
    let rest = json_path.strip_prefix("$.detail.")?;
    let path = rest.replace('[', ".").replace(']', "");
    is_path(&path).then_some(path)
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
    fn transformers_that_deliver_the_same_text_mean_the_same() {
        let ours = transformer(Some(
            "<userIdentity.arn> deleted <requestParameters.tableName>",
        ));
        let theirs = InputTransformer {
            paths: BTreeMap::from([
                ("who".to_owned(), "$.detail.userIdentity.arn".to_owned()),
                (
                    "t".to_owned(),
                    "$.detail.requestParameters.tableName".to_owned(),
                ),
            ]),
            template: "<who> deleted <t>".to_owned(),
        };
        assert_ne!(ours, theirs);
        assert_eq!(ours.meaning(), theirs.meaning());
        assert_eq!(
            theirs.meaning(),
            "<$.detail.userIdentity.arn> deleted <$.detail.requestParameters.tableName>"
        );
        let other = InputTransformer {
            template: "<t> deleted by <who>".to_owned(),
            ..theirs
        };
        assert_ne!(ours.meaning(), other.meaning());
    }

    #[test]
    fn a_transformer_becomes_the_message_that_renders_the_same() {
        let theirs = InputTransformer {
            paths: BTreeMap::from([
                ("who".to_owned(), "$.detail.userIdentity.arn".to_owned()),
                ("r".to_owned(), "$.detail.resources[0].ARN".to_owned()),
            ]),
            template: "<who> touched <r> (<aws.events.rule-name>)".to_owned(),
        };
        let m = message_of(&theirs).unwrap().unwrap();
        assert_eq!(
            m,
            "<userIdentity.arn> touched <resources.0.ARN> (<aws.events.rule-name>)"
        );
        assert_eq!(transformer(Some(&m)).meaning(), theirs.meaning());
        assert_eq!(message_of(&transformer(None)), Ok(None));
        let quoted = InputTransformer {
            template: "\"<who> touched <r>\"".to_owned(),
            ..theirs.clone()
        };
        assert!(message_of(&quoted).unwrap_err().contains("JSON"));
        let outside = InputTransformer {
            paths: BTreeMap::from([("a".to_owned(), "$.account".to_owned())]),
            template: "account <a>".to_owned(),
        };
        assert!(message_of(&outside).unwrap_err().contains("outside"));
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
