//! What a backtest counts: per alert, the events it would have delivered (per day, by principal,
//! Region and event name, first and last, a sample) and those its pattern matched but
//! EventBridge would not have delivered, and why. Tallies from reader threads merge into one;
//! the result does not depend on the order objects were read in.

use std::collections::{BTreeMap, HashMap};

use foldhash::fast::FixedState;

use crate::archive::layout::Day;
use crate::verdict::Delivery;

/// At most this many problems keep their message; all are counted.
pub const MAX_PROBLEMS_KEPT: usize = 200;

/// How often each key (a principal, a Region, an event name) was seen; hashed with foldhash,
/// which the millions of counts a large archive makes measurably prefer to SipHash.
pub type Counts = HashMap<String, u64, FixedState>;

/// One alert's count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertTally {
    pub delivered: u64,
    pub per_day: BTreeMap<Day, u64>,
    pub principals: Counts,
    pub regions: Counts,
    pub events: Counts,
    /// Earliest and latest `eventTime` delivered.
    pub first: Option<String>,
    pub last: Option<String>,
    /// The earliest delivered event's id (ties: the smallest id).
    pub sample: Option<(String, String)>,
    /// Matched but not delivered, by the reason (never `Delivered` or `NoMatch`).
    pub withheld: BTreeMap<Delivery, u64>,
}

/// One delivered event, as the tally keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Delivered<'a> {
    pub time: &'a str,
    pub id: &'a str,
    pub region: &'a str,
    pub event_name: &'a str,
    pub principal: &'a str,
}

impl AlertTally {
    pub fn deliver(&mut self, e: &Delivered<'_>) {
        self.delivered += 1;
        if let Some(day) = e.time.get(..10).and_then(Day::parse) {
            *self.per_day.entry(day).or_default() += 1;
        }
        bump(&mut self.principals, e.principal);
        bump(&mut self.regions, e.region);
        bump(&mut self.events, e.event_name);
        if self.first.as_deref().is_none_or(|f| e.time < f) {
            self.first = Some(e.time.to_owned());
        }
        if self.last.as_deref().is_none_or(|l| e.time > l) {
            self.last = Some(e.time.to_owned());
        }
        let earlier = match &self.sample {
            None => true,
            Some((t, id)) => (e.time, e.id) < (t.as_str(), id.as_str()),
        };
        if earlier {
            self.sample = Some((e.time.to_owned(), e.id.to_owned()));
        }
    }

    /// `n` delivered events of one group (`backtest --athena`): of `day`, in `region`, named
    /// `event_name`, by `principal`; the earliest `(time, id)` and the latest time among them.
    #[allow(clippy::too_many_arguments)]
    pub fn deliver_group(
        &mut self,
        n: u64,
        day: Option<Day>,
        region: &str,
        event_name: &str,
        principal: &str,
        first: (&str, &str),
        last: &str,
    ) {
        self.delivered += n;
        if let Some(day) = day {
            *self.per_day.entry(day).or_default() += n;
        }
        for (map, key) in [
            (&mut self.principals, principal),
            (&mut self.regions, region),
            (&mut self.events, event_name),
        ] {
            *map.entry(key.to_owned()).or_default() += n;
        }
        let (time, id) = first;
        if self.first.as_deref().is_none_or(|f| time < f) {
            self.first = Some(time.to_owned());
        }
        if self.last.as_deref().is_none_or(|l| last > l) {
            self.last = Some(last.to_owned());
        }
        let earlier = match &self.sample {
            None => true,
            Some((t, i)) => (time, id) < (t.as_str(), i.as_str()),
        };
        if earlier {
            self.sample = Some((time.to_owned(), id.to_owned()));
        }
    }

    fn merge(&mut self, o: AlertTally) {
        self.delivered += o.delivered;
        for (d, n) in o.per_day {
            *self.per_day.entry(d).or_default() += n;
        }
        for (map, other) in [
            (&mut self.principals, o.principals),
            (&mut self.regions, o.regions),
            (&mut self.events, o.events),
        ] {
            for (k, n) in other {
                *map.entry(k).or_default() += n;
            }
        }
        self.first = [self.first.take(), o.first].into_iter().flatten().min();
        self.last = [self.last.take(), o.last].into_iter().flatten().max();
        self.sample = [self.sample.take(), o.sample].into_iter().flatten().min();
        for (r, n) in o.withheld {
            *self.withheld.entry(r).or_default() += n;
        }
    }

    /// The busiest day and its count.
    pub fn peak(&self) -> Option<(Day, u64)> {
        self.per_day
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(d, n)| (*d, *n))
    }
}

fn bump(map: &mut Counts, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_owned(), 1);
        }
    }
}

/// The `n` most frequent keys, most first (ties by key).
pub fn top(map: &Counts, n: usize) -> Vec<(String, u64)> {
    let mut all: Vec<(String, u64)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(n);
    all
}

/// Something in the archive that could not be read: a whole object, or one record of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The object's key or the file's path, with `Records[i]` for one record.
    pub object: String,
    pub message: String,
}

/// The whole count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// One per alert, in the spec's order.
    pub alerts: Vec<AlertTally>,
    /// Log objects read, their bytes as stored and as text.
    pub objects: u64,
    pub bytes_stored: u64,
    pub bytes_text: u64,
    /// Records read, and those of them inside the window (judged).
    pub records: u64,
    pub judged: u64,
    /// The days of the events judged.
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
    pub problem_count: u64,
    pub problems: Vec<Problem>,
}

impl Tally {
    pub fn new(alerts: usize) -> Tally {
        Tally {
            alerts: vec![AlertTally::default(); alerts],
            ..Tally::default()
        }
    }

    pub fn problem(&mut self, object: String, message: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS_KEPT {
            self.problems.push(Problem { object, message });
        }
    }

    pub fn saw_day(&mut self, day: Day) {
        self.first_day = Some(self.first_day.map_or(day, |d| d.min(day)));
        self.last_day = Some(self.last_day.map_or(day, |d| d.max(day)));
    }

    pub fn merge(&mut self, o: Tally) {
        for (mine, theirs) in self.alerts.iter_mut().zip(o.alerts) {
            mine.merge(theirs);
        }
        self.objects += o.objects;
        self.bytes_stored += o.bytes_stored;
        self.bytes_text += o.bytes_text;
        self.records += o.records;
        self.judged += o.judged;
        if let Some(d) = o.first_day {
            self.saw_day(d);
        }
        if let Some(d) = o.last_day {
            self.saw_day(d);
        }
        self.problem_count += o.problem_count;
        self.problems.extend(o.problems);
        self.problems.sort();
        self.problems.truncate(MAX_PROBLEMS_KEPT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivered<'a>(time: &'a str, id: &'a str, who: &'a str) -> Delivered<'a> {
        Delivered {
            time,
            id,
            region: "us-east-1",
            event_name: "DeleteTable",
            principal: who,
        }
    }

    #[test]
    fn merging_does_not_depend_on_order() {
        let events = [
            delivered("2026-10-02T10:00:00Z", "b", "alice"),
            delivered("2026-10-01T09:00:00Z", "z", "bob"),
            delivered("2026-10-01T09:00:00Z", "a", "alice"),
            delivered("2026-10-03T00:00:00Z", "c", "alice"),
        ];
        let mut whole = Tally::new(1);
        for e in &events {
            whole.alerts[0].deliver(e);
        }
        let (mut x, mut y) = (Tally::new(1), Tally::new(1));
        x.alerts[0].deliver(&events[3]);
        x.alerts[0].deliver(&events[1]);
        y.alerts[0].deliver(&events[0]);
        y.alerts[0].deliver(&events[2]);
        y.merge(x);
        assert_eq!(y.alerts[0], whole.alerts[0]);
        let a = &whole.alerts[0];
        assert_eq!(a.delivered, 4);
        assert_eq!(a.sample, Some(("2026-10-01T09:00:00Z".into(), "a".into())));
        assert_eq!(a.first.as_deref(), Some("2026-10-01T09:00:00Z"));
        assert_eq!(a.last.as_deref(), Some("2026-10-03T00:00:00Z"));
        assert_eq!(a.peak(), Some((Day::parse("2026-10-01").unwrap(), 2)));
        assert_eq!(top(&a.principals, 1), [("alice".to_owned(), 3)]);
    }

    #[test]
    fn problems_are_all_counted_and_some_kept() {
        let mut t = Tally::new(0);
        for i in 0..MAX_PROBLEMS_KEPT + 5 {
            t.problem(format!("o{i}"), "bad".into());
        }
        let mut u = Tally::new(0);
        u.problem("a".into(), "bad".into());
        t.merge(u);
        assert_eq!(t.problem_count as usize, MAX_PROBLEMS_KEPT + 6);
        assert_eq!(t.problems.len(), MAX_PROBLEMS_KEPT);
        assert_eq!(t.problems[0].object, "a");
    }
}
