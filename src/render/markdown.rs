//! A plan as a pull-request comment: destructive changes called out first, a summary table,
//! then each change's details (the human view, uncoloured) in a collapsible section.

use std::io::{self, Write};

use crate::render::diagnostics;
use crate::render::plan::{NO_CHANGES, change};
use crate::render::style::Color;
use crate::render::view::{PlanView, Problem};

/// Writes `view` as GitHub-flavoured Markdown under a `### title` heading.
pub fn write(out: &mut dyn Write, title: &str, view: &PlanView) -> io::Result<()> {
    writeln!(out, "### {title}: account `{}`\n", view.account)?;
    if !view.conflicts.is_empty() {
        writeln!(out, "> [!CAUTION]\n> **The plan cannot be applied:**")?;
        for c in &view.conflicts {
            writeln!(out, "> - {}", problem_text(c))?;
        }
        writeln!(out)?;
    }
    let destructive: Vec<_> = view
        .changes
        .iter()
        .filter(|c| !c.destructive.is_empty())
        .collect();
    if !destructive.is_empty() {
        writeln!(
            out,
            "> [!WARNING]\n> **{} destructive change{}** (less audit logging; apply needs `--allow-destroy`):",
            destructive.len(),
            if destructive.len() == 1 { "" } else { "s" }
        )?;
        for c in &destructive {
            for why in &c.destructive {
                writeln!(out, "> - `{}`: {}", c.address, cell(why))?;
            }
        }
        writeln!(out)?;
    }
    if !view.has_changes() {
        writeln!(out, "{NO_CHANGES}")?;
    } else {
        writeln!(out, "| Address | Action | Destructive |")?;
        writeln!(out, "|---|---|---|")?;
        for c in &view.changes {
            writeln!(
                out,
                "| `{}` | {} {} | {} |",
                c.address,
                c.action.symbol(),
                c.action.name().replace('_', " "),
                if c.destructive.is_empty() {
                    "no"
                } else {
                    "**yes**"
                }
            )?;
        }
        writeln!(out, "\n**{}**\n", view.summary_line())?;
        for c in &view.changes {
            writeln!(
                out,
                "<details><summary><code>{} {}</code></summary>\n\n```text",
                c.action.symbol(),
                c.address
            )?;
            let mut text = Vec::new();
            change(&mut text, c, Color::Never)?;
            out.write_all(&text)?;
            writeln!(out, "```\n\n</details>\n")?;
        }
    }
    if !view.warnings.is_empty() {
        writeln!(out, "**Warnings**\n")?;
        for w in &view.warnings {
            writeln!(out, "- {}", problem_text(w))?;
        }
        writeln!(out)?;
    }
    if !view.lints.is_empty() {
        writeln!(out, "**Spec lints**\n")?;
        for l in &view.lints {
            let line = l.line.map(|n| format!(", line {n}")).unwrap_or_default();
            writeln!(
                out,
                "- {} `{}`{line}: {}",
                diagnostics::label(l.severity, Color::Never),
                l.path,
                cell(&l.message)
            )?;
            if let Some(h) = &l.hint {
                writeln!(out, "  <br>hint: {}", cell(h))?;
            }
        }
        writeln!(out)?;
    }
    view.cost.write_markdown(out)
}

fn problem_text(p: &Problem) -> String {
    match &p.address {
        Some(a) => format!("`{a}`: {}", cell(&p.message)),
        None => cell(&p.message),
    }
}

/// Text safe inside a table cell or a list item: no pipes or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
