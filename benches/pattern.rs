//! Events per second of the pattern engine on one core, reading each event's JSON text (the
//! parse is included), for 1, 10, 50 and 200 CloudTrail-style alert rules over the Stratus Red
//! Team CloudTrail records (tests/fixtures), wrapped as EventBridge delivers them, repeated and
//! varied (Region, event name, caller); 0 rules is the cost of reading alone. Run with
//! `scripts/bench-pattern.sh`.

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

/// Nanoseconds per event of `f` over all events: the best of 7 runs of at least 300 ms each.
fn per_event(events: &[String], mut f: impl FnMut(&str)) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..7 {
        let start = Instant::now();
        let mut rounds = 0;
        while start.elapsed() < Duration::from_millis(300) {
            for e in events {
                f(e);
            }
            rounds += 1;
        }
        best = best.min(start.elapsed() / rounds);
    }
    best.as_nanos() as f64 / events.len() as f64
}

fn main() {
    let events = events();
    let bytes: usize = events.iter().map(String::len).sum();
    println!(
        "pattern engine, one core: {} events ({} B on average), parse included",
        events.len(),
        bytes / events.len()
    );
    // For scale on this machine: the same events parsed into a serde_json::Value, nothing more.
    let serde = per_event(&events, |e| {
        black_box(serde_json::from_str::<Value>(e).is_ok());
    });
    println!(
        "reference: serde_json::from_str::<Value> alone: {:.0} events/s",
        1e9 / serde
    );
    println!(
        "{:>6}  {:>14}  {:>10}  {:>8}",
        "rules", "events/s", "ns/event", "matched"
    );
    for n in [0, 1, 10, 50, 200] {
        let rules = rules(&events, n);
        let mut scratch = Scratch::default();
        let mut matched = 0usize;
        for e in &events {
            matched += rules.matches(e, &mut scratch).expect("event").len();
        }
        let ns = per_event(&events, |e| {
            black_box(
                rules
                    .matches(black_box(e), &mut scratch)
                    .expect("event")
                    .len(),
            );
        });
        println!("{n:>6}  {:>14.0}  {ns:>10.0}  {matched:>8}", 1e9 / ns);
    }
}
