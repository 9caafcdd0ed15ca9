use serde_json::json;

use super::{Filter, Translation, from_pattern};
use crate::model::envelope::eventbridge_event;
use crate::pattern::Pattern;

fn translate(pattern: &str) -> Translation {
    from_pattern(&Pattern::parse(pattern).unwrap())
}

fn exact(pattern: &str) -> String {
    match translate(pattern) {
        Translation::Exact(f) => f,
        Translation::Untranslatable(why) => panic!("{pattern}: {why}"),
    }
}

#[test]
fn precedence_is_and_before_or() {
    let f = Filter::parse("{ $.a = 1 || $.b = 2 && $.c = 3 }").unwrap();
    assert!(f.matches(&json!({"a": 1})));
    assert!(!f.matches(&json!({"b": 2})));
    assert!(f.matches(&json!({"b": 2, "c": 3})));
}

#[test]
fn bare_numbers_compare_by_value_and_strings_by_text() {
    let f = Filter::parse("{ $.recipientAccountId = 012345678901 }").unwrap();
    assert!(f.matches(&json!({"recipientAccountId": "012345678901"})));
    assert!(!f.matches(&json!({"recipientAccountId": "12345678901"})));
    let n = Filter::parse("{ $.code = 3.0 }").unwrap();
    assert!(n.matches(&json!({"code": 3})));
    let quoted = Filter::parse("{ $.code = \"3\" }").unwrap();
    assert!(quoted.matches(&json!({"code": 3})));
}

#[test]
fn limits_and_errors_name_their_column() {
    let long = format!("{{ $.a = \"{}\" }}", "x".repeat(1100));
    let e = Filter::parse(&long).unwrap_err();
    assert!(e.message.contains("at most 1024"), "{e}");
    let e = Filter::parse("  { $.a = }").unwrap_err();
    assert_eq!(e.column, 11, "{e}");
    let e = Filter::parse("{ $.a.b. = 1 }").unwrap_err();
    assert!(e.message.contains("property name"), "{e}");
}

#[test]
fn patterns_become_filters() {
    assert_eq!(
        exact(
            r#"{"source":["aws.kms"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["DisableKey","ScheduleKeyDeletion"]}}"#
        ),
        r#"{ $.eventSource = "kms.amazonaws.com" && $.eventType = "AwsApiCall" && ($.eventName = "DisableKey" || $.eventName = "ScheduleKeyDeletion") }"#
    );
    // Without detail-type, a source excludes the Insights events EventBridge gives aws.cloudtrail.
    assert_eq!(
        exact(r#"{"source":["aws.dynamodb"],"detail":{"eventName":["DeleteTable"]}}"#),
        r#"{ $.eventSource = "dynamodb.amazonaws.com" && $.eventName = "DeleteTable" && $.eventType != "AwsCloudTrailInsight" }"#
    );
    assert_eq!(
        exact(
            r#"{"detail":{"errorCode":[{"suffix":"UnauthorizedOperation"},{"prefix":"AccessDenied"}],"eventName":[{"anything-but":["HeadBucket","GetObject"]}],"x":[{"numeric":[">",0,"<=",5]}],"gone":[{"exists":false}],"flag":[true]}}"#
        ),
        r#"{ ($.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*") && ($.eventName != "HeadBucket" && $.eventName != "GetObject") && ($.x > 0 && $.x <= 5) && $.gone NOT EXISTS && $.flag IS TRUE }"#
    );
    assert_eq!(
        exact(r#"{"$or":[{"detail":{"a":["x"]}},{"detail":{"b":["y"]}}]}"#),
        r#"{ $.a = "x" || $.b = "y" }"#
    );
}

#[test]
fn what_has_no_exact_filter_says_why() {
    for (p, why) in [
        (r#"{"detail":{"a":[{"equals-ignore-case":"x"}]}}"#, "case"),
        (r#"{"detail":{"ip":[{"cidr":"10.0.0.0/8"}]}}"#, "CIDR"),
        (r#"{"detail":{"a":[{"exists":true}]}}"#, "exists: true"),
        (r#"{"detail":{"a":[{"wildcard":"a*b"}]}}"#, "inside"),
        (r#"{"source":["aws.cloudtrail"]}"#, "Insights"),
        (r#"{"account":["123456789012"]}"#, "envelope"),
        (r#"{"detail":{"a":["say \"hi\""]}}"#, "quote"),
        (r#"{"detail":{"a b":["x"]}}"#, "selector"),
    ] {
        match translate(p) {
            Translation::Untranslatable(w) => assert!(w.contains(why), "{p}: {w}"),
            Translation::Exact(f) => panic!("{p} translated to {f}"),
        }
    }
}

/// Every translated preset matches exactly the fixtures its pattern matches (the envelope
/// built from each record, as `trailctl test` does).
#[test]
fn translations_agree_with_the_pattern_on_every_preset_fixture() {
    let mut checked = 0;
    for preset in crate::model::presets::all() {
        let pattern =
            Pattern::from_json(&crate::pattern::json::Json::from_value(&preset.pattern)).unwrap();
        let Translation::Exact(text) = from_pattern(&pattern) else {
            continue;
        };
        let filter = Filter::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let rules = crate::pattern::RuleSet::new(vec![(String::new(), pattern)]);
        let mut scratch = crate::pattern::Scratch::default();
        for fx in preset
            .fixtures
            .matching
            .iter()
            .chain(&preset.fixtures.no_match)
        {
            let event = eventbridge_event(&fx.record).unwrap();
            let by_rule = !rules
                .matches(&event.to_string(), &mut scratch)
                .unwrap()
                .is_empty();
            assert_eq!(
                filter.matches(&fx.record),
                by_rule,
                "{}: {text} on {}",
                preset.id,
                fx.source
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "{checked}");
}

/// Values picked in the one pass over a record (the pattern library's picks) decide every
/// filter as the whole parsed record does: the CIS filters and selectors through lists,
/// objects, absent and repeated members, numbers and escapes, on every preset fixture and on
/// hand-made records.
#[test]
fn picked_values_decide_as_the_whole_record() {
    let mut filters: Vec<Filter> = crate::model::presets::all()
        .iter()
        .filter_map(|p| p.filter.as_ref())
        .map(|t| Filter::parse(t).unwrap())
        .collect();
    for t in [
        "{ $.resources[0].ARN = \"arn:*\" }",
        "{ $.requestParameters.ipPermissions.items[0].fromPort = 22 }",
        "{ $.responseElements IS NULL || $.responseElements.x NOT EXISTS }",
        "{ $.userIdentity = \"x\" || $.userIdentity != \"x\" }",
        "{ $.readOnly IS TRUE }",
        "{ $.eventName[0] = \"x\" }",
        "{ $.n = 1 }",
        "{ $.n = \"1.0\" }",
        "{ $.n >= 100 && $.n < 1e3 }",
        "{ $.n != 2 }",
        "{ $.a.b = 1 }",
        "{ $.a = 5 }",
        "{ $.q = \"tab*\" || $.q = \"*b\" }",
        // Exact texts on one selector, decided as one set (a number by its text).
        "{ $.n = \"1\" || $.n = \"3\" || $.q = \"x\" || $.q = \"y\" || $.q = \"*b\" }",
        "{ ($.n = \"150\" || $.n = \"2\") && $.q NOT EXISTS || $.a = \"5\" || $.a = \"6\" }",
    ] {
        filters.push(Filter::parse(t).unwrap());
    }
    let mut rules = crate::pattern::RuleSet::new(vec![]);
    let slotted: Vec<_> = filters
        .iter()
        .map(|f| f.slotted(&mut |s| rules.pick(&s.steps)))
        .collect();
    let mut texts: Vec<String> = crate::model::presets::all()
        .iter()
        .flat_map(|p| p.fixtures.matching.iter().chain(&p.fixtures.no_match))
        .map(|f| f.record.to_string())
        .collect();
    for r in [
        json!({"resources": [{"ARN": "arn:aws:s3:::b"}], "readOnly": true,
        "responseElements": null, "userIdentity": {"type": "Root"}, "eventName": ["x"]}),
        json!({"resources": "not a list", "responseElements": {"x": 1},
        "requestParameters": {"ipPermissions": {"items": [{"fromPort": 22}]}}}),
        json!({"n": 1.0, "q": "tab\there"}),
        json!({"n": 150, "q": "a\"b"}),
        json!({"n": "1.0"}),
        json!({"n": [1]}),
    ] {
        texts.push(r.to_string());
    }
    // Members written twice: the last is the record's.
    texts.push(r#"{"a": {"b": 1}, "a": 5, "n": 3, "n": 1}"#.to_owned());
    texts.push(r#"{"a": 5, "a": {"b": 1}}"#.to_owned());
    let mut scratch = crate::pattern::Scratch::default();
    let mut matched = 0;
    for text in &texts {
        let whole: serde_json::Value = serde_json::from_str(text).unwrap();
        let end = rules.read_member(text, 0, "detail", &mut scratch).unwrap();
        assert_eq!(end, text.len());
        for (f, s) in filters.iter().zip(&slotted) {
            let picked = s.matches(&|slot| scratch.picked(text, slot));
            assert_eq!(picked, f.matches(&whole), "{} on {text}", f.text);
            matched += usize::from(picked);
        }
    }
    assert!(matched > 50, "{matched}");
}

/// `source` and `detail.eventSource` say the same clause: it is written once, and the strict
/// IAM preset's filter keeps well within CloudWatch Logs' 1,024 characters.
#[test]
fn a_clause_said_twice_is_written_once() {
    let text = exact(
        r#"{"source": ["aws.iam"], "detail": {"eventSource": ["iam.amazonaws.com"], "eventName": ["PutRolePolicy"]}}"#,
    );
    assert_eq!(
        text.matches("$.eventSource = \"iam.amazonaws.com\"")
            .count(),
        1,
        "{text}"
    );
    let preset = crate::model::presets::find("strict-iam-policy-changes").unwrap();
    let Translation::Exact(filter) =
        from_pattern(&Pattern::parse(&preset.pattern.to_string()).unwrap())
    else {
        panic!("strict-iam-policy-changes has an exact filter");
    };
    // It was 1,004: every clause and every alternative in parentheses, the source twice.
    assert!(filter.len() < 950, "{} characters: {filter}", filter.len());
}
