//! Spec diagnostics as `FILE:LINE:COL: error: MESSAGE (at SPEC.PATH)`, with a hint line.

use std::io::{self, Write};

use crate::model::diagnostic::{Diagnostic, Severity};
use crate::render::style::Color;

/// Writes each diagnostic, then nothing else: the caller prints any summary.
pub fn write(
    out: &mut dyn Write,
    file: &str,
    diagnostics: &[Diagnostic],
    color: Color,
) -> io::Result<()> {
    for d in diagnostics {
        let position = match d.location {
            Some(l) => format!("{file}:{}:{}", l.line, l.column),
            None => file.to_owned(),
        };
        let severity = label(d.severity, color);
        let at = if d.path.is_root() {
            String::new()
        } else {
            format!(" (at {})", d.path)
        };
        writeln!(
            out,
            "{}: {severity}: {}{at}",
            color.bold(&position),
            d.text()
        )?;
        if let Some(h) = &d.hint {
            writeln!(out, "  {}: {h}", color.cyan("hint"))?;
        }
    }
    Ok(())
}

/// `error`, `warning` or `note`, coloured.
pub fn label(severity: Severity, color: Color) -> String {
    match severity {
        Severity::Error => color.red("error"),
        Severity::Warning => color.yellow("warning"),
        Severity::Note => color.cyan("note"),
    }
}

/// `2 errors, 1 warning` (and `, 3 notes` when there are notes).
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    format!("{}, {}", plural(errors, "error"), findings(diagnostics))
}

/// `1 warning` (and `, 3 notes` when there are notes).
pub fn findings(diagnostics: &[Diagnostic]) -> String {
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    let mut out = plural(count(Severity::Warning), "warning");
    let notes = count(Severity::Note);
    if notes > 0 {
        out.push_str(&format!(", {}", plural(notes, "note")));
    }
    out
}

/// `1 warning`, `2 warnings`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::{Location, SpecPath};

    #[test]
    fn renders_position_severity_path_and_hint() {
        let d = Diagnostic::error(&SpecPath::root().key("trails").index(2).key("name"), "bad")
            .with_hint("fix it")
            .at(Location { line: 3, column: 9 });
        let mut out = Vec::new();
        write(&mut out, "s.yaml", std::slice::from_ref(&d), Color::Never).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "s.yaml:3:9: error: bad (at trails[2].name)\n  hint: fix it\n"
        );
        assert_eq!(summary(&[d]), "1 error, 0 warnings");
    }
}
