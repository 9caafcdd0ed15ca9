//! A plan as human text, Terraform-like: a symbol and address per resource, the fields that
//! change as `old → new`, JSON fields as a line diff of their canonical form, then a summary.

use std::io::{self, Write};

use crate::model::state::FieldValue;
use crate::plan::{Action, Lint, Plan};
use crate::render::diagnostics;
use crate::render::style::Color;
use crate::render::view::{ChangeView, PlanView};

/// What an empty plan prints, exactly.
pub const NO_CHANGES: &str = "No changes. The account matches the spec.";

/// Writes the changes and the summary line (or [`NO_CHANGES`]).
/// Then the cost line.
pub fn write(out: &mut dyn Write, view: &PlanView, color: Color) -> io::Result<()> {
    if view.has_changes() {
        writeln!(
            out,
            "trailctl will perform these actions in account {}:\n",
            view.account
        )?;
        for c in &view.changes {
            change(out, c, color)?;
            writeln!(out)?;
        }
        writeln!(out, "{}", view.summary_line())?;
    } else {
        writeln!(out, "{NO_CHANGES}")?;
    }
    writeln!(out, "\n{}", view.cost.summary)
}

fn paint(color: Color, action: Action, text: &str) -> String {
    match action {
        Action::Create => color.green(text),
        Action::Update => color.yellow(text),
        Action::Delete | Action::Replace => color.red(text),
        Action::NoOp => text.to_owned(),
    }
}

/// One change: its head line, its fields, and why it is destructive.
pub fn change(out: &mut dyn Write, c: &ChangeView, color: Color) -> io::Result<()> {
    let mut head = format!(
        "{} {}",
        paint(color, c.action, c.action.symbol()),
        color.bold(&c.address)
    );
    if let Some(p) = &c.placement {
        head.push_str(&format!("  {p}"));
    }
    if c.adopt {
        head.push_str("  (adopt: not managed by trailctl yet)");
    }
    writeln!(out, "  {head}")?;
    for f in &c.fields {
        if c.action == Action::Create {
            value_lines(out, f.name, &f.after)?;
        } else {
            let note = if f.forces_replacement {
                "  # forces replacement"
            } else {
                ""
            };
            field_diff(out, f.name, &f.before, &f.after, note, color)?;
        }
    }
    for why in &c.destructive {
        writeln!(out, "      {} {why}", color.red("! destructive:"))?;
    }
    Ok(())
}

/// A scalar value as one line.
pub fn scalar(v: &FieldValue) -> String {
    match v {
        FieldValue::Absent => "(none)".to_owned(),
        FieldValue::Text(s) => format!("{s:?}"),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Number(n) => n.to_string(),
        FieldValue::List(l) => format!(
            "[{}]",
            l.iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FieldValue::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k} = {v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FieldValue::Json(j) => j.to_string(),
    }
}

fn json_lines(v: &FieldValue) -> Vec<String> {
    match v {
        FieldValue::Json(j) => serde_json::to_string_pretty(j)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect(),
        FieldValue::Absent => Vec::new(),
        other => vec![scalar(other)],
    }
}

pub(crate) fn value_lines(out: &mut dyn Write, name: &str, v: &FieldValue) -> io::Result<()> {
    match v {
        FieldValue::Json(_) => {
            writeln!(out, "      {name}:")?;
            for l in json_lines(v) {
                writeln!(out, "          {l}")?;
            }
            Ok(())
        }
        FieldValue::Map(m) => {
            writeln!(out, "      {name}:")?;
            for (k, val) in m {
                writeln!(out, "          {k} = {val:?}")?;
            }
            Ok(())
        }
        other => writeln!(out, "      {name}: {}", scalar(other)),
    }
}

pub(crate) fn field_diff(
    out: &mut dyn Write,
    name: &str,
    old: &FieldValue,
    new: &FieldValue,
    note: &str,
    color: Color,
) -> io::Result<()> {
    match (old, new) {
        (FieldValue::Map(a), FieldValue::Map(b)) => {
            writeln!(out, "      {name}:")?;
            for (k, v) in b {
                match a.get(k) {
                    None => writeln!(out, "        {} {k} = {v:?}", color.green("+"))?,
                    Some(o) if o != v => {
                        writeln!(out, "        {} {k} = {o:?} → {v:?}", color.yellow("~"))?
                    }
                    Some(_) => {}
                }
            }
            for (k, v) in a.iter().filter(|(k, _)| !b.contains_key(*k)) {
                writeln!(out, "        {} {k} = {v:?}", color.red("-"))?;
            }
            Ok(())
        }
        (FieldValue::Json(_), _) | (_, FieldValue::Json(_)) => {
            writeln!(out, "      {name}:{note}")?;
            for (sign, line) in line_diff(&json_lines(old), &json_lines(new)) {
                let text = format!("{sign} {line}");
                let text = match sign {
                    '+' => color.green(&text),
                    '-' => color.red(&text),
                    _ => text,
                };
                writeln!(out, "        {text}")?;
            }
            Ok(())
        }
        _ => writeln!(out, "      {name}: {} → {}{note}", scalar(old), scalar(new)),
    }
}

/// A line diff (longest common subsequence): `' '` kept, `'-'` removed, `'+'` added.
fn line_diff<'a>(a: &'a [String], b: &'a [String]) -> Vec<(char, &'a str)> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((' ', a[i].as_str()));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(('-', a[i].as_str()));
            i += 1;
        } else {
            out.push(('+', b[j].as_str()));
            j += 1;
        }
    }
    out
}

/// Conflicts and warnings, for stderr.
pub fn write_problems(out: &mut dyn Write, view: &PlanView, color: Color) -> io::Result<()> {
    for w in &view.warnings {
        let at = w.address.as_deref().unwrap_or("account");
        writeln!(out, "{}: {at}: {}", color.yellow("warning"), w.message)?;
        if let Some(d) = &w.detail {
            for l in d.lines() {
                writeln!(out, "    {l}")?;
            }
        }
    }
    for c in &view.conflicts {
        match &c.address {
            Some(a) => writeln!(out, "{}: {a}: {}", color.red("error"), c.message)?,
            None => writeln!(out, "{}: {}", color.red("error"), c.message)?,
        }
        if let Some(h) = &c.detail {
            writeln!(out, "  hint: {h}")?;
        }
    }
    Ok(())
}

/// The spec's lints kept in a saved plan: `warning: MESSAGE (at PATH, line N)` and a hint.
pub fn write_lints(out: &mut dyn Write, lints: &[Lint], color: Color) -> io::Result<()> {
    for l in lints {
        let severity = diagnostics::label(l.severity, color);
        let line = l.line.map(|n| format!(", line {n}")).unwrap_or_default();
        writeln!(out, "{severity}: {} (at {}{line})", l.message, l.path)?;
        if let Some(h) = &l.hint {
            writeln!(out, "  {}: {h}", color.cyan("hint"))?;
        }
    }
    Ok(())
}

/// Trails seen that the stack does not manage (shown with `-v`).
pub fn write_unmanaged(out: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    if plan.unmanaged.is_empty() {
        return Ok(());
    }
    writeln!(out, "Not managed by this stack (left alone):")?;
    for (name, region, stack) in &plan.unmanaged {
        match stack {
            Some(s) => writeln!(out, "  trail.{name} ({region}, stack {s})")?,
            None => writeln!(out, "  trail.{name} ({region}, not created by trailctl)")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_diff_keeps_common_lines() {
        let a: Vec<String> = ["[", "a", "b", "]"].map(String::from).to_vec();
        let b: Vec<String> = ["[", "a", "c", "]"].map(String::from).to_vec();
        let d: String = line_diff(&a, &b)
            .iter()
            .map(|(s, l)| format!("{s}{l}\n"))
            .collect();
        assert_eq!(d, " [\n a\n-b\n+c\n ]\n");
    }
}
