//! Every alert of a spec at once, over the records of CloudTrail log files: each record is read
//! once, in place in its log file's text, for every field a pattern names, every value a metric
//! filter's selector picks and the record's own envelope fields; its EventBridge envelope is
//! then added around what was read (never written out as text), the patterns' index decides the
//! rules, the picked values decide the filters, and each match's standing decides its delivery.

use std::borrow::Cow;

use crate::filter::{Filter, Slotted};
use crate::model::envelope::{Header, RecordFields};
use crate::pattern::{EventError, Pattern, RuleSet, Scratch, Top};

use super::{Arrival, Delivery, Standing};

/// The members of a record read besides what the alerts name: its envelope's, and who called.
const HEAD: [&str; 12] = [
    "detail.eventType",
    "detail.eventSource",
    "detail.recipientAccountId",
    "detail.userIdentity.accountId",
    "detail.eventTime",
    "detail.awsRegion",
    "detail.eventID",
    "detail.eventName",
    "detail.readOnly",
    "detail.userIdentity.arn",
    "detail.userIdentity.invokedBy",
    "detail.userIdentity.type",
];

/// The members of the EventBridge envelope around a record (`resources`, always empty, has
/// no value to add).
const ENVELOPE: [&str; 7] = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
];

/// Up to this many picks, what each found is made once per record.
const MEMO_PICKS: usize = 32;

/// Every alert of a spec, indexed for many records.
#[derive(Debug, Clone)]
pub struct Alerts {
    rules: RuleSet,
    standings: Vec<Standing>,
    /// The metric filters of alerts deployed on that backend, over picked values, each with
    /// its alarm's standing; results are reported after the rules', in order.
    filters: Vec<(Slotted, Standing)>,
    /// The field ids of `HEAD`.
    head: [u32; 12],
    /// The field ids of `ENVELOPE`'s members, where some pattern names them.
    envelope: [Option<u32>; 7],
    names: Vec<String>,
}

/// What a record holds of its own envelope and of its caller, read on the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordHead<'t> {
    event_type: Option<Cow<'t, str>>,
    event_source: Option<Cow<'t, str>>,
    recipient_account_id: Option<Cow<'t, str>>,
    identity_account_id: Option<Cow<'t, str>>,
    event_time: Option<Cow<'t, str>>,
    aws_region: Option<Cow<'t, str>>,
    event_id: Option<Cow<'t, str>>,
    pub event_name: Option<Cow<'t, str>>,
    pub read_only: Option<bool>,
    arn: Option<Cow<'t, str>>,
    invoked_by: Option<Cow<'t, str>>,
    identity_type: Option<Cow<'t, str>>,
}

impl RecordHead<'_> {
    /// The envelope's fields.
    pub fn fields(&self) -> RecordFields<'_> {
        RecordFields {
            event_type: self.event_type.as_deref(),
            event_source: self.event_source.as_deref(),
            recipient_account_id: self.recipient_account_id.as_deref(),
            identity_account_id: self.identity_account_id.as_deref(),
            event_time: self.event_time.as_deref(),
            aws_region: self.aws_region.as_deref(),
            event_id: self.event_id.as_deref(),
        }
    }

    /// Who made the call: `userIdentity.arn`, else the service that did (`invokedBy`), else
    /// the identity type.
    pub fn principal(&self) -> &str {
        self.arn
            .as_deref()
            .or(self.invoked_by.as_deref())
            .or(self.identity_type.as_deref())
            .unwrap_or("(no userIdentity)")
    }
}

impl Alerts {
    /// `(alert name, compiled pattern, standing)` in the order results are reported.
    pub fn new(alerts: Vec<(String, Pattern, Standing)>) -> Alerts {
        let mut rules = Vec::with_capacity(alerts.len());
        let mut standings = Vec::with_capacity(alerts.len());
        for (name, pattern, standing) in alerts {
            rules.push((name, pattern));
            standings.push(standing);
        }
        let mut rules = RuleSet::new(rules);
        let head = HEAD.map(|path| rules.read_also(path));
        let envelope = ENVELOPE.map(|key| rules.root_field(key));
        Alerts {
            envelope,
            names: rules.names().to_vec(),
            rules,
            standings,
            filters: Vec::new(),
            head,
        }
    }

    /// Adds metric filters: `(name, filter, enabled)`; each counts the records it matches,
    /// in every Region and read-only or not, as the log group holds them.
    pub fn with_filters(mut self, filters: Vec<(String, Filter, bool)>) -> Alerts {
        for (name, filter, enabled) in filters {
            self.names.push(name);
            let rules = &mut self.rules;
            let slotted = filter.slotted(&mut |selector| rules.pick(&selector.steps));
            self.filters.push((slotted, Standing::of_filter(enabled)));
        }
        self
    }

    /// The names results are reported under: the rules', then the filters'.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Reads the CloudTrail record at byte `start` of the log file `text`, once for every
    /// alert; returns where it ends and what it holds of its envelope and caller. Then
    /// `judge_record` decides the alerts on it.
    pub fn read_record<'t>(
        &self,
        text: &'t str,
        start: usize,
        scratch: &mut Scratch,
    ) -> Result<(usize, RecordHead<'t>), EventError> {
        let end = self.rules.read_member(text, start, "detail", scratch)?;
        let str_at = |k: usize| match scratch.top(text, self.head[k]) {
            Some(Top::Str(s)) => Some(s),
            _ => None,
        };
        let head = RecordHead {
            event_type: str_at(0),
            event_source: str_at(1),
            recipient_account_id: str_at(2),
            identity_account_id: str_at(3),
            event_time: str_at(4),
            aws_region: str_at(5),
            event_id: str_at(6),
            event_name: str_at(7),
            read_only: match scratch.top(text, self.head[8]) {
                Some(Top::Bool(b)) => Some(b),
                _ => None,
            },
            arn: str_at(9),
            invoked_by: str_at(10),
            identity_type: str_at(11),
        };
        Ok((end, head))
    }

    /// The alerts (by result index) that the record read last from `text` reaches, as the
    /// event `header` wraps it and as it arrives (`event`), each with what happens to it:
    /// the rules' first, then the filters' (which see every record of the log group).
    pub fn judge_record(
        &self,
        text: &str,
        header: &Header<'_>,
        event: Arrival<'_>,
        scratch: &mut Scratch,
        out: &mut Vec<(usize, Delivery)>,
    ) {
        out.clear();
        let values: [&[&str]; 7] = [
            &["0"],
            &[header.id],
            &[header.detail_type],
            &header.source_pieces(),
            &[header.account],
            &[header.time],
            &[header.region],
        ];
        for (field, pieces) in self.envelope.iter().zip(values) {
            if let Some(field) = field {
                self.rules.add_str(scratch, *field, pieces);
            }
        }
        for &i in self.rules.matched(text, scratch) {
            if let Some(s) = self.standings.get(i) {
                out.push((i, s.delivery(true, event)));
            }
        }
        let first = self.standings.len();
        // What each pick found, made once per record (filters ask for the same few values).
        let mut memo = [None; MEMO_PICKS];
        let memoized = self.rules.picks() <= MEMO_PICKS;
        if memoized {
            for (slot, m) in memo.iter_mut().enumerate().take(self.rules.picks()) {
                *m = scratch.picked(text, slot as u32);
            }
        }
        let found = |slot: u32| match memo.get(slot as usize) {
            Some(m) if memoized => *m,
            _ => scratch.picked(text, slot),
        };
        for (i, (filter, standing)) in self.filters.iter().enumerate() {
            if filter.matches(&found) {
                out.push((first + i, standing.delivery(true, event)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::{Value, json};

    use super::*;
    use crate::model::alert::{Alert, Backend, Payload, Placement};
    use crate::model::envelope::eventbridge_event;
    use crate::pattern::json::Json;

    fn standing(read_only: Option<bool>) -> Standing {
        let a = Alert {
            name: "a".into(),
            description: None,
            pattern: json!({}),
            notify: vec![],
            rule: None,
            payload: Payload::Message(None),
            tags: Default::default(),
            placement: Placement::Auto,
            enabled: true,
            read_only_events: read_only,
            tests: vec![],
            backend: Backend::EventBridge,
            metric: None,
            preset: None,
            path: crate::model::diagnostic::SpecPath::root(),
        };
        Standing::of(&a, ["us-east-1".to_owned()].into())
    }

    fn records() -> Vec<Value> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/cloudtrail/stratus-red-team");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let list: Vec<Value> =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                out.extend(list);
            }
        }
        // Escaped envelope fields, an account from the caller, a Region everything has a rule
        // in, and a member written twice.
        let mut odd = out[0].clone();
        odd["eventID"] = json!("a\"b\\c\u{1}");
        odd["awsRegion"] = json!("us-east-1");
        odd["eventSource"] = json!("ec2.amazonaws.com\u{7f}");
        out.push(odd);
        let mut odd = out[1].clone();
        odd.as_object_mut().unwrap().remove("recipientAccountId");
        odd["userIdentity"]["accountId"] = json!("999988887777");
        odd["awsRegion"] = json!("us-east-1");
        out.push(odd);
        out
    }

    /// Reading each record once in its log file's text, with its envelope added around what
    /// was read, decides every preset's pattern and filter as matching the whole EventBridge
    /// event and the whole parsed record does.
    #[test]
    fn one_pass_over_a_record_decides_as_its_whole_event() {
        let presets = crate::model::presets::all();
        let mut rules = Vec::new();
        let mut filters = Vec::new();
        for (i, p) in presets.iter().enumerate() {
            let pattern =
                crate::pattern::Pattern::from_json(&Json::from_value(&p.pattern)).unwrap();
            rules.push((p.id.clone(), pattern, standing(Some(i % 2 == 0))));
            if let Some(f) = &p.filter {
                filters.push((p.id.clone(), Filter::parse(f).unwrap(), i % 3 != 0));
            }
        }
        let alerts = Alerts::new(rules.clone()).with_filters(filters.clone());
        let records = records();
        let text = json!({ "Records": records }).to_string();
        let (mut scratch, mut whole_scratch) = (Scratch::default(), Scratch::default());
        let mut judged = Vec::new();
        let (mut i, mut decided) = (0, 0);
        crate::archive::split::read(&text, |_, start| {
            let record = &records[i];
            i += 1;
            let (end, head) = alerts.read_record(&text, start, &mut scratch).unwrap();
            assert_eq!(
                serde_json::from_str::<Value>(&text[start..end]).unwrap(),
                *record
            );
            let want = RecordFields::of(record);
            let fields = head.fields();
            assert_eq!(fields.header(), want.header(), "{record}");
            assert_eq!(head.read_only, record["readOnly"].as_bool());
            assert_eq!(head.event_name.as_deref(), record["eventName"].as_str());
            let Ok(header) = fields.header() else {
                return Some(end);
            };
            let arrival = Arrival {
                region: Some(header.region),
                read_only: record["readOnly"] == json!(true),
            };
            alerts.judge_record(&text, &header, arrival, &mut scratch, &mut judged);
            // The same decisions on the whole event and the whole record.
            let event = eventbridge_event(record).unwrap().to_string();
            let mut want = Vec::new();
            for (n, (name, pattern, standing)) in rules.iter().enumerate() {
                let set = RuleSet::new(vec![(name.clone(), pattern.clone())]);
                if !set.matches(&event, &mut whole_scratch).unwrap().is_empty() {
                    want.push((n, standing.delivery(true, arrival)));
                }
            }
            for (n, (_, f, enabled)) in filters.iter().enumerate() {
                if f.matches(record) {
                    let d = if *enabled {
                        Delivery::Delivered
                    } else {
                        Delivery::Disabled
                    };
                    want.push((rules.len() + n, d));
                }
            }
            assert_eq!(judged, want, "{record}");
            decided += judged.len();
            Some(end)
        })
        .unwrap();
        assert_eq!(i, records.len());
        assert!(decided > 20, "{decided}");
        let principals: BTreeSet<String> = records
            .iter()
            .filter_map(|r| r["userIdentity"]["arn"].as_str().map(str::to_owned))
            .collect();
        assert!(principals.len() > 5);
    }
}
