//! The CIS report of `validate`: per Security Hub control, whether the spec passes it, and why
//! not.

use std::io::{self, Write};

use serde::Serialize;

use crate::model::cis::Control;
use crate::model::prowler;
use crate::render::style::Color;

/// The report for people: a line per control, each gap under a failing one.
pub fn human(w: &mut dyn Write, controls: &[Control], color: Color) -> io::Result<()> {
    if controls.is_empty() {
        return Ok(());
    }
    let passing = controls.iter().filter(|c| c.passes()).count();
    // Presets on EventBridge only, no metric filter anywhere: one line says it all.
    let rules_only = |c: &Control| {
        c.alert.is_none()
            && c.gaps
                .iter()
                .any(|g| matches!(g, crate::model::cis::Gap::RulesOnly { .. }))
    };
    if controls.iter().all(rules_only) {
        return writeln!(
            w,
            "CIS monitoring as Security Hub checks it: 0 of {} controls pass: the presets deploy EventBridge rules only (add `backend: both`, and `cloudwatch_logs:` to a trail)",
            controls.len()
        );
    }
    writeln!(
        w,
        "CIS monitoring as Security Hub checks it: {passing} of {} controls pass",
        controls.len()
    )?;
    for c in controls {
        let (mark, via) = if c.passes() {
            (color.green("pass"), c.alert.clone().unwrap_or_default())
        } else {
            (color.red("FAIL"), c.preset.clone())
        };
        writeln!(w, "  {mark}  {:<14} {via}", c.control)?;
        for g in &c.gaps {
            writeln!(w, "        {g}")?;
        }
    }
    Ok(())
}

/// One control in `validate --format json`.
#[derive(Debug, Serialize)]
pub struct CisCheck {
    pub control: String,
    pub preset: String,
    pub alert: Option<String>,
    pub passes: bool,
    pub gaps: Vec<String>,
}

pub fn json(controls: &[Control]) -> Vec<CisCheck> {
    controls
        .iter()
        .map(|c| CisCheck {
            control: c.control.clone(),
            preset: c.preset.clone(),
            alert: c.alert.clone(),
            passes: c.passes(),
            gaps: c.gaps.iter().map(ToString::to_string).collect(),
        })
        .collect()
}

/// Prowler's CIS checks, for people: which alert's filter passes each, and which fail.
pub fn prowler_human(
    w: &mut dyn Write,
    verdicts: &[prowler::Verdict],
    color: Color,
) -> io::Result<()> {
    if verdicts.is_empty() {
        return Ok(());
    }
    let passing = verdicts.iter().filter(|v| v.passes()).count();
    if verdicts.iter().all(|v| v.alert.is_none()) {
        return writeln!(
            w,
            "CIS monitoring as Prowler checks it: 0 of {} checks pass: no alert deploys a metric filter they read (add `backend: both`)",
            verdicts.len()
        );
    }
    writeln!(
        w,
        "CIS monitoring as Prowler checks it: {passing} of {} checks pass",
        verdicts.len()
    )?;
    for v in verdicts {
        let mark = if v.passes() {
            color.green("pass")
        } else {
            color.red("FAIL")
        };
        let why = match (&v.alert, v.no_log_group) {
            (_, true) => "no trail delivers to CloudWatch Logs (`cloudwatch_logs:`)".to_owned(),
            (Some(a), false) => a.clone(),
            (None, false) => match prowler::passing_preset(v.cis) {
                Some(p) => format!(
                    "no metric filter names what the check reads, in its order (`- preset: {p}` with `backend: both` does)"
                ),
                None => "no metric filter names what the check reads, in its order".to_owned(),
            },
        };
        let width = verdicts.iter().map(|v| v.check.len()).max().unwrap_or(0);
        writeln!(w, "  {mark}  {:<5} {:<width$}  {why}", v.cis, v.check)?;
    }
    Ok(())
}

/// One Prowler check in `validate --format json`.
#[derive(Debug, Serialize)]
pub struct ProwlerCheck {
    pub check: &'static str,
    pub cis: &'static str,
    pub alert: Option<String>,
    pub passes: bool,
}

pub fn prowler_json(verdicts: &[prowler::Verdict]) -> Vec<ProwlerCheck> {
    verdicts
        .iter()
        .map(|v| ProwlerCheck {
            check: v.check,
            cis: v.cis,
            alert: v.alert.clone(),
            passes: v.passes(),
        })
        .collect()
}
