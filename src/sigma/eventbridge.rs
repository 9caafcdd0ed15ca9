//! How EventBridge says a Sigma test: the matchers for a test that must hold, and the
//! `anything-but` for tests none of which may, with every difference from Sigma's meaning named.

use serde_json::{Number, Value as Json, json};

use crate::sigma::Refusal;
use crate::sigma::matcher::{Test, Tok, lits_have_case, normalise};

impl Test {
    /// EventBridge's matchers for this test (any of them matches), with what differs.
    pub fn positive(&self, field: &str, notes: &mut Vec<String>) -> Json {
        match self {
            Test::Glob { toks, cased } => glob_matcher(field, toks, *cased, notes),
            Test::Number(n) => Json::Number(n.clone()),
            Test::Bool(b) => Json::Bool(*b),
            Test::Null => Json::Null,
            Test::Compare(cmp, n) => json!({"numeric": [cmp.op(), n]}),
            Test::Cidr(block) => json!({"cidr": block}),
            Test::Exists(b) => json!({"exists": b}),
        }
    }
}

fn escape_wildcard(s: &str) -> String {
    s.replace('\\', "\\\\").replace('*', "\\*")
}

fn glob_matcher(field: &str, toks: &[Tok], cased: bool, notes: &mut Vec<String>) -> Json {
    let exact_case = cased || !lits_have_case(toks);
    if toks.contains(&Tok::One) {
        notes.push(format!(
            "{field}: `?` (one character) is said as `*` (any characters), so the alert also matches values the rule does not"
        ));
    }
    let toks: Vec<Tok> = normalise(
        toks.iter()
            .map(|t| if *t == Tok::One { Tok::Star } else { t.clone() })
            .collect(),
    );
    let ignore_case = |op: &str, s: &str| {
        if exact_case {
            json!({ op: s })
        } else {
            json!({ op: {"equals-ignore-case": s} })
        }
    };
    match toks.as_slice() {
        [] => json!(""),
        [Tok::Star] => json!({"exists": true}),
        [Tok::Lit(s)] if exact_case => json!(s),
        [Tok::Lit(s)] => json!({"equals-ignore-case": s}),
        [Tok::Lit(s), Tok::Star] => ignore_case("prefix", s),
        [Tok::Star, Tok::Lit(s)] => ignore_case("suffix", s),
        _ => {
            if !exact_case {
                notes.push(format!(
                    "{field}: EventBridge's wildcard compares case-sensitively and Sigma does not, so the alert matches `{}` only as written",
                    wildcard_text(&toks)
                ));
            }
            json!({"wildcard": wildcard_text(&toks)})
        }
    }
}

fn wildcard_text(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| match t {
            Tok::Lit(s) => escape_wildcard(s),
            Tok::Star | Tok::One => "*".to_owned(),
        })
        .collect()
}

/// EventBridge's list for "none of `tests` holds" (absent, or present and matching none), when
/// it can say it: one `anything-but` beside `exists: false`.
pub fn negative(field: &str, tests: &[Test], notes: &mut Vec<String>) -> Result<Json, Refusal> {
    if tests.contains(&Test::Exists(true)) {
        return Ok(json!([{"exists": false}]));
    }
    let refuse = |what: &str| {
        Refusal::new(format!(
            "{field}: `not` of {what} cannot be said by EventBridge's anything-but"
        ))
    };
    let numbers: Vec<&Number> = tests
        .iter()
        .filter_map(|t| match t {
            Test::Number(n) => Some(n),
            _ => None,
        })
        .collect();
    let globs: Vec<(&Vec<Tok>, bool)> = tests
        .iter()
        .filter_map(|t| match t {
            Test::Glob { toks, cased } => Some((toks, *cased)),
            _ => None,
        })
        .collect();
    if numbers.len() + globs.len() != tests.len() {
        return Err(refuse("a null, a boolean, a comparison or a CIDR block"));
    }
    let but = if globs.is_empty() {
        json!({"anything-but": numbers})
    } else if !numbers.is_empty() {
        return Err(refuse("strings and numbers at once"));
    } else if globs
        .iter()
        .all(|(t, _)| matches!(t.as_slice(), [Tok::Lit(_)] | []))
    {
        let texts: Vec<String> = globs.iter().map(|(t, _)| lit_text(t)).collect();
        if globs.iter().all(|(t, c)| *c || !lits_have_case(t)) {
            json!({"anything-but": texts})
        } else if globs.iter().all(|(_, c)| !*c) {
            json!({"anything-but": {"equals-ignore-case": texts}})
        } else {
            return Err(refuse("cased and uncased values at once"));
        }
    } else {
        if !globs.iter().all(|(t, c)| *c || !lits_have_case(t)) {
            notes.push(format!(
                "{field}: EventBridge's anything-but compares prefixes, suffixes and wildcards case-sensitively and Sigma does not, so `not` excludes the values only as written"
            ));
        }
        if globs.iter().any(|(t, _)| t.contains(&Tok::One)) {
            notes.push(format!(
                "{field}: `?` (one character) is said as `*` (any characters), so `not` excludes more values than the rule"
            ));
        }
        let all = |shape: fn(&[Tok]) -> Option<&str>| -> Option<Vec<String>> {
            globs
                .iter()
                .map(|(t, _)| shape(t).map(str::to_owned))
                .collect()
        };
        if let Some(p) = all(|t| match t {
            [Tok::Lit(s), Tok::Star] => Some(s),
            _ => None,
        }) {
            json!({"anything-but": {"prefix": p}})
        } else if let Some(s) = all(|t| match t {
            [Tok::Star, Tok::Lit(s)] => Some(s),
            _ => None,
        }) {
            json!({"anything-but": {"suffix": s}})
        } else {
            let w: Vec<String> = globs.iter().map(|(t, _)| wildcard_text(t)).collect();
            json!({"anything-but": {"wildcard": w}})
        }
    };
    Ok(json!([{"exists": false}, but]))
}

fn lit_text(toks: &[Tok]) -> String {
    match toks {
        [Tok::Lit(s)] => s.clone(),
        _ => String::new(),
    }
}
