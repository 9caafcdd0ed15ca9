//! Planning topics, alerts and the forwarding role: both sides in comparable form (topic policy
//! rendered, rules placed per Region, targets built), matched by name and ownership tags.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::model::alert::{
    Alert, Payload, Topic, TopicPolicy, boundary_name, forwarder_role_name, metric_name,
    rule_prefix,
};
use crate::model::alert_state::{
    AlertState, FORWARD_POLICY, RoleState, RuleState, TargetState, TopicState,
};
use crate::model::arn;
use crate::model::desired::Desired;
use crate::model::event_sources::{read_only_events, receives_read_only, regions};
use crate::model::message::transformer;
use crate::model::observed::Scope;
use crate::model::observed::{LiveRole, LiveRule, LiveTopic, Observed};
use crate::plan::change::{Action, Address, Change, Conflict, Kind, Plan, Resource, Warning};
use crate::plan::ownership::{Options, Owner, change, compared, owner, ownership_conflict};

use crate::plan::state_of::{desired_tags, without_aws_tags};

use crate::model::alert_state::{DISABLED, ENABLED, ENABLED_ALL};
use crate::model::state::Compared;
/// Target id of a forwarding rule's one target.
const FORWARD_TARGET: &str = "home-bus";

pub fn plan_alerting(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    plan_forwarder(d, o, options, p);
    plan_topics(d, o, options, p);
    plan_alerts(d, o, options, p);
}

/// SNS's own default statement (its owner may manage and publish), kept in every topic policy.
fn owner_statement(topic_arn: &str, account: &str) -> Value {
    json!({
        "Sid": "__default_statement_ID",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": [
            "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
            "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
            "SNS:ListSubscriptionsByTopic", "SNS:Publish"
        ],
        "Resource": topic_arn,
        "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
    })
}

/// The topic policy: the owner statement, and EventBridge may publish only from this stack's
/// home-Region rules that notify the topic.
pub fn topic_policy(d: &Desired, t: &Topic, account: &str) -> Value {
    let topic_arn = arn::topic(&d.home_region, account, &t.name);
    let notifying = || d.alerts.iter().filter(|a| a.notify.contains(&t.name));
    let rules: Vec<String> = notifying()
        .filter(|a| a.backend.eventbridge())
        .map(|a| arn::rule(&d.home_region, account, &a.rule_name(&d.stack)))
        .collect();
    let alarms: Vec<String> = notifying()
        .filter(|a| a.metric.is_some())
        .map(|a| arn::alarm(&d.home_region, account, &metric_name(&d.stack, &a.name)))
        .collect();
    let mut statements = vec![owner_statement(&topic_arn, account)];
    // Each service publishes for the stack's own sources only; CloudWatch alarms publish as
    // cloudwatch.amazonaws.com ("Using Amazon SNS with CloudWatch alarms").
    for (sid, service, sources) in [
        ("TrailctlEventBridgePublish", "events.amazonaws.com", rules),
        (
            "TrailctlCloudWatchAlarms",
            "cloudwatch.amazonaws.com",
            alarms,
        ),
    ] {
        if sources.is_empty() {
            continue;
        }
        statements.push(json!({
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {
                "ArnEquals": {"aws:SourceArn": sources},
                "StringEquals": {"aws:SourceAccount": account}
            }
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The topic as the spec wants it. With `policy: keep`, an existing topic's policy is the one it
/// has (`kept`).
fn desired_topic(d: &Desired, t: &Topic, o: &Observed, kept: Option<&LiveTopic>) -> TopicState {
    let region = &d.home_region;
    let policy = match (t.policy, kept) {
        (TopicPolicy::Keep, Some(live)) => live.policy.clone(),
        _ => Some(topic_policy(d, t, &o.account)),
    };
    TopicState {
        name: t.name.clone(),
        region: region.clone(),
        display_name: t.display_name.clone(),
        kms_key: t
            .kms_key
            .as_ref()
            .map(|k| arn::kms_key(region, &o.account, k, &o.kms_keys)),
        policy,
        subscriptions: t
            .subscriptions
            .iter()
            .map(|s| (s.protocol.name().to_owned(), s.endpoint.clone()))
            .collect(),
        pending: BTreeSet::new(),
        subscription_arns: BTreeMap::new(),
        tags: desired_tags(d, &t.tags),
    }
}

/// Whether a topic policy lets EventBridge publish: an `Allow` of `sns:Publish` (or `sns:*`,
/// `*`) to `events.amazonaws.com` or to everyone.
fn lets_eventbridge_publish(policy: Option<&Value>) -> bool {
    let as_list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect(),
            _ => Vec::new(),
        }
    };
    let statements = match policy.and_then(|p| p.get("Statement")) {
        Some(Value::Array(s)) => s.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => Vec::new(),
    };
    statements.iter().any(|s| {
        let allows = s.get("Effect").and_then(Value::as_str) == Some("Allow");
        let actions = as_list(s.get("Action"));
        let publishes = actions
            .iter()
            .any(|a| a == "sns:publish" || a == "sns:*" || a == "*");
        let principal = s.get("Principal");
        let to_events = principal == Some(&json!("*"))
            || as_list(principal.and_then(|p| p.get("Service")))
                .iter()
                .any(|p| p == "events.amazonaws.com")
            || as_list(principal.and_then(|p| p.get("AWS")))
                .iter()
                .any(|p| p == "*");
        allows && publishes && to_events
    })
}

fn observed_topic(l: &LiveTopic, region: &str, o: &Observed) -> TopicState {
    let key =
        |s: &crate::model::observed::LiveSubscription| (s.protocol.clone(), s.endpoint.clone());
    TopicState {
        name: l.name.clone(),
        region: region.to_owned(),
        display_name: l.display_name.clone(),
        kms_key: l
            .kms_key
            .as_ref()
            .map(|k| arn::kms_key(region, &o.account, k, &o.kms_keys)),
        policy: l.policy.clone(),
        // A subscription waiting for confirmation exists: it is never a diff.
        subscriptions: l.subscriptions.iter().map(key).collect(),
        pending: l
            .subscriptions
            .iter()
            .filter(|s| s.arn.is_none())
            .map(key)
            .collect(),
        subscription_arns: l
            .subscriptions
            .iter()
            .filter_map(|s| s.arn.clone().map(|a| (key(s), a)))
            .collect(),
        tags: without_aws_tags(&l.tags),
    }
}

fn plan_topics(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    for t in &d.topics {
        let address = Address::Topic(t.name.clone());
        let live = o.topics.iter().find(|l| l.name == t.name);
        let after = desired_topic(d, t, o, live);
        let Some(live) = live else {
            p.changes.push(change(
                address,
                Action::Create,
                None,
                Some(Resource::Topic(after)),
            ));
            continue;
        };
        let who = owner(&live.tags, &d.stack);
        if ownership_conflict(p, &address, &who, &d.stack, options.adopt) {
            continue;
        }
        let before = observed_topic(live, &d.home_region, o);
        let notified = d
            .alerts
            .iter()
            .any(|a| a.backend.eventbridge() && a.notify.contains(&t.name));
        if t.policy == TopicPolicy::Keep
            && notified
            && !lets_eventbridge_publish(live.policy.as_ref())
        {
            p.warnings.push(Warning {
                address: address.clone(),
                message: "keeps its own access policy (policy: keep), which does not let EventBridge (events.amazonaws.com) publish to it: the alerts that notify it deliver nothing".to_owned(),
                detail: None,
            });
        }
        for (protocol, endpoint) in &before.pending {
            p.warnings.push(Warning {
                address: address.clone(),
                message: format!("subscription {protocol}:{endpoint} is pending confirmation: it receives nothing until the link SNS sent is followed"),
                detail: None,
            });
        }
        let mut c = compared(address, Resource::Topic(before), Resource::Topic(after));
        c.adopt = who == Owner::Untagged;
        p.changes.push(c);
    }
    for live in &o.topics {
        if d.topics.iter().any(|t| t.name == live.name) || owner(&live.tags, &d.stack) != Owner::Us
        {
            continue;
        }
        let before = observed_topic(live, &d.home_region, o);
        p.changes.push(change(
            Address::Topic(live.name.clone()),
            Action::Delete,
            Some(Resource::Topic(before)),
            None,
        ));
    }
}

/// The rule state an alert asks for, and whether read-only events decided it.
fn rule_state(a: &Alert) -> (&'static str, Vec<String>) {
    let read_only = read_only_events(&a.pattern);
    let state = match (a.enabled, receives_read_only(a)) {
        (false, _) => DISABLED,
        (true, true) => ENABLED_ALL,
        (true, false) => ENABLED,
    };
    (state, read_only)
}

pub fn desired_alert(d: &Desired, a: &Alert, account: &str) -> AlertState {
    let home = &d.home_region;
    let name = a.rule_name(&d.stack);
    let (state, _) = rule_state(a);
    let tags = desired_tags(d, &a.tags);
    let rule = |targets: Vec<TargetState>| RuleState {
        pattern: a.pattern.clone(),
        description: a.description.clone(),
        state: state.to_owned(),
        targets,
        tags: tags.clone(),
    };
    let to_topics: Vec<TargetState> = a
        .notify
        .iter()
        .enumerate()
        .map(|(i, topic)| TargetState {
            id: if topic.len() <= 64 {
                topic.clone()
            } else {
                format!("topic-{i}")
            },
            arn: arn::topic(home, account, topic),
            role_arn: None,
            transformer: match &a.payload {
                Payload::Message(m) => Some(transformer(m.as_deref())),
                Payload::Event => None,
            },
            input: None,
        })
        .collect();
    let forward = TargetState {
        id: FORWARD_TARGET.to_owned(),
        arn: arn::default_bus(home, d.forward_to().unwrap_or(account)),
        role_arn: Some(arn::role(home, account, &forwarder_role_name(&d.stack))),
        transformer: None,
        input: None,
    };
    let mut rules = BTreeMap::new();
    // A member of an organization forwards from every Region, its home Region too: the topics
    // are the security account's.
    if d.forward_to().is_none() {
        rules.insert(home.clone(), rule(to_topics));
    }
    for r in regions(&a.pattern, &a.placement, &d.regions) {
        if &r != home || d.forward_to().is_some() {
            rules.insert(r, rule(vec![forward.clone()]));
        }
    }
    AlertState {
        name: a.name.clone(),
        rule_name: name,
        home: home.clone(),
        rules,
    }
}

fn observed_alert(name: &str, rule_name: &str, home: &str, live: &[&LiveRule]) -> AlertState {
    AlertState {
        name: name.to_owned(),
        rule_name: rule_name.to_owned(),
        home: home.to_owned(),
        rules: live
            .iter()
            .map(|l| {
                (
                    l.region.clone(),
                    RuleState {
                        pattern: l.pattern.clone().unwrap_or(Value::Null),
                        description: l.description.clone(),
                        state: l.state.clone(),
                        targets: l.targets.clone(),
                        tags: without_aws_tags(&l.tags),
                    },
                )
            })
            .collect(),
    }
}

fn plan_alerts(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    let prefix = rule_prefix(&d.stack);
    let mut by_name: BTreeMap<&str, Vec<&LiveRule>> = BTreeMap::new();
    for r in &o.rules {
        by_name.entry(r.name.as_str()).or_default().push(r);
    }
    for a in d.alerts.iter().filter(|a| a.backend.eventbridge()) {
        let address = Address::Alert(a.name.clone());
        let after = desired_alert(d, a, &o.account);
        // Said when the rules are written, not on every plan.
        let (state, read_only) = rule_state(a);
        let read_only_note = (state == ENABLED_ALL && a.read_only_events.is_none()).then(|| Warning {
            address: address.clone(),
            message: format!("names read-only events ({}): its rules use state {ENABLED_ALL}, without which EventBridge never delivers them", read_only.join(", ")),
            detail: None,
        });
        let live = by_name.remove(after.rule_name.as_str()).unwrap_or_default();
        if live.is_empty() {
            p.warnings.extend(read_only_note);
            p.changes.push(change(
                address,
                Action::Create,
                None,
                Some(Resource::Alert(after)),
            ));
            continue;
        }
        if let Some(m) = live.iter().find_map(|l| l.managed_by.as_ref()) {
            p.conflicts.push(Conflict {
                address: Some(address),
                message: format!("rule {} is managed by {m}; trailctl never touches rules an AWS service manages", after.rule_name),
                hint: Some("give the alert another name".to_owned()),
            });
            continue;
        }
        // The alert is owned as a whole: every one of its rules must be ours (or adoptable).
        let owners: Vec<Owner> = live.iter().map(|l| owner(&l.tags, &d.stack)).collect();
        let worst = owners
            .iter()
            .find(|w| matches!(w, Owner::Stack(_)))
            .or_else(|| owners.iter().find(|w| **w == Owner::Untagged))
            .cloned()
            .unwrap_or(Owner::Us);
        if ownership_conflict(p, &address, &worst, &d.stack, options.adopt) {
            continue;
        }
        let before = observed_alert(&a.name, &after.rule_name, &d.home_region, &live);
        let mut c = compared(address, Resource::Alert(before), Resource::Alert(after));
        if c.action == Action::Update {
            p.warnings.extend(read_only_note);
        }
        c.adopt = worst == Owner::Untagged;
        p.changes.push(c);
    }
    // Rules of this stack whose alert is gone from the spec: `trailctl-STACK-NAME` of alert
    // NAME, and a rule an alert adopted (`rule:`) and no longer names, addressed by the rule's
    // name (`NAME:adopted` when an alert of the spec has that name: no alert name holds `:`).
    for (name, live) in by_name {
        let ours: Vec<&LiveRule> = live
            .into_iter()
            .filter(|l| l.managed_by.is_none() && owner(&l.tags, &d.stack) == Owner::Us)
            .collect();
        if ours.is_empty() {
            continue;
        }
        let alert = match name.strip_prefix(&prefix) {
            Some(alert) => alert.to_owned(),
            None if d.alerts.iter().any(|a| a.name == name) => format!("{name}:adopted"),
            None => name.to_owned(),
        };
        let before = observed_alert(&alert, name, &d.home_region, &ours);
        p.changes.push(change(
            Address::Alert(alert),
            Action::Delete,
            Some(Resource::Alert(before)),
            None,
        ));
    }
}

pub(crate) fn desired_role(d: &Desired, account: &str) -> RoleState {
    RoleState {
        name: forwarder_role_name(&d.stack),
        policy_name: FORWARD_POLICY.to_owned(),
        trust: json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}}
            }]
        }),
        policy: Some(json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "events:PutEvents",
                "Resource": arn::default_bus(&d.home_region, d.forward_to().unwrap_or(account))
            }]
        })),
        boundary: Some(d.boundary_arn(account)),
        tags: desired_tags(d, &Default::default()),
    }
}

fn observed_role(l: &LiveRole, policy_name: &str) -> RoleState {
    RoleState {
        name: l.name.clone(),
        trust: l.trust.clone(),
        policy_name: policy_name.to_owned(),
        policy: l.policy.clone(),
        boundary: l.boundary.clone(),
        tags: without_aws_tags(&l.tags),
    }
}

fn plan_forwarder(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    let want = d.forwards().then(|| desired_role(d, &o.account));
    let name = forwarder_role_name(&d.stack);
    plan_role(
        d,
        o,
        options,
        p,
        &name,
        FORWARD_POLICY,
        want,
        o.role.as_ref(),
    );
}

/// Whether the permissions boundary a role is to be created with (or given) does not exist:
/// then the role is a conflict that says how an administrator creates the boundary, instead of a
/// write that IAM would refuse halfway through the apply.
fn boundary_missing(
    d: &Desired,
    o: &Observed,
    p: &mut Plan,
    address: &Address,
    role: &RoleState,
) -> bool {
    let (Some(false), Some(boundary)) = (o.boundary, role.boundary.as_deref()) else {
        return false;
    };
    p.conflicts.push(Conflict {
        address: Some(address.clone()),
        message: format!(
            "the stack's roles are created with the permissions boundary {boundary}, which does not exist"
        ),
        hint: Some(format!(
            "an administrator creates it once: `trailctl policy -f SPEC --role boundary > boundary.json` then `aws iam create-policy --policy-name {} --policy-document file://boundary.json`",
            boundary_name(&d.stack)
        )),
    });
    true
}

/// A role of the stack: created, updated, or deleted when the spec no longer needs it (only
/// when it is ours).
#[allow(clippy::too_many_arguments)]
pub(crate) fn plan_role(
    d: &Desired,
    o: &Observed,
    options: Options,
    p: &mut Plan,
    name: &str,
    policy_name: &str,
    want: Option<RoleState>,
    live: Option<&LiveRole>,
) {
    let address = Address::Role(name.to_owned());
    match (want, live) {
        (None, None) => {}
        (None, Some(live)) => {
            if owner(&live.tags, &d.stack) == Owner::Us {
                p.changes.push(change(
                    address,
                    Action::Delete,
                    Some(Resource::Role(observed_role(live, policy_name))),
                    None,
                ));
            }
        }
        (Some(after), None) => {
            if !boundary_missing(d, o, p, &address, &after) {
                p.changes.push(change(
                    address,
                    Action::Create,
                    None,
                    Some(Resource::Role(after)),
                ));
            }
        }
        (Some(after), Some(live)) => {
            let who = owner(&live.tags, &d.stack);
            if ownership_conflict(p, &address, &who, &d.stack, options.adopt) {
                return;
            }
            let before = observed_role(live, policy_name);
            if before.writes(&after).boundary && boundary_missing(d, o, p, &address, &after) {
                return;
            }
            let mut c = compared(address, Resource::Role(before), Resource::Role(after));
            c.adopt = who == Owner::Untagged;
            p.changes.push(c);
        }
    }
}

impl Kind for TopicState {
    const SCOPE: Scope = Scope::Topics;

    /// A topic is deleted only after the alerts and alarms that notified it.
    fn waits_for(this: &Change, first: &Change) -> bool {
        matches!(first.address, Address::Alert(_) | Address::Alarm(_))
            && this.action == Action::Delete
    }
}

impl Kind for AlertState {
    /// The alerts' rules are read once, in every Region, for all of them.
    const SCOPE: Scope = Scope::Rules;

    /// An alert's rule is written after the forwarding role and the topics its targets name.
    fn waits_for(this: &Change, first: &Change) -> bool {
        matches!(first.address, Address::Role(_) | Address::Topic(_)) && first.both_keep(this)
    }
}

impl Kind for RoleState {
    const SCOPE: Scope = Scope::Role;

    /// A role is deleted only after the rules that targeted it, and the log-delivery role only
    /// after every trail change.
    fn waits_for(this: &Change, first: &Change) -> bool {
        this.action == Action::Delete
            && match first.address {
                Address::Alert(_) => true,
                Address::Trail(_) => {
                    matches!(this.state(), Some(Resource::Role(r)) if r.delivers_logs())
                }
                _ => false,
            }
    }
}
