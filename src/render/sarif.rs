//! Spec findings as documents for machines: SARIF 2.1.0 (GitHub code scanning annotates the
//! spec's lines with them) and a plain JSON list. One result per diagnostic: lints under their
//! own rule id (`alert-placement`), other findings under `spec-error`, `spec-warning` and
//! `spec-note`.

use serde::Serialize;
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use crate::model::diagnostic::{Diagnostic, LintId, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The rule id of a diagnostic.
fn rule_id(d: &Diagnostic) -> &'static str {
    match (d.lint, d.severity) {
        (Some(id), _) => id.name(),
        (None, Severity::Error) => "spec-error",
        (None, Severity::Warning) => "spec-warning",
        (None, Severity::Note) => "spec-note",
    }
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    }
}

fn rule(id: &str, summary: &str, default: Severity) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(id)
        .name(id)
        .short_description(MultiformatMessageString::builder().text(summary).build())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::to_value(level(default)).unwrap_or_default())
                .build(),
        )
        .build()
}

/// The SARIF log of `diagnostics` found in the spec `file` (its path as given: code scanning
/// resolves it against the repository).
pub fn log(file: &str, diagnostics: &[Diagnostic]) -> Sarif {
    let mut rules: Vec<ReportingDescriptor> = LintId::ALL
        .iter()
        .map(|id| {
            let default = if *id == LintId::TrailIntegrity {
                Severity::Note
            } else {
                Severity::Warning
            };
            rule(id.name(), id.summary(), default)
        })
        .collect();
    rules.push(rule(
        "spec-error",
        "The spec is invalid here: no AWS call is made.",
        Severity::Error,
    ));
    rules.push(rule(
        "spec-warning",
        "The spec is valid, but this is likely a mistake.",
        Severity::Warning,
    ));
    rules.push(rule("spec-note", "Advice on the spec.", Severity::Note));
    let results = diagnostics
        .iter()
        .map(|d| {
            let text = match &d.hint {
                Some(h) => format!("{}\nhint: {h}", d.text()),
                None => d.text(),
            };
            let mut physical = PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(file).build())
                .build();
            if let Some(l) = d.location {
                physical.region = Some(
                    Region::builder()
                        .start_line(l.line as i64)
                        .start_column(l.column as i64)
                        .build(),
                );
            }
            let mut location = Location::builder().physical_location(physical).build();
            if !d.path.is_root() {
                location.logical_locations = Some(vec![
                    LogicalLocation::builder()
                        .fully_qualified_name(d.path.to_string())
                        .kind("member")
                        .build(),
                ]);
            }
            SarifResult::builder()
                .rule_id(rule_id(d))
                .level(level(d.severity))
                .message(Message::builder().text(text).build())
                .locations(vec![location])
                .build()
        })
        .collect::<Vec<_>>();
    let driver = ToolComponent::builder()
        .name("trailctl")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![
            Run::builder()
                .tool(Tool::builder().driver(driver).build())
                .results(results)
                .build(),
        ])
        .build()
}

/// `validate --format json`.
#[derive(Debug, Serialize)]
pub struct Findings<'a> {
    pub format_version: u32,
    pub file: &'a str,
    pub valid: bool,
    pub diagnostics: Vec<Finding>,
    /// The CIS controls of the spec's presets, for a valid spec (`render::cis`).
    pub cis_checks: Vec<crate::render::cis::CisCheck>,
    /// Prowler's CIS checks, for a valid spec with presets or metric filters.
    pub prowler_checks: Vec<crate::render::cis::ProwlerCheck>,
}

#[derive(Debug, Serialize)]
pub struct Finding {
    /// `error`, `warning` or `note`.
    pub severity: &'static str,
    /// The lint's name, for a domain lint.
    pub lint: Option<&'static str>,
    pub message: String,
    pub hint: Option<String>,
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

pub fn json<'a>(file: &'a str, valid: bool, diagnostics: &[Diagnostic]) -> Findings<'a> {
    Findings {
        format_version: 1,
        file,
        valid,
        cis_checks: Vec::new(),
        prowler_checks: Vec::new(),
        diagnostics: diagnostics
            .iter()
            .map(|d| Finding {
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "note",
                },
                lint: d.lint.map(LintId::name),
                message: d.message.clone(),
                hint: d.hint.clone(),
                path: d.path.to_string(),
                line: d.location.map(|l| l.line),
                column: d.location.map(|l| l.column),
            })
            .collect(),
    }
}
