//! CloudTrail's prices, and monthly event volumes: the inputs of the plan's cost estimate
//! (`plan::cost`). Given in the
//! spec (`cost: {events_per_month: …}`) or with `--events-per-month`; a volume not given is
//! unknown, never zero.

use serde::{Deserialize, Serialize};

/// When the prices below were taken from the CloudTrail pricing page (us-east-1 list prices).
pub const PRICE_DATE: &str = "2026-11";
/// USD per 100,000 events: an additional copy of management events.
pub const PAID_COPY: f64 = 2.00;
/// USD per 100,000 data events delivered.
pub const DATA_EVENTS: f64 = 0.10;
/// USD per 100,000 events analysed, per Insights type.
pub const INSIGHTS: f64 = 0.35;
/// USD per 100,000 events a trail delivers to CloudWatch Logs: ingestion at $0.50 per GB
/// (CloudWatch pricing, standard log class), for CloudTrail records of about 2 KB.
pub const LOGS_DELIVERY: f64 = 0.10;
/// USD a month per custom metric (a metric filter's metric; the first 10,000 metrics).
pub const METRIC: f64 = 0.30;
/// USD a month per standard-resolution alarm metric.
pub const ALARM: f64 = 0.10;

/// A fixed monthly CloudWatch charge a resource of some kinds carries
/// (`plan::change::Kind::CHARGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedCharge {
    /// A custom metric ([`METRIC`]): a metric filter's.
    Metric,
    /// A standard-resolution alarm ([`ALARM`]).
    Alarm,
}

/// What a volume counts: management events split by access, and data events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ManagementRead,
    ManagementWrite,
    Data,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::ManagementRead, Kind::ManagementWrite, Kind::Data];

    /// The key in the spec and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Kind::ManagementRead => "management_read",
            Kind::ManagementWrite => "management_write",
            Kind::Data => "data",
        }
    }

    /// In prose: "read management events".
    pub fn events(self) -> &'static str {
        match self {
            Kind::ManagementRead => "read management events",
            Kind::ManagementWrite => "write management events",
            Kind::Data => "data events",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// Events per month across the spec's Regions, by kind; `None` where not given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volumes {
    pub management_read: Option<u64>,
    pub management_write: Option<u64>,
    pub data: Option<u64>,
}

impl Volumes {
    pub fn get(&self, kind: Kind) -> Option<u64> {
        match kind {
            Kind::ManagementRead => self.management_read,
            Kind::ManagementWrite => self.management_write,
            Kind::Data => self.data,
        }
    }

    pub fn set(&mut self, kind: Kind, n: u64) {
        match kind {
            Kind::ManagementRead => self.management_read = Some(n),
            Kind::ManagementWrite => self.management_write = Some(n),
            Kind::Data => self.data = Some(n),
        }
    }

    /// These volumes, with each one `other` gives replacing ours.
    pub fn overridden_by(mut self, other: &Volumes) -> Volumes {
        for k in Kind::ALL {
            if let Some(n) = other.get(k) {
                self.set(k, n);
            }
        }
        self
    }

    /// Parses `management_read=4M,management_write=1M,data=20M` (any subset).
    pub fn parse(s: &str) -> Result<Volumes, String> {
        let mut v = Volumes::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, n)) = part.split_once('=') else {
                return Err(format!(
                    "`{part}` is not KIND=COUNT (e.g. management_write=1M)"
                ));
            };
            let kind = Kind::parse(key.trim()).ok_or_else(|| {
                format!("unknown kind `{}`: expected {}", key.trim(), kinds_list())
            })?;
            v.set(kind, count(n.trim())?);
        }
        if v == Volumes::default() {
            return Err(format!(
                "no volume given: expected KIND=COUNT with KIND one of {}",
                kinds_list()
            ));
        }
        Ok(v)
    }
}

fn kinds_list() -> String {
    Kind::ALL.map(Kind::key).join(", ")
}

/// A count of events: digits (`_` allowed between them), optionally followed by `k`, `M` or
/// `G` (thousands, millions, billions): `250k`, `4M`, `1_500_000`.
pub fn count(s: &str) -> Result<u64, String> {
    let (digits, factor) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1_000),
        Some('M') => (&s[..s.len() - 1], 1_000_000),
        Some('G') => (&s[..s.len() - 1], 1_000_000_000),
        _ => (s, 1),
    };
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() || !clean.chars().all(|c| c.is_ascii_digit()) || digits.starts_with('_') {
        return Err(format!(
            "`{s}` is not a count of events: digits, optionally ending in k, M or G (e.g. 250k, 4M)"
        ));
    }
    clean
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_suffixes_and_separators() {
        assert_eq!(count("250k"), Ok(250_000));
        assert_eq!(count("4M"), Ok(4_000_000));
        assert_eq!(count("2G"), Ok(2_000_000_000));
        assert_eq!(count("1_500_000"), Ok(1_500_000));
        assert_eq!(count("0"), Ok(0));
        for bad in [
            "",
            "k",
            "4m",
            "-1",
            "1.5M",
            "_1",
            "4 M",
            "99999999999999999999",
        ] {
            assert!(count(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn volumes_parse_any_subset_and_override_per_kind() {
        let cli = Volumes::parse("management_write=1M, data=20M").unwrap();
        assert_eq!(cli.management_read, None);
        assert_eq!(cli.management_write, Some(1_000_000));
        let spec = Volumes {
            management_read: Some(4_000_000),
            management_write: Some(5),
            data: None,
        };
        let v = spec.overridden_by(&cli);
        assert_eq!(
            (v.management_read, v.management_write, v.data),
            (Some(4_000_000), Some(1_000_000), Some(20_000_000))
        );
        assert!(
            Volumes::parse("reads=1")
                .unwrap_err()
                .contains("management_read")
        );
        assert!(Volumes::parse("data").is_err());
        assert!(Volumes::parse("").is_err());
    }
}
