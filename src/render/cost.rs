//! The plan's cost estimate as shown: one line at the end of every plan, and with `--cost` (or
//! in a Markdown comment, collapsed) each trail's charges and the assumptions.

use std::io::{self, Write};

use serde::Serialize;

use crate::model::cost::{Kind, PRICE_DATE, Volumes};
use crate::plan::cost::{Charge, Estimate, Monitoring};

/// The estimate in the plan's JSON (`cost`), and what the text renderers read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostView {
    /// The line every plan ends with.
    pub summary: String,
    pub price_date: &'static str,
    pub volumes: Volumes,
    /// Monthly USD, `null` when a volume the estimate needs was not given.
    pub monthly_usd_before: Option<f64>,
    pub monthly_usd_after: Option<f64>,
    /// How the plan changes the charge per 100,000 events of each kind.
    pub change_per_100k_events: Vec<KindRate>,
    pub missing_volumes: Vec<Kind>,
    pub lines: Vec<LineView>,
    /// Metric filters' metrics and alarms before and after, with their monthly USD.
    pub monitoring: Monitoring,
    pub monitoring_usd_before: f64,
    pub monitoring_usd_after: f64,
    pub assumptions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindRate {
    pub kind: Kind,
    pub usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineView {
    pub trail: String,
    pub charge: Charge,
    pub kind: Kind,
    pub usd_per_100k_before: f64,
    pub usd_per_100k_after: f64,
    pub monthly_usd_before: Option<f64>,
    pub monthly_usd_after: Option<f64>,
}

/// `$1,234.50`.
pub fn usd(x: f64) -> String {
    let cents = (x.abs() * 100.0).round() as u64;
    format!("${}.{:02}", count(cents / 100), cents % 100)
}

/// `+$2.00`, `-$0.35`.
fn signed(x: f64) -> String {
    if x < 0.0 {
        format!("-{}", usd(x))
    } else {
        format!("+{}", usd(x))
    }
}

/// `4,000,000`.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl CostView {
    pub fn new(e: &Estimate) -> Self {
        let totals = e.totals();
        let change = e.delta_rates();
        let cloudwatch = e.monitoring.changes()
            || e.lines
                .iter()
                .any(|l| l.charge.cloudwatch() && l.before != l.after);
        let which = if cloudwatch {
            "CloudTrail and CloudWatch charges"
        } else {
            "CloudTrail charges"
        };
        let (fixed_before, fixed_after) = e.monitoring.usd();
        let summary = if change.is_empty() && !e.monitoring.changes() {
            "Cost: no change to CloudTrail charges.".to_owned()
        } else if let Some((before, after)) = totals {
            format!(
                "Cost: {} a month in {which} ({} → {}), an estimate at list prices of {PRICE_DATE}.",
                signed(after - before),
                usd(before),
                usd(after)
            )
        } else {
            let mut rates: Vec<String> = change
                .iter()
                .map(|(k, r)| format!("{} per 100,000 {}", signed(*r), k.events()))
                .collect();
            if e.monitoring.changes() {
                rates.push(format!(
                    "{} a month for metrics and alarms",
                    signed(fixed_after - fixed_before)
                ));
            }
            format!(
                "Cost: {} in {which}, an estimate at list prices of {PRICE_DATE}; give volumes (`cost:` in the spec or --events-per-month) for dollars.",
                rates.join(", ")
            )
        };
        Self {
            summary,
            price_date: PRICE_DATE,
            volumes: e.volumes,
            monthly_usd_before: totals.map(|t| t.0),
            monthly_usd_after: totals.map(|t| t.1),
            change_per_100k_events: change
                .into_iter()
                .map(|(kind, usd)| KindRate { kind, usd })
                .collect(),
            missing_volumes: e.missing(),
            lines: e
                .lines
                .iter()
                .map(|l| LineView {
                    trail: l.trail.clone(),
                    charge: l.charge,
                    kind: l.kind,
                    usd_per_100k_before: l.before,
                    usd_per_100k_after: l.after,
                    monthly_usd_before: e.usd(l.kind, l.before),
                    monthly_usd_after: e.usd(l.kind, l.after),
                })
                .collect(),
            monitoring: e.monitoring,
            monitoring_usd_before: fixed_before,
            monitoring_usd_after: fixed_after,
            assumptions: e.assumptions(),
        }
    }

    /// The fixed CloudWatch line, when there are metrics or alarms before or after.
    fn monitoring_line(&self) -> Option<String> {
        let m = &self.monitoring;
        (m.metrics_before + m.metrics_after + m.alarms_before + m.alarms_after > 0).then(|| {
            format!(
                "CloudWatch: {} → {} metric filters' metrics, {} → {} alarms: {} → {} a month",
                m.metrics_before,
                m.metrics_after,
                m.alarms_before,
                m.alarms_after,
                usd(self.monitoring_usd_before),
                usd(self.monitoring_usd_after)
            )
        })
    }

    /// The rows of the details table: trail, charge, events a month, before, after.
    fn rows(&self) -> Vec<[String; 5]> {
        let money = |m: Option<f64>, rate: f64| match m {
            Some(m) => usd(m),
            None => format!("{}/100k", usd(rate)),
        };
        self.lines
            .iter()
            .map(|l| {
                let kind = l.kind.events().trim_end_matches(" events");
                let events = match self.volumes.get(l.kind) {
                    Some(n) => format!("{} {kind}", count(n)),
                    None => format!("? {kind}"),
                };
                [
                    l.trail.clone(),
                    l.charge.describe().to_owned(),
                    events,
                    money(l.monthly_usd_before, l.usd_per_100k_before),
                    money(l.monthly_usd_after, l.usd_per_100k_after),
                ]
            })
            .collect()
    }

    /// The details, as text.
    pub fn write_details(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "\nCost estimate, CloudTrail charges a month (USD, list prices of {PRICE_DATE}):"
        )?;
        let head = ["trail", "charge", "events a month", "before", "after"].map(String::from);
        let rows = self.rows();
        if rows.is_empty() {
            writeln!(out, "  no trail is charged, before or after the plan")?;
        } else {
            let mut widths = head.clone().map(|h| h.chars().count());
            for r in &rows {
                for (w, c) in widths.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count());
                }
            }
            for r in std::iter::once(&head).chain(&rows) {
                let cells: Vec<String> = r
                    .iter()
                    .zip(widths)
                    .enumerate()
                    .map(|(i, (c, w))| {
                        if i >= 3 {
                            format!("{c:>w$}")
                        } else {
                            format!("{c:<w$}")
                        }
                    })
                    .collect();
                writeln!(out, "  {}", cells.join("  ").trim_end())?;
            }
        }
        if let Some(line) = self.monitoring_line() {
            writeln!(out, "  {line}")?;
        }
        if let (Some(b), Some(a)) = (self.monthly_usd_before, self.monthly_usd_after) {
            writeln!(out, "  total: {} → {} a month", usd(b), usd(a))?;
        } else if !self.missing_volumes.is_empty() {
            let missing: Vec<&str> = self.missing_volumes.iter().map(|k| k.key()).collect();
            writeln!(
                out,
                "  no total: volumes not given for {} (give them with `cost:` or --events-per-month)",
                missing.join(", ")
            )?;
        }
        writeln!(out, "Assumptions:")?;
        for a in &self.assumptions {
            writeln!(out, "  - {a}")?;
        }
        Ok(())
    }

    /// The details as a collapsed Markdown section (nothing when no trail is charged).
    pub fn write_markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}\n", self.summary)?;
        let rows = self.rows();
        if rows.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "<details><summary>Cost estimate</summary>\n\n| Trail | Charge | Events a month | Before | After |\n|---|---|---|---:|---:|"
        )?;
        for r in rows {
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                r[0], r[1], r[2], r[3], r[4]
            )?;
        }
        writeln!(out)?;
        if let Some(line) = self.monitoring_line() {
            writeln!(out, "{line}\n")?;
        }
        for a in &self.assumptions {
            writeln!(out, "- {a}")?;
        }
        writeln!(out, "\n</details>\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_counts_are_grouped() {
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(1234.5), "$1,234.50");
        assert_eq!(usd(1_000_000.0), "$1,000,000.00");
        assert_eq!(signed(-0.35), "-$0.35");
        assert_eq!(count(4_000_000), "4,000,000");
        assert_eq!(count(0), "0");
    }
}
