//! One reader thread's work: a log object's bytes → text → each record read once, in place,
//! for every alert (`verdict::Alerts::read_record`) → its EventBridge envelope → every alert's
//! decision → the tally. An object that cannot be read, or a record that cannot, is a problem
//! in the tally; the run goes on.

use crate::archive::decode::Decoder;
use crate::archive::layout::{Day, Window};
use crate::archive::split;
use crate::backtest::tally::{Delivered, Tally};
use crate::model::envelope::EnvelopeError;
use crate::model::event_sources::is_read_only_record;
use crate::pattern::Scratch;
use crate::verdict::{Alerts, Arrival, Delivery};

/// A record larger than this is not one CloudTrail writes (it caps `requestParameters` and
/// `responseElements` at about 100 KB each): reported, not matched.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// A reader: the alerts, the window, and its own working memory and tally.
pub struct Reader<'a> {
    alerts: &'a Alerts,
    window: Window,
    decoder: Decoder,
    work: Work,
    pub tally: Tally,
}

/// Per-record working memory, reused.
#[derive(Default)]
struct Work {
    scratch: Scratch,
    judged: Vec<(usize, Delivery)>,
    /// What an object's records decided, applied once the whole object has been read.
    pending: Vec<Pending>,
    /// The text of the pending deliveries, one after the other (no allocation per delivery).
    arena: String,
    records: u64,
    judged_records: u64,
    first_day: Option<Day>,
    last_day: Option<Day>,
    days: Days,
    /// Problems of single records: `(index, message)`.
    problems: Vec<(usize, String)>,
}

/// The day of an event's time, parsed once for each run of records of one day (a log file's
/// records mostly share one): by measurement, parsing it per record cost 1.6% of a backtest.
#[derive(Default)]
struct Days {
    last: Option<([u8; 10], Option<Day>)>,
}

impl Days {
    fn of(&mut self, time: &str) -> Option<Day> {
        let date = *time.as_bytes().first_chunk::<10>()?;
        match self.last {
            Some((text, day)) if text == date => day,
            _ => {
                let day = time.get(..10).and_then(Day::parse);
                self.last = Some((date, day));
                day
            }
        }
    }
}

enum Pending {
    /// Its time, id, Region, event name and principal are `arena[at[k]..at[k + 1]]`.
    Delivered {
        alert: usize,
        at: [usize; 6],
    },
    Withheld {
        alert: usize,
        why: Delivery,
    },
}

impl<'a> Reader<'a> {
    pub fn new(alerts: &'a Alerts, window: Window) -> Reader<'a> {
        Reader {
            alerts,
            window,
            decoder: Decoder::default(),
            work: Work::default(),
            tally: Tally::new(alerts.names().len()),
        }
    }

    /// Reads one log object named `name` (its key or path) into the tally.
    pub fn object(&mut self, name: &str, bytes: &[u8], gzip: bool) {
        self.tally.objects += 1;
        self.tally.bytes_stored += bytes.len() as u64;
        let text = match self.decoder.text(bytes, gzip) {
            Ok(t) => t,
            Err(e) => return self.tally.problem(name.to_owned(), e.to_string()),
        };
        self.tally.bytes_text += text.len() as u64;
        let w = &mut self.work;
        w.pending.clear();
        w.arena.clear();
        w.problems.clear();
        (w.records, w.judged_records, w.first_day, w.last_day) = (0, 0, None, None);
        let (alerts, window) = (self.alerts, self.window);
        if let Err(e) = split::read(text, |index, start| {
            w.record(alerts, window, text, index, start)
        }) {
            // Nothing of a file that is not a well-formed log is counted.
            return self.tally.problem(name.to_owned(), e.to_string());
        }
        let t = &mut self.tally;
        t.records += w.records;
        t.judged += w.judged_records;
        for d in [w.first_day, w.last_day].into_iter().flatten() {
            t.saw_day(d);
        }
        for (i, message) in w.problems.drain(..) {
            t.problem(format!("{name}: Records[{i}]"), message);
        }
        for p in w.pending.drain(..) {
            match p {
                Pending::Delivered { alert, at } => {
                    let field = |k: usize| w.arena.get(at[k]..at[k + 1]).unwrap_or_default();
                    if let Some(a) = t.alerts.get_mut(alert) {
                        a.deliver(&Delivered {
                            time: field(0),
                            id: field(1),
                            region: field(2),
                            event_name: field(3),
                            principal: field(4),
                        });
                    }
                }
                Pending::Withheld { alert, why } => {
                    if let Some(a) = t.alerts.get_mut(alert) {
                        *a.withheld.entry(why).or_default() += 1;
                    }
                }
            }
        }
    }
}

impl Work {
    /// Reads and judges the record at byte `start` of `text`; returns where it ends, or `None`
    /// when it could not be read (a problem, and the splitter passes over it).
    fn record(
        &mut self,
        alerts: &Alerts,
        window: Window,
        text: &str,
        index: usize,
        start: usize,
    ) -> Option<usize> {
        self.records += 1;
        let (end, head) = match alerts.read_record(text, start, &mut self.scratch) {
            Ok(read) => read,
            Err(e) => {
                self.problems
                    .push((index, format!("not a readable record: {e}")));
                return None;
            }
        };
        if end - start > MAX_RECORD_BYTES {
            let message = format!(
                "a record of {} KiB, larger than any CloudTrail writes ({} KiB): not matched",
                (end - start) >> 10,
                MAX_RECORD_BYTES >> 10
            );
            self.problems.push((index, message));
            return Some(end);
        }
        let fields = head.fields();
        let header = match fields.header() {
            Ok(h) => h,
            // Event types EventBridge does not receive (VPC endpoint events, …) are not alerts'.
            Err(EnvelopeError::UnknownType(_)) => return Some(end),
            Err(e) => {
                self.problems.push((index, e.to_string()));
                return Some(end);
            }
        };
        let day = self.days.of(header.time);
        if !window.holds_day(day) {
            return Some(end);
        }
        self.judged_records += 1;
        if let Some(day) = day {
            self.first_day = Some(self.first_day.map_or(day, |d| d.min(day)));
            self.last_day = Some(self.last_day.map_or(day, |d| d.max(day)));
        }
        let event_name = head.event_name.as_deref();
        let arrival = Arrival {
            region: Some(header.region),
            read_only: is_read_only_record(Some(header.detail_type), head.read_only, event_name),
        };
        alerts.judge_record(text, &header, arrival, &mut self.scratch, &mut self.judged);
        for &(alert, why) in &self.judged {
            if why != Delivery::Delivered {
                self.pending.push(Pending::Withheld { alert, why });
                continue;
            }
            let mut at = [0usize; 6];
            at[0] = self.arena.len();
            let fields = [
                header.time,
                header.id,
                header.region,
                event_name.unwrap_or("(none)"),
                head.principal(),
            ];
            for (k, text) in fields.into_iter().enumerate() {
                self.arena.push_str(text);
                at[k + 1] = self.arena.len();
            }
            self.pending.push(Pending::Delivered { alert, at });
        }
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::{Value, json};

    use super::*;
    use crate::model::alert::{Alert, Placement};
    use crate::pattern::Pattern;
    use crate::pattern::json::Json;
    use crate::verdict::Standing;

    fn alert(name: &str, pattern: Value, read_only: Option<bool>) -> (String, Pattern, Standing) {
        let compiled = Pattern::from_json(&Json::from_value(&pattern)).unwrap();
        let a = Alert {
            name: name.into(),
            description: None,
            pattern,
            notify: vec![],
            rule: None,
            payload: crate::model::alert::Payload::Message(None),
            tags: Default::default(),
            placement: Placement::Auto,
            enabled: true,
            read_only_events: read_only,
            tests: vec![],
            backend: crate::model::alert::Backend::EventBridge,
            metric: None,
            preset: None,
            path: crate::model::diagnostic::SpecPath::root(),
        };
        let regions: BTreeSet<String> = ["us-east-1".to_owned()].into();
        (name.into(), compiled, Standing::of(&a, regions))
    }

    fn record(name: &str, region: &str, time: &str, read_only: bool) -> Value {
        json!({"eventVersion": "1.08", "eventType": "AwsApiCall", "eventSource": "dynamodb.amazonaws.com",
            "eventName": name, "eventTime": time, "awsRegion": region, "readOnly": read_only,
            "recipientAccountId": "111122223333", "eventID": format!("{name}-{region}-{time}"),
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice"}})
    }

    #[test]
    fn delivered_withheld_and_windowed() {
        let alerts = Alerts::new(vec![
            alert(
                "deletes",
                json!({"source": ["aws.dynamodb"], "detail": {"eventName": ["DeleteTable"]}}),
                None,
            ),
            alert(
                "describes",
                json!({"source": ["aws.dynamodb"], "detail": {"eventName": ["DescribeTable"]}}),
                Some(false),
            ),
        ]);
        let log = json!({"Records": [
            record("DeleteTable", "us-east-1", "2026-10-01T10:00:00Z", false),
            record("DeleteTable", "eu-west-1", "2026-10-01T11:00:00Z", false),
            record("DescribeTable", "us-east-1", "2026-10-01T12:00:00Z", true),
            record("DeleteTable", "us-east-1", "2026-09-30T23:59:00Z", false),
            {"eventVersion": "1.08", "eventType": "AwsVpceEvent", "eventSource": "s3.amazonaws.com",
             "eventTime": "2026-10-01T00:00:00Z", "awsRegion": "us-east-1", "recipientAccountId": "1"},
        ]});
        let window = Window {
            since: Day::parse("2026-10-01"),
            until: None,
        };
        let mut reader = Reader::new(&alerts, window);
        reader.object("a.json", log.to_string().as_bytes(), false);
        let t = &reader.tally;
        assert_eq!((t.objects, t.records, t.judged), (1, 5, 3));
        assert_eq!(t.problem_count, 0, "{:?}", t.problems);
        let deletes = &t.alerts[0];
        assert_eq!(deletes.delivered, 1);
        assert_eq!(deletes.withheld.get(&Delivery::NotPlaced), Some(&1));
        assert_eq!(
            deletes
                .principals
                .get("arn:aws:iam::111122223333:user/alice"),
            Some(&1)
        );
        let describes = &t.alerts[1];
        assert_eq!(describes.delivered, 0);
        assert_eq!(
            describes.withheld.get(&Delivery::ReadOnlyWithheld),
            Some(&1)
        );
    }

    #[test]
    fn bad_objects_and_records_are_problems() {
        let alerts = Alerts::new(vec![]);
        let mut reader = Reader::new(&alerts, Window::default());
        reader.object("broken.json.gz", b"not gzip", true);
        reader.object("text.json", b"{\"Records\": [", false);
        let big = "x".repeat(MAX_RECORD_BYTES);
        let log = json!({"Records": [
            {"eventVersion": "1", "eventType": "AwsApiCall", "recipientAccountId": "1", "pad": big},
            {"eventVersion": "1", "eventType": "AwsApiCall", "eventSource": "s3.amazonaws.com",
             "eventTime": "t", "awsRegion": "r", "recipientAccountId": "1"},
        ]});
        reader.object("big.json", log.to_string().as_bytes(), false);
        let t = &reader.tally;
        assert_eq!(t.problem_count, 3, "{:?}", t.problems);
        let about = |object: &str| {
            t.problems
                .iter()
                .find(|p| p.object == object)
                .map(|p| p.message.clone())
                .unwrap_or_default()
        };
        assert!(about("big.json: Records[0]").contains("larger than"));
        assert!(about("broken.json.gz").contains("gzip"));
        assert!(about("text.json").contains("not JSON"));
        assert_eq!(t.records, 2);
    }
}
