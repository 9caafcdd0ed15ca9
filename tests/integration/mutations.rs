//! Mutated inputs, generated from real ones with a seeded generator and bounded in count:
//! specs (the examples, edited a line or a character at a time) never panic the reader, and
//! every error it reports has a line and column inside the file; saved plans edited as an
//! attacker would (any value of a change altered, a key or an item dropped, the digest no
//! obstacle) are never taken for the plan they came from.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;
use trailctl::model::diagnostic::Severity;
use trailctl::plan::saved::SavedPlan;

use crate::emulator;
use crate::trails::{ok, spec};

/// xorshift64*: the same mutations for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NOISE: &[&str] = &[
    ":",
    "-",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "#",
    "&a",
    "*a",
    "!!",
    "|",
    ">",
    " ",
    "\t",
    "\u{1}",
    "é",
    "0",
    "99999999999999999999999",
    "null",
    "~",
    "? ",
    "---\n",
    "\n",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let n = lines.len();
    match rng.below(7) {
        0 => {
            lines.remove(rng.below(n));
        }
        1 => {
            let l = lines[rng.below(n)].clone();
            lines.insert(rng.below(n), l);
        }
        2 => lines.swap(rng.below(n), rng.below(n)),
        3 | 4 => {
            let i = rng.below(n);
            let chars: Vec<char> = lines[i].chars().collect();
            let at = rng.below(chars.len() + 1);
            let noise = NOISE[rng.below(NOISE.len())];
            let (head, tail): (String, String) = (
                chars[..at].iter().collect(),
                chars[(at + usize::from(rng.below(2) == 0)).min(chars.len())..]
                    .iter()
                    .collect(),
            );
            lines[i] = format!("{head}{noise}{tail}");
        }
        5 => {
            let i = rng.below(n);
            lines[i] = format!("  {}", lines[i]);
        }
        _ => {
            let i = rng.below(n);
            lines[i] = lines[i].trim_start().to_owned();
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[test]
fn mutated_specs_never_panic_and_every_error_is_placed() {
    let examples = [
        "examples/minimal.yaml",
        "examples/baseline.yaml",
        "examples/seed-alerts.yaml",
        "examples/cis-baseline.yaml",
    ];
    let mut checked = 0;
    for (k, file) in examples.iter().enumerate() {
        let original =
            std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (k as u64 + 1));
        for i in 0..300 {
            // One to three edits.
            let mut text = original.clone();
            for _ in 0..=rng.below(3) {
                text = mutate(&text, &mut rng);
            }
            let lines = text.lines().count() + 1;
            let result = catch_unwind(AssertUnwindSafe(|| trailctl::spec::parse(text.as_bytes())))
                .unwrap_or_else(|_| panic!("{file} mutation {i} panicked:\n{text}"));
            let found = match result {
                Ok(loaded) => loaded.warnings,
                Err(found) => found,
            };
            for d in found {
                let Some(at) = d.location else {
                    assert!(
                        d.severity != Severity::Error,
                        "{file} mutation {i}: {d:?} has no place\n{text}"
                    );
                    continue;
                };
                assert!(
                    at.line >= 1 && at.line <= lines && at.column >= 1,
                    "{file} mutation {i}: {d:?} is outside the file\n{text}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 1200);
}

/// Every leaf and container of `v`, by JSON pointer.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

/// An edit of the value at `pointer`: altered, or removed from its parent.
fn edit(doc: &mut Value, pointer: &str, rng: &mut Rng) {
    let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    if rng.below(4) == 0 {
        match doc.pointer_mut(parent) {
            Some(Value::Object(m)) => {
                m.remove(&last.replace("~1", "/").replace("~0", "~"));
            }
            Some(Value::Array(a)) => {
                // An earlier edit may have shortened the array already.
                if let Ok(i) = last.parse::<usize>()
                    && i < a.len()
                {
                    a.remove(i);
                }
            }
            _ => {}
        }
        return;
    }
    if let Some(v) = doc.pointer_mut(pointer) {
        *v = match &*v {
            Value::Bool(b) => Value::Bool(!b),
            Value::Number(n) => Value::from(n.as_u64().unwrap_or(0) + 1),
            Value::String(s) if s.is_empty() => Value::from("x"),
            Value::String(s) => Value::from(format!("{s}x")),
            Value::Null => Value::from("x"),
            Value::Array(a) if !a.is_empty() => Value::Array(a[1..].to_vec()),
            Value::Object(m) if !m.is_empty() => Value::Object(
                m.iter()
                    .skip(1)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            other => Value::from(format!("{other}x")),
        };
    }
}

#[tokio::test]
async fn mutated_saved_plans_are_never_taken_for_the_original() {
    let a = emulator::shared().account().await;
    let f = spec(&a, "mutations", crate::faults::EVERY_KIND);
    let file = format!("{}/mutations-{}.json", env!("CARGO_TARGET_TMPDIR"), a.id);
    ok(&a.trailctl(&["plan", "-f", &f, "--out", &file]));
    let text = std::fs::read_to_string(&file).unwrap();
    let original = SavedPlan::decode(&text).unwrap();
    let fresh = original.plan();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut all = Vec::new();
    pointers(&doc["changes"], "/changes".to_owned(), &mut all);
    let mut rng = Rng(42);
    let (mut tried, mut caught) = (0, 0);
    for _ in 0..1500 {
        let mut m = doc.clone();
        for _ in 0..=rng.below(2) {
            let p = all[rng.below(all.len())].clone();
            edit(&mut m, &p, &mut rng);
        }
        // As an attacker would: read without the digest check.
        let Ok(edited) = serde_json::from_value::<SavedPlan>(m) else {
            continue;
        };
        let changed = edited
            .changes
            .iter()
            .map(|c| &c.change)
            .ne(original.changes.iter().map(|c| &c.change));
        tried += 1;
        if changed {
            assert!(
                edited.differs_from(&fresh).is_some(),
                "an edited plan passes for the original"
            );
            caught += 1;
        }
    }
    assert!(
        tried > 300 && caught > 300,
        "{tried} plans read back, {caught} edited"
    );
}
