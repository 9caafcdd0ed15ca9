//! The CloudWatch Logs filter engine against the cases of the AWS guides' examples
//! (tests/conformance/cloudwatch-logs/cases.json): every case is run and every failure reported.

use serde_json::Value;
use trailctl::filter::Filter;

fn table() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance/cloudwatch-logs/cases.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn filter_conformance_cases() {
    let t = table();
    let mut failures = Vec::new();
    let cases = t["cases"].as_array().unwrap();
    for c in cases {
        let text = c["filter"].as_str().unwrap();
        let event = match &c["event"] {
            Value::String(name) => &t["events"][name.as_str()],
            inline => inline,
        };
        let want = c["match"].as_bool().unwrap();
        match Filter::parse(text) {
            Ok(f) if f.matches(event) == want => {}
            Ok(_) => failures.push(format!("{text}: expected match = {want} ({})", c["source"])),
            Err(e) => failures.push(format!("{text}: does not parse: {e}")),
        }
    }
    let invalid = t["invalid"].as_array().unwrap();
    for c in invalid {
        let text = c["filter"].as_str().unwrap();
        let column = c["column"].as_u64().unwrap() as usize;
        match Filter::parse(text) {
            Ok(_) => failures.push(format!("{text}: parses, but is invalid ({})", c["source"])),
            Err(e) if e.column == column => {}
            Err(e) => failures.push(format!(
                "{text}: error at the wrong column: {e} (want {column})"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len() + invalid.len(),
        failures.join("\n")
    );
    assert!(cases.len() >= 50 && invalid.len() >= 10);
}
