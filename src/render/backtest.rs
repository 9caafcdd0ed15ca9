//! A backtest's results: one view (`BacktestView`, also the JSON document) built from the tally,
//! printed for people (a block per alert that fired, noisiest first, with a per-day histogram),
//! as JSON, or as Markdown.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::archive::layout::{Day, Window};
use crate::archive::listing::Found;
use crate::backtest::tally::{AlertTally, Tally, top};
use crate::render::diagnostics::plural;
use crate::render::style::Color;
use crate::verdict::Delivery;

/// The JSON document's version.
pub const FORMAT_VERSION: u32 = 1;
/// Principals, Regions and event names listed per alert.
const TOP: usize = 5;
/// The widest histogram, in characters (more days share a character).
const HISTOGRAM_WIDTH: usize = 60;

#[derive(Debug, Clone, Serialize)]
pub struct BacktestView {
    pub format_version: u32,
    pub spec: String,
    pub sources: Vec<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    /// The days of the events read (both included).
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    pub days: u64,
    pub objects: u64,
    pub bytes_stored: u64,
    pub bytes_text: u64,
    pub records: u64,
    pub events: u64,
    pub skipped: Skipped,
    pub list_calls: u64,
    /// Alerts that delivered, most deliveries first.
    pub alerts: Vec<AlertView>,
    /// Alerts that delivered nothing, in the spec's order (with what they matched but were
    /// withheld, if anything).
    pub never_fired: Vec<AlertView>,
    pub max_per_day: Option<MaxPerDay>,
    pub problem_count: u64,
    pub problems: Vec<ProblemView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub digests: u64,
    pub other_objects: u64,
    pub outside_filter: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    pub name: String,
    pub delivered: u64,
    /// Deliveries scaled to 30 days of the days read.
    pub per_30_days: f64,
    pub per_day: BTreeMap<String, u64>,
    pub peak_day: Option<Count>,
    pub principals: Vec<Count>,
    pub regions: Vec<Count>,
    pub events: Vec<Count>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub sample_event_id: Option<String>,
    /// Matched, but EventBridge would not have delivered: by reason.
    pub withheld: Withheld,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Withheld {
    /// The event arrived in a Region where the alert has no rule.
    pub region_without_rule: u64,
    /// A read-only event, and the alert's rules do not take read-only events.
    pub read_only: u64,
    /// The alert is `enabled: false`.
    pub disabled: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaxPerDay {
    pub limit: u64,
    /// The alerts over the limit on some day.
    pub exceeded: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemView {
    pub object: String,
    pub message: String,
}

fn counts(pairs: Vec<(String, u64)>) -> Vec<Count> {
    pairs
        .into_iter()
        .map(|(value, count)| Count { value, count })
        .collect()
}

/// What the view is made from besides the tally.
pub struct Context<'a> {
    pub spec: String,
    pub sources: Vec<String>,
    pub window: Window,
    pub names: &'a [String],
    pub found: &'a Found,
    pub max_per_day: Option<u64>,
}

impl BacktestView {
    pub fn new(cx: &Context<'_>, tally: &Tally) -> BacktestView {
        let days = match (tally.first_day, tally.last_day) {
            (Some(f), Some(l)) => (l.0 - f.0 + 1).max(1) as u64,
            _ => 0,
        };
        let mut fired = Vec::new();
        let mut never = Vec::new();
        for (name, a) in cx.names.iter().zip(&tally.alerts) {
            let view = alert_view(name, a, days);
            if a.delivered > 0 {
                fired.push(view);
            } else {
                never.push(view);
            }
        }
        fired.sort_by(|a, b| b.delivered.cmp(&a.delivered).then(a.name.cmp(&b.name)));
        let max_per_day = cx.max_per_day.map(|limit| MaxPerDay {
            limit,
            exceeded: fired
                .iter()
                .filter(|a| a.peak_day.as_ref().is_some_and(|p| p.count > limit))
                .map(|a| a.name.clone())
                .collect(),
        });
        BacktestView {
            format_version: FORMAT_VERSION,
            spec: cx.spec.clone(),
            sources: cx.sources.clone(),
            since: cx.window.since.map(|d| d.to_string()),
            until: cx.window.until.map(|d| d.to_string()),
            first_day: tally.first_day.map(|d| d.to_string()),
            last_day: tally.last_day.map(|d| d.to_string()),
            days,
            objects: tally.objects,
            bytes_stored: tally.bytes_stored,
            bytes_text: tally.bytes_text,
            records: tally.records,
            events: tally.judged,
            skipped: Skipped {
                digests: cx.found.digests,
                other_objects: cx.found.others,
                outside_filter: cx.found.filtered,
            },
            list_calls: cx.found.list_calls,
            alerts: fired,
            never_fired: never,
            max_per_day,
            problem_count: tally.problem_count,
            problems: tally
                .problems
                .iter()
                .map(|p| ProblemView {
                    object: p.object.clone(),
                    message: p.message.clone(),
                })
                .collect(),
        }
    }

    /// Whether some alert went over `--max-per-day` on some day.
    pub fn too_noisy(&self) -> bool {
        self.max_per_day
            .as_ref()
            .is_some_and(|m| !m.exceeded.is_empty())
    }
}

fn alert_view(name: &str, a: &AlertTally, days: u64) -> AlertView {
    let withheld = |d: Delivery| a.withheld.get(&d).copied().unwrap_or(0);
    AlertView {
        name: name.to_owned(),
        delivered: a.delivered,
        per_30_days: if days == 0 {
            0.0
        } else {
            (a.delivered as f64 * 30.0 / days as f64 * 10.0).round() / 10.0
        },
        per_day: a.per_day.iter().map(|(d, n)| (d.to_string(), *n)).collect(),
        peak_day: a.peak().map(|(d, n)| Count {
            value: d.to_string(),
            count: n,
        }),
        principals: counts(top(&a.principals, TOP)),
        regions: counts(top(&a.regions, TOP)),
        events: counts(top(&a.events, TOP)),
        first: a.first.clone(),
        last: a.last.clone(),
        sample_event_id: a.sample.as_ref().map(|(_, id)| id.clone()),
        withheld: Withheld {
            region_without_rule: withheld(Delivery::NotPlaced),
            read_only: withheld(Delivery::ReadOnlyWithheld),
            disabled: withheld(Delivery::Disabled),
        },
    }
}

/// A rate: whole numbers from 10 up, one decimal below.
fn rate(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn listed(items: &[Count]) -> String {
    items
        .iter()
        .map(|c| format!("{} ({})", c.value, c.count))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Withheld {
    fn total(&self) -> u64 {
        self.region_without_rule + self.read_only + self.disabled
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.region_without_rule > 0 {
            parts.push(format!(
                "{} in Regions where it has no rule",
                self.region_without_rule
            ));
        }
        if self.read_only > 0 {
            parts.push(format!(
                "{} read-only events its rules do not take (read_only_events)",
                self.read_only
            ));
        }
        if self.disabled > 0 {
            parts.push(format!("{} while disabled", self.disabled));
        }
        parts.join(", ")
    }
}

/// A one-line histogram of `per_day` over `first..=last`, a character for one day or more.
pub fn histogram(per_day: &BTreeMap<String, u64>, first: Day, last: Day) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let days = (last.0 - first.0 + 1).max(1) as usize;
    let per_char = days.div_ceil(HISTOGRAM_WIDTH);
    let mut buckets = vec![0u64; days.div_ceil(per_char)];
    for (d, n) in per_day {
        if let Some(day) = Day::parse(d)
            && day >= first
            && day <= last
        {
            buckets[(day.0 - first.0) as usize / per_char] += n;
        }
    }
    let max = buckets.iter().copied().max().unwrap_or(0).max(1);
    buckets
        .iter()
        .map(|&n| {
            if n == 0 {
                ' '
            } else {
                BARS[((n * 8).div_ceil(max) as usize).clamp(1, 8) - 1]
            }
        })
        .collect()
}

/// The human report.
pub fn human(w: &mut dyn Write, v: &BacktestView, color: Color) -> io::Result<()> {
    let span = match (&v.first_day, &v.last_day) {
        (Some(f), Some(l)) => format!(" from {f} to {l} ({})", plural(v.days as usize, "day")),
        _ => String::new(),
    };
    writeln!(
        w,
        "{}: {} ({} stored, {} as text), {}{span}",
        color.bold(&format!("Backtest of {}", v.spec)),
        plural(v.objects as usize, "log file"),
        mib(v.bytes_stored),
        mib(v.bytes_text),
        plural(v.events as usize, "event"),
    )?;
    let s = &v.skipped;
    if s.digests + s.other_objects + s.outside_filter > 0 {
        writeln!(
            w,
            "Skipped: {}, {} (not CloudTrail logs), {} outside --since/--until/--regions/--accounts",
            plural(s.digests as usize, "digest file"),
            plural(s.other_objects as usize, "other object"),
            plural(s.outside_filter as usize, "log file"),
        )?;
    }
    writeln!(
        w,
        "{} would have delivered, {} never fired.",
        plural(v.alerts.len(), "alert"),
        v.never_fired.len()
    )?;
    let range = v
        .first_day
        .as_deref()
        .and_then(Day::parse)
        .zip(v.last_day.as_deref().and_then(Day::parse));
    for a in &v.alerts {
        writeln!(w)?;
        let peak = a
            .peak_day
            .as_ref()
            .map(|p| format!(", peak {} on {}", p.count, p.value))
            .unwrap_or_default();
        let over = v
            .max_per_day
            .as_ref()
            .filter(|m| m.exceeded.contains(&a.name))
            .map(|m| color.red(&format!("  over --max-per-day {}", m.limit)))
            .unwrap_or_default();
        writeln!(
            w,
            "{}  {} {}, ~{} per 30 days{peak}{over}",
            color.bold(&a.name),
            a.delivered,
            if a.delivered == 1 {
                "delivery"
            } else {
                "deliveries"
            },
            rate(a.per_30_days)
        )?;
        if let Some((first, last)) = range {
            writeln!(
                w,
                "  per day   {first} {} {last}",
                histogram(&a.per_day, first, last)
            )?;
        }
        writeln!(w, "  who       {}", listed(&a.principals))?;
        writeln!(w, "  where     {}", listed(&a.regions))?;
        writeln!(w, "  what      {}", listed(&a.events))?;
        if let (Some(f), Some(l)) = (&a.first, &a.last) {
            writeln!(w, "  when      {f} → {l}")?;
        }
        if let Some(id) = &a.sample_event_id {
            writeln!(w, "  sample    eventID {id}")?;
        }
        if a.withheld.total() > 0 {
            writeln!(w, "  withheld  {}", a.withheld.describe())?;
        }
    }
    if !v.never_fired.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            color.yellow(&format!("Never fired ({}):", v.never_fired.len()))
        )?;
        for a in &v.never_fired {
            if a.withheld.total() > 0 {
                writeln!(
                    w,
                    "  {}: matched {}, none delivered: {}",
                    a.name,
                    plural(a.withheld.total() as usize, "event"),
                    a.withheld.describe()
                )?;
            } else {
                writeln!(w, "  {}", a.name)?;
            }
        }
    }
    problems(w, v, color)
}

fn problems(w: &mut dyn Write, v: &BacktestView, color: Color) -> io::Result<()> {
    if v.problem_count == 0 {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        color.red(&format!("Could not be read ({}):", v.problem_count))
    )?;
    for p in &v.problems {
        writeln!(w, "  {}: {}", p.object, p.message)?;
    }
    if v.problem_count > v.problems.len() as u64 {
        writeln!(
            w,
            "  … and {} more",
            v.problem_count - v.problems.len() as u64
        )?;
    }
    Ok(())
}

/// The Markdown report: a table of the alerts that fired, then those that never did.
pub fn markdown(w: &mut dyn Write, v: &BacktestView) -> io::Result<()> {
    let span = match (&v.first_day, &v.last_day) {
        (Some(f), Some(l)) => format!(", {f} to {l}"),
        _ => String::new(),
    };
    writeln!(
        w,
        "### Backtest of `{}`\n\n{}, {}{span}.\n",
        v.spec,
        plural(v.objects as usize, "log file"),
        plural(v.events as usize, "event"),
    )?;
    if !v.alerts.is_empty() {
        writeln!(
            w,
            "| alert | deliveries | per 30 days | peak day | top principal | withheld |"
        )?;
        writeln!(w, "|---|---:|---:|---|---|---:|")?;
        for a in &v.alerts {
            let peak = a
                .peak_day
                .as_ref()
                .map(|p| format!("{} ({})", p.value, p.count))
                .unwrap_or_default();
            let who = a
                .principals
                .first()
                .map(|c| format!("`{}` ({})", c.value, c.count))
                .unwrap_or_default();
            writeln!(
                w,
                "| `{}` | {} | {} | {peak} | {who} | {} |",
                a.name,
                a.delivered,
                rate(a.per_30_days),
                a.withheld.total()
            )?;
        }
        writeln!(w)?;
    }
    if let Some(m) = &v.max_per_day
        && !m.exceeded.is_empty()
    {
        writeln!(
            w,
            "**Over `--max-per-day {}`:** {}\n",
            m.limit,
            m.exceeded
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    if !v.never_fired.is_empty() {
        writeln!(w, "**Never fired ({}):**\n", v.never_fired.len())?;
        for a in &v.never_fired {
            if a.withheld.total() > 0 {
                writeln!(
                    w,
                    "- `{}` — matched but withheld: {}",
                    a.name,
                    a.withheld.describe()
                )?;
            } else {
                writeln!(w, "- `{}`", a.name)?;
            }
        }
        writeln!(w)?;
    }
    if v.problem_count > 0 {
        writeln!(w, "**Could not be read ({}):**\n", v.problem_count)?;
        for p in &v.problems {
            writeln!(w, "- `{}`: {}", p.object, p.message)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_scale_and_bucket() {
        let first = Day::parse("2026-10-01").unwrap();
        let per_day: BTreeMap<String, u64> =
            [("2026-10-01".to_owned(), 1), ("2026-10-03".to_owned(), 8)].into();
        assert_eq!(histogram(&per_day, first, Day(first.0 + 3)), "▁ █ ");
        // 120 days: two a character.
        let h = histogram(&per_day, first, Day(first.0 + 119));
        assert_eq!(h.chars().count(), 60);
        assert_eq!(h.chars().nth(1), Some('█'));
    }
}
