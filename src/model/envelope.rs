//! A CloudTrail record (as in the S3 logs) as the event EventBridge delivers for it, so that
//! alert patterns can be tested against real records.
//!
//! Sources: "AWS service events delivered via AWS CloudTrail" (EventBridge User Guide,
//! eb-service-event-cloudtrail.html) lists the detail-types CloudTrail sends to the default bus:
//! API calls, console sign-in, console actions, service events and Insights. The guide spells
//! the sign-in type "AWS Console Signin via CloudTrail"; the events themselves, and every AWS
//! example pattern for `ConsoleLogin`, carry "AWS Console Sign In via CloudTrail", which is what
//! is used here. The `eventType` values come from the CloudTrail User Guide ("CloudTrail record
//! contents", cloudtrail-event-reference-record-contents.html, and "Non-API events captured by
//! CloudTrail": `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleAction`, `AwsConsoleSignIn`,
//! `AwsCloudTrailInsight`). `source` is `aws.` + the service part of `eventSource`
//! (`dynamodb.amazonaws.com` → `aws.dynamodb`), and Insights events come from `aws.cloudtrail`
//! ("AWS CloudTrail events", EventBridge events reference). `detail` is the record itself.

use serde_json::{Value, json};

/// Each CloudTrail `eventType` and the `detail-type` EventBridge gives its records.
pub const DETAIL_TYPES: &[(&str, &str)] = &[
    ("AwsApiCall", "AWS API Call via CloudTrail"),
    ("AwsConsoleSignIn", "AWS Console Sign In via CloudTrail"),
    ("AwsConsoleAction", "AWS Console Action via CloudTrail"),
    ("AwsServiceEvent", "AWS Service Event via CloudTrail"),
    ("AwsCloudTrailInsight", "AWS Insight via CloudTrail"),
];

/// The `detail-type` EventBridge gives a CloudTrail record of this `eventType`.
pub fn detail_type(event_type: &str) -> Option<&'static str> {
    DETAIL_TYPES
        .iter()
        .find(|(t, _)| *t == event_type)
        .map(|(_, d)| *d)
}

/// Whether `v` looks like a CloudTrail record (not an EventBridge event).
pub fn is_cloudtrail_record(v: &Value) -> bool {
    v.get("detail-type").is_none()
        && v.get("eventVersion").is_some()
        && v.get("eventSource").and_then(Value::as_str).is_some()
}

/// Why a record cannot be wrapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the record has no `{0}`")]
    Missing(&'static str),
    #[error(
        "unknown eventType {0:?}: EventBridge receives AwsApiCall, AwsConsoleSignIn, AwsConsoleAction, AwsServiceEvent and AwsCloudTrailInsight records"
    )]
    UnknownType(String),
}

/// The EventBridge event for a CloudTrail record.
pub fn eventbridge_event(record: &Value) -> Result<Value, EnvelopeError> {
    let text = |key: &'static str| {
        record
            .get(key)
            .and_then(Value::as_str)
            .ok_or(EnvelopeError::Missing(key))
    };
    let event_type = text("eventType")?;
    let detail_type =
        detail_type(event_type).ok_or_else(|| EnvelopeError::UnknownType(event_type.to_owned()))?;
    let source = if event_type == "AwsCloudTrailInsight" {
        "aws.cloudtrail".to_owned()
    } else {
        let event_source = text("eventSource")?;
        format!(
            "aws.{}",
            event_source
                .strip_suffix(".amazonaws.com")
                .unwrap_or(event_source)
        )
    };
    let account = text("recipientAccountId").or_else(|_| {
        record
            .pointer("/userIdentity/accountId")
            .and_then(Value::as_str)
            .ok_or(EnvelopeError::Missing("recipientAccountId"))
    })?;
    Ok(json!({
        "version": "0",
        "id": record.get("eventID").and_then(Value::as_str).unwrap_or("00000000-0000-0000-0000-000000000000"),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": text("eventTime")?,
        "region": text("awsRegion")?,
        "resources": [],
        "detail": record,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_an_api_call() {
        let record = json!({
            "eventVersion": "1.08", "eventType": "AwsApiCall", "eventSource": "dynamodb.amazonaws.com",
            "eventName": "DeleteTable", "eventTime": "2024-01-01T00:00:00Z", "awsRegion": "eu-west-1",
            "recipientAccountId": "123456789012", "eventID": "abc"
        });
        assert!(is_cloudtrail_record(&record));
        let e = eventbridge_event(&record).unwrap();
        assert_eq!(e["source"], "aws.dynamodb");
        assert_eq!(e["detail-type"], "AWS API Call via CloudTrail");
        assert_eq!(e["account"], "123456789012");
        assert_eq!(e["region"], "eu-west-1");
        assert_eq!(e["time"], "2024-01-01T00:00:00Z");
        assert_eq!(e["id"], "abc");
        assert_eq!(e["detail"], record);
        assert!(!is_cloudtrail_record(&e));
    }

    #[test]
    fn insights_sign_in_and_unknown_types() {
        let mut r = json!({
            "eventVersion": "1.08", "eventType": "AwsCloudTrailInsight", "eventSource": "ssm.amazonaws.com",
            "eventTime": "t", "awsRegion": "us-east-1", "recipientAccountId": "1"
        });
        let e = eventbridge_event(&r).unwrap();
        assert_eq!(
            (e["source"].as_str(), e["detail-type"].as_str()),
            (Some("aws.cloudtrail"), Some("AWS Insight via CloudTrail"))
        );
        r["eventType"] = json!("AwsConsoleSignIn");
        r["eventSource"] = json!("signin.amazonaws.com");
        let e = eventbridge_event(&r).unwrap();
        assert_eq!(e["source"], "aws.signin");
        assert_eq!(e["detail-type"], "AWS Console Sign In via CloudTrail");
        r["eventType"] = json!("Bogus");
        assert!(matches!(
            eventbridge_event(&r),
            Err(EnvelopeError::UnknownType(_))
        ));
    }
}
