//! A trail's selectors as the spec writes them: `management_events`,
//! `exclude_management_sources` and `data_events` when those say exactly the same (checked by
//! expanding them again and comparing by meaning, as plans compare), else verbatim as
//! `advanced_event_selectors`.

use serde_yaml::{Mapping, Value as Yaml};

use crate::init::node::{list, put, text};
use crate::model::json::equivalent;
use crate::model::selector::{
    Access, AdvancedSelector, DataEvents, ManagementEvents, RESOURCE_SHORT_NAMES,
    management_selector,
};
use crate::model::state::selectors_json;

/// The selectors as `management_events`, `exclude_management_sources` and `data_events` when
/// those say exactly the same, else verbatim as `advanced_event_selectors`.
pub fn write(m: &mut Mapping, live: &[AdvancedSelector]) {
    if let Some((management, excluded, data)) = shorthand(live) {
        let candidate: Vec<AdvancedSelector> = management_selector(management, &excluded)
            .into_iter()
            .chain(data.iter().map(DataEvents::to_selector))
            .collect();
        if equivalent(&selectors_json(&candidate), &selectors_json(live)) {
            if management != ManagementEvents::All {
                put(m, "management_events", text(management.name()));
            }
            if !excluded.is_empty() {
                put(m, "exclude_management_sources", list(&excluded));
            }
            if !data.is_empty() {
                let items = data.iter().map(data_events).collect();
                put(m, "data_events", Yaml::Sequence(items));
            }
            return;
        }
    }
    let raw = live
        .iter()
        .map(|s| {
            let mut sm = Mapping::new();
            if let Some(n) = &s.name {
                put(&mut sm, "Name", text(n));
            }
            let fields = s
                .fields
                .iter()
                .map(|f| {
                    let mut fm = Mapping::new();
                    put(&mut fm, "Field", text(&f.field));
                    for (op, values) in f.conditions() {
                        if !values.is_empty() {
                            put(&mut fm, op, list(values));
                        }
                    }
                    Yaml::Mapping(fm)
                })
                .collect();
            put(&mut sm, "FieldSelectors", Yaml::Sequence(fields));
            Yaml::Mapping(sm)
        })
        .collect();
    put(m, "advanced_event_selectors", Yaml::Sequence(raw));
}

/// A loose reading of selectors as the shorthands; the caller checks it says the same.
fn shorthand(
    live: &[AdvancedSelector],
) -> Option<(ManagementEvents, Vec<String>, Vec<DataEvents>)> {
    let mut management = None;
    let mut data = Vec::new();
    for s in live {
        match s.equals_of("eventCategory") {
            Some([c]) if c == "Management" && management.is_none() => {
                let read_only = s.equals_of("readOnly").and_then(|v| v.first());
                let events = match read_only.map(String::as_str) {
                    None => ManagementEvents::All,
                    Some("true") => ManagementEvents::ReadOnly,
                    Some("false") => ManagementEvents::WriteOnly,
                    Some(_) => return None,
                };
                let excluded = s
                    .fields
                    .iter()
                    .find(|f| f.field == "eventSource")
                    .map(|f| f.not_equals.clone())
                    .unwrap_or_default();
                management = Some((events, excluded));
            }
            Some([c]) if c == "Data" => {
                let resource_type = s.equals_of("resources.type")?.first()?.clone();
                let arn_prefixes = s
                    .fields
                    .iter()
                    .find(|f| f.field == "resources.ARN")
                    .map(|f| f.starts_with.clone())
                    .unwrap_or_default();
                let access = match s.equals_of("readOnly").and_then(|v| v.first()) {
                    None => Access::All,
                    Some(v) if v == "true" => Access::Read,
                    Some(_) => Access::Write,
                };
                let event_names = s
                    .equals_of("eventName")
                    .map(<[String]>::to_vec)
                    .unwrap_or_default();
                data.push(DataEvents {
                    resource_type,
                    arn_prefixes,
                    access,
                    event_names,
                });
            }
            _ => return None,
        }
    }
    let (events, excluded) = management.unwrap_or((ManagementEvents::None, Vec::new()));
    Some((events, excluded, data))
}

fn data_events(d: &DataEvents) -> Yaml {
    let mut m = Mapping::new();
    let short = RESOURCE_SHORT_NAMES
        .iter()
        .find(|(_, t, _)| *t == d.resource_type)
        .map_or(d.resource_type.as_str(), |(s, _, _)| *s);
    put(&mut m, "resource", text(short));
    if !d.arn_prefixes.is_empty() {
        put(&mut m, "arns", list(&d.arn_prefixes));
    }
    match d.access {
        Access::All => {}
        Access::Read => put(&mut m, "access", text("read")),
        Access::Write => put(&mut m, "access", text("write")),
    }
    if !d.event_names.is_empty() {
        put(&mut m, "events", list(&d.event_names));
    }
    Yaml::Mapping(m)
}
