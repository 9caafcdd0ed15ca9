//! Checks on the raw bytes of a spec before any YAML parser sees them.

use crate::model::diagnostic::{Diagnostic, Location, SpecPath};
use crate::spec::MAX_SPEC_BYTES;

/// yaml_serde refuses nesting deeper than this; deeper flow nesting is refused here first,
/// because the scanner's cost grows with the square of the depth.
const MAX_DEPTH: usize = 128;

pub fn start() -> Location {
    Location { line: 1, column: 1 }
}

/// The text of a spec, refusing what cannot be one: too large, binary, not UTF-8, or nested
/// deeper than any spec can be.
pub fn text(bytes: &[u8]) -> Result<&str, Diagnostic> {
    let root = SpecPath::root();
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(Diagnostic::error(
            &root,
            format!("the spec is larger than {} KiB", MAX_SPEC_BYTES / 1024),
        )
        .with_hint("is this the right file? specs are a few KiB")
        .at(start()));
    }
    let position = |offset: usize| {
        let before = &bytes[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Location { line, column }
    };
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        return Err(Diagnostic::error(
            &root,
            "the spec contains a NUL byte: it looks like a binary file",
        )
        .with_hint("a spec is a YAML text file")
        .at(position(nul)));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        Diagnostic::error(
            &root,
            format!("the spec is not UTF-8 text (byte 0x{:02x})", bytes[at]),
        )
        .with_hint("save the file as UTF-8")
        .at(position(at))
    })?;
    if let Some(offset) = too_deep(text) {
        return Err(Diagnostic::error(
            &root,
            format!("the YAML nests more than {MAX_DEPTH} levels deep"),
        )
        .at(position(offset)));
    }
    Ok(text)
}

/// Where `[` / `{` nesting first passes [`MAX_DEPTH`], ignoring quoted scalars and comments.
/// Linear; used only as a guard, so block scalars holding brackets are an accepted blind spot.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut prev_significant = b'\n';
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(b'"') if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'#' if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    prev_significant = b'\n';
                    continue;
                }
                b'"' | b'\'' if b"\n:-[{,?".contains(&prev_significant) => quote = Some(b),
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(i);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        if !b.is_ascii_whitespace() || b == b'\n' {
            prev_significant = b;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_guard_counts_flow_nesting_only() {
        let deep = format!("x: {}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(too_deep(&deep), Some(3 + MAX_DEPTH));
        assert_eq!(too_deep(&format!("x: {}", "[".repeat(100))), None);
        let quoted = format!(
            "x: \"{}\"\ny: '{}'\n# {}",
            "[".repeat(300),
            "{".repeat(300),
            "[".repeat(300)
        );
        assert_eq!(too_deep(&quoted), None);
        assert_eq!(too_deep("a: don't [x]"), None);
    }
}
