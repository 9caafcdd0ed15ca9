//! The IAM policies in policies/ against the table of every AWS operation the code can call:
//! reads are in both policies, writes only in the apply policy, and no policy grants an action
//! the code never calls.

use std::collections::BTreeSet;

use serde_json::Value;
use trailctl::live::aws::operations::{Access, OPERATIONS};

fn actions(file: &str) -> BTreeSet<String> {
    let path = format!("{}/policies/{file}", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["Version"], "2012-10-17", "{file}");
    let mut out = BTreeSet::new();
    for st in doc["Statement"]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: Statement is a list"))
    {
        assert_eq!(st["Effect"], "Allow", "{file}: {st}");
        match &st["Action"] {
            Value::String(a) => out.insert(a.clone()),
            Value::Array(list) => {
                for a in list {
                    out.insert(a.as_str().unwrap().to_owned());
                }
                true
            }
            other => panic!("{file}: Action {other}"),
        };
    }
    for a in &out {
        assert!(!a.contains('*'), "{file}: wildcard action {a}");
    }
    out
}

#[test]
fn policies_grant_exactly_what_the_code_calls() {
    let plan = actions("trailctl-plan.json");
    let apply = actions("trailctl-apply.json");
    let logs = actions("trailctl-read-logs.json");
    let mut failures = Vec::new();
    for (op, a) in OPERATIONS.iter().flat_map(|op| {
        std::iter::once(op.iam_action)
            .chain(op.also.iter().copied())
            .map(move |a| (op, a.to_owned()))
    }) {
        match op.access {
            Access::Read if !(plan.contains(&a) && apply.contains(&a)) => {
                failures.push(format!(
                    "{} ({a}) is a read: it belongs in both policies",
                    op.name
                ));
            }
            Access::Write if plan.contains(&a) => {
                failures.push(format!(
                    "{} ({a}) writes: it must not be in the plan policy",
                    op.name
                ));
            }
            Access::Logs if plan.contains(&a) || apply.contains(&a) || !logs.contains(&a) => {
                failures.push(format!(
                    "{} ({a}) reads archived logs: it belongs in trailctl-read-logs.json only",
                    op.name
                ));
            }
            Access::Write if !apply.contains(&a) => {
                failures.push(format!(
                    "{} ({a}) is missing from the apply policy",
                    op.name
                ));
            }
            _ => {}
        }
    }
    let called: BTreeSet<String> = OPERATIONS
        .iter()
        .flat_map(|o| std::iter::once(o.iam_action).chain(o.also.iter().copied()))
        .map(str::to_owned)
        .collect();
    for a in plan.union(&apply).chain(&logs) {
        if !called.contains(a) {
            failures.push(format!("{a} is granted but no code calls it"));
        }
    }
    // Reading logs also finds the bucket's Region; it writes nothing.
    for a in &logs {
        let write = OPERATIONS
            .iter()
            .any(|o| o.access == Access::Write && o.iam_action == a);
        if write {
            failures.push(format!("{a} writes: not in trailctl-read-logs.json"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_operation_table_has_no_duplicates_and_well_formed_actions() {
    let mut seen = BTreeSet::new();
    for op in OPERATIONS {
        assert!(seen.insert(op.name), "{} listed twice", op.name);
        let (service, action) = op.iam_action.split_once(':').unwrap();
        assert!(
            !service.is_empty() && action.chars().next().is_some_and(char::is_uppercase),
            "{}",
            op.iam_action
        );
    }
}

/// Every `"Service:Operation"` name an adapter passes to the error mapper is in the table, so
/// the policies cannot miss a call the code makes.
#[test]
fn every_operation_the_adapters_name_is_tabled() {
    let dir = format!("{}/src/live/aws", env!("CARGO_MANIFEST_DIR"));
    let tabled: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.name).collect();
    let services = [
        "CloudTrail",
        "S3",
        "STS",
        "KMS",
        "SNS",
        "EventBridge",
        "IAM",
        "Glue",
        "Athena",
        "Logs",
        "CloudWatch",
        "Organizations",
    ];
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "operations.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for quoted in text.split('"').skip(1).step_by(2) {
            let Some((service, op)) = quoted.split_once(':') else {
                continue;
            };
            let is_op = services.contains(&service)
                && !op.is_empty()
                && op.chars().all(|c| c.is_ascii_alphanumeric())
                && op.starts_with(|c: char| c.is_ascii_uppercase());
            if is_op && !tabled.contains(quoted) {
                missing.push(format!("{}: {quoted}", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in OPERATIONS:\n{}",
        missing.join("\n")
    );
}
