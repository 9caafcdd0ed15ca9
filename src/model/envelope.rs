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

pub use crate::pattern::{
    DETAIL_TYPES, EVENT_SOURCE_SUFFIX, SOURCE_PREFIX, service_of_event_source, service_of_source,
    source_of_event_source,
};

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

/// The top-level fields of a CloudTrail record that its EventBridge envelope is made from.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordFields<'a> {
    pub event_type: Option<&'a str>,
    pub event_source: Option<&'a str>,
    pub recipient_account_id: Option<&'a str>,
    /// `userIdentity.accountId`, used when the record has no `recipientAccountId`.
    pub identity_account_id: Option<&'a str>,
    pub event_time: Option<&'a str>,
    pub aws_region: Option<&'a str>,
    pub event_id: Option<&'a str>,
}

/// The envelope EventBridge puts around a record: every field but `detail` (the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    pub id: &'a str,
    pub detail_type: &'static str,
    /// The service of `source` (`aws.` and it): borrowed, so that a record's envelope
    /// allocates nothing.
    pub service: &'a str,
    pub account: &'a str,
    pub time: &'a str,
    pub region: &'a str,
}

impl<'a> Header<'a> {
    /// The event's `source`, `aws.` and the service, as its two pieces (what the backtest adds
    /// to an event without allocating).
    pub fn source_pieces(&self) -> [&'a str; 2] {
        [SOURCE_PREFIX, self.service]
    }

    /// The event's `source`.
    pub fn source(&self) -> String {
        self.source_pieces().concat()
    }
}

/// The id EventBridge events get when the record has no `eventID`.
const NO_ID: &str = "00000000-0000-0000-0000-000000000000";

impl<'a> RecordFields<'a> {
    /// The fields of a record read into a `Value`.
    pub fn of(record: &'a Value) -> RecordFields<'a> {
        let text = |key: &str| record.get(key).and_then(Value::as_str);
        RecordFields {
            event_type: text("eventType"),
            event_source: text("eventSource"),
            recipient_account_id: text("recipientAccountId"),
            identity_account_id: record
                .pointer("/userIdentity/accountId")
                .and_then(Value::as_str),
            event_time: text("eventTime"),
            aws_region: text("awsRegion"),
            event_id: text("eventID"),
        }
    }

    /// The envelope of the record: the one place that decides `detail-type`, `source` and
    /// `account`.
    pub fn header(&self) -> Result<Header<'a>, EnvelopeError> {
        let event_type = self.event_type.ok_or(EnvelopeError::Missing("eventType"))?;
        let detail_type = detail_type(event_type)
            .ok_or_else(|| EnvelopeError::UnknownType(event_type.to_owned()))?;
        let service = if event_type == "AwsCloudTrailInsight" {
            "cloudtrail"
        } else {
            let event_source = self
                .event_source
                .ok_or(EnvelopeError::Missing("eventSource"))?;
            service_of_event_source(event_source).unwrap_or(event_source)
        };
        Ok(Header {
            id: self.event_id.unwrap_or(NO_ID),
            detail_type,
            service,
            account: self
                .recipient_account_id
                .or(self.identity_account_id)
                .ok_or(EnvelopeError::Missing("recipientAccountId"))?,
            time: self.event_time.ok_or(EnvelopeError::Missing("eventTime"))?,
            region: self.aws_region.ok_or(EnvelopeError::Missing("awsRegion"))?,
        })
    }
}

/// The EventBridge event for a CloudTrail record.
pub fn eventbridge_event(record: &Value) -> Result<Value, EnvelopeError> {
    let h = RecordFields::of(record).header()?;
    Ok(json!({
        "version": "0",
        "id": h.id,
        "detail-type": h.detail_type,
        "source": h.source(),
        "account": h.account,
        "time": h.time,
        "region": h.region,
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
