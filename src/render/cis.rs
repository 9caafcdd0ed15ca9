//! The CIS report of `validate`: per Security Hub control, whether the spec passes it, and why
//! not.

use std::io::{self, Write};

use serde::Serialize;

use crate::model::cis::Control;
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
