//! Reads a YAML spec, validates all of it at once, and produces `Desired`.
//!
//! Every diagnostic carries its spec path and `line:column`. Nothing here touches AWS.

mod alert;
mod checks;
mod cloudwatch;
mod fields;
#[cfg(test)]
mod lint_tests;
mod lints;
mod marks;
mod metric;
mod names;
mod org;
mod pattern;
mod preset;
mod reader;
pub mod schema;
mod source;
mod suggest;
mod trail;
mod v1;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use crate::model::desired::Desired;
use crate::model::diagnostic::{Diagnostic, Location, Severity, SpecPath};
use marks::Marks;
use reader::Ctx;
use source::start;

/// Specs are small; anything larger is refused before parsing.
pub const MAX_SPEC_BYTES: usize = 1024 * 1024;

/// A valid spec, and the warnings it raised.
#[derive(Debug)]
pub struct Loaded {
    pub desired: Desired,
    /// `sha256:…` of the spec's bytes: what a saved plan was made from.
    pub digest: String,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The spec has errors; all diagnostics, warnings included, in source order.
    #[error("the spec is invalid")]
    Invalid(Vec<Diagnostic>),
}

/// Reads and validates the spec at `path`.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let read_err = |source| LoadError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    // Read one byte past the limit, so an oversized file is recognised without reading it all.
    file.take(MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    parse(&bytes).map_err(LoadError::Invalid)
}

/// Validates a spec given as bytes.
pub fn parse(bytes: &[u8]) -> Result<Loaded, Vec<Diagnostic>> {
    let text = source::text(bytes).map_err(|d| vec![d])?;
    let root = yaml(text).map_err(|d| vec![d])?;
    let mut ctx = Ctx::default();
    let desired = v1::decode(&mut ctx, &root);
    if let Some(d) = &desired {
        checks::run(&mut ctx, d);
        if !ctx
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            lints::run(&mut ctx, d);
        }
    }
    let diagnostics = locate(ctx.diagnostics, &Marks::index(text));
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    match desired {
        Some(desired) if !has_errors => Ok(Loaded {
            desired,
            digest: crate::model::digest::sha256(bytes),
            warnings: diagnostics,
        }),
        _ => Err(diagnostics),
    }
}

/// Gives diagnostics found after loading (a test's record that cannot be read, say) their
/// positions in the spec at `path`.
pub fn position(path: &Path, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let text = std::fs::read(path).unwrap_or_default();
    let text = source::text(&text).unwrap_or_default();
    locate(diagnostics, &Marks::index(text))
}

/// Fills in each diagnostic's position from the source, then sorts them in source order.
fn locate(mut diagnostics: Vec<Diagnostic>, marks: &Marks) -> Vec<Diagnostic> {
    for d in &mut diagnostics {
        if d.location.is_none() {
            d.location = marks.locate(&d.path, d.anchor);
        }
    }
    diagnostics.sort_by_key(|d| d.location);
    diagnostics
}

/// The YAML tree of the spec, or the parser's error at its position.
fn yaml(text: &str) -> Result<Value, Diagnostic> {
    let root = SpecPath::root();
    let mut value: Value = serde_yaml::from_str(text).map_err(|e| yaml_error(text, &e))?;
    value.apply_merge().map_err(|e| yaml_error(text, &e))?;
    if value.is_null() {
        return Err(Diagnostic::error(&root, "the spec is empty")
            .with_hint("start with `version: 1`; see docs/spec.md")
            .at(start()));
    }
    Ok(value)
}

/// The first character YAML does not allow (C0 controls but tab and line breaks, DEL, C1 controls
/// but NEL: YAML 1.2, 5.1 "Character Set") and where it is.
fn control_character(text: &str) -> Option<(char, Location)> {
    let (mut line, mut column) = (1, 1);
    for c in text.chars() {
        let allowed =
            matches!(c, '\t' | '\n' | '\r' | '\u{85}') || !(c.is_control() || c == '\u{7f}');
        if !allowed {
            return Some((c, Location { line, column }));
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    None
}

fn yaml_error(text: &str, e: &serde_yaml::Error) -> Diagnostic {
    let root = SpecPath::root();
    let raw = e.to_string();
    // yaml_serde appends " at line L column C"; the position is rendered separately.
    let message = match raw.find(" at line ") {
        Some(i) => raw[..i].to_owned(),
        None => raw,
    };
    let location = e.location().map(|l| Location {
        line: l.line(),
        column: l.column(),
    });
    let mut at = location;
    let d = match message.as_str() {
        "recursion limit exceeded" => Diagnostic::error(
            &root,
            "the YAML nests too deeply (recursion limit exceeded)",
        ),
        m if m.contains("duplicate entry with key ") => {
            let (path, second) = Marks::first_duplicate_key(text).unzip();
            at = second.or(at);
            let key = m
                .rsplit("duplicate entry with key ")
                .next()
                .unwrap_or_default();
            Diagnostic::error(
                &path.unwrap_or_default(),
                format!("key {key} appears twice in one mapping"),
            )
            .with_hint("YAML keeps only one of them: remove the other")
        }
        m if m.contains("more than one document") => {
            at = Marks::second_document(text).or(at);
            Diagnostic::error(&root, "the spec holds more than one YAML document").with_hint(
                "a spec is one document: remove the second `---` and what follows, or merge them",
            )
        }
        m if m.contains("control characters are not allowed") => {
            match control_character(text) {
                Some((c, place)) => {
                    at = Some(place);
                    Diagnostic::error(
                    &root,
                    format!("a control character (U+{:04X}) is not allowed in YAML", u32::from(c)),
                )
                .with_hint(format!(
                    "remove it, or write it as an escape in a double-quoted string: \"\\x{:02x}\"",
                    u32::from(c)
                ))
                }
                None => Diagnostic::error(&root, "a control character is not allowed in YAML"),
            }
        }
        // yaml_serde reads integers past 64 bits as u128/i128, which no value here takes.
        m if m.contains(" as u128") || m.contains(" as i128") => {
            let (path, rest) = m.split_once(": invalid type: integer `").unwrap_or(("", m));
            let number = rest.split('`').next().unwrap_or(rest);
            Diagnostic::error(
                &marks::parse_path(path),
                format!("the number {number} is too large: a number here fits in 64 bits"),
            )
        }
        "repetition limit exceeded" => Diagnostic::error(
            &root,
            "YAML aliases expand to too many nodes (repetition limit exceeded)",
        )
        .with_hint("aliases that refer to other aliases multiply; write the values out"),
        _ => Diagnostic::error(&root, format!("invalid YAML: {message}")),
    };
    d.at(at
        .or_else(|| Marks::first_alias(text))
        .unwrap_or_else(start))
}
