//! The CloudTrail S3 key layout: `[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
//! ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz` ("Finding your CloudTrail log files",
//! CloudTrail User Guide, cloudtrail-find-log-files.html). The file name alone carries account,
//! Region and day, so a log is recognised wherever it lies; digests
//! (`ACCOUNT_CloudTrail-Digest_…`) and anything else are skipped. Insights events
//! (`CloudTrail-Insight`) are logs too: EventBridge receives them. Days are UTC days.

use std::fmt;

/// What an object or file is, by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Log(LogName),
    /// A `CloudTrail-Digest` file (log file integrity validation): not events.
    Digest,
    /// Anything that is not a CloudTrail log or digest file.
    Other,
}

/// A CloudTrail log file's name, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogName {
    pub account: String,
    pub region: String,
    /// The day of the delivery period the file covers.
    pub day: Day,
    pub gzip: bool,
}

/// What the object at `key` (or a file's name, the last segment) is.
pub fn classify(key: &str) -> Kind {
    let name = key.rsplit(['/', '\\']).next().unwrap_or(key);
    let (stem, gzip) = if let Some(s) = name.strip_suffix(".json.gz") {
        (s, true)
    } else if let Some(s) = name.strip_suffix(".json") {
        (s, false)
    } else {
        return Kind::Other;
    };
    let mut parts = stem.split('_');
    let (Some(account), Some(kind), Some(region), Some(stamp)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Kind::Other;
    };
    if !is_account(account) || region.is_empty() {
        return Kind::Other;
    }
    match kind {
        "CloudTrail-Digest" => Kind::Digest,
        "CloudTrail" | "CloudTrail-Insight" if parts.next().is_some() => match stamp_day(stamp) {
            Some(day) => Kind::Log(LogName {
                account: account.to_owned(),
                region: region.to_owned(),
                day,
                gzip,
            }),
            None => Kind::Other,
        },
        _ => Kind::Other,
    }
}

/// A 12-digit account id.
pub fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The day of a `YYYYMMDDTHHMMZ` stamp.
fn stamp_day(stamp: &str) -> Option<Day> {
    let b = stamp.as_bytes();
    if b.len() != 14 || b[8] != b'T' || b[13] != b'Z' {
        return None;
    }
    if !b[..8].iter().chain(&b[9..13]).all(u8::is_ascii_digit) {
        return None;
    }
    Day::parse(&format!(
        "{}-{}-{}",
        &stamp[..4],
        &stamp[4..6],
        &stamp[6..8]
    ))
}

/// A UTC day, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

impl Day {
    /// `YYYY-MM-DD`, a real date.
    pub fn parse(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let day = Day(days_from_civil(y, m, d));
        (day.civil() == (y, m, d)).then_some(day)
    }

    /// Today, by the system clock.
    pub fn today() -> Day {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Day((secs / 86_400) as i64)
    }

    /// `(year, month, day)`.
    pub fn civil(self) -> (i64, i64, i64) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    pub fn next(self) -> Day {
        Day(self.0 + 1)
    }

    /// The key segment `YYYY/MM/DD/`.
    pub fn key_segment(self) -> String {
        let (y, m, d) = self.civil();
        format!("{y:04}/{m:02}/{d:02}/")
    }
}

/// Howard Hinnant's days_from_civil.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// The days a backtest covers, both ends included (`None`: open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub since: Option<Day>,
    pub until: Option<Day>,
}

impl Window {
    /// `--since` / `--until`: `YYYY-MM-DD`, or `Nd` (N days before `today`).
    pub fn parse_day(text: &str, today: Day) -> Result<Day, String> {
        if let Some(n) = text.strip_suffix('d')
            && let Ok(n) = n.parse::<u32>()
        {
            return Ok(Day(today.0 - i64::from(n)));
        }
        Day::parse(text).ok_or_else(|| {
            format!(
                "{text:?} is not a day: write YYYY-MM-DD (UTC) or a number of days back, as 30d"
            )
        })
    }

    /// Whether an event of `day` is in the window.
    pub fn holds(&self, day: Day) -> bool {
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u)
    }

    /// Whether a log file of delivery day `day` can hold events of the window: CloudTrail
    /// delivers an event within about 5 to 15 minutes, so a file of the day after `until` can
    /// still hold its last events.
    pub fn may_hold_file(&self, day: Day) -> bool {
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u.next())
    }

    /// Whether an event time (`2024-08-01T13:42:21Z`) is in the window; a time that is not one
    /// is kept.
    pub fn holds_time(&self, event_time: &str) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        self.holds_day(event_time.get(..10).and_then(Day::parse))
    }

    /// Whether an event of the day `day` (`None`: its time is not one) is in the window; an
    /// event whose day is unknown is kept.
    pub fn holds_day(&self, day: Option<Day>) -> bool {
        day.is_none_or(|d| self.holds(d))
    }

    /// The delivery days to list, when the window is closed on both sides (after `until` is
    /// set to today when it is open).
    pub fn file_days(&self, today: Day) -> Option<Vec<Day>> {
        let since = self.since?;
        let until = self.until.map_or(today, Day::next).min(today.max(since));
        let mut days = Vec::new();
        let mut d = since;
        while d <= until && days.len() <= 3660 {
            days.push(d);
            d = d.next();
        }
        Some(days)
    }
}

/// Which logs a backtest reads: accounts, Regions and days (empty lists: all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub window: Window,
}

impl Filter {
    /// Whether a log file of this name is to be read.
    pub fn admits(&self, log: &LogName) -> bool {
        (self.accounts.is_empty() || self.accounts.contains(&log.account))
            && (self.regions.is_empty() || self.regions.contains(&log.region))
            && self.window.may_hold_file(log.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified() {
        let log = classify(
            "p/AWSLogs/o-abc123defg/111122223333/CloudTrail/eu-west-1/2026/10/01/111122223333_CloudTrail_eu-west-1_20261001T2355Z_Ab12.json.gz",
        );
        assert_eq!(
            log,
            Kind::Log(LogName {
                account: "111122223333".into(),
                region: "eu-west-1".into(),
                day: Day::parse("2026-10-01").unwrap(),
                gzip: true,
            })
        );
        assert!(matches!(
            classify("111122223333_CloudTrail-Insight_us-east-1_20261001T2355Z_x.json"),
            Kind::Log(LogName { gzip: false, .. })
        ));
        assert_eq!(
            classify(
                "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/01/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261001T000000Z.json.gz"
            ),
            Kind::Digest
        );
        for other in [
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/",
            "README.txt",
            "manifest.json",
            "1111_CloudTrail_us-east-1_20261001T2355Z_x.json.gz",
            "111122223333_CloudTrail_us-east-1_20261301T2355Z_x.json.gz",
            "111122223333_CloudTrail_us-east-1_20261001T2355Z.json.gz",
            "111122223333_Config_us-east-1_20261001T2355Z_x.json.gz",
        ] {
            assert_eq!(classify(other), Kind::Other, "{other}");
        }
    }

    #[test]
    fn days_round_trip_and_windows() {
        for s in ["1970-01-01", "2000-02-29", "2024-12-31", "2026-03-01"] {
            assert_eq!(Day::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Day::parse("2026-02-29"), None);
        assert_eq!(Day::parse("2026-1-01"), None);
        let today = Day::parse("2026-11-30").unwrap();
        assert_eq!(
            Window::parse_day("30d", today).unwrap().to_string(),
            "2026-10-31"
        );
        assert!(Window::parse_day("yesterday", today).is_err());
        let w = Window {
            since: Day::parse("2026-10-01"),
            until: Day::parse("2026-10-03"),
        };
        assert!(w.holds_time("2026-10-03T23:59:59Z"));
        assert!(!w.holds_time("2026-10-04T00:00:00Z"));
        assert!(!w.holds_time("2026-09-30T23:59:59Z"));
        // The file of the day after `until` may hold its last events; listed, then filtered.
        assert!(w.may_hold_file(Day::parse("2026-10-04").unwrap()));
        assert!(!w.may_hold_file(Day::parse("2026-10-05").unwrap()));
        let days: Vec<String> = w
            .file_days(today)
            .unwrap()
            .iter()
            .map(Day::to_string)
            .collect();
        assert_eq!(
            days,
            ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]
        );
        // Open-ended: up to today, no later.
        let recent = Window {
            since: Some(Day(today.0 - 2)),
            until: None,
        };
        assert_eq!(recent.file_days(today).unwrap().len(), 3);
        assert_eq!(Window::default().file_days(today), None);
        assert_eq!(
            Day::parse("2026-10-01").unwrap().key_segment(),
            "2026/10/01/"
        );
    }
}
