//! What trailctl knows about CloudTrail events on EventBridge, kept as data with its sources:
//! in which Region each service's events arrive, and which events are read-only.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::alert::{Alert, Placement};
use crate::model::envelope::{EVENT_SOURCE_SUFFIX, SOURCE_PREFIX, source_of_event_source};

/// Where events of global services arrive.
pub const GLOBAL_REGION: &str = "us-east-1";

/// Services whose CloudTrail events reach EventBridge only in us-east-1.
///
/// Sources: "Why does my EventBridge rule for IAM events only trigger in the us-east-1 Region?"
/// (repost.aws/knowledge-center/eventbridge-rule-triggers-iam-single-region: IAM, Route 53);
/// "use-eventbridge-rule-across-regions" (repost.aws/knowledge-center: IAM, Organizations,
/// Account Management "deliver events only to us-east-1"); CloudTrail's global service events
/// (CloudFront, IAM, STS global endpoint, sign-in "occur in" us-east-1, AWS notice of
/// 2021-11-22 quoted in github.com/SummitRoute/aws_breaking_changes/issues/51).
const GLOBAL_SOURCES: &[&str] = &[
    "aws.iam",
    "aws.organizations",
    "aws.cloudfront",
    "aws.route53",
    "aws.account",
];

/// Services with a global endpoint whose events arrive in us-east-1, and regional endpoints
/// whose events arrive where they are called: STS (regional endpoints are the SDK default
/// since 2022, the global endpoint logs in us-east-1) and console sign-in (root and IAM user
/// sign-ins through the global sign-in endpoint log in us-east-1; the Stratus Red Team
/// `ConsoleLogin` record in our fixtures was recorded in another Region). Alerts on them are
/// placed in us-east-1 and in every Region of the spec.
const GLOBAL_AND_REGIONAL_SOURCES: &[&str] = &["aws.sts", "aws.signin"];

/// Regional services (events arrive in the Region of the call). A source not listed here and
/// not global is unknown, and an alert on it is placed everywhere.
const REGIONAL_SOURCES: &[&str] = &[
    "aws.acm",
    "aws.apigateway",
    "aws.athena",
    "aws.autoscaling",
    "aws.backup",
    "aws.bedrock",
    "aws.cloudformation",
    "aws.cloudtrail",
    "aws.cloudwatch",
    "aws.config",
    "aws.dynamodb",
    "aws.ec2",
    "aws.ecr",
    "aws.ecs",
    "aws.eks",
    "aws.elasticfilesystem",
    "aws.elasticloadbalancing",
    "aws.events",
    "aws.glue",
    "aws.guardduty",
    "aws.kinesis",
    "aws.kms",
    "aws.lambda",
    "aws.logs",
    "aws.rds",
    "aws.redshift",
    "aws.route53resolver",
    "aws.s3",
    "aws.secretsmanager",
    "aws.securityhub",
    "aws.sns",
    "aws.sqs",
    "aws.ssm",
    "aws.states",
];

/// The EventBridge `source` and CloudTrail `eventSource` of a service (`dynamodb` →
/// `aws.dynamodb`, `dynamodb.amazonaws.com`), as EventBridge's per-service reference pages
/// give them (e.g. docs.aws.amazon.com/eventbridge/latest/ref/events-ref-sts.html).
pub fn service_source(service: &str) -> (String, String) {
    (
        format!("{SOURCE_PREFIX}{service}"),
        format!("{service}{EVENT_SOURCE_SUFFIX}"),
    )
}

/// The exact strings a pattern requires at `key` (`None` when it does not constrain it to a
/// list of exact strings: absent, or an operator such as `prefix` or `anything-but`).
pub fn exact_strings(pattern: &Value, path: &[&str]) -> Option<BTreeSet<String>> {
    let mut v = pattern;
    for key in path {
        v = v.get(*key)?;
    }
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_owned))
        .collect()
}

/// The sources an alert's pattern is limited to, from `source` or else `detail.eventSource`.
pub fn sources(pattern: &Value) -> Option<BTreeSet<String>> {
    if pattern.get("$or").is_some() {
        return None;
    }
    exact_strings(pattern, &["source"]).or_else(|| {
        let events = exact_strings(pattern, &["detail", "eventSource"])?;
        events.iter().map(|e| source_of_event_source(e)).collect()
    })
}

/// Where a source's CloudTrail events reach EventBridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    Global,
    GlobalAndRegional,
    Regional,
    Unknown,
}

pub fn arrival(source: &str) -> Arrival {
    if GLOBAL_SOURCES.contains(&source) {
        Arrival::Global
    } else if GLOBAL_AND_REGIONAL_SOURCES.contains(&source) {
        Arrival::GlobalAndRegional
    } else if REGIONAL_SOURCES.contains(&source) {
        Arrival::Regional
    } else {
        Arrival::Unknown
    }
}

/// The Regions an alert's rules go to. `spec_regions` are the spec's `regions`.
pub fn regions(
    pattern: &Value,
    placement: &Placement,
    spec_regions: &[String],
) -> BTreeSet<String> {
    let regional: BTreeSet<String> = spec_regions.iter().cloned().collect();
    let mut all = regional.clone();
    all.insert(GLOBAL_REGION.to_owned());
    match placement {
        Placement::List(list) => list.iter().cloned().collect(),
        Placement::All => all,
        Placement::Auto => {
            let Some(sources) = sources(pattern) else {
                return all;
            };
            let mut out = BTreeSet::new();
            for s in &sources {
                match arrival(s) {
                    Arrival::Global => {
                        out.insert(GLOBAL_REGION.to_owned());
                    }
                    Arrival::Regional => out.extend(regional.iter().cloned()),
                    // Unknown sources go everywhere too, so that no event is missed.
                    Arrival::GlobalAndRegional | Arrival::Unknown => {
                        out.extend(all.iter().cloned())
                    }
                }
            }
            if out.is_empty() { all } else { out }
        }
    }
}

/// Read-only events that do not follow the Describe/Get/List naming convention. Sources:
/// the Stratus Red Team records in `tests/fixtures/cloudtrail/` (`AssumeRole` carries
/// `"readOnly": true`); EventBridge's "Receiving read-only management events" page uses
/// `AssumeRole` as its example (docs.aws.amazon.com/eventbridge/latest/userguide/
/// eb-service-event-cloudtrail-management.html).
pub const READ_ONLY_EVENTS: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
];

/// Events named like reads that are changes. Source: the same EventBridge page ("the following
/// events from AWS STS APIs are change events, even though they begin with the verb Get":
/// GetFederationToken, GetSessionToken); our fixtures agree (`GetFederationToken` has
/// `"readOnly": false`).
pub const CHANGE_EVENTS: &[&str] = &["GetFederationToken", "GetSessionToken"];

/// Read-only management events are named `Describe*`, `Get*` or `List*` (same page).
pub const READ_ONLY_PREFIXES: &[&str] = &["Describe", "Get", "List"];

/// Whether the management event `name` is read-only.
pub fn is_read_only(name: &str) -> bool {
    if CHANGE_EVENTS.contains(&name) {
        return false;
    }
    READ_ONLY_EVENTS.contains(&name) || READ_ONLY_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Whether an alert's rules take read-only management events (state
/// `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`): as `read_only_events` says, else when its
/// pattern names a read-only event.
pub fn receives_read_only(alert: &Alert) -> bool {
    alert
        .read_only_events
        .unwrap_or_else(|| !read_only_events(&alert.pattern).is_empty())
}

/// Whether an EventBridge event is a read-only management event from CloudTrail.
pub fn is_read_only_event(event: &Value) -> bool {
    let detail = event.get("detail");
    is_read_only_record(
        event.get("detail-type").and_then(Value::as_str),
        detail
            .and_then(|d| d.get("readOnly"))
            .and_then(Value::as_bool),
        detail
            .and_then(|d| d.get("eventName"))
            .and_then(Value::as_str),
    )
}

/// Whether an event of `detail_type` is a read-only management event from CloudTrail: an API
/// call whose record says `readOnly`, or where it says nothing, whose event name is a read.
pub fn is_read_only_record(
    detail_type: Option<&str>,
    read_only: Option<bool>,
    event_name: Option<&str>,
) -> bool {
    if detail_type != Some("AWS API Call via CloudTrail") {
        return false;
    }
    read_only.unwrap_or_else(|| event_name.is_some_and(is_read_only))
}

/// The read-only events an API-call pattern names in `detail.eventName` (exact names, or a
/// `prefix` that is itself a read verb).
pub fn read_only_events(pattern: &Value) -> Vec<String> {
    let Some(names) = pattern
        .get("detail")
        .and_then(|d| d.get("eventName"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|n| match n {
            Value::String(s) => is_read_only(s).then(|| s.clone()),
            Value::Object(m) => m
                .get("prefix")
                .and_then(Value::as_str)
                .filter(|p| READ_ONLY_PREFIXES.iter().any(|r| p.starts_with(r)))
                .map(|p| format!("{p}*")),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::envelope::{service_of_event_source, service_of_source};
    use serde_json::json;

    /// The three spellings of a service agree both ways, and a name that is not an AWS
    /// service's `eventSource` has no `source`.
    #[test]
    fn source_and_event_source_of_a_service_agree() {
        for service in ["dynamodb", "sts", "s3-outposts", "signin"] {
            let (source, event_source) = service_source(service);
            assert_eq!(service_of_source(&source), Some(service));
            assert_eq!(service_of_event_source(&event_source), Some(service));
            assert_eq!(source_of_event_source(&event_source), Some(source));
        }
        assert_eq!(source_of_event_source("dynamodb"), None);
        assert_eq!(service_of_source("dynamodb.amazonaws.com"), None);
    }

    /// Every source trailctl places or presets alert on is a service the spec reader knows, or
    /// it would warn on its own presets.
    #[test]
    fn every_source_named_here_and_in_the_presets_is_a_known_service() {
        let tables = GLOBAL_SOURCES
            .iter()
            .chain(GLOBAL_AND_REGIONAL_SOURCES)
            .chain(REGIONAL_SOURCES)
            .map(|s| s.to_string());
        let presets = crate::model::presets::all()
            .iter()
            .flat_map(|p| sources(&p.pattern).unwrap_or_default());
        let mut unknown = Vec::new();
        for source in tables.chain(presets) {
            let service = source.strip_prefix(SOURCE_PREFIX).unwrap_or(&source);
            if !crate::model::services::is_known(service) {
                unknown.push(source.clone());
            }
        }
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    fn spec() -> Vec<String> {
        vec!["eu-west-1".into(), "eu-central-1".into()]
    }

    fn set(r: &[&str]) -> BTreeSet<String> {
        r.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn placement_follows_the_services_a_pattern_names() {
        let iam = json!({"source": ["aws.iam"], "detail": {"eventName": ["CreateUser"]}});
        assert_eq!(
            regions(&iam, &Placement::Auto, &spec()),
            set(&["us-east-1"])
        );
        let ddb = json!({"detail": {"eventSource": ["dynamodb.amazonaws.com"]}});
        assert_eq!(
            regions(&ddb, &Placement::Auto, &spec()),
            set(&["eu-central-1", "eu-west-1"])
        );
        let sts = json!({"source": ["aws.sts"]});
        assert_eq!(
            regions(&sts, &Placement::Auto, &spec()),
            set(&["eu-central-1", "eu-west-1", "us-east-1"])
        );
        let both = json!({"source": ["aws.iam", "aws.ec2"]});
        assert_eq!(
            regions(&both, &Placement::Auto, &spec()),
            set(&["eu-central-1", "eu-west-1", "us-east-1"])
        );
        for open in [
            json!({"detail-type": ["AWS API Call via CloudTrail"]}),
            json!({"source": [{"prefix": "aws."}]}),
            json!({"source": ["custom.app"]}),
        ] {
            assert_eq!(
                regions(&open, &Placement::Auto, &spec()),
                set(&["eu-central-1", "eu-west-1", "us-east-1"]),
                "{open}"
            );
        }
        assert_eq!(
            regions(&iam, &Placement::List(vec!["eu-west-1".into()]), &spec()),
            set(&["eu-west-1"])
        );
    }

    #[test]
    fn read_only_events_are_recognised() {
        let p = json!({"detail": {"eventName": ["AssumeRole", "DeleteTable", "GetSessionToken", {"prefix": "Describe"}]}});
        assert_eq!(read_only_events(&p), vec!["AssumeRole", "Describe*"]);
        assert!(read_only_events(&json!({"source": ["aws.sts"]})).is_empty());
        assert!(is_read_only("ListBuckets"));
        assert!(!is_read_only("AuthorizeSecurityGroupIngress"));
    }
}
