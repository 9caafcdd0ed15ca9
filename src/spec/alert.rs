//! Spec version 1: topics and alerts, decoded and checked (names, subscriptions, patterns,
//! messages, placement).

use serde_json::{Value as Json, json};
use serde_yaml::Value;

use crate::model::alert::{
    Alert, AlertTest, Payload, Placement, Protocol, Subscription, TestRecord, Topic, TopicPolicy,
    rule_name,
};
use crate::model::diagnostic::{Diagnostic, LintId, Severity, SpecPath};
use crate::model::envelope::{service_of_event_source, service_of_source};
use crate::model::event_sources::service_source;
use crate::model::message::{self, MAX_TEMPLATE, MAX_VARIABLES};
use crate::model::services;
use crate::pattern::MAX_PATTERN_CHARS as MAX_PATTERN;
use crate::spec::fields;
use crate::spec::metric;
use crate::spec::names;
use crate::spec::pattern::raw_pattern;
use crate::spec::reader::{Ctx, Map, kind_of};
use crate::spec::reader::{check, tags};
use crate::spec::suggest;

/// EventBridge: at most 5 targets per rule.
pub const MAX_TARGETS: usize = 5;
/// EventBridge: rule names are at most 64 characters.
const MAX_RULE_NAME: usize = 64;
/// SNS: topic names are at most 256 characters.
const MAX_TOPIC_NAME: usize = 256;
const MAX_DESCRIPTION: usize = 512;

pub fn topic(ctx: &mut Ctx, v: &Value, path: SpecPath) -> Option<Topic> {
    let map = Map::object(ctx, v, path, fields::TOPIC)?;
    let name = map.required_string(ctx, "name").unwrap_or_default();
    if map.get("name").is_some() {
        check(ctx, &map.path_of("name"), topic_name(&name));
    }
    let display_name = map.string(ctx, "display_name").filter(|s| !s.is_empty());
    if display_name
        .as_ref()
        .is_some_and(|d| d.chars().count() > 100)
    {
        ctx.error(
            &map.path_of("display_name"),
            "a display name is at most 100 characters",
        );
    }
    let kms_key = map.string(ctx, "kms_key");
    if let Some(k) = &kms_key {
        let path = map.path_of("kms_key");
        check(ctx, &path, names::kms_key(k));
        if k == "alias/aws/sns" || k.ends_with(":alias/aws/sns") {
            ctx.push(
                Diagnostic::error(&path, "EventBridge cannot publish to a topic encrypted with the AWS managed key `alias/aws/sns`: its key policy does not let events.amazonaws.com use it")
                    .with_hint("use a customer managed key whose policy allows events.amazonaws.com kms:GenerateDataKey and kms:Decrypt"),
            );
        }
    }
    let fifo = name.ends_with(".fifo");
    let mut subscriptions = Vec::new();
    for (p, item) in map.list(ctx, "subscriptions") {
        let Some(sub) = subscription(ctx, item, &p) else {
            continue;
        };
        if fifo && matches!(sub.protocol, Protocol::Email | Protocol::Https) {
            ctx.push(
                Diagnostic::error(&p, format!("a FIFO topic cannot deliver to {}", sub.protocol.name()))
                    .with_hint("FIFO topics deliver only to SQS queues and Lambda functions; use a standard topic"),
            );
        }
        if subscriptions.contains(&sub) {
            ctx.error(&p, "this subscription is listed twice");
            continue;
        }
        subscriptions.push(sub);
    }
    let policy = map
        .choice(ctx, "policy")
        .and_then(|p| TopicPolicy::parse(&p))
        .unwrap_or(TopicPolicy::Trailctl);
    let tags = tags(ctx, &map, "tags");
    Some(Topic {
        name,
        display_name,
        kms_key,
        subscriptions,
        policy,
        tags,
        path: map.path.clone(),
    })
}

fn topic_name(name: &str) -> Result<(), String> {
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    let ok = !base.is_empty()
        && name.chars().count() <= MAX_TOPIC_NAME
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid topic name `{name}`: 1–256 letters, digits, `-` and `_` (a FIFO topic ends in `.fifo`)"
        ))
    }
}

fn subscription(ctx: &mut Ctx, v: &Value, path: &SpecPath) -> Option<Subscription> {
    let map = Map::object(ctx, v, path.clone(), fields::SUBSCRIPTION)?;
    let given: Vec<&str> = Protocol::NAMES
        .iter()
        .copied()
        .filter(|k| map.get(k).is_some())
        .collect();
    let [key] = given.as_slice() else {
        ctx.push(
            Diagnostic::error(path, "a subscription is one of `email:`, `sqs:`, `https:` or `lambda:` with its endpoint")
                .with_hint("write each subscription as its own list item, e.g. `- email: secops@example.com`"),
        );
        return None;
    };
    let protocol = Protocol::parse(key)?;
    let endpoint = map.string(ctx, key)?;
    let p = map.path_of(key);
    let result = match protocol {
        Protocol::Email => {
            let ok = endpoint
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
            if ok {
                Ok(())
            } else {
                Err(format!("`{endpoint}` is not an email address"))
            }
        }
        Protocol::Https => {
            if endpoint.starts_with("https://") && endpoint.len() > 8 {
                Ok(())
            } else {
                Err(format!("`{endpoint}` is not an https:// URL"))
            }
        }
        Protocol::Sqs => names::arn_of(&endpoint, "sqs", "", "an SQS queue"),
        Protocol::Lambda => names::arn_of(&endpoint, "lambda", "function:", "a Lambda function"),
    };
    check(ctx, &p, result);
    Some(Subscription { protocol, endpoint })
}

pub fn alert(ctx: &mut Ctx, v: &Value, path: SpecPath, stack: &str) -> Option<Alert> {
    let map = Map::object(ctx, v, path, fields::ALERT)?;
    let name = map.required_string(ctx, "name").unwrap_or_default();
    let rule = map.string(ctx, "rule");
    if let Some(r) = &rule {
        check(ctx, &map.path_of("rule"), explicit_rule_name(r));
    }
    if map.get("name").is_some() {
        let named = alert_name(&name, if rule.is_some() { None } else { Some(stack) });
        check(ctx, &map.path_of("name"), named);
    }
    sigma(ctx, &map);
    let description = map.string(ctx, "description").filter(|s| !s.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        ctx.error(
            &map.path_of("description"),
            format!("a description is at most {MAX_DESCRIPTION} characters"),
        );
    }
    let pattern = match (map.get("on"), map.get("pattern")) {
        (Some(on_v), None) => on(ctx, on_v, map.path_of("on")),
        (None, Some(p)) => raw_pattern(ctx, p, &map.path_of("pattern")).inspect(|json| {
            known_sources(ctx, json, &map.path_of("pattern"));
        }),
        (Some(_), Some(_)) => {
            ctx.push(
                Diagnostic::error(
                    &map.path_of("pattern"),
                    "an alert has `on:` or `pattern:`, not both",
                )
                .with_hint("`on:` is a shorthand for a pattern; keep one of them")
                .at_key(),
            );
            None
        }
        (None, None) => {
            ctx.push(
                Diagnostic::error(
                    &map.path,
                    "missing `on:` or `pattern:`: what should this alert fire on?",
                )
                .with_hint("e.g. `on: {service: dynamodb, events: [DeleteTable]}`"),
            );
            None
        }
    };
    if let Some(p) = &pattern {
        let at = if map.get("on").is_some() {
            "on"
        } else {
            "pattern"
        };
        let len = p.to_string().chars().count();
        if len > MAX_PATTERN {
            ctx.error(
                &map.path_of(at),
                format!("the event pattern is {len} characters; EventBridge allows {MAX_PATTERN}"),
            );
        }
    }
    let notify = notify(ctx, &map);
    let message_text = map.string(ctx, "message");
    if let Some(m) = &message_text {
        check(ctx, &map.path_of("message"), message_check(m));
    }
    let payload = match map.choice(ctx, "deliver").as_deref() {
        Some("event") => {
            if message_text.is_some() {
                ctx.push(
                    Diagnostic::error(
                        &map.path_of("message"),
                        "an alert that delivers the event itself (`deliver: event`) has no message",
                    )
                    .with_hint("remove `message:`, or remove `deliver: event` to send the message")
                    .at_key(),
                );
            }
            Payload::Event
        }
        _ => Payload::Message(message_text),
    };
    let placement = placement(ctx, &map);
    let enabled = map.bool(ctx, "enabled");
    let read_only_events = map
        .get("read_only_events")
        .map(|_| map.bool(ctx, "read_only_events"));
    let tests = map
        .list(ctx, "tests")
        .into_iter()
        .filter_map(|(p, v)| alert_test(ctx, v, p))
        .collect();
    let tags = tags(ctx, &map, "tags");
    let settings = metric::settings(ctx, &map);
    let metric = metric::metric(ctx, &map, &settings, pattern.as_ref(), None);
    Some(Alert {
        name,
        rule,
        description,
        pattern: pattern.unwrap_or(Json::Null),
        notify,
        payload,
        placement,
        enabled,
        read_only_events,
        tests,
        backend: settings.backend,
        metric,
        tags,
        preset: None,
        path: map.path.clone(),
    })
}

/// A warning when `service` is no service CloudTrail has events from (a typo, most likely:
/// `dynamdb`), with the near miss.
fn known_service(ctx: &mut Ctx, service: &str, path: &SpecPath) {
    if services::is_known(service) {
        return;
    }
    let mut w = Diagnostic::lint(
        LintId::UnknownService,
        Severity::Warning,
        path,
        format!(
            "`{service}` is no AWS service trailctl knows: no CloudTrail event comes from {service}.amazonaws.com, so this alert can never fire"
        ),
    );
    w = match suggest::closest(service, services::SERVICES.iter().copied()) {
        Some(near) => w.with_hint(format!("did you mean `{near}`?")),
        None => w.with_hint(
            "trailctl knows the services of the AWS SDKs; ignore this warning for a service newer than it",
        ),
    };
    ctx.push(w);
}

/// [`known_service`] for the exact `source` (`aws.X`) and `detail.eventSource`
/// (`X.amazonaws.com`) values of a written pattern.
fn known_sources(ctx: &mut Ctx, pattern: &Json, path: &SpecPath) {
    let lists = [
        (pattern.get("source"), path.key("source"), "source"),
        (
            pattern.get("detail").and_then(|d| d.get("eventSource")),
            path.key("detail").key("eventSource"),
            "detail.eventSource",
        ),
    ];
    for (list, at, key) in lists {
        let Some(items) = list.and_then(Json::as_array) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let service = item.as_str().and_then(|v| match key {
                "source" => service_of_source(v),
                _ => service_of_event_source(v),
            });
            if let Some(s) = service {
                known_service(ctx, s, &at.index(i));
            }
        }
    }
}

/// The topics an alert notifies: required, at least one, at most an EventBridge rule's targets.
pub(crate) fn notify(ctx: &mut Ctx, map: &Map<'_>) -> Vec<String> {
    let notify: Vec<String> = map
        .string_list(ctx, "notify")
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    if map.get("notify").is_none() {
        ctx.error(&map.path, "missing required key `notify`");
    } else if notify.is_empty() {
        ctx.error(&map.path_of("notify"), "`notify` lists no topic");
    } else if notify.len() > MAX_TARGETS {
        ctx.error(
            &map.path_of("notify"),
            format!(
                "{} topics: an EventBridge rule has at most {MAX_TARGETS} targets",
                notify.len()
            ),
        );
    }
    notify
}

/// `- {record: FILE | {…a record…}, expect: match | no_match}`
fn alert_test(ctx: &mut Ctx, v: &Value, path: SpecPath) -> Option<AlertTest> {
    let map = Map::object(ctx, v, path, fields::TEST)?;
    let record = match map.get("record") {
        None => {
            ctx.push(
                Diagnostic::error(&map.path, "missing required key `record`").with_hint(
                    "a CloudTrail record or an EventBridge event: a file relative to the spec, or a mapping",
                ),
            );
            None
        }
        Some(Value::Mapping(_)) => match serde_json::to_value(map.get("record")?) {
            Ok(json) => Some(TestRecord::Inline(json)),
            Err(_) => {
                ctx.error(
                    &map.path_of("record"),
                    "the record cannot be expressed as JSON",
                );
                None
            }
        },
        Some(_) => map.string(ctx, "record").map(TestRecord::File),
    };
    let expect = match map.get("expect") {
        None => {
            ctx.push(
                Diagnostic::error(&map.path, "missing required key `expect`")
                    .with_hint("`expect: match` or `expect: no_match`"),
            );
            None
        }
        Some(_) => map.choice(ctx, "expect"),
    };
    let expect_filter = map
        .get("expect_filter")
        .and_then(|_| map.choice(ctx, "expect_filter"))
        .map(|e| (e == "match", "expect_filter in the spec".to_owned()));
    Some(AlertTest {
        record: record?,
        expect_match: expect? == "match",
        expect_filter,
        path: map.path,
    })
}

/// An EventBridge rule name given with `rule:`: 1–64 letters, digits, `.`, `-`, `_`.
fn explicit_rule_name(rule: &str) -> Result<(), String> {
    let ok = !rule.is_empty()
        && rule.len() <= MAX_RULE_NAME
        && rule
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid rule name `{rule}`: 1–{MAX_RULE_NAME} letters, digits, `.`, `-` and `_`"
        ))
    }
}

/// An alert's name; with `stack`, also that the rule name made from it fits EventBridge.
pub(crate) fn alert_name(name: &str, stack: Option<&str>) -> Result<(), String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(format!(
            "invalid alert name `{name}`: use letters, digits, `.`, `-` and `_`"
        ));
    }
    let Some(stack) = stack else {
        return Ok(());
    };
    let rule = rule_name(stack, name);
    if rule.len() > MAX_RULE_NAME {
        return Err(format!(
            "the rule name `{rule}` would be {} characters; EventBridge allows {MAX_RULE_NAME} (trailctl names rules `trailctl-STACK-ALERT`)",
            rule.len()
        ));
    }
    Ok(())
}

pub(crate) fn message_check(m: &str) -> Result<(), String> {
    if m.trim().is_empty() {
        return Err("the message is empty".to_owned());
    }
    if m.starts_with(['"', '{', '[']) {
        return Err("a message is plain text: do not wrap it in quotes or braces (EventBridge would deliver it as JSON, quotes and all)".to_owned());
    }
    if m.len() > MAX_TEMPLATE {
        return Err(format!(
            "the message is longer than {MAX_TEMPLATE} characters"
        ));
    }
    let vars = message::placeholders(m)?;
    if vars.len() > MAX_VARIABLES {
        return Err(format!(
            "{} placeholders; EventBridge allows {MAX_VARIABLES}",
            vars.len()
        ));
    }
    Ok(())
}

pub(crate) fn placement(ctx: &mut Ctx, map: &Map<'_>) -> Placement {
    let path = map.path_of("regions");
    match map.get("regions") {
        None => Placement::Auto,
        Some(Value::String(s)) if s == "auto" => Placement::Auto,
        Some(Value::String(s)) if s == "all" => Placement::All,
        Some(Value::Sequence(_)) => {
            let list = map.string_list(ctx, "regions");
            if list.is_empty() {
                ctx.error(&path, "the list of Regions is empty");
            }
            for (p, r) in &list {
                check(ctx, p, names::region(r));
            }
            Placement::List(list.into_iter().map(|(_, r)| r).collect())
        }
        Some(v) => {
            ctx.push(
                Diagnostic::error(
                    &path,
                    format!(
                        "expected `auto`, `all` or a list of Regions, found {}",
                        match v {
                            Value::String(s) => format!("`{s}`"),
                            other => kind_of(other).to_owned(),
                        }
                    ),
                )
                .with_hint("`auto` places each rule where its events arrive"),
            );
            Placement::Auto
        }
    }
}

/// The pattern `on:` stands for.
fn on(ctx: &mut Ctx, v: &Value, path: SpecPath) -> Option<Json> {
    let map = Map::object(ctx, v, path, fields::ON)?;
    let kind = map.choice(ctx, "type")?;
    let service = map.string(ctx, "service");
    if let Some(s) = &service
        && (s.is_empty()
            || !s
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        ctx.push(
            Diagnostic::error(&map.path_of("service"), format!("`{s}` is not a service name"))
                .with_hint("write the service as in its event source, e.g. `dynamodb` for dynamodb.amazonaws.com"),
        );
    }
    if let Some(s) = &service {
        known_service(ctx, s, &map.path_of("service"));
    }
    let events: Vec<String> = map
        .string_list(ctx, "events")
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    if map.get("events").is_some() && events.is_empty() {
        ctx.error(&map.path_of("events"), "`events` lists no event name");
    }
    let mut detail = serde_json::Map::new();
    if let Some(extra) = map.get("detail") {
        let p = map.path_of("detail");
        match raw_pattern(ctx, extra, &p) {
            Some(Json::Object(m)) => detail = m,
            _ => return None,
        }
    }
    let (source, detail_type) = match kind.as_str() {
        "console_sign_in" => (
            "aws.signin".to_owned(),
            "AWS Console Sign In via CloudTrail",
        ),
        "insight" => ("aws.cloudtrail".to_owned(), "AWS Insight via CloudTrail"),
        _ => {
            let Some(s) = &service else {
                ctx.error(
                    &map.path,
                    "missing required key `service` (the service whose API calls to alert on)",
                );
                return None;
            };
            (service_source(s).0, "AWS API Call via CloudTrail")
        }
    };
    for (key, given) in [
        ("eventSource", service.is_some()),
        ("eventName", !events.is_empty()),
    ] {
        if given && detail.contains_key(key) {
            ctx.error(
                &map.path_of("detail").key(key),
                format!(
                    "`detail.{key}` is already set by `{}`",
                    if key == "eventName" {
                        "events"
                    } else {
                        "service"
                    }
                ),
            );
        }
    }
    if let Some(s) = &service {
        detail.insert("eventSource".into(), json!([service_source(s).1]));
    }
    if !events.is_empty() {
        detail.insert("eventName".into(), json!(events));
    }
    let mut pattern = serde_json::Map::new();
    pattern.insert("source".into(), json!([source]));
    pattern.insert("detail-type".into(), json!([detail_type]));
    if !detail.is_empty() {
        pattern.insert("detail".into(), Json::Object(detail));
    }
    Some(Json::Object(pattern))
}

/// `sigma:`, checked for its shape only: the metadata `trailctl import sigma` keeps, which
/// nothing deployed depends on.
fn sigma(ctx: &mut Ctx, alert: &Map<'_>) {
    let Some(v) = alert.get("sigma") else { return };
    let Some(m) = Map::object(ctx, v, alert.path_of("sigma"), fields::SIGMA) else {
        return;
    };
    for key in ["id", "title", "level", "status"] {
        m.string(ctx, key);
    }
    m.choice(ctx, "verdict");
    for key in ["references", "tags", "differences"] {
        m.string_list(ctx, key);
    }
}
