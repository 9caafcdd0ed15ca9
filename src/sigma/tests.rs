use serde_json::json;

use super::{Verdict, import};

fn one(detection: &str) -> super::Imported {
    let text = format!(
        "title: T\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n{detection}\n"
    );
    let mut rules = import(&text).unwrap();
    assert_eq!(rules.len(), 1);
    rules.remove(0)
}

#[test]
fn not_of_a_selection_matches_an_absent_field_too() {
    let r = one(
        "  sel:\n    eventName|cased: RunInstances\n  f:\n    userAgent|cased: [a, b]\n  condition: sel and not f",
    );
    assert_eq!(r.verdict, Verdict::Exact);
    assert_eq!(
        r.patterns[0]["detail"]["userAgent"],
        json!([{"exists": false}, {"anything-but": ["a", "b"]}])
    );
}

#[test]
fn alternatives_differing_in_one_field_become_one_list_and_shared_fields_leave_the_or() {
    let r = one(
        "  a:\n    eventSource|cased: s3.amazonaws.com\n    eventName|cased: PutBucketAcl\n  b:\n    eventSource|cased: s3.amazonaws.com\n    eventName|cased: PutBucketPolicy\n  c:\n    eventSource|cased: s3.amazonaws.com\n    eventName|cased: DeleteBucket\n    errorCode|exists: false\n  condition: 1 of them",
    );
    let p = &r.patterns[0]["detail"];
    assert_eq!(p["eventSource"], json!(["s3.amazonaws.com"]));
    let ors = p["$or"].as_array().unwrap();
    assert_eq!(ors.len(), 2, "{p}");
    assert!(
        ors.contains(&json!({"eventName": ["PutBucketAcl", "PutBucketPolicy"]})),
        "{p}"
    );
    // Only write events named: the rules need not take read-only events.
    assert!(!r.reads);
}

#[test]
fn a_known_value_decides_the_other_conditions_on_its_field() {
    let r = one(
        "  s:\n    eventName: [GetObject, PutObject]\n  f:\n    eventName|startswith: get\n  condition: s and not f",
    );
    assert_eq!(
        r.patterns[0]["detail"]["eventName"],
        json!([{"equals-ignore-case": "PutObject"}])
    );
    let never = one(
        "  s:\n    eventName: GetObject\n  f:\n    eventName|startswith: get\n  condition: s and not f",
    );
    assert_eq!(
        never.verdict,
        Verdict::Refused {
            reason: "the condition can never hold".to_owned()
        }
    );
}

#[test]
fn regular_expressions_are_said_where_they_are_text_anchors_and_dot_star() {
    let r = one("  s:\n    roleName|re: '^adm-.*-prod$'\n  condition: s");
    assert_eq!(
        r.patterns[0]["detail"]["roleName"],
        json!([{"wildcard": "adm-*-prod"}])
    );
    assert!(
        matches!(r.verdict, Verdict::Approximate { .. }),
        "`.` and line breaks"
    );
    let dotall = one("  s:\n    roleName|re|s: '^adm-.*-prod$'\n  condition: s");
    assert_eq!(dotall.verdict, Verdict::Exact);
    let class = one("  s:\n    roleName|re: '^adm-\\d+$'\n  condition: s");
    assert!(matches!(class.verdict, Verdict::Refused { ref reason } if reason.contains("\\d")));
}

#[test]
fn windash_tries_every_dash_at_every_word_start() {
    let r = one("  s:\n    comment|windash|cased: '-a /b'\n  condition: s");
    assert_eq!(
        r.patterns[0]["detail"]["comment"].as_array().unwrap().len(),
        25
    );
}

#[test]
fn exists_on_an_object_and_n_of_are_refused_with_the_reason() {
    let r = one("  s:\n    requestParameters|exists: true\n  condition: s");
    assert!(matches!(r.verdict, Verdict::Refused { ref reason } if reason.contains("leaf")));
    let r = one("  a:\n    x: 1\n  b:\n    y: 2\n  condition: 2 of them");
    assert!(matches!(r.verdict, Verdict::Refused { ref reason } if reason.contains("2 of")));
}

#[test]
fn bad_input_is_placed_in_the_file() {
    let e = import("title: T\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s:\n    a|nope: 1\n  condition: s\n").unwrap_err();
    assert_eq!((e[0].line, e[0].column), (5, 7), "{e:?}");
    let e = import("title: [\n").unwrap_err();
    assert!(e[0].line >= 1 && e[0].message.contains("YAML"), "{e:?}");
}
