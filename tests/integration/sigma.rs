//! `trailctl import sigma`, judged by an independent Sigma evaluator (sigma-rust): for every test
//! rule the importer calls exact (one per modifier and condition form, `tests/sigma/rules`) and
//! records generated from the rule's own values (in other cases, with affixes, absent), the
//! evaluator's verdict on each record equals the imported alert's, through `trailctl test` and
//! through `trailctl backtest` over the same records archived. Refusals, approximations, bad input
//! and the fragment's validity are checked beside.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::schema::{Compiled, run};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small deterministic generator (the runs are reproducible).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() as usize) % xs.len()]
    }
}

/// Each field a rule's detection names, with values near the rule's own.
fn pools(rule: &serde_yaml::Value) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let detection = rule["detection"].as_mapping().unwrap();
    let mut maps = Vec::new();
    for (k, v) in detection {
        if k.as_str() == Some("condition") {
            continue;
        }
        match v {
            serde_yaml::Value::Mapping(m) => maps.push(m.clone()),
            serde_yaml::Value::Sequence(s) => {
                maps.extend(s.iter().filter_map(|x| x.as_mapping().cloned()))
            }
            _ => {}
        }
    }
    for m in maps {
        for (key, values) in m {
            let key = key.as_str().unwrap();
            let mut parts = key.split('|');
            let field = parts.next().unwrap().to_owned();
            let mods: Vec<&str> = parts.collect();
            let values = match values {
                serde_yaml::Value::Sequence(s) => s,
                v => vec![v],
            };
            let pool = out.entry(field.clone()).or_default();
            for v in &values {
                near(v, &mods, pool);
            }
            // The values as written, again: half the picks land on one.
            let written = out.entry(format!("{field}#written")).or_default();
            for v in &values {
                let mut one = Vec::new();
                near(v, &mods, &mut one);
                written.extend(one.into_iter().take(1));
            }
        }
    }
    for (field, pool) in out.iter_mut() {
        if !field.ends_with("#written") {
            pool.push(json!("unrelated-value"));
        }
        let mut seen = BTreeSet::new();
        pool.retain(|v| seen.insert(v.to_string()));
    }
    out
}

fn near(v: &serde_yaml::Value, mods: &[&str], pool: &mut Vec<Value>) {
    if mods.contains(&"exists") {
        pool.push(json!("present"));
        return;
    }
    match v {
        serde_yaml::Value::Null => {
            pool.push(Value::Null);
            pool.push(json!({"x": "y"}));
        }
        serde_yaml::Value::Number(n) => {
            let n = n.as_i64().unwrap();
            for m in [n - 1, n, n + 1] {
                pool.push(json!(m));
            }
        }
        serde_yaml::Value::String(s) if mods.contains(&"cidr") => {
            let base: Vec<u8> = s
                .split('/')
                .next()
                .unwrap()
                .split('.')
                .map(|p| p.parse().unwrap())
                .collect();
            pool.push(json!(format!("{}.{}.7.9", base[0], base[1])));
            pool.push(json!(format!(
                "{}.{}.7.9",
                base[0],
                base[1].wrapping_add(1)
            )));
            pool.push(json!(format!("{}.0.0.1", base[0].wrapping_add(1))));
            pool.push(json!("not-an-ip"));
        }
        serde_yaml::Value::String(s) => {
            let plain = s
                .trim_start_matches('^')
                .trim_end_matches('$')
                .replace('?', "1");
            let mut words = vec![plain.clone()];
            if mods.contains(&"windash") {
                for d in ['/', '\u{2013}', '\u{2014}', '\u{2015}'] {
                    words.push(plain.replace('-', &d.to_string()));
                }
            }
            if s.contains('?') {
                words.push(s.replace('?', "12"));
                words.push(s.replace('?', ""));
            }
            for w in words {
                pool.push(json!(w));
                pool.push(json!(w.to_uppercase()));
                pool.push(json!(w.to_lowercase()));
                pool.push(json!(format!("pre{w}")));
                pool.push(json!(format!("{w}post")));
                pool.push(json!(format!("pre{w}post")));
                let mut short = w.clone();
                short.pop();
                pool.push(json!(short));
            }
        }
        _ => {}
    }
}

fn set(record: &mut Value, path: &str, v: Value) {
    let parts: Vec<&str> = path.split('.').collect();
    let mut at = record;
    for p in &parts[..parts.len() - 1] {
        if !at[*p].is_object() {
            at[*p] = json!({});
        }
        at = &mut at[*p];
    }
    at[parts[parts.len() - 1]] = v;
}

fn records(rule: &serde_yaml::Value, seed: u64, n: usize) -> Vec<Value> {
    let pools = pools(rule);
    let mut rng = Lcg(seed);
    let mut out = Vec::new();
    for i in 0..n {
        let mut r = json!({
            "eventVersion": "1.09",
            "eventTime": format!("2026-12-01T00:{:02}:{:02}Z", (i / 60) % 60, i % 60),
            "eventType": "AwsApiCall",
            "eventSource": "ec2.amazonaws.com",
            "eventName": "RunInstances",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.9",
            "userAgent": "console.amazonaws.com",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice"},
            "recipientAccountId": "123456789012",
            "eventID": format!("{seed:08x}-0000-4000-8000-{i:012}"),
        });
        for (field, pool) in pools.iter().filter(|(f, _)| !f.ends_with("#written")) {
            // One in five records leaves the field out (CloudTrail always writes the event's
            // source and name).
            if rng.next().is_multiple_of(5) && field != "eventSource" && field != "eventName" {
                if let Some((parent, leaf)) = field.rsplit_once('.') {
                    let parent: Vec<&str> = parent.split('.').collect();
                    let mut at = &mut r;
                    for p in parent {
                        at = &mut at[p];
                    }
                    if let Some(m) = at.as_object_mut() {
                        m.remove(leaf);
                    }
                } else if let Some(m) = r.as_object_mut() {
                    m.remove(field);
                }
                continue;
            }
            let written = &pools[&format!("{field}#written")];
            let v = if rng.next().is_multiple_of(2) {
                rng.pick(written)
            } else {
                rng.pick(pool)
            };
            set(&mut r, field, v.clone());
        }
        let name = r["eventName"].as_str().unwrap_or("").to_owned();
        r["readOnly"] = json!(trailctl::model::event_sources::is_read_only(&name));
        out.push(r);
    }
    out
}

fn sigma_verdict(rule: &sigma_rust::Rule, record: &Value) -> bool {
    let event = sigma_rust::event_from_json(&record.to_string()).unwrap();
    sigma_rust::check_rule(rule, &event)
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

/// The import's JSON report (stderr) and fragment.
fn import(args: &[&str], out: &Path) -> (u8, Value, String) {
    let mut all = vec![
        "import",
        "sigma",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let (code, _, err) = run(&all);
    let report = serde_json::from_str(err.trim()).unwrap_or_else(|_| panic!("{err}"));
    let text = std::fs::read_to_string(out).unwrap_or_default();
    (code, report, text)
}

#[test]
fn every_exact_import_agrees_with_a_sigma_evaluator_through_test_and_backtest() {
    let d = tmp("sigma-differential");
    let rules_dir = root().join("tests/sigma/rules");
    let (code, report, fragment) = import(&[rules_dir.to_str().unwrap()], &d.join("fragment.yaml"));
    // Three test rules are approximate and not written without --approximate.
    assert_eq!(code, 4, "{report:#}");
    let fragment: serde_yaml::Value = serde_yaml::from_str(&fragment).unwrap();
    let mut alerts = fragment["alerts"].as_sequence().unwrap().clone();
    let mut all_records = Vec::new();
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    let mut oracles = Vec::new();
    let mut exact = 0;
    for (i, row) in report["rules"].as_array().unwrap().iter().enumerate() {
        if row["verdict"] != "exact" {
            continue;
        }
        exact += 1;
        let file = PathBuf::from(row["file"].as_str().unwrap());
        let text = std::fs::read_to_string(&file).unwrap();
        let oracle = sigma_rust::rule_from_yaml(&text).unwrap();
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let names = row["alerts"].as_array().unwrap();
        assert_eq!(names.len(), 1, "{row}");
        let name = names[0].as_str().unwrap().to_owned();
        let recs = records(&yaml, 1000 + i as u64, 150);
        let (hits, misses): (Vec<Value>, Vec<Value>) = recs
            .iter()
            .cloned()
            .partition(|r| sigma_verdict(&oracle, r));
        assert!(
            hits.len() >= 3 && misses.len() >= 3,
            "{name}: the generator gave {} matching and {} other records",
            hits.len(),
            misses.len()
        );
        let mut tests = Vec::new();
        for (kind, set) in [("match", &hits), ("no_match", &misses)] {
            let f = d.join(format!("{name}-{kind}.json"));
            std::fs::write(&f, serde_json::to_string(set).unwrap()).unwrap();
            tests.push(json!({"record": f.file_name().unwrap().to_str().unwrap(), "expect": kind}));
        }
        let alert = alerts
            .iter_mut()
            .find(|a| a["name"].as_str() == Some(&name))
            .unwrap();
        alert["tests"] = serde_yaml::to_value(&tests).unwrap();
        all_records.extend(recs);
        oracles.push((name, oracle));
    }
    assert!(exact >= 15, "{exact} exact rules");
    for (name, oracle) in &oracles {
        let n = all_records
            .iter()
            .filter(|r| sigma_verdict(oracle, r))
            .count();
        expected.insert(name.clone(), n as u64);
    }

    // The fragment merged into a spec: valid, no warning, and every test passes.
    let spec = json!({
        "version": 1,
        "stack": "sigma",
        "home_region": "us-east-1",
        "regions": ["us-east-1"],
        "topics": [{"name": "security-alerts"}],
        "alerts": serde_json::to_value(&alerts).unwrap(),
    });
    let spec_path = d.join("spec.yaml");
    std::fs::write(&spec_path, serde_yaml::to_string(&spec).unwrap()).unwrap();
    assert_eq!(
        Compiled::new().errors(&spec),
        Vec::<(String, String)>::new()
    );
    let spec_arg = spec_path.to_str().unwrap();
    let (code, out, err) = run(&["validate", "-f", spec_arg]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 warnings"), "{out}{err}");
    let (code, out, err) = run(&["test", "-f", spec_arg]);
    assert_eq!(code, 0, "{out}{err}");
    let total: usize = oracles.len() * 150;
    assert!(out.contains(&format!("{total} passed, 0 failed")), "{out}");

    // The same records archived: the backtest counts what the evaluator counts, per alert.
    let key = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/01/123456789012_CloudTrail_us-east-1_20261201T0000Z_sigma.json.gz";
    let archive = d.join("archive");
    let p = archive.join(key);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, gzip(&json!({"Records": all_records}).to_string())).unwrap();
    let (code, out, err) = run(&[
        "backtest",
        "-f",
        spec_arg,
        "--format",
        "json",
        archive.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let got: BTreeMap<String, u64> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["delivered"].as_u64().unwrap(),
            )
        })
        .collect();
    for (name, n) in &expected {
        assert_eq!(got.get(name).copied().unwrap_or(0), *n, "{name}: {v:#}");
    }
}

#[test]
fn refusals_approximations_and_bad_input_are_said_and_exit_codes_tell_them_apart() {
    let d = tmp("sigma-verdicts");
    // Refused rules: each with its reason, nothing written for them, exit 4.
    let (code, report, fragment) = import(
        &[root().join("tests/sigma/refused").to_str().unwrap()],
        &d.join("refused.yaml"),
    );
    assert_eq!(code, 4, "{report:#}");
    let reasons: BTreeMap<String, String> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["verdict"], "refused", "{r}");
            assert_eq!(r["alerts"], json!([]), "{r}");
            (
                r["title"].as_str().unwrap().to_owned(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (title, says) in [
        ("Keyword search", "keyword search"),
        ("Many failed logins", "aggregates"),
        ("Whoami", "not CloudTrail"),
        ("Caller is the target", "fieldref"),
        (
            "Two words in a user agent",
            "cannot ask two of them at once",
        ),
    ] {
        assert!(reasons[title].contains(says), "{title}: {}", reasons[title]);
    }
    assert!(fragment.contains("alerts: []"), "{fragment}");

    // Approximate rules: written only with --approximate, the differences kept in the alert.
    let one = root().join("tests/sigma/rules/contains-letters.yml");
    let (code, report, fragment) = import(&[one.to_str().unwrap()], &d.join("a.yaml"));
    assert_eq!(code, 4);
    assert_eq!(report["rules"][0]["verdict"], "approximate");
    assert!(
        report["rules"][0]["differences"][0]
            .as_str()
            .unwrap()
            .contains("case-sensitively")
    );
    assert!(fragment.contains("alerts: []"));
    let (code, _, fragment) = import(&["--approximate", one.to_str().unwrap()], &d.join("b.yaml"));
    assert_eq!(code, 0);
    let v: serde_yaml::Value = serde_yaml::from_str(&fragment).unwrap();
    assert_eq!(v["alerts"][0]["sigma"]["verdict"], "approximate");
    assert_eq!(
        v["alerts"][0]["pattern"]["detail"]["userAgent"][0]["wildcard"],
        "*aws-cli*"
    );

    // Every rule exact: exit 0; the metadata kept; --backend both where a filter says it.
    let exact = root().join("tests/sigma/rules/cased.yml");
    let (code, report, fragment) = import(
        &[
            "--backend",
            "both",
            "--notify",
            "a,b",
            exact.to_str().unwrap(),
        ],
        &d.join("c.yaml"),
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["rules"][0]["backend"], "both", "{report:#}");
    let v: serde_yaml::Value = serde_yaml::from_str(&fragment).unwrap();
    assert_eq!(v["alerts"][0]["backend"], "both");
    assert_eq!(
        v["alerts"][0]["notify"],
        serde_yaml::to_value(["a", "b"]).unwrap()
    );
    // Deployed on both backends in a spec whose trail delivers to CloudWatch Logs, the rule's
    // tests run through the rule and through the filter, and both agree with the evaluator.
    let text = std::fs::read_to_string(&exact).unwrap();
    let oracle = sigma_rust::rule_from_yaml(&text).unwrap();
    let recs = records(&serde_yaml::from_str(&text).unwrap(), 7, 120);
    let (hits, misses): (Vec<Value>, Vec<Value>) = recs
        .iter()
        .cloned()
        .partition(|r| sigma_verdict(&oracle, r));
    std::fs::write(d.join("hits.json"), serde_json::to_string(&hits).unwrap()).unwrap();
    std::fs::write(
        d.join("misses.json"),
        serde_json::to_string(&misses).unwrap(),
    )
    .unwrap();
    let mut alert = serde_json::to_value(&v["alerts"][0]).unwrap();
    alert["tests"] = json!([
        {"record": "hits.json", "expect": "match"},
        {"record": "misses.json", "expect": "no_match"},
    ]);
    let spec = json!({
        "version": 1, "stack": "sigma", "home_region": "us-east-1", "regions": ["us-east-1"],
        "buckets": [{"name": "sigma-audit-logs"}],
        "trails": [{"name": "sigma", "bucket": "sigma-audit-logs",
                    "cloudwatch_logs": {"log_group": "/trailctl/sigma"}}],
        "topics": [{"name": "a"}, {"name": "b"}],
        "alerts": [alert],
    });
    let spec_path = d.join("both.yaml");
    std::fs::write(&spec_path, serde_yaml::to_string(&spec).unwrap()).unwrap();
    let (code, out, err) = run(&["test", "-f", spec_path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("cased-kms-key-deletion [metric filter]"),
        "{out}"
    );
    assert!(
        out.contains(&format!("{} passed, 0 failed", 2 * 120)),
        "{out}"
    );
    let cased = root().join("tests/sigma/rules/equals-list.yml");
    let (code, report, fragment) = import(
        &["--backend", "both", cased.to_str().unwrap()],
        &d.join("d.yaml"),
    );
    assert_eq!(code, 0);
    // Case-insensitive equality has no exact metric filter: it stays on EventBridge, said why.
    assert!(
        report["rules"][0]["backend_note"]
            .as_str()
            .unwrap()
            .contains("EventBridge only")
    );
    let v: serde_yaml::Value = serde_yaml::from_str(&fragment).unwrap();
    assert_eq!(
        v["alerts"][0]["sigma"]["id"],
        "11111111-0000-4000-8000-000000000001"
    );
    assert_eq!(v["alerts"][0]["sigma"]["tags"][1], "attack.t1562.008");
    assert!(v["alerts"][0].get("backend").is_none());

    // Bad input: every file named with its line, nothing written, exit 1.
    let out = d.join("bad.yaml");
    let (code, _, err) = run(&[
        "import",
        "sigma",
        "-o",
        out.to_str().unwrap(),
        root().join("tests/sigma/bad").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("tests/sigma/bad/unknown-modifier.yml:7:15: Unknown modifier 'containz'"),
        "{err}"
    );
    assert!(err.contains("tests/sigma/bad/not-sigma.yml:1:1:"), "{err}");
    assert!(!out.exists());
}
