//! The security account's event bus admitting the organization: the one statement of the
//! default bus's resource policy that trailctl owns (by its `Sid`), compared as JSON. The rest
//! of the policy belongs to others and is never written.

use serde_json::{Value, json};

use crate::model::json::{equivalent, sorted};
use crate::model::state::{Compared, FieldValue, Fields, Writes};

/// The statement of a bus policy that lets every account of an organization put events.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BusPolicyState {
    /// The Region of the (default) bus: the home Region.
    pub region: String,
    /// The statement's `Sid` (`PutPermission` `StatementId`).
    pub sid: String,
    /// `aws:PrincipalOrgID` of its condition, `None` when the statement has another shape.
    pub org_id: Option<String>,
    /// The statement as the bus policy has it (or will).
    pub statement: Value,
}

/// Equal when the statements mean the same (the JSON compared semantically).
impl PartialEq for BusPolicyState {
    fn eq(&self, o: &Self) -> bool {
        self.region == o.region && self.sid == o.sid && equivalent(&self.statement, &o.statement)
    }
}

/// The `Sid` of the statement a stack owns.
pub fn statement_id(stack: &str) -> String {
    format!("trailctl-{stack}-organization")
}

impl BusPolicyState {
    /// The statement `PutPermission` writes: `events:PutEvents` on the bus for any principal
    /// of organization `org_id`.
    pub fn admitting(region: &str, sid: &str, bus_arn: &str, org_id: &str) -> Self {
        BusPolicyState {
            region: region.to_owned(),
            sid: sid.to_owned(),
            org_id: Some(org_id.to_owned()),
            statement: json!({
                "Sid": sid,
                "Effect": "Allow",
                "Principal": "*",
                "Action": "events:PutEvents",
                "Resource": bus_arn,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id}}
            }),
        }
    }

    /// The statement `sid` of a bus policy, as observed.
    pub fn observed(region: &str, sid: &str, policy: &Value) -> Option<Self> {
        let statement = policy
            .get("Statement")
            .and_then(Value::as_array)?
            .iter()
            .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))?
            .clone();
        let org_id = statement
            .pointer("/Condition/StringEquals/aws:PrincipalOrgID")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(BusPolicyState {
            region: region.to_owned(),
            sid: sid.to_owned(),
            org_id,
            statement,
        })
    }
}

impl Compared for BusPolicyState {
    type Writes = BusPolicyWrites;

    fn fields(&self) -> Fields {
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            ("statement", FieldValue::Json(sorted(&self.statement))),
        ]
    }

    /// The statement is written whole (`PutPermission`).
    fn writes(&self, want: &BusPolicyState) -> BusPolicyWrites {
        BusPolicyWrites {
            statement: self != want,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusPolicyWrites {
    pub statement: bool,
}

impl Writes for BusPolicyWrites {
    fn no_tags(&self) -> bool {
        true
    }

    fn beyond_tags(&self) -> bool {
        self.statement
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_statement_is_found_by_sid_and_compared_semantically() {
        let want = BusPolicyState::admitting(
            "us-east-1",
            "trailctl-s-organization",
            "arn:aws:events:us-east-1:111122223333:event-bus/default",
            "o-abc123defg",
        );
        let mut other = want.statement.clone();
        other["Sid"] = json!("someone-else");
        let policy = json!({"Version": "2012-10-17", "Statement": [other, {
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123defg"}},
            "Resource": "arn:aws:events:us-east-1:111122223333:event-bus/default",
            "Action": "events:PutEvents", "Principal": "*", "Effect": "Allow",
            "Sid": "trailctl-s-organization"
        }]});
        let seen = BusPolicyState::observed("us-east-1", "trailctl-s-organization", &policy);
        assert_eq!(seen.as_ref(), Some(&want));
        assert_eq!(seen.and_then(|s| s.org_id).as_deref(), Some("o-abc123defg"));
        let moved = BusPolicyState::admitting("us-east-1", &want.sid, "x", "o-other12345");
        assert!(moved.writes(&want).beyond_tags());
        assert!(BusPolicyState::observed("us-east-1", "missing", &policy).is_none());
    }
}
