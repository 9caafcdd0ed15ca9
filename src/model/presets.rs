//! The preset alert catalogue, embedded in the binary (`presets/catalogue.json`): the CIS AWS
//! Foundations monitoring controls 4.1–4.15 (5.1–5.15 from CIS v6), strict variants where the
//! CIS lists miss newer APIs, and the seed's three scenarios. Each preset carries its pattern,
//! where its events arrive, its rule state, and fixtures: records it must and must not match
//! (Stratus Red Team records where one fits, Apache-2.0, see `presets/LICENSE.stratus-red-team`;
//! minimal ones written for trailctl otherwise). A preset with a Security Hub control also
//! carries the control's CloudWatch Logs filter, quoted byte for byte with its source, for the
//! metric-filter backend.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::event_sources::GLOBAL_REGION;

/// The sets a spec can name with `- preset: SET`.
pub const SETS: &[&str] = &["cis", "strict", "seed"];

/// One preset alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    /// `cis-4.10-security-group-changes`: also the alert's default name.
    pub id: String,
    pub title: String,
    pub description: String,
    /// The CIS control numbers, when the preset is one.
    pub cis: Option<CisNumbers>,
    /// The AWS Security Hub control, where one exists (`CloudWatch.10`).
    pub security_hub: Option<String>,
    /// The sets it belongs to (`cis`, `strict`, `seed`).
    pub sets: Vec<String>,
    /// The EventBridge pattern.
    pub pattern: Value,
    /// The CloudWatch Logs metric filter the Security Hub control checks for, byte for byte
    /// (`None`: no control checks one; the filter backend derives it from the pattern).
    pub filter: Option<String>,
    /// Where the filter text is quoted from.
    pub filter_source: Option<String>,
    pub scope: Scope,
    /// Whether its rule must take read-only management events
    /// (`ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`).
    pub read_only_events: bool,
    /// The default message (`None`: trailctl's default message).
    pub message: Option<String>,
    pub references: Vec<String>,
    pub fixtures: Fixtures,
}

/// CIS numbering: section 4 up to v3.0, section 5 from v6.0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CisNumbers {
    pub v1_4_to_v3: String,
    pub v6: String,
}

/// Where a preset's events arrive, hence where its rules go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Global services (IAM, Organizations): their events arrive in us-east-1 only.
    #[serde(rename = "us_east_1")]
    UsEast1,
    /// Regional services: every Region of the spec.
    AllRegions,
    /// Console sign-in: the Region of the sign-in endpoint used, so every Region.
    SignIn,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::UsEast1 => "us-east-1 only",
            Scope::AllRegions => "every Region",
            Scope::SignIn => "sign-in (every Region)",
        }
    }

    /// The Region a fixture's event arrives in, for an alert of this scope homed in `home`.
    pub fn fixture_region(self, home: &str) -> &str {
        match self {
            Scope::UsEast1 => GLOBAL_REGION,
            Scope::AllRegions | Scope::SignIn => home,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fixtures {
    #[serde(rename = "match")]
    pub matching: Vec<Fixture>,
    pub no_match: Vec<Fixture>,
}

/// A CloudTrail record and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fixture {
    pub source: String,
    /// Why the preset's metric filter decides this record the other way than its rule (a CIS
    /// filter is quoted byte for byte, so it cannot be corrected as the pattern is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_differs: Option<String>,
    pub record: Value,
}

#[derive(Deserialize)]
struct Catalogue {
    presets: Vec<Preset>,
}

/// Every preset, in catalogue order.
pub fn all() -> &'static [Preset] {
    static CATALOGUE: OnceLock<Vec<Preset>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // The catalogue is part of the binary; a unit test proves it parses.
        serde_json::from_str::<Catalogue>(include_str!("presets/catalogue.json"))
            .map(|c| c.presets)
            .unwrap_or_default()
    })
}

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    all().iter().find(|p| p.id == id)
}

/// The presets of a set (`cis`, `strict`, `seed`).
pub fn set(name: &str) -> Vec<&'static Preset> {
    all()
        .iter()
        .filter(|p| p.sets.iter().any(|s| s == name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::envelope::eventbridge_event;
    use crate::pattern::Pattern;

    #[test]
    fn the_embedded_catalogue_parses() {
        let c: Result<Catalogue, _> = serde_json::from_str(include_str!("presets/catalogue.json"));
        assert!(c.is_ok(), "{:?}", c.err());
    }

    #[test]
    fn the_catalogue_has_every_cis_control_and_the_seed_scenarios() {
        let cis: Vec<_> = set("cis")
            .iter()
            .filter_map(|p| p.cis.as_ref().map(|c| c.v1_4_to_v3.clone()))
            .collect();
        let expected: Vec<String> = (1..=15).map(|n| format!("4.{n}")).collect();
        assert_eq!(cis, expected);
        assert_eq!(set("seed").len(), 3);
        assert!(set("strict").len() >= 4);
        for p in all() {
            assert!(
                !p.fixtures.matching.is_empty() && !p.fixtures.no_match.is_empty(),
                "{}",
                p.id
            );
        }
    }

    /// Every preset with a Security Hub control carries the control's filter and its source; a
    /// preset without one carries a filter only where an auditor reads its text (Prowler's
    /// checks want the names in their order); every fixture decides each filter as the preset
    /// says (`filter_differs` the exceptions).
    #[test]
    fn every_control_has_its_filter_and_the_fixtures_agree_with_it() {
        let mut controls = 0;
        for p in all() {
            let source = p.filter_source.as_deref().unwrap_or_default();
            match &p.security_hub {
                None if p.filter.is_some() => assert!(source.contains("Prowler"), "{}", p.id),
                None => continue,
                Some(control) => {
                    controls += 1;
                    assert!(p.filter.is_some(), "{}", p.id);
                    assert!(
                        source.contains(&control.to_lowercase().replace('.', "-")),
                        "{}",
                        p.id
                    );
                }
            }
            let text = p.filter.as_ref().unwrap_or_else(|| panic!("{}", p.id));
            let filter = crate::filter::Filter::parse(text).unwrap();
            for (fixtures, want) in [(&p.fixtures.matching, true), (&p.fixtures.no_match, false)] {
                for f in fixtures {
                    let want = want != f.filter_differs.is_some();
                    assert_eq!(filter.matches(&f.record), want, "{}: {}", p.id, f.source);
                }
            }
        }
        assert_eq!(controls, 14);
    }

    /// Every preset's fixtures, wrapped as EventBridge delivers them, against its pattern.
    #[test]
    fn every_preset_matches_its_fixtures_and_nothing_else() {
        for p in all() {
            let pattern = Pattern::parse(&p.pattern.to_string())
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.id));
            for (fixtures, want) in [(&p.fixtures.matching, true), (&p.fixtures.no_match, false)] {
                for f in fixtures {
                    let event = eventbridge_event(&f.record).unwrap();
                    assert_eq!(
                        pattern.matches(&event.to_string()).unwrap(),
                        want,
                        "{}: {} ({})",
                        p.id,
                        f.record["eventName"],
                        f.source
                    );
                }
            }
        }
    }
}
