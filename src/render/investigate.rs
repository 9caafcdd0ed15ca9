//! `investigate`'s timeline as text, Markdown or JSON; when nothing is found, why that may be.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::archive::layout::Day;
use crate::investigate::{Entry, Mark, Target, Timeline};
use crate::render::style::Color;
use crate::render::view::FORMAT_VERSION;

/// Where and when the search looked.
pub struct Searched<'a> {
    pub target: &'a Target,
    pub since: Day,
    pub until: Day,
    /// The first day event history was searched from (`None`: the window is past its 90 days).
    pub history_since: Option<Day>,
    pub regions: &'a [String],
    pub archives: Vec<String>,
    /// Archive objects that could not be read: `(name, why)`.
    pub problems: Vec<(String, String)>,
}

fn day(d: Day) -> String {
    let (y, m, dd) = d.civil();
    format!("{y:04}-{m:02}-{dd:02}")
}

impl Searched<'_> {
    fn sources(&self) -> String {
        let mut parts = Vec::new();
        if let Some(h) = self.history_since {
            parts.push(format!(
                "event history from {} in {}",
                day(h),
                self.regions.join(", ")
            ));
        }
        for a in &self.archives {
            parts.push(format!("the archive {a}"));
        }
        parts.join("; ")
    }

    /// Why nothing may have been found, and what to try.
    fn hints(&self) -> Vec<String> {
        let mut out = vec![
            "event history keeps management events only: data events (S3 objects, DynamoDB items, Lambda invocations) are only in a trail's archives (--archive s3://BUCKET/PREFIX, or --trail NAME)".to_owned(),
        ];
        if self.history_since.is_none_or(|h| h > self.since) {
            out.push("event history keeps 90 days: search older events in the archives".to_owned());
        }
        out.push(format!(
            "the window is {} to {}: widen it with --since (e.g. --since 90d)",
            day(self.since),
            day(self.until)
        ));
        if self.target.service.is_none() {
            out.push("a bare name is searched in the spec's Regions: give --regions, or the ARN (global services such as IAM and STS are kept in us-east-1)".to_owned());
        }
        out.push("calls that name the resource nowhere in their parameters are found by event name: --event DeleteTable".to_owned());
        out
    }
}

fn who(e: &Entry) -> String {
    let w = &e.who;
    let mut s = format!(
        "{} {}",
        w.identity_type.as_deref().unwrap_or("?"),
        w.arn.as_deref().unwrap_or("(no ARN)")
    );
    if let Some(i) = &w.session_issuer {
        s.push_str(&format!(" (role {i})"));
    }
    if let Some(k) = &w.access_key {
        s.push_str(&format!(", key {k}"));
    }
    if let Some(m) = w.mfa {
        s.push_str(if m { ", MFA" } else { ", no MFA" });
    }
    s
}

fn mark(e: &Entry) -> &'static str {
    match e.mark {
        Some(Mark::Deletion) => "DELETED",
        Some(Mark::LastChange) => "last change before the deletion",
        None => "",
    }
}

pub fn human(out: &mut dyn Write, t: &Timeline, s: &Searched<'_>, color: Color) -> io::Result<()> {
    writeln!(
        out,
        "{} ({} record{}; searched {})",
        color.bold(&s.target.text),
        t.entries.len(),
        if t.entries.len() == 1 { "" } else { "s" },
        s.sources()
    )?;
    if t.entries.is_empty() {
        writeln!(
            out,
            "Nothing found between {} and {}. It may be that:",
            day(s.since),
            day(s.until)
        )?;
        for h in s.hints() {
            writeln!(out, "  - {h}")?;
        }
    }
    for e in &t.entries {
        let flag = match e.mark {
            Some(Mark::Deletion) => color.red(mark(e)),
            Some(Mark::LastChange) => color.yellow(mark(e)),
            None => String::new(),
        };
        writeln!(
            out,
            "\n{}  {}  {}  {flag}",
            e.time,
            e.region,
            color.bold(&e.event)
        )?;
        writeln!(out, "  who:     {}", who(e))?;
        writeln!(
            out,
            "  from:    {} ({})",
            e.who.source_ip.as_deref().unwrap_or("?"),
            e.who.user_agent.as_deref().unwrap_or("?")
        )?;
        let result = match &e.error {
            Some(code) => color.red(&format!("failed: {code}")),
            None => "succeeded".to_owned(),
        };
        writeln!(out, "  result:  {result}")?;
        if !e.resources.is_empty() {
            writeln!(out, "  touched: {}", e.resources.join(", "))?;
        }
    }
    for (name, why) in &s.problems {
        writeln!(out, "\n{}: {name}: {why}", color.red("unreadable"))?;
    }
    Ok(())
}

pub fn markdown(out: &mut dyn Write, t: &Timeline, s: &Searched<'_>) -> io::Result<()> {
    writeln!(out, "### Investigation: `{}`\n", s.target.text)?;
    writeln!(out, "Searched {}.\n", s.sources())?;
    if t.entries.is_empty() {
        writeln!(out, "Nothing found. It may be that:\n")?;
        for h in s.hints() {
            writeln!(out, "- {h}")?;
        }
        return Ok(());
    }
    writeln!(out, "| time | Region | event | who | from | result | |")?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for e in &t.entries {
        writeln!(
            out,
            "| {} | {} | `{}` | {} | {} | {} | {} |",
            e.time,
            e.region,
            e.event,
            who(e).replace('|', "\\|"),
            e.who.source_ip.as_deref().unwrap_or(""),
            e.error.as_deref().unwrap_or("ok"),
            mark(e)
        )?;
    }
    Ok(())
}

pub fn json(t: &Timeline, s: &Searched<'_>) -> Value {
    json!({
        "format_version": FORMAT_VERSION,
        "target": s.target.text,
        "since": day(s.since),
        "until": day(s.until),
        "event_history": s.history_since.map(|h| json!({"since": day(h), "regions": s.regions})),
        "archives": s.archives,
        "entries": t.entries,
        "hints": if t.entries.is_empty() { s.hints() } else { Vec::new() },
        "problems": s.problems.iter().map(|(n, w)| json!({"object": n, "error": w})).collect::<Vec<_>>(),
    })
}
