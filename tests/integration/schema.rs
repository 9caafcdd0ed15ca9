//! `trailctl schema`: a valid draft 2020-12 schema, the committed copy current, every valid spec
//! accepted (and every key of the schema used by one of them), and every unknown key or wrong
//! type of the invalid corpus refused at the place `validate` names.
//!
//! `TRAILCTL_BLESS=1 cargo test --features fake --test integration schema` rewrites docs/trailctl.schema.json.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::specs::yaml_files;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs trailctl in process; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (u8, String, String) {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    crate::specs::run_in_process(&args)
}

fn schema_text() -> String {
    let (code, out, err) = run(&["schema"]);
    assert_eq!(code, 0, "{err}");
    out
}

/// The compiled schema (boon checks it against the draft 2020-12 metaschema).
pub struct Compiled {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Compiled {
    pub fn new() -> Compiled {
        let schema: Value = serde_json::from_str(&schema_text()).unwrap();
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.add_resource("spec.json", schema).unwrap();
        let index = compiler.compile("spec.json", &mut schemas).unwrap();
        Compiled { schemas, index }
    }

    /// Every error (nested ones included) as `(instance location, message)`.
    pub fn errors(&self, instance: &Value) -> Vec<(String, String)> {
        fn flatten(e: &boon::ValidationError, out: &mut Vec<(String, String)>) {
            out.push((e.instance_location.to_string(), e.kind.to_string()));
            for c in &e.causes {
                flatten(c, out);
            }
        }
        let mut out = Vec::new();
        if let Err(e) = self.schemas.validate(instance, self.index) {
            flatten(&e, &mut out);
        }
        out
    }
}

/// A YAML file as JSON, or `None` when it is no YAML at all.
pub fn yaml_as_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
    serde_json::to_value(yaml).ok()
}

/// Property paths with list items as `[]`: `trails[].data_events[].arns`.
fn instance_paths(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                out.insert(p.clone());
                instance_paths(v, &p, out);
            }
        }
        Value::Array(items) => {
            for i in items {
                instance_paths(i, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

fn schema_paths(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        for (k, p) in props {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            out.insert(path.clone());
            schema_paths(p, &path, out);
        }
    }
    if let Some(items) = v.get("items") {
        schema_paths(items, &format!("{at}[]"), out);
    }
    if let Some(Value::Array(branches)) = v.get("anyOf") {
        for b in branches {
            schema_paths(b, at, out);
        }
    }
}

#[test]
fn the_schema_is_valid_2020_12_and_the_committed_copy_is_current() {
    Compiled::new();
    let text = schema_text();
    let committed = root().join("docs/trailctl.schema.json");
    if std::env::var_os("TRAILCTL_BLESS").is_some() {
        std::fs::write(&committed, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        on_disk == text,
        "docs/trailctl.schema.json is not what `trailctl schema` prints: re-bless it"
    );
}

/// The valid specs of the repository: the examples, the valid corpus and the benchmark's.
pub fn valid_specs() -> Vec<PathBuf> {
    let mut files = yaml_files(&root().join("examples"));
    files.extend(yaml_files(&root().join("tests/specs/valid")));
    files.push(root().join("bench/reference.yaml"));
    files
}

#[test]
fn every_valid_spec_satisfies_the_schema_and_together_they_use_every_key() {
    let compiled = Compiled::new();
    let mut used = BTreeSet::new();
    let mut failures = Vec::new();
    for path in valid_specs() {
        let shown = path.display().to_string();
        let (code, _, err) = run(&["validate", "-f", &shown]);
        assert_eq!(code, 0, "{shown} is not a valid spec: {err}");
        let json = yaml_as_json(&path).unwrap();
        for (at, message) in compiled.errors(&json) {
            failures.push(format!("{shown}: {at}: {message}"));
        }
        instance_paths(&json, "", &mut used);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let schema: Value = serde_json::from_str(&schema_text()).unwrap();
    let mut keys = BTreeSet::new();
    schema_paths(&schema, "", &mut keys);
    let unused: Vec<&String> = keys.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "no valid spec uses these keys, so nothing checks their schema: {unused:?}"
    );
}

/// `trails[0].data_events[1].arn` → `/trails/0/data_events/1/arn`.
fn pointer(spec_path: &str) -> String {
    let mut out = String::new();
    for part in spec_path.split('.') {
        let (key, indexes) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push('/');
            out.push_str(key);
        }
        for i in indexes.split('[').filter(|s| !s.is_empty()) {
            out.push('/');
            out.push_str(i.trim_end_matches(']'));
        }
    }
    out
}

#[test]
fn unknown_keys_and_wrong_types_of_the_invalid_corpus_fail_the_schema_where_validate_says() {
    let compiled = Compiled::new();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in yaml_files(&root().join("tests/specs/invalid")) {
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        let Some(json) = yaml_as_json(&path) else {
            continue;
        };
        let errors = compiled.errors(&json);
        for line in expected.lines().filter(|l| l.contains(": error: ")) {
            let message = line.split(": error: ").nth(1).unwrap_or_default();
            let at = message
                .rsplit_once(" (at ")
                .map(|(_, p)| p.trim_end_matches(')'))
                .unwrap_or("");
            let unknown = message.starts_with("unknown key `");
            let wrong_type = message.starts_with("expected ")
                && message.contains(", found ")
                && !message.contains("a tagged value");
            if !unknown && !wrong_type {
                continue;
            }
            checked += 1;
            let found = if unknown {
                let key = message.split('`').nth(1).unwrap_or_default();
                let parent = pointer(at.rsplit_once('.').map_or("", |(p, _)| p));
                errors
                    .iter()
                    .any(|(loc, m)| loc == &parent && m.contains(&format!("'{key}'")))
            } else {
                let p = pointer(at);
                errors.iter().any(|(loc, _)| loc == &p)
            };
            if !found {
                failures.push(format!(
                    "{}: the schema does not refuse `{message}`; it says: {errors:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} corpus errors are about keys and types"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
