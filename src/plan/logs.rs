//! Planning the CloudWatch side: the log groups trailctl builds for trails with the role
//! CloudTrail writes to them with, and each metric-filter alert's filter and alarm.
//!
//! Ownership: log groups, the role and alarms carry the ownership tags; metric filters take no
//! tags, so a filter is the stack's when it has the stack's name prefix (the only filters read)
//! and counts into the stack's namespace. Deleting a log group, a filter or an alarm of the
//! stack is destructive: it needs `--allow-destroy`.

use serde_json::{Value, json};

use crate::model::alert::{
    Alert, MetricAlert, logs_role_name, metric_name, metric_namespace, rule_prefix,
};
use crate::model::alert_state::{LOGS_POLICY, RoleState};
use crate::model::arn;
use crate::model::cost::FixedCharge;
use crate::model::desired::{Desired, LogGroup};
use crate::model::logs_state::{AlarmState, LogGroupState, MetricFilterState};
use crate::model::observed::Observed;
use crate::model::observed::Scope;
use crate::plan::alerts::plan_role;
use crate::plan::change::{Action, Address, Change, Conflict, Kind, Plan, Resource};
use crate::plan::ownership::{Options, Owner, change, compared, owned_change, owner};
use crate::plan::safety::Reduction;
use crate::plan::state_of::{desired_tags, without_aws_tags};

/// The metric value each matching event counts.
const METRIC_VALUE: &str = "1";

pub(crate) fn plan_logs(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    plan_log_groups(d, o, options, p);
    let role = logs_role(d, &o.account);
    plan_role(
        d,
        o,
        options,
        p,
        &logs_role_name(&d.stack),
        LOGS_POLICY,
        role,
        o.logs_role.as_ref(),
    );
    plan_metric_filters(d, o, options, p);
    plan_alarms(d, o, options, p);
}

/// The log groups trailctl builds, with the trails that deliver to each.
fn built(d: &Desired) -> Vec<(&LogGroup, &str)> {
    d.trails
        .iter()
        .filter_map(|t| Some((t.log_group.as_ref()?, t.name.as_str())))
        .collect()
}

pub fn desired_log_group(d: &Desired, g: &LogGroup, o: &Observed) -> LogGroupState {
    let region = &d.home_region;
    LogGroupState {
        name: g.name.clone(),
        region: region.clone(),
        retention_days: g.retention_days,
        kms_key: g
            .kms_key
            .as_ref()
            .map(|k| arn::kms_key(region, &o.account, k, &o.kms_keys)),
        tags: desired_tags(d, &Default::default()),
    }
}

fn observed_log_group(l: &LogGroupState) -> LogGroupState {
    LogGroupState {
        tags: without_aws_tags(&l.tags),
        ..l.clone()
    }
}

fn plan_log_groups(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    let wanted = built(d);
    for (g, _) in &wanted {
        let address = Address::LogGroup(g.name.clone());
        let after = desired_log_group(d, g, o);
        let live = o
            .log_groups
            .iter()
            .find(|l| l.name == g.name && l.region == d.home_region);
        owned_change(
            d,
            options,
            p,
            address,
            live.map(|l| (Resource::LogGroup(observed_log_group(l)), &l.tags)),
            Resource::LogGroup(after),
        );
    }
    for live in &o.log_groups {
        let gone = !wanted.iter().any(|(g, _)| g.name == live.name);
        if gone && owner(&live.tags, &d.stack) == Owner::Us {
            p.changes.push(change(
                Address::LogGroup(live.name.clone()),
                Action::Delete,
                Some(Resource::LogGroup(observed_log_group(live))),
                None,
            ));
        }
    }
}

/// The role CloudTrail assumes to write to the built log groups (its documented policy,
/// "Sending events to CloudWatch Logs", CloudTrail User Guide): trusted by
/// `cloudtrail.amazonaws.com` for the stack's trails only, allowed `CreateLogStream` and
/// `PutLogEvents` on those log groups' streams only.
pub(crate) fn logs_role(d: &Desired, account: &str) -> Option<RoleState> {
    let groups = built(d);
    if groups.is_empty() {
        return None;
    }
    let region = &d.home_region;
    let mut trails: Vec<String> = groups
        .iter()
        .map(|(_, t)| arn::trail(region, account, t))
        .collect();
    trails.sort();
    trails.dedup();
    let mut streams: Vec<String> = groups
        .iter()
        .map(|(g, _)| format!("{}:log-stream:*", arn::log_group(region, account, &g.name)))
        .collect();
    streams.sort();
    streams.dedup();
    Some(RoleState {
        name: logs_role_name(&d.stack),
        policy_name: LOGS_POLICY.to_owned(),
        trust: json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": account,
                        "aws:SourceArn": one_or_many(trails)
                    }
                }
            }]
        }),
        policy: Some(json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "TrailctlCloudTrailDelivery",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": one_or_many(streams)
            }]
        })),
        boundary: Some(d.boundary_arn(account)),
        tags: desired_tags(d, &Default::default()),
    })
}

fn one_or_many(mut v: Vec<String>) -> Value {
    if v.len() == 1 {
        Value::String(v.remove(0))
    } else {
        json!(v)
    }
}

/// The log group metric filters go on: the one the spec's trails deliver to (the spec loader
/// refuses metric-filter alerts without exactly one).
pub fn metric_log_group(d: &Desired) -> Option<String> {
    d.trails.iter().find_map(|t| t.log_group_name())
}

/// The alert a filter or alarm of the stack (`trailctl-STACK-ALERT`) belongs to.
fn alert_of(d: &Desired, name: &str) -> String {
    name.strip_prefix(&rule_prefix(&d.stack))
        .unwrap_or(name)
        .to_owned()
}

fn metric_alerts(d: &Desired) -> impl Iterator<Item = (&Alert, &MetricAlert)> {
    d.alerts
        .iter()
        .filter_map(|a| Some((a, a.metric.as_ref()?)))
}

pub fn desired_metric_filter(
    d: &Desired,
    a: &Alert,
    m: &MetricAlert,
    group: &str,
) -> MetricFilterState {
    MetricFilterState {
        name: metric_name(&d.stack, &a.name),
        region: d.home_region.clone(),
        log_group: group.to_owned(),
        pattern: m.filter.text.clone(),
        namespace: metric_namespace(&d.stack),
        metric: a.name.clone(),
        value: METRIC_VALUE.to_owned(),
    }
}

fn plan_metric_filters(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    let namespace = metric_namespace(&d.stack);
    let group = metric_log_group(d);
    let mut wanted = Vec::new();
    for (a, m) in metric_alerts(d) {
        let Some(group) = &group else { continue };
        let after = desired_metric_filter(d, a, m, group);
        let address = Address::MetricFilter(a.name.clone());
        wanted.push(after.name.clone());
        let live: Vec<&MetricFilterState> = o
            .metric_filters
            .iter()
            .filter(|f| f.name == after.name)
            .collect();
        let here = live.iter().find(|f| f.log_group == after.log_group);
        let elsewhere = live.iter().find(|f| f.namespace == namespace);
        match here {
            // The filter moves to another log group: the old one goes, the new one comes.
            None if elsewhere.is_some() => {
                let mut c = change(
                    address,
                    Action::Replace,
                    elsewhere.map(|l| Resource::MetricFilter((*l).clone())),
                    Some(Resource::MetricFilter(after)),
                );
                c.forces_replacement = vec!["log_group".to_owned()];
                p.changes.push(c);
            }
            None => p.changes.push(change(
                address,
                Action::Create,
                None,
                Some(Resource::MetricFilter(after)),
            )),
            Some(l) if l.namespace != namespace && !options.adopt => p.conflicts.push(Conflict {
                address: Some(address),
                message: format!(
                    "a metric filter named {} counts into {}, not trailctl's {namespace}: it was not made by this stack",
                    l.name, l.namespace
                ),
                hint: Some("plan with --adopt to take it over, or give the alert another name".to_owned()),
            }),
            Some(l) => {
                let mut c = compared(
                    address,
                    Resource::MetricFilter((*l).clone()),
                    Resource::MetricFilter(after),
                );
                c.adopt = l.namespace != namespace;
                p.changes.push(c);
            }
        }
    }
    // The stack's filters no alert wants.
    for l in &o.metric_filters {
        if wanted.contains(&l.name) || l.namespace != namespace {
            continue;
        }
        p.changes.push(change(
            Address::MetricFilter(alert_of(d, &l.name)),
            Action::Delete,
            Some(Resource::MetricFilter(l.clone())),
            None,
        ));
    }
}

pub fn desired_alarm(d: &Desired, a: &Alert, m: &MetricAlert, account: &str) -> AlarmState {
    let mut actions: Vec<String> = a
        .notify
        .iter()
        .map(|t| arn::topic(&d.home_region, account, t))
        .collect();
    actions.sort();
    AlarmState {
        name: metric_name(&d.stack, &a.name),
        region: d.home_region.clone(),
        description: a.description.clone(),
        namespace: metric_namespace(&d.stack),
        metric: a.name.clone(),
        statistic: "Sum".to_owned(),
        period_seconds: m.period_seconds,
        evaluation_periods: 1,
        threshold: f64::from(m.threshold),
        comparison: "GreaterThanOrEqualToThreshold".to_owned(),
        treat_missing_data: "notBreaching".to_owned(),
        actions_enabled: a.enabled,
        actions,
        tags: desired_tags(d, &a.tags),
    }
}

fn observed_alarm(l: &AlarmState) -> AlarmState {
    AlarmState {
        tags: without_aws_tags(&l.tags),
        ..l.clone()
    }
}

fn plan_alarms(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    let mut wanted = Vec::new();
    for (a, m) in metric_alerts(d) {
        let after = desired_alarm(d, a, m, &o.account);
        let address = Address::Alarm(a.name.clone());
        wanted.push(after.name.clone());
        let live = o.alarms.iter().find(|l| l.name == after.name);
        owned_change(
            d,
            options,
            p,
            address,
            live.map(|l| (Resource::Alarm(observed_alarm(l)), &l.tags)),
            Resource::Alarm(after),
        );
    }
    for l in &o.alarms {
        if wanted.contains(&l.name) || owner(&l.tags, &d.stack) != Owner::Us {
            continue;
        }
        p.changes.push(change(
            Address::Alarm(alert_of(d, &l.name)),
            Action::Delete,
            Some(Resource::Alarm(observed_alarm(l))),
            None,
        ));
    }
}

impl Kind for LogGroupState {
    const SCOPE: Scope = Scope::Logs;

    /// Deleting a log group deletes the CloudTrail events it holds.
    fn reductions(action: Action, _: Option<&Self>, _: Option<&Self>) -> Vec<Reduction> {
        (action == Action::Delete)
            .then_some(Reduction::DeletesLogGroup)
            .into_iter()
            .collect()
    }

    /// A log group is deleted only after every trail change and after its metric filters.
    fn waits_for(this: &Change, first: &Change) -> bool {
        this.action == Action::Delete
            && matches!(first.address, Address::Trail(_) | Address::MetricFilter(_))
    }
}

impl Kind for MetricFilterState {
    const SCOPE: Scope = Scope::Logs;
    /// Its metric.
    const CHARGE: Option<FixedCharge> = Some(FixedCharge::Metric);

    /// Deleting an alert's metric filter stops its monitoring.
    fn reductions(action: Action, _: Option<&Self>, _: Option<&Self>) -> Vec<Reduction> {
        let kind = "metric filter".to_owned();
        (action == Action::Delete)
            .then_some(Reduction::DropsMonitoring { kind })
            .into_iter()
            .collect()
    }

    /// A metric filter is written after its log group.
    fn waits_for(this: &Change, first: &Change) -> bool {
        first.both_keep(this)
            && matches!((&first.address, &this.after), (Address::LogGroup(g), Some(Resource::MetricFilter(f)))
                if &f.log_group == g)
    }
}

impl Kind for AlarmState {
    const SCOPE: Scope = Scope::Logs;
    const CHARGE: Option<FixedCharge> = Some(FixedCharge::Alarm);

    /// Deleting an alert's alarm stops its monitoring.
    fn reductions(action: Action, _: Option<&Self>, _: Option<&Self>) -> Vec<Reduction> {
        let kind = "alarm".to_owned();
        (action == Action::Delete)
            .then_some(Reduction::DropsMonitoring { kind })
            .into_iter()
            .collect()
    }

    /// An alarm is written after the topics it notifies.
    fn waits_for(this: &Change, first: &Change) -> bool {
        matches!(first.address, Address::Topic(_)) && first.both_keep(this)
    }
}
