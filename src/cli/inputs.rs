//! Reads events to match from files: a CloudTrail record or an EventBridge event, a JSON array
//! of them, a CloudTrail log file (`{"Records": [...]}`) or JSON lines, gzipped or not.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::model::envelope::{self, EnvelopeError};

/// Event files larger than this (after decompression) are refused.
const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// One event to match, and where it came from (`file`, `file[3]` or `file:7`).
#[derive(Debug, Clone)]
pub struct Input {
    pub label: String,
    /// The event as EventBridge would see it: CloudTrail records are wrapped, unless raw.
    pub event: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: larger than {} MiB", path.display(), MAX_INPUT_BYTES / (1024 * 1024))]
    TooLarge { path: PathBuf },
    #[error("{label}: not JSON: {message}")]
    NotJson { label: String, message: String },
    #[error("{label}: {message}")]
    NotAnEvent { label: String, message: String },
    #[error("{label}: {source}")]
    Envelope {
        label: String,
        source: EnvelopeError,
    },
}

/// The events in the file at `path`, labelled after `name`; `raw` matches each exactly as given
/// (no envelope).
pub fn read(path: &Path, name: &str, raw: bool) -> Result<Vec<Input>, InputError> {
    let read_err = |source| InputError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    let gz = path.extension().is_some_and(|e| e == "gz");
    let limited = |r: Box<dyn Read>| r.take(MAX_INPUT_BYTES + 1);
    if gz {
        limited(Box::new(flate2::read::MultiGzDecoder::new(file))).read_to_end(&mut bytes)
    } else {
        limited(Box::new(file)).read_to_end(&mut bytes)
    }
    .map_err(read_err)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            path: path.to_owned(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| InputError::NotJson {
        label: name.to_owned(),
        message: format!("not UTF-8 ({e})"),
    })?;
    parse(name, &text, raw)
}

/// The events in `text`, labelled after `name`.
pub fn parse(name: &str, text: &str, raw: bool) -> Result<Vec<Input>, InputError> {
    let values: Vec<(String, Value)> = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("{name}[{i}]"), v))
            .collect(),
        Ok(Value::Object(mut o)) if o.get("Records").is_some_and(Value::is_array) => {
            match o.remove("Records") {
                Some(Value::Array(items)) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{name}:Records[{i}]"), v))
                    .collect(),
                _ => Vec::new(),
            }
        }
        Ok(v) => vec![(name.to_owned(), v)],
        // Not one JSON document: JSON lines, one event a line.
        Err(whole) => {
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            if lines.len() < 2 {
                return Err(InputError::NotJson {
                    label: name.to_owned(),
                    message: whole.to_string(),
                });
            }
            lines
                .into_iter()
                .map(|(n, line)| {
                    let label = format!("{name}:{}", n + 1);
                    serde_json::from_str(line)
                        .map(|v| (label.clone(), v))
                        .map_err(|e| InputError::NotJson {
                            label,
                            message: e.to_string(),
                        })
                })
                .collect::<Result<_, _>>()?
        }
    };
    values
        .into_iter()
        .map(|(label, v)| event(label, v, raw))
        .collect()
}

/// One value as an input event.
pub fn event(label: String, v: Value, raw: bool) -> Result<Input, InputError> {
    if !v.is_object() {
        return Err(InputError::NotAnEvent {
            label,
            message: "an event is a JSON object".to_owned(),
        });
    }
    if raw || !envelope::is_cloudtrail_record(&v) {
        return Ok(Input { label, event: v });
    }
    match envelope::eventbridge_event(&v) {
        Ok(event) => Ok(Input { label, event }),
        Err(source) => Err(InputError::Envelope { label, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"eventVersion":"1.08","eventType":"AwsApiCall","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventTime":"t","awsRegion":"us-east-1","recipientAccountId":"1"}"#;

    #[test]
    fn every_layout() {
        let one = parse("f", RECORD, false).unwrap();
        assert_eq!(one.len(), 1);
        assert!(
            one[0].event.get("detail").is_some(),
            "wrapped in the envelope"
        );
        assert_eq!(one[0].event["source"], "aws.sts");
        let raw = parse("f", RECORD, true).unwrap();
        assert!(raw[0].event.get("detail").is_none(), "as given");
        assert_eq!(raw[0].event["eventName"], "AssumeRole");
        let array = parse("f", &format!("[{RECORD},{RECORD}]"), false).unwrap();
        assert_eq!(array[1].label, "f[1]");
        let log = parse("f", &format!("{{\"Records\":[{RECORD}]}}"), false).unwrap();
        assert_eq!(log[0].label, "f:Records[0]");
        let lines = parse("f", &format!("{RECORD}\n\n{{\"source\":\"x\"}}\n"), false).unwrap();
        assert_eq!(lines[1].label, "f:3");
        assert!(
            lines[1].event.get("detail").is_none(),
            "an EventBridge event is not wrapped"
        );
        assert!(matches!(
            parse("f", "{nope", false),
            Err(InputError::NotJson { .. })
        ));
        assert!(matches!(
            parse("f", "[1]", false),
            Err(InputError::NotAnEvent { .. })
        ));
    }
}
