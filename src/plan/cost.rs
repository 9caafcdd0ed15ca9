//! What the plan adds to or removes from the CloudTrail bill: an estimate per month, from the
//! trails before and after the plan and the event volumes the user gives.
//!
//! Each line is a rate, in USD per 100,000 events of one kind (across the spec's Regions), so a
//! plan without volumes still says what it costs per event, and dollars follow from a volume.
//! The first copy of management events in each Region is free; every further copy, every data
//! event and every event an Insights type analyses is charged (CloudTrail pricing and "Costs
//! for Insights events": call-rate Insights analyse write management events, error-rate Insights
//! read and write ones).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::cost::{
    ALARM, DATA_EVENTS, FixedCharge, INSIGHTS, Kind, LOGS_DELIVERY, METRIC, PAID_COPY, PRICE_DATE,
    Volumes,
};
use crate::model::desired::{Insight, InsightType};
use crate::model::observed::LiveTrail;
use crate::model::region;
use crate::model::selector::{AdvancedSelector, coverage};
use crate::model::state::TrailState;
use crate::plan::{Address, Change, Resource};

/// What is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Charge {
    /// A copy of management events in a Region where another trail delivers the free one.
    PaidCopy,
    DataEvents,
    InsightsApiCallRate,
    InsightsApiErrorRate,
    /// Events delivered to CloudWatch Logs (ingestion).
    LogsDelivery,
}

impl Charge {
    pub fn describe(self) -> &'static str {
        match self {
            Charge::PaidCopy => "paid copy",
            Charge::DataEvents => "data events",
            Charge::InsightsApiCallRate => "Insights: API call rate",
            Charge::InsightsApiErrorRate => "Insights: API error rate",
            Charge::LogsDelivery => "CloudWatch Logs delivery",
        }
    }

    /// Whether CloudWatch charges it (not CloudTrail).
    pub fn cloudwatch(self) -> bool {
        self == Charge::LogsDelivery
    }
}

/// One trail's charge for one kind of event, before and after the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub trail: String,
    pub charge: Charge,
    pub kind: Kind,
    /// USD per 100,000 events of `kind` in the spec's Regions, before the plan.
    pub before: f64,
    pub after: f64,
}

/// The plan's cost estimate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Estimate {
    /// The volumes given (spec `cost:`, overridden by `--events-per-month`).
    pub volumes: Volumes,
    /// The spec's Regions, over which the volumes are spread evenly.
    pub regions: Vec<String>,
    /// Trails outside the spec whose selectors were not read: assumed to log all management
    /// events.
    pub assumed: Vec<String>,
    /// Only lines with a charge before or after.
    pub lines: Vec<Line>,
    /// The metric filters' metrics and the alarms, before and after: fixed monthly charges.
    #[serde(default)]
    pub monitoring: Monitoring,
}

/// How many metric filters (each a custom metric) and alarms exist before and after the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Monitoring {
    pub metrics_before: usize,
    pub metrics_after: usize,
    pub alarms_before: usize,
    pub alarms_after: usize,
}

impl Monitoring {
    fn of(changes: &[Change]) -> Monitoring {
        let mut m = Monitoring::default();
        for c in changes {
            let (b, a) = (
                usize::from(c.before.is_some()),
                usize::from(c.after.is_some()),
            );
            match c.address.charge() {
                Some(FixedCharge::Metric) => {
                    m.metrics_before += b;
                    m.metrics_after += a;
                }
                Some(FixedCharge::Alarm) => {
                    m.alarms_before += b;
                    m.alarms_after += a;
                }
                None => {}
            }
        }
        m
    }

    /// Monthly USD before and after.
    pub fn usd(&self) -> (f64, f64) {
        let at =
            |metrics: usize, alarms: usize| round(metrics as f64 * METRIC + alarms as f64 * ALARM);
        (
            at(self.metrics_before, self.alarms_before),
            at(self.metrics_after, self.alarms_after),
        )
    }

    pub fn changes(&self) -> bool {
        self.metrics_before != self.metrics_after || self.alarms_before != self.alarms_after
    }
}

/// A trail as the bill sees it.
struct Logger {
    name: String,
    /// The spec's Regions it logs in.
    regions: Vec<String>,
    reads: bool,
    writes: bool,
    data: bool,
    insights: BTreeSet<Insight>,
    /// It delivers to CloudWatch Logs.
    logs: bool,
}

impl Logger {
    fn of(
        name: &str,
        region: &str,
        all_regions: bool,
        selectors: &[AdvancedSelector],
        insights: &BTreeSet<Insight>,
        logs: bool,
        spec: &[String],
    ) -> Self {
        let (reads, writes) = coverage(selectors);
        Self {
            name: name.to_owned(),
            regions: region::logged_in(spec, region, all_regions)
                .map(str::to_owned)
                .collect(),
            reads,
            writes,
            data: selectors.iter().any(|s| s.selects("eventCategory", "Data")),
            insights: insights.clone(),
            logs,
        }
    }

    fn from_state(t: &TrailState, spec: &[String]) -> Option<Self> {
        t.logging.then(|| {
            let all = t.settings.all_regions;
            let logs = t.settings.cloudwatch_logs.is_some();
            Self::of(
                &t.name,
                &t.region,
                all,
                &t.selectors,
                &t.insights,
                logs,
                spec,
            )
        })
    }

    /// A live trail; one whose details were not read logs all management events.
    fn from_live(l: &LiveTrail, spec: &[String]) -> Option<Self> {
        let all = l.settings.all_regions;
        let logs = l.settings.cloudwatch_logs.is_some();
        match &l.details {
            Some(d) => d.logging.then(|| {
                Self::of(
                    &l.name,
                    &l.region,
                    all,
                    &d.selectors,
                    &d.insights,
                    logs,
                    spec,
                )
            }),
            None => Some(Self {
                reads: true,
                writes: true,
                ..Self::of(&l.name, &l.region, all, &[], &BTreeSet::new(), logs, spec)
            }),
        }
    }

    /// Whether it logs management events of `kind`.
    fn logs(&self, kind: Kind) -> bool {
        match kind {
            Kind::ManagementRead => self.reads,
            Kind::ManagementWrite => self.writes,
            Kind::Data => self.data,
        }
    }
}

type Rates = BTreeMap<(String, Charge, Kind), f64>;

/// The rates of a set of trails. In each Region the free copy goes to the first trail in
/// `loggers` that logs the events there (live trails come first, in the order read).
fn rates(loggers: &[Logger], regions: &[String]) -> Rates {
    let mut out = Rates::new();
    if regions.is_empty() {
        return out;
    }
    let share = 1.0 / regions.len() as f64;
    let mut add = |trail: &str, charge, kind, usd: f64| {
        *out.entry((trail.to_owned(), charge, kind)).or_insert(0.0) += usd * share;
    };
    let management = [Kind::ManagementRead, Kind::ManagementWrite];
    for r in regions {
        let here: Vec<&Logger> = loggers.iter().filter(|l| l.regions.contains(r)).collect();
        for kind in management {
            for l in here.iter().filter(|l| l.logs(kind)).skip(1) {
                add(&l.name, Charge::PaidCopy, kind, PAID_COPY);
            }
        }
        for l in &here {
            if l.data {
                add(&l.name, Charge::DataEvents, Kind::Data, DATA_EVENTS);
            }
            if l.logs {
                for kind in Kind::ALL.into_iter().filter(|k| l.logs(*k)) {
                    add(&l.name, Charge::LogsDelivery, kind, LOGS_DELIVERY);
                }
            }
            for i in &l.insights {
                // Call rate analyses write management events, error rate reads and writes; on
                // data events, each type analyses the data events logged.
                let (charge, analysed) = match i.kind {
                    InsightType::ApiCallRate => (Charge::InsightsApiCallRate, &management[1..]),
                    InsightType::ApiErrorRate => (Charge::InsightsApiErrorRate, &management[..]),
                };
                if i.management {
                    for kind in analysed.iter().filter(|k| l.logs(**k)) {
                        add(&l.name, charge, *kind, INSIGHTS);
                    }
                }
                if i.data && l.data {
                    add(&l.name, charge, Kind::Data, INSIGHTS);
                }
            }
        }
    }
    out
}

/// The estimate for `changes` against the account's trails `live`.
pub fn estimate(
    live: &[LiveTrail],
    changes: &[Change],
    volumes: Volumes,
    regions: &[String],
) -> Estimate {
    let trail_changes: BTreeMap<&str, &Change> = changes
        .iter()
        .filter_map(|c| match &c.address {
            Address::Trail(name) => Some((name.as_str(), c)),
            _ => None,
        })
        .collect();
    let mut before = Vec::new();
    let mut after = Vec::new();
    let mut assumed = Vec::new();
    for l in live {
        before.extend(Logger::from_live(l, regions));
        match trail_changes.get(l.name.as_str()) {
            Some(c) => {
                if let Some(Resource::Trail(t)) = &c.after {
                    after.extend(Logger::from_state(t, regions));
                }
            }
            None => {
                if l.details.is_none() {
                    assumed.push(l.name.clone());
                }
                after.extend(Logger::from_live(l, regions));
            }
        }
    }
    for c in trail_changes.values().filter(|c| c.before.is_none()) {
        if let Some(Resource::Trail(t)) = &c.after {
            after.extend(Logger::from_state(t, regions));
        }
    }
    let (b, a) = (rates(&before, regions), rates(&after, regions));
    let mut keys: Vec<&(String, Charge, Kind)> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let lines = keys
        .into_iter()
        .map(|k| Line {
            trail: k.0.clone(),
            charge: k.1,
            kind: k.2,
            before: b.get(k).copied().unwrap_or(0.0),
            after: a.get(k).copied().unwrap_or(0.0),
        })
        .collect();
    Estimate {
        volumes,
        regions: regions.to_vec(),
        assumed,
        lines,
        monitoring: Monitoring::of(changes),
    }
}

/// Rounded to a tenth of a cent, so that sums of shares compare equal.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Estimate {
    /// USD a month for `rate` per 100,000 events of `kind`, when its volume is known.
    pub fn usd(&self, kind: Kind, rate: f64) -> Option<f64> {
        if round(rate) == 0.0 {
            return Some(0.0);
        }
        self.volumes
            .get(kind)
            .map(|n| round(rate * n as f64 / 100_000.0))
    }

    /// The change in rate per kind (USD per 100,000 events), kinds that do not change left out.
    pub fn delta_rates(&self) -> Vec<(Kind, f64)> {
        Kind::ALL
            .into_iter()
            .map(|k| {
                let d: f64 = self
                    .lines
                    .iter()
                    .filter(|l| l.kind == k)
                    .map(|l| l.after - l.before)
                    .sum();
                (k, round(d))
            })
            .filter(|(_, d)| *d != 0.0)
            .collect()
    }

    /// Monthly USD before and after, when every volume needed is known.
    pub fn totals(&self) -> Option<(f64, f64)> {
        let mut t = self.monitoring.usd();
        for l in &self.lines {
            t.0 += self.usd(l.kind, l.before)?;
            t.1 += self.usd(l.kind, l.after)?;
        }
        Some((round(t.0), round(t.1)))
    }

    /// The kinds whose volume the estimate needs and was not given.
    pub fn missing(&self) -> Vec<Kind> {
        self.delta_rates()
            .into_iter()
            .map(|(k, _)| k)
            .chain(self.lines.iter().map(|l| l.kind))
            .filter(|k| self.volumes.get(*k).is_none())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// What the estimate assumes, for people to check.
    pub fn assumptions(&self) -> Vec<String> {
        let mut out = vec![
            format!(
                "CloudTrail list prices (us-east-1) as of {PRICE_DATE}: additional copies of management events ${PAID_COPY:.2}, data events ${DATA_EVENTS:.2}, Insights ${INSIGHTS:.2} per 100,000 events per Insights type; the first copy of management events in each Region is free"
            ),
            if self.regions.len() == 1 {
                format!("volumes are per month, in the spec's one Region ({})", self.regions.join(""))
            } else {
                format!(
                    "volumes are per month across the spec's {} Regions ({}), spread evenly over them",
                    self.regions.len(),
                    self.regions.join(", ")
                )
            },
            "each trail that logs data events logs all the data events given; call-rate Insights analyse the write management events a trail logs, error-rate Insights its read and write ones".to_owned(),
            format!("CloudWatch list prices as of {PRICE_DATE}: log ingestion ${LOGS_DELIVERY:.2} per 100,000 events delivered (about 2 KB a record at $0.50 per GB), ${METRIC:.2} a month per metric filter's metric, ${ALARM:.2} a month per alarm"),
            "S3 storage and requests, KMS, SNS, CloudWatch Logs storage and CloudTrail Lake are not included".to_owned(),
        ];
        if !self.assumed.is_empty() {
            out.push(format!(
                "trails outside this stack whose selectors were not read ({}) log all management events and hold the free copy",
                self.assumed.join(", ")
            ));
        }
        out
    }
}
