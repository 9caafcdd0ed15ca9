//! The pattern engine against AWS's event-ruler test suite (tests/conformance/eventbridge,
//! Apache-2.0): every match case and every validation verdict, all failures reported at once.

use trailctl::pattern::json::{self, Json};
use trailctl::pattern::{Pattern, RuleSet, Scratch};

fn corpus(name: &str) -> String {
    let path = format!(
        "{}/tests/conformance/eventbridge/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn member<'a>(obj: &'a Json, key: &str) -> &'a Json {
    let Json::Object(members) = obj else {
        panic!("not an object: {obj}")
    };
    &members
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key}"))
        .1
}

/// Runs every case of a match corpus; returns the failures.
fn run_cases(file: &str) -> (usize, Vec<String>) {
    let text = corpus(file);
    let mut failures = Vec::new();
    let mut n = 0;
    let mut scratch = Scratch::default();
    for (line_no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        n += 1;
        let case = json::parse(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", line_no + 1));
        let expected = member(&case, "match") == &Json::Bool(true);
        let pattern = member(&case, "pattern");
        let event = member(&case, "event").to_string();
        let source = member(&case, "source");
        let got = Pattern::from_json(pattern)
            .map_err(|e| e.to_string())
            .and_then(|p| {
                let rules = RuleSet::new(vec![("r".into(), p)]);
                rules
                    .matches(&event, &mut scratch)
                    .map(|m| !m.is_empty())
                    .map_err(|e| e.to_string())
            });
        if got != Ok(expected) {
            let short = |s: String| s.chars().take(400).collect::<String>();
            failures.push(format!(
                "{file}:{} {source}: expected {expected}, got {got:?}\n  pattern {}\n  event {}",
                line_no + 1,
                short(pattern.to_string()),
                short(event),
            ));
        }
    }
    (n, failures)
}

/// Fails with every failure listed.
fn all_pass(n: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} of {n} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn conformance_match_cases() {
    let (n, failures) = run_cases("event_ruler_cases.jsonl");
    assert_eq!(n, 3154);
    all_pass(n, &failures);
}

/// All the corpus's patterns in one indexed rule set: each event must match exactly the patterns
/// its cases expect (the index may neither lose nor add a rule).
#[test]
fn conformance_cases_in_one_rule_set() {
    let text = corpus("event_ruler_cases.jsonl");
    let mut rules = Vec::new();
    let mut cases = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case = json::parse(line).unwrap();
        let pattern = Pattern::from_json(member(&case, "pattern")).unwrap();
        let rule = rules.len();
        rules.push((format!("r{rule}"), pattern));
        let expected = member(&case, "match") == &Json::Bool(true);
        cases.push((rule, member(&case, "event").to_string(), expected));
    }
    let set = RuleSet::new(rules);
    let mut scratch = Scratch::default();
    let mut failures = Vec::new();
    for (rule, event, expected) in &cases {
        let matched = set.matches(event, &mut scratch).unwrap().contains(rule);
        if matched != *expected {
            failures.push(format!("rule {rule} on {event}: expected {expected}"));
        }
    }
    all_pass(cases.len(), &failures);
}

#[test]
fn conformance_large_cases() {
    let (n, failures) = run_cases("event_ruler_cases_large.jsonl");
    assert_eq!(n, 34);
    all_pass(n, &failures);
}

#[test]
fn conformance_validation_verdicts() {
    let text = corpus("event_ruler_validation_cases.jsonl");
    let mut failures = Vec::new();
    let mut n = 0;
    for (line_no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        n += 1;
        let case = json::parse(line).unwrap();
        let Json::String(pattern) = member(&case, "pattern_text") else {
            panic!("line {}", line_no + 1)
        };
        let valid = member(&case, "valid") == &Json::Bool(true);
        // Length is the service's quota, not event-ruler's: these verdicts are about the language.
        let got = Pattern::parse_with_limit(pattern, usize::MAX);
        if got.is_ok() != valid {
            failures.push(format!(
                "line {}: {pattern}\n  event-ruler: {}, here: {:?}",
                line_no + 1,
                if valid {
                    "valid".to_owned()
                } else {
                    format!("invalid ({})", member(&case, "error"))
                },
                got.map(|_| "valid")
            ));
        }
    }
    assert_eq!(n, 324);
    all_pass(n, &failures);
}
