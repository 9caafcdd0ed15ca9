//! `trailctl test` results as text for people, JUnit XML for CI, or JSON.

use std::io::{self, Write};

use serde_json::json;

use crate::model::alert::Engine;
use crate::render::style::Color;
use crate::verdict::TestResult;

/// The version of the JSON document's shape.
pub const FORMAT_VERSION: u32 = 1;

fn expectation(r: &TestResult) -> &'static str {
    if r.expect_match { "match" } else { "no_match" }
}

/// The closing line: `N passed, M failed`.
pub fn summary(results: &[TestResult]) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    format!("{passed} passed, {} failed", results.len() - passed)
}

/// The alert, and the engine when it is the metric filter (EventBridge is the default one).
fn subject(r: &TestResult) -> String {
    match r.engine {
        Engine::Rule => r.alert.clone(),
        Engine::Filter => format!("{} [metric filter]", r.alert),
    }
}

/// One line a test; a failure says why, and so does a pass that rests on placement or on a
/// disabled alert (matched, not delivered), or on a filter expected to differ; then the
/// summary line.
pub fn human(w: &mut dyn Write, results: &[TestResult], color: Color) -> io::Result<()> {
    for r in results {
        if r.passed() {
            writeln!(
                w,
                "{}  {}: {} (expect {})",
                color.green("PASS"),
                subject(r),
                r.record,
                expectation(r)
            )?;
            if r.verdict.matched && !r.verdict.delivered {
                writeln!(w, "      {}", r.verdict.reason)?;
            }
            if let Some(note) = &r.note {
                writeln!(w, "      {note}")?;
            }
        } else {
            writeln!(
                w,
                "{}  {}: {} (expect {})\n      {}",
                color.red("FAIL"),
                subject(r),
                r.record,
                expectation(r),
                r.verdict.reason
            )?;
        }
    }
    writeln!(w, "{}", summary(results))
}

/// One JSON document: every test with its verdict, and the counts.
pub fn json(w: &mut dyn Write, results: &[TestResult]) -> io::Result<()> {
    let tests: Vec<_> = results
        .iter()
        .map(|r| {
            json!({
                "alert": r.alert,
                "backend": r.engine.name(),
                "note": r.note,
                "record": r.record,
                "expect": expectation(r),
                "matched": r.verdict.matched,
                "delivered": r.verdict.delivered,
                "passed": r.passed(),
                "reason": r.verdict.reason,
            })
        })
        .collect();
    let passed = results.iter().filter(|r| r.passed()).count();
    let doc = json!({
        "format_version": FORMAT_VERSION,
        "tests": tests,
        "passed": passed,
        "failed": results.len() - passed,
    });
    writeln!(w, "{doc:#}")
}

/// JUnit XML: one test case a test, named by its record, in a class named by its alert.
pub fn junit(w: &mut dyn Write, results: &[TestResult]) -> io::Result<()> {
    let failed = results.iter().filter(|r| !r.passed()).count();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="trailctl" tests="{}" failures="{failed}">"#,
        results.len()
    )?;
    writeln!(
        w,
        r#"  <testsuite name="alerts" tests="{}" failures="{failed}">"#,
        results.len()
    )?;
    for r in results {
        let name = match r.engine {
            Engine::Rule => format!("{} (expect {})", r.record, expectation(r)),
            Engine::Filter => format!("{} [metric filter] (expect {})", r.record, expectation(r)),
        };
        write!(
            w,
            r#"    <testcase classname="{}" name="{}""#,
            xml(&r.alert),
            xml(&name)
        )?;
        if r.passed() {
            writeln!(w, "/>")?;
        } else {
            writeln!(
                w,
                ">\n      <failure message=\"{}\"/>\n    </testcase>",
                xml(&r.verdict.reason)
            )?;
        }
    }
    writeln!(w, "  </testsuite>\n</testsuites>")
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Verdict;

    fn results() -> Vec<TestResult> {
        let v = |delivered: bool, reason: &str| Verdict {
            matched: delivered,
            delivered,
            reason: reason.into(),
        };
        vec![
            TestResult {
                alert: "a".into(),
                engine: Engine::Rule,
                note: None,
                record: "r1.json".into(),
                expect_match: true,
                verdict: v(true, "matched on x"),
            },
            TestResult {
                alert: "a".into(),
                engine: Engine::Rule,
                note: None,
                record: "r2.json".into(),
                expect_match: true,
                verdict: v(false, "no match: detail.eventName is \"<x>\" & more"),
            },
        ]
    }

    #[test]
    fn human_junit_and_json() {
        let mut out = Vec::new();
        human(&mut out, &results(), Color::Never).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "PASS  a: r1.json (expect match)\nFAIL  a: r2.json (expect match)\n      no match: detail.eventName is \"<x>\" & more\n1 passed, 1 failed\n"
        );
        let mut out = Vec::new();
        junit(&mut out, &results()).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(r#"tests="2" failures="1""#), "{xml}");
        assert!(
            xml.contains(r#"<failure message="no match: detail.eventName is &quot;&lt;x&gt;&quot; &amp; more"/>"#),
            "{xml}"
        );
        let mut out = Vec::new();
        json(&mut out, &results()).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc["format_version"], 1);
        assert_eq!(
            (doc["passed"].as_u64(), doc["failed"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(doc["tests"][1]["passed"], false);
    }
}
