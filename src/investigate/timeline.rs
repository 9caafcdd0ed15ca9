//! The records that concern a resource as a timeline, newest first: who did what, where, with
//! what result; deletions marked, and the last change before each.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

/// Who made a call, as the record tells it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Who {
    /// `IAMUser`, `AssumedRole`, `Root`, `AWSService`…
    pub identity_type: Option<String>,
    pub arn: Option<String>,
    /// The role a session was issued from (`sessionContext.sessionIssuer.arn`).
    pub session_issuer: Option<String>,
    pub access_key: Option<String>,
    /// Whether the session was authenticated with MFA, when the record says.
    pub mfa: Option<bool>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Why an entry stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// A successful call that deletes (or schedules the deletion of) a resource.
    Deletion,
    /// The last successful write before a deletion.
    LastChange,
}

/// One record of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub time: String,
    pub region: String,
    pub event: String,
    pub source: String,
    pub event_id: String,
    pub account: Option<String>,
    pub who: Who,
    /// The error code of a failed call.
    pub error: Option<String>,
    pub read_only: bool,
    /// The resources the record lists (ARNs).
    pub resources: Vec<String>,
    pub mark: Option<Mark>,
}

/// Event names of calls that delete.
const DELETING: &[&str] = &[
    "Delete",
    "Remove",
    "Terminate",
    "Destroy",
    "Purge",
    "ScheduleKeyDeletion",
    "DeregisterImage",
];

impl Entry {
    /// The entry of a CloudTrail record (a field the record lacks stays empty).
    pub fn of(record: &Value) -> Entry {
        let s = |v: &Value, path: &[&str]| -> Option<String> {
            let mut at = v;
            for p in path {
                at = at.get(*p)?;
            }
            match at {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            }
        };
        let event = s(record, &["eventName"]).unwrap_or_default();
        let read_only = record
            .get("readOnly")
            .and_then(Value::as_bool)
            .unwrap_or_else(|| crate::model::event_sources::is_read_only(&event));
        Entry {
            time: s(record, &["eventTime"]).unwrap_or_default(),
            region: s(record, &["awsRegion"]).unwrap_or_default(),
            source: s(record, &["eventSource"]).unwrap_or_default(),
            event_id: s(record, &["eventID"]).unwrap_or_default(),
            account: s(record, &["recipientAccountId"]),
            who: Who {
                identity_type: s(record, &["userIdentity", "type"]),
                arn: s(record, &["userIdentity", "arn"]),
                session_issuer: s(
                    record,
                    &["userIdentity", "sessionContext", "sessionIssuer", "arn"],
                ),
                access_key: s(record, &["userIdentity", "accessKeyId"]),
                mfa: s(
                    record,
                    &[
                        "userIdentity",
                        "sessionContext",
                        "attributes",
                        "mfaAuthenticated",
                    ],
                )
                .map(|m| m == "true"),
                source_ip: s(record, &["sourceIPAddress"]),
                user_agent: s(record, &["userAgent"]),
            },
            error: s(record, &["errorCode"]),
            read_only,
            resources: record
                .get("resources")
                .and_then(Value::as_array)
                .map(|rs| {
                    rs.iter()
                        .filter_map(|r| r.get("ARN").and_then(Value::as_str))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            mark: None,
            event,
        }
    }

    fn deletes(&self) -> bool {
        self.error.is_none() && DELETING.iter().any(|d| self.event.starts_with(d))
    }

    fn writes(&self) -> bool {
        self.error.is_none() && !self.read_only
    }

    /// Made by `arn`: the caller's ARN or the role its session was issued from.
    pub fn made_by(&self, arn: &str) -> bool {
        self.who.arn.as_deref() == Some(arn) || self.who.session_issuer.as_deref() == Some(arn)
    }
}

/// A resource's records, newest first, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub entries: Vec<Entry>,
}

impl Timeline {
    /// The entries of `records`, deduplicated by event id (event history and archives, or two
    /// lookups, may return the same record), newest first, marked.
    pub fn new(entries: impl IntoIterator<Item = Entry>) -> Timeline {
        let mut seen = BTreeSet::new();
        let mut entries: Vec<Entry> = entries
            .into_iter()
            .filter(|e| e.event_id.is_empty() || seen.insert(e.event_id.clone()))
            .collect();
        // ISO 8601 times in UTC sort as text.
        entries.sort_by(|a, b| {
            b.time
                .cmp(&a.time)
                .then_with(|| a.event_id.cmp(&b.event_id))
        });
        for i in 0..entries.len() {
            if entries[i].deletes() {
                entries[i].mark = Some(Mark::Deletion);
                // Older entries come after: the first write after it in the list is the last
                // change before the deletion.
                if let Some(j) =
                    (i + 1..entries.len()).find(|&j| entries[j].writes() && !entries[j].deletes())
                    && entries[j].mark.is_none()
                {
                    entries[j].mark = Some(Mark::LastChange);
                }
            }
        }
        Timeline { entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: &str, time: &str, event: &str, error: Option<&str>) -> Value {
        let mut r = json!({
            "eventID": id, "eventTime": time, "eventName": event, "awsRegion": "eu-west-1",
            "eventSource": "dynamodb.amazonaws.com",
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/ops/alice",
                "accessKeyId": "ASIAX", "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::1:role/ops"},
                "attributes": {"mfaAuthenticated": "true"}}},
            "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2"});
        if let Some(e) = error {
            r["errorCode"] = json!(e);
        }
        r
    }

    #[test]
    fn newest_first_once_each_with_the_deletion_and_the_change_before_it() {
        let t = Timeline::new(
            [
                record("1", "2026-11-01T10:00:00Z", "CreateTable", None),
                record("2", "2026-11-02T10:00:00Z", "UpdateTable", None),
                record("3", "2026-11-03T09:00:00Z", "DescribeTable", None),
                record(
                    "4",
                    "2026-11-03T10:00:00Z",
                    "DeleteTable",
                    Some("AccessDenied"),
                ),
                record("5", "2026-11-03T11:00:00Z", "DeleteTable", None),
                record("5", "2026-11-03T11:00:00Z", "DeleteTable", None),
            ]
            .iter()
            .map(Entry::of),
        );
        let ids: Vec<&str> = t.entries.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["5", "4", "3", "2", "1"]);
        assert_eq!(t.entries[0].mark, Some(Mark::Deletion));
        assert_eq!(t.entries[1].mark, None, "a denied delete deletes nothing");
        assert_eq!(
            t.entries[3].mark,
            Some(Mark::LastChange),
            "the read is skipped"
        );
        let who = &t.entries[0].who;
        assert_eq!(
            who.session_issuer.as_deref(),
            Some("arn:aws:iam::1:role/ops")
        );
        assert_eq!(who.mfa, Some(true));
        assert!(t.entries[0].made_by("arn:aws:iam::1:role/ops"));
        assert!(t.entries[2].read_only && !t.entries[0].read_only);
    }
}
