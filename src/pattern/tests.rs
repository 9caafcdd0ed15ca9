//! The engine's semantics, one named case each (the conformance corpus covers them at length;
//! these say what each rule is), and a rule set of many rules against its index.

use serde_json::{Value, json};

use super::{Pattern, RuleSet, Scratch};

fn m(pattern: &str, event: &str) -> bool {
    Pattern::parse(pattern)
        .unwrap_or_else(|e| panic!("{pattern}: {e}"))
        .matches(event)
        .unwrap_or_else(|e| panic!("{event}: {e}"))
}

#[test]
fn values_by_type() {
    assert!(
        m(r#"{"n": [300]}"#, r#"{"n": 3.0e2}"#),
        "numbers compare by value"
    );
    assert!(m(r#"{"n": [300]}"#, r#"{"n": 300.0}"#));
    assert!(
        !m(r#"{"n": [300]}"#, r#"{"n": "300"}"#),
        "a string is no number"
    );
    assert!(!m(r#"{"s": ["300"]}"#, r#"{"n": 300}"#));
    assert!(m(
        r#"{"b": [true], "z": [null]}"#,
        r#"{"b": true, "z": null}"#
    ));
    assert!(!m(r#"{"b": [true]}"#, r#"{"b": "true"}"#));
    assert!(m(r#"{"ip": ["10.0.0.1"]}"#, r#"{"ip": "10.0.0.1"}"#));
}

#[test]
fn exists_looks_at_leaves_only() {
    let present = r#"{"a": [{"exists": true}]}"#;
    let absent = r#"{"a": [{"exists": false}]}"#;
    assert!(m(present, r#"{"a": 1}"#) && !m(absent, r#"{"a": 1}"#));
    assert!(m(present, r#"{"a": null}"#), "null is a value");
    for no_leaf in [
        r#"{"a": {"b": 1}}"#,
        r#"{"a": []}"#,
        r#"{"a": {}}"#,
        r#"{"x": 1}"#,
    ] {
        assert!(!m(present, no_leaf) && m(absent, no_leaf), "{no_leaf}");
    }
}

#[test]
fn arrays_dotted_keys_and_duplicates() {
    assert!(m(r#"{"a": ["x"]}"#, r#"{"a": ["w", "x"]}"#), "any element");
    let one_element = r#"{"s": {"k": ["a"], "v": [1]}}"#;
    assert!(m(one_element, r#"{"s": [{"k": "a", "v": 1}]}"#));
    assert!(
        !m(
            one_element,
            r#"{"s": [{"k": "a", "v": 2}, {"k": "b", "v": 1}]}"#
        ),
        "conditions on an array of objects hold in one element"
    );
    assert!(
        m(r#"{"a.b": ["x"]}"#, r#"{"a": {"b": "x"}}"#),
        "dotted pattern key"
    );
    assert!(
        m(r#"{"a": {"b": ["x"]}}"#, r#"{"a.b": "x"}"#),
        "dotted event key"
    );
    assert!(
        m(r#"{"a": ["x"], "a": ["y"]}"#, r#"{"a": "y"}"#),
        "last key wins"
    );
    assert!(!m(r#"{"a": ["x"], "a": ["y"]}"#, r#"{"a": "x"}"#));
}

#[test]
fn many_exact_strings_are_a_set_beside_the_other_matchers() {
    // Four exact strings and more make a set; the field's other matchers still count, and so
    // does `exists: false`, and a field in an array of objects keeps to one element.
    let p = r#"{"e": ["a", "b", "c", "d", {"prefix": "x"}, 7, {"exists": false}]}"#;
    for (event, want) in [
        (r#"{"e": "c"}"#, true),
        (r#"{"e": "xyz"}"#, true),
        (r#"{"e": 7}"#, true),
        (r#"{}"#, true),
        (r#"{"e": "e"}"#, false),
        (r#"{"e": "7"}"#, false),
        (r#"{"e": ["e", "d"]}"#, true),
    ] {
        assert_eq!(m(p, event), want, "{event}");
    }
    let pair = r#"{"o": {"k": ["a", "b", "c", "d"], "v": [1]}}"#;
    assert!(m(pair, r#"{"o": [{"k": "a", "v": 1}]}"#));
    assert!(!m(
        pair,
        r#"{"o": [{"k": "a", "v": 2}, {"k": "z", "v": 1}]}"#
    ));
    // A required field with no value decides before any comparison.
    assert!(!m(
        r#"{"x": [{"prefix": ""}], "e": ["a"]}"#,
        r#"{"e": "a"}"#
    ));
}

#[test]
fn or_limits() {
    assert!(m(
        r#"{"$or": [{"a": ["1"]}, {"b": ["2"]}]}"#,
        r#"{"b": "2"}"#
    ));
    // 4 $or of 6 branches each: 6^4 = 1296 combinations.
    let or = r#"{"$or": [{"a": ["1"]}, {"b": ["1"]}, {"c": ["1"]}, {"d": ["1"]}, {"e": ["1"]}, {"f": ["1"]}]}"#;
    let nested = format!(r#"{{"w": {or}, "x": {or}, "y": {or}, "z": {or}}}"#);
    let e = Pattern::parse_with_limit(&nested, usize::MAX).unwrap_err();
    assert!(e.message.contains("more than 1000 combinations"), "{e}");
}

#[test]
fn a_rule_set_finds_each_rule_through_its_index_or_without_one() {
    let rules = [
        r#"{"source": ["aws.ec2"], "detail": {"eventName": ["RunInstances"]}}"#,
        r#"{"source": ["aws.ec2"], "detail": {"eventName": ["StopInstances", "RunInstances"]}}"#,
        r#"{"source": [{"prefix": "aws."}]}"#,
        r#"{"detail": {"eventName": [{"anything-but": "RunInstances"}]}}"#,
        r#"{"$or": [{"source": ["aws.s3"]}, {"detail": {"errorCode": [{"exists": true}]}}]}"#,
    ];
    let set = RuleSet::new(
        rules
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("r{i}"), Pattern::parse(p).unwrap()))
            .collect(),
    );
    let mut scratch = Scratch::default();
    let mut run = |e: &str| set.matches(e, &mut scratch).unwrap().to_vec();
    assert_eq!(
        run(r#"{"source": "aws.ec2", "detail": {"eventName": "RunInstances"}}"#),
        [0, 1, 2]
    );
    assert_eq!(
        run(r#"{"source": "aws.ec2", "detail": {"eventName": "StopInstances", "errorCode": "X"}}"#),
        [1, 2, 3, 4]
    );
    assert_eq!(run(r#"{"source": "aws.s3"}"#), [2, 4]);
    assert_eq!(run(r#"{"source": "my.app"}"#), Vec::<usize>::new());
    assert_eq!(set.names()[4], "r4");
}

/// The Stratus Red Team records as EventBridge events (the envelope members patterns name), as
/// they are and varied: another Region and call, a member moved last, an error, a dotted key.
fn stratus_events() -> Vec<String> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cloudtrail/stratus-red-team"
    );
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let records: Vec<Value> = serde_json::from_str(&text).unwrap();
        for (i, r) in records.into_iter().enumerate() {
            let source = r["eventSource"]
                .as_str()
                .unwrap_or("x")
                .replace(".amazonaws.com", "");
            let event = |detail: &Value| {
                json!({"version": "0", "source": format!("aws.{source}"),
                       "detail-type": "AWS API Call via CloudTrail", "detail": detail})
                .to_string()
            };
            out.push(event(&r));
            let mut v = r.clone();
            v["awsRegion"] = json!("eu-west-1");
            v["eventName"] = json!(format!("Delete{i}"));
            v["errorCode"] = json!("AccessDenied");
            out.push(event(&v));
            // The anchor last, after everything else.
            let mut last = r.as_object().unwrap().clone();
            if let Some(name) = last.remove("eventName") {
                last.insert("eventName".into(), name);
            }
            out.push(event(&Value::Object(last)));
            // The anchor under a dotted key at the root, after `detail`.
            let text = event(&r);
            let name = r["eventName"].clone();
            out.push(format!(
                "{},\"detail.eventName\":{name}}}",
                text.strip_suffix('}').unwrap()
            ));
        }
    }
    out
}

#[test]
fn reading_stops_early_with_the_same_matches_as_reading_whole() {
    let events = stratus_events();
    let mut names: Vec<(String, String)> = Vec::new();
    for e in &events {
        let v: Value = serde_json::from_str(e).unwrap();
        let pair = (
            v["source"].as_str().unwrap().to_owned(),
            v["detail"]["eventName"].as_str().unwrap_or("").to_owned(),
        );
        if !names.contains(&pair) {
            names.push(pair);
        }
    }
    let mut compared = 0;
    for n in [1, 3, 10, 50, 200] {
        let rules: Vec<(String, Pattern)> = (0..n)
            .map(|i| {
                let (source, name) = &names[(i * 7) % names.len()];
                let mut detail = json!({"eventName": [name, format!("{name}V{i}")]});
                match i % 7 {
                    1 => detail["errorCode"] = json!([{"exists": false}]),
                    2 => detail["userIdentity"] = json!({"type": [{"anything-but": "AWSService"}]}),
                    3 => detail["errorCode"] = json!([{"exists": true}]),
                    4 => detail["resources"] = json!({"type": [{"prefix": "AWS::"}]}),
                    5 => detail["awsRegion"] = json!(["eu-west-1"]),
                    _ => {}
                }
                if n == 200 {
                    // More fields than the gate has bits for: every event is read whole.
                    detail[format!("x{i}")] = json!([{"exists": false}]);
                }
                let p = json!({"source": [source], "detail": detail});
                (format!("r{i}"), Pattern::parse(&p.to_string()).unwrap())
            })
            .collect();
        let gated = RuleSet::new(rules);
        let whole = gated.clone().reading_whole();
        let (mut a, mut b) = (Scratch::default(), Scratch::default());
        for e in &events {
            let got = gated.matches(e, &mut a).unwrap().to_vec();
            let want = whole.matches(e, &mut b).unwrap().to_vec();
            assert_eq!(got, want, "{n} rules: {e}");
            compared += usize::from(!want.is_empty());
        }
    }
    assert!(compared > 100, "{compared} matching events compared");
}

/// Where the service answers otherwise than event-ruler's latest corpus, as decided in
/// tests/conformance/eventbridge/SERVICE-DIFFERENCES.md.
#[test]
fn service_edges() {
    // Numbers beyond ±5.0e9 or with more than six decimals equal only their own text.
    assert!(m(r#"{"n": [5000000000]}"#, r#"{"n": 5.0e9}"#));
    assert!(m(r#"{"a": [123456789012]}"#, r#"{"a": 123456789012}"#));
    assert!(!m(r#"{"a": [123456789012]}"#, r#"{"a": 1.23456789012e11}"#));
    assert!(!m(
        r#"{"a": [12345678901234567890]}"#,
        r#"{"a": 12345678901234567891}"#
    ));
    assert!(!m(r#"{"n": [1]}"#, r#"{"n": 1.0000000000000001}"#));
    assert!(m(r#"{"n": [1.5]}"#, r#"{"n": 1.500000}"#));
    // An IPv4 literal with a leading zero is text; in `cidr` it is refused.
    assert!(!m(r#"{"ip": ["010.0.0.1"]}"#, r#"{"ip": "10.0.0.1"}"#));
    assert!(m(r#"{"ip": ["010.0.0.1"]}"#, r#"{"ip": "010.0.0.1"}"#));
    assert!(!m(
        r#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#,
        r#"{"ip": "010.0.0.1"}"#
    ));
    assert!(Pattern::parse(r#"{"ip": [{"cidr": "10.0.0.00/8"}]}"#).is_err());
    // equals-ignore-case: each pattern character as its lower or upper case, never the event folded.
    assert!(m(
        r#"{"s": [{"equals-ignore-case": "straße"}]}"#,
        r#"{"s": "STRASSE"}"#
    ));
    assert!(!m(
        r#"{"s": [{"equals-ignore-case": "strasse"}]}"#,
        r#"{"s": "straße"}"#
    ));
    assert!(!m(
        r#"{"s": [{"equals-ignore-case": "k"}]}"#,
        "{\"s\": \"\u{212A}\"}"
    ));
    assert!(!m(
        r#"{"s": [{"equals-ignore-case": "ΟΔΟΣ"}]}"#,
        r#"{"s": "οδος"}"#
    ));
    assert!(m(
        r#"{"s": [{"prefix": {"equals-ignore-case": "É"}}]}"#,
        r#"{"s": "été"}"#
    ));
    assert!(m(
        r#"{"s": [{"anything-but": {"equals-ignore-case": ["ß"]}}]}"#,
        r#"{"s": "ss"}"#
    ));
}

#[test]
fn too_complex_for_the_service() {
    let e = Pattern::parse(r#"{"detail": {"k": [{"wildcard": "*aaaaaaaaaaa"}]}}"#).unwrap_err();
    assert!(e.message.starts_with("Rule is too complex"), "{e}");
    assert_eq!(e.at(), "detail.k");
    let many: Vec<String> = (0..6)
        .map(|i| format!("{{\"wildcard\": \"*x{i}\"}}"))
        .collect();
    let six = format!(r#"{{"k": [{}]}}"#, many.join(", "));
    assert!(
        Pattern::parse(&six).is_err(),
        "patterns of one field add up"
    );
    let five = format!(r#"{{"k": [{}]}}"#, many[..5].join(", "));
    assert!(Pattern::parse(&five).is_ok());
    // Branches behind different conditions are different machines.
    let split = format!(
        r#"{{"$or": [{{"a": ["1"], "k": [{}]}}, {{"a": ["2"], "k": [{}]}}]}}"#,
        many[..5].join(", "),
        many[..5].join(", ").replace("*x", "*y")
    );
    assert!(Pattern::parse(&split).is_ok());
    // Each star adds one prefix: nine stars are accepted, ten are not.
    assert!(Pattern::parse(r#"{"k": [{"wildcard": "*a*b*c*d*e*f*g*h*"}]}"#).is_ok());
    assert!(Pattern::parse(r#"{"k": [{"wildcard": "*a*b*c*d*e*f*g*h*i*"}]}"#).is_err());
    // As the service decided (issue 27): refused, and accepted.
    let e =
        Pattern::parse(r#"{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}"#).unwrap_err();
    assert!(e.message.starts_with("Rule is too complex"), "{e}");
    assert!(
        Pattern::parse(r#"{"path": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}"#)
            .is_ok()
    );
    // The same wildcard twice is one pattern; an anything-but list is one pattern.
    let twice = r#"{"k": [{"wildcard": "*x0"}, {"wildcard": "*x0"}, {"wildcard": "*x1"}, {"wildcard": "*x2"}, {"wildcard": "*x3"}, {"wildcard": "*x4"}]}"#;
    assert!(
        Pattern::parse(twice).is_ok(),
        "{:?}",
        Pattern::parse(twice).err()
    );
    let list =
        r#"{"k": [{"anything-but": {"wildcard": ["*x0", "*x1", "*x2", "*x3", "*x4", "*x5"]}}]}"#;
    assert!(
        Pattern::parse(list).is_ok(),
        "{:?}",
        Pattern::parse(list).err()
    );
}
