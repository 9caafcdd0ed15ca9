//! Events per second of the pattern engine on one core, reading each event's JSON text (the
//! parse is included), for 1, 10, 50 and 200 CloudTrail-style alert rules over the Stratus Red
//! Team CloudTrail records (tests/fixtures), wrapped as EventBridge delivers them, repeated and
//! varied (Region, event name, caller); 0 rules is the cost of reading alone. The events are
//! measured twice: with their members in key order (the fixtures' order, which the goals are
//! set on), and in the order EventBridge delivers them. Run with `scripts/bench-pattern.sh`.

// A benchmark and a test binary stop at the first surprise: unwrap, expect and panic are the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use trailctl::model::envelope::eventbridge_event;
use trailctl::pattern::json::Json;
use trailctl::pattern::{Pattern, RuleSet, Scratch};

const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];
const VERBS: [&str; 6] = ["Describe", "List", "Get", "Create", "Delete", "Put"];

fn events() -> Vec<String> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cloudtrail/stratus-red-team"
    );
    let mut records = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for p in paths {
        let all: Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
        records.extend(all.as_array().cloned().unwrap_or_default());
    }
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate() {
        for v in 0..4 {
            let mut r = r.clone();
            r["awsRegion"] = json!(REGIONS[(i + v) % REGIONS.len()]);
            if v > 0 {
                // Another call of the same service: a different verb on the same noun.
                let name = r["eventName"].as_str().unwrap_or("X").to_owned();
                let noun = name
                    .trim_start_matches(|c: char| c.is_ascii_uppercase())
                    .to_owned();
                r["eventName"] = json!(format!("{}{}", VERBS[(i + v) % VERBS.len()], noun));
                r["sourceIPAddress"] = json!(format!("203.0.113.{}", (i * 7 + v) % 250));
            }
            out.push(eventbridge_event(&r).expect("envelope").to_string());
        }
    }
    out
}

/// Alert rules as trailctl writes them, on the services and calls the records hold, plus
/// other services' calls, some with an `errorCode` or caller condition.
fn rules(events: &[String], n: usize) -> RuleSet {
    let mut seen = Vec::new();
    for e in events {
        let v: Value = serde_json::from_str(e).expect("event");
        let pair = (
            v["detail"]["eventSource"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            v["detail"]["eventName"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        if !seen.contains(&pair) {
            seen.push(pair);
        }
    }
    let mut out = Vec::new();
    for i in 0..n {
        let (source, name) = &seen[i % seen.len()];
        let service = source.trim_end_matches(".amazonaws.com");
        let mut detail =
            json!({"eventSource": [source], "eventName": [name, format!("{name}V{i}")]});
        match i % 5 {
            1 => detail["errorCode"] = json!([{"exists": false}]),
            2 => detail["userIdentity"] = json!({"type": [{"anything-but": "AWSService"}]}),
            3 => detail["sourceIPAddress"] = json!([{"anything-but": {"prefix": "10."}}]),
            _ => {}
        }
        let p = json!({
            "source": [format!("aws.{service}")],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": detail,
        });
        let pattern = Pattern::from_json(&Json::from_value(&p)).expect("valid pattern");
        out.push((format!("rule-{i}"), pattern));
    }
    RuleSet::new(out)
}

/// One measured loop body: what is done to each event.
type Run<'a> = Box<dyn FnMut(&str) + 'a>;

/// Nanoseconds per event for each of `runs` over its events: the best of 9 rounds of at least
/// 200 ms each, the rounds of all runs interleaved, so that a machine whose speed drifts (a
/// shared virtual machine) weighs on every figure alike.
fn per_event(runs: &mut [(&[String], Run<'_>)]) -> Vec<f64> {
    let mut best = vec![Duration::MAX; runs.len()];
    for _ in 0..9 {
        for ((events, run), best) in runs.iter_mut().zip(&mut best) {
            let start = Instant::now();
            let mut rounds = 0;
            while start.elapsed() < Duration::from_millis(200) {
                for e in events.iter() {
                    run(e);
                }
                rounds += 1;
            }
            *best = (*best).min(start.elapsed() / rounds);
        }
    }
    best.iter()
        .zip(runs.iter())
        .map(|(b, (events, _))| b.as_nanos() as f64 / events.len() as f64)
        .collect()
}

/// The members of an EventBridge event in the order EventBridge delivers them, and those of
/// its CloudTrail record in the order CloudTrail writes them (the fixtures are stored with
/// their keys sorted; a member neither list names goes last).
const ENVELOPE_ORDER: [&str; 9] = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
];
const RECORD_ORDER: [&str; 26] = [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "eventCategory",
    "tlsDetails",
    "sessionCredentialFromConsole",
];

/// `v`, an object, written with its members in `order`, each value written by `inner`.
fn ordered(v: &Value, order: &[&str], inner: &dyn Fn(&str, &Value) -> String) -> String {
    let o = v.as_object().expect("an object");
    let mut keys: Vec<&String> = o.keys().collect();
    keys.sort_by_key(|k| order.iter().position(|x| x == k).unwrap_or(order.len()));
    let members: Vec<String> = keys
        .iter()
        .map(|k| format!("{}:{}", Value::from(k.as_str()), inner(k, &o[*k])))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// The event `e` as EventBridge delivers it.
fn delivered(e: &str) -> String {
    let v: Value = serde_json::from_str(e).expect("event");
    ordered(&v, &ENVELOPE_ORDER, &|k, v| {
        if k == "detail" {
            ordered(v, &RECORD_ORDER, &|_, v| v.to_string())
        } else {
            v.to_string()
        }
    })
}

fn main() {
    let events = events();
    let arrived: Vec<String> = events.iter().map(|e| delivered(e)).collect();
    let bytes: usize = events.iter().map(String::len).sum();
    println!(
        "pattern engine, one core: {} events ({} B on average), parse included",
        events.len(),
        bytes / events.len()
    );
    let counts = [0, 1, 10, 50, 200];
    let sets: Vec<RuleSet> = counts.iter().map(|n| rules(&events, *n)).collect();
    let mut matched = Vec::new();
    let mut runs: Vec<(&[String], Run<'_>)> = Vec::new();
    // For scale on this machine: the same events parsed into a serde_json::Value, nothing more.
    runs.push((
        &events,
        Box::new(|e| {
            black_box(serde_json::from_str::<Value>(e).is_ok());
        }),
    ));
    // The events with their members in key order (as the issue measured), then as delivered.
    for order in [&events, &arrived] {
        for set in &sets {
            let mut scratch = Scratch::default();
            matched.push(
                order
                    .iter()
                    .map(|e| set.matches(e, &mut scratch).expect("event").len())
                    .sum::<usize>(),
            );
            runs.push((
                order,
                Box::new(move |e| {
                    black_box(
                        set.matches(black_box(e), &mut scratch)
                            .expect("event")
                            .len(),
                    );
                }),
            ));
        }
    }
    let ns = per_event(&mut runs);
    println!(
        "reference: serde_json::from_str::<Value> alone: {:.0} events/s",
        1e9 / ns[0]
    );
    for (k, title) in [
        "members in key order",
        "members in delivery order (EventBridge's envelope, CloudTrail's record)",
    ]
    .iter()
    .enumerate()
    {
        let at = 1 + k * counts.len();
        let ns = &ns[at..at + counts.len()];
        let matched = &matched[k * counts.len()..(k + 1) * counts.len()];
        println!("{title}:");
        println!(
            "{:>6}  {:>14}  {:>10}  {:>8}  {:>14}",
            "rules", "events/s", "ns/event", "matched", "vs 0 rules"
        );
        let reading = ns[0];
        for ((n, ns), matched) in counts.iter().zip(ns).zip(matched) {
            println!(
                "{n:>6}  {:>14.0}  {ns:>10.0}  {matched:>8}  {:>13.2}x",
                1e9 / ns,
                reading / ns
            );
        }
    }
}
