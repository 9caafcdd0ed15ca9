//! Saved plans: `plan --out FILE` writes one, `apply FILE` and `show FILE` read it back.
//!
//! A saved plan is trusted for nothing (Terraform's "Saved plan is stale", made strict): `apply`
//! plans again from the spec and the account and applies only when the saved changes equal the
//! fresh ones exactly, so an edited file (even with its digest recomputed) or an account changed
//! since is refused before any write; then every resource is re-read before it is written, as
//! in any apply. The file also carries the spec's digest and the account (a plan for another spec
//! or account is refused first, with that reason) and a digest of its changes (an accidental
//! edit is told as such).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::digest::sha256 as digest;
use crate::model::json::canonical;
use crate::model::state::FieldValue;
use crate::plan::change::{Address, Change, Lint, Plan, Resource, Warning};
use crate::plan::cost::Estimate;
use crate::plan::saved_v1;

/// The saved-plan format this build writes. Format 3 carries each change's reductions as data
/// with a stable tag; format 1 carried their English text, which this build still reads.
pub const FORMAT_VERSION: u32 = 3;

/// The format of a saved organization plan this build writes: every target account's saved
/// plan in format 3. Format 2 held them in format 1, and is still read.
pub const ORG_FORMAT_VERSION: u32 = 4;

/// The account format an organization plan of format `org` holds, for the formats this build
/// reads.
fn account_format(org: u64) -> Option<u64> {
    match org {
        4 => Some(3),
        2 => Some(1),
        _ => None,
    }
}

/// The fingerprint of a resource that does not exist.
pub const ABSENT: &str = "absent";

/// A plan as written to a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    /// The trailctl that wrote it (informative: the format version decides compatibility).
    pub trailctl_version: String,
    /// `sha256:…` of the spec file the plan was made from.
    pub spec_digest: String,
    pub account: String,
    pub stack: String,
    pub home_region: String,
    pub regions: Vec<String>,
    /// In the order the plan lists them (apply orders them by dependency).
    pub changes: Vec<SavedChange>,
    pub warnings: Vec<Warning>,
    /// The spec's warnings and notes when the plan was made (absent from older v1 files).
    #[serde(default)]
    pub lints: Vec<Lint>,
    /// The cost estimate as planned (absent from older v1 files).
    #[serde(default)]
    pub cost: Estimate,
    /// `sha256:…` of `changes`, as written: a plan edited by hand is refused.
    pub changes_digest: String,
}

/// A change with the fingerprint of its resource as observed when the plan was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedChange {
    pub fingerprint: String,
    #[serde(flatten)]
    pub change: Change,
}

/// What the spec and the account must be for a saved plan to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub spec_digest: String,
    pub stack: String,
    pub home_region: String,
    pub regions: Vec<String>,
}

/// Why a saved plan cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedPlanError {
    #[error("not a trailctl plan file: {0}")]
    NotAPlan(String),
    #[error(
        "plan file format version {found} is not supported by this trailctl (it reads version {FORMAT_VERSION}); make the plan again with this version"
    )]
    UnknownVersion { found: u64 },
    #[error(
        "the plan file was modified after it was written (its changes no longer match their digest); make the plan again"
    )]
    Tampered,
    #[error(
        "the plan was made from another spec (spec digest {planned}, this spec {current}); make the plan again"
    )]
    OtherSpec { planned: String, current: String },
    #[error("the plan is for account {planned}, but the credentials are for account {current}")]
    OtherAccount { planned: String, current: String },
}

/// The fingerprint of a resource as observed: a digest of the fields a plan compares, JSON in
/// canonical form (so an equivalent rewrite is no change), or [`ABSENT`].
pub fn fingerprint(resource: Option<&Resource>) -> String {
    let Some(r) = resource else {
        return ABSENT.to_owned();
    };
    let fields: Map<String, Value> = r
        .fields()
        .into_iter()
        .map(|(name, v)| {
            let v = match v {
                FieldValue::Json(j) => canonical(&j),
                other => other.to_json(),
            };
            (name.to_owned(), v)
        })
        .collect();
    digest(Value::Object(fields).to_string().as_bytes())
}

fn changes_digest(changes: &[SavedChange]) -> Result<String, SavedPlanError> {
    serde_json::to_string(changes)
        .map(|s| digest(s.as_bytes()))
        .map_err(|e| SavedPlanError::NotAPlan(e.to_string()))
}

impl SavedPlan {
    /// Saves `plan`, made from the spec described by `context`.
    pub fn new(plan: &Plan, context: &Context) -> Result<Self, SavedPlanError> {
        let changes: Vec<SavedChange> = plan
            .changes
            .iter()
            .map(|c| SavedChange {
                fingerprint: fingerprint(c.before.as_ref()),
                change: c.clone(),
            })
            .collect();
        Ok(Self {
            format_version: FORMAT_VERSION,
            trailctl_version: env!("CARGO_PKG_VERSION").to_owned(),
            spec_digest: context.spec_digest.clone(),
            account: plan.account.clone(),
            stack: context.stack.clone(),
            home_region: context.home_region.clone(),
            regions: context.regions.clone(),
            changes_digest: changes_digest(&changes)?,
            changes,
            warnings: plan.warnings.clone(),
            lints: plan.lints.clone(),
            cost: plan.cost.clone(),
        })
    }

    /// The file's text: pretty JSON, one change per block, ending in a newline.
    pub fn encode(&self) -> Result<String, SavedPlanError> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|e| SavedPlanError::NotAPlan(e.to_string()))
    }

    /// Reads a plan file: JSON, a known format version, changes matching their digest. A file
    /// of format 1 is brought to format 3: its digest checked on the changes as it holds them,
    /// then its reductions read from their text.
    pub fn decode(text: &str) -> Result<Self, SavedPlanError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| SavedPlanError::NotAPlan(format!("not JSON ({e})")))?;
        match value.get("format_version").and_then(Value::as_u64) {
            Some(3) => {
                let saved: SavedPlan = serde_json::from_value(value)
                    .map_err(|e| SavedPlanError::NotAPlan(e.to_string()))?;
                if changes_digest(&saved.changes)? != saved.changes_digest {
                    return Err(SavedPlanError::Tampered);
                }
                Ok(saved)
            }
            Some(1) => {
                #[derive(Deserialize)]
                struct Written<'a> {
                    #[serde(borrow)]
                    changes: &'a serde_json::value::RawValue,
                    changes_digest: String,
                }
                let written: Written<'_> = serde_json::from_str(text)
                    .map_err(|e| SavedPlanError::NotAPlan(e.to_string()))?;
                if digest(saved_v1::compact(written.changes.get()).as_bytes())
                    != written.changes_digest
                {
                    return Err(SavedPlanError::Tampered);
                }
                let mut value = value;
                saved_v1::reductions_from_text(&mut value).map_err(SavedPlanError::NotAPlan)?;
                let mut saved: SavedPlan = serde_json::from_value(value)
                    .map_err(|e| SavedPlanError::NotAPlan(e.to_string()))?;
                saved.format_version = FORMAT_VERSION;
                saved.changes_digest = changes_digest(&saved.changes)?;
                Ok(saved)
            }
            Some(found) => Err(SavedPlanError::UnknownVersion { found }),
            None => Err(SavedPlanError::NotAPlan(
                "it has no `format_version`".to_owned(),
            )),
        }
    }

    /// Refuses a plan made from another spec than the one described by `context`.
    pub fn check_spec(&self, context: &Context) -> Result<(), SavedPlanError> {
        if self.spec_digest == context.spec_digest {
            Ok(())
        } else {
            Err(SavedPlanError::OtherSpec {
                planned: self.spec_digest.clone(),
                current: context.spec_digest.clone(),
            })
        }
    }

    /// Refuses a plan for another account than the credentials'.
    pub fn check_account(&self, account: &str) -> Result<(), SavedPlanError> {
        if self.account == account {
            Ok(())
        } else {
            Err(SavedPlanError::OtherAccount {
                planned: self.account.clone(),
                current: account.to_owned(),
            })
        }
    }

    /// The plan as `plan` made it (for `show` and `apply`).
    pub fn plan(&self) -> Plan {
        Plan {
            account: self.account.clone(),
            changes: self.changes.iter().map(|c| c.change.clone()).collect(),
            conflicts: Vec::new(),
            warnings: self.warnings.clone(),
            unmanaged: Vec::new(),
            lints: self.lints.clone(),
            cost: self.cost.clone(),
        }
    }

    /// The first resource (by address) whose change differs from the one `fresh` (the spec and
    /// the account planned again now) has for it, or that only one of the two changes: the file
    /// is trusted for nothing, so a saved plan applies only when it is exactly what would be
    /// planned now (the account did not change since, and the file was not edited).
    pub fn differs_from(&self, fresh: &Plan) -> Option<Address> {
        let saved: BTreeMap<&Address, &Change> = self
            .changes
            .iter()
            .map(|c| (&c.change.address, &c.change))
            .collect();
        let now: BTreeMap<&Address, &Change> =
            fresh.changes.iter().map(|c| (&c.address, c)).collect();
        saved
            .keys()
            .chain(now.keys())
            .copied()
            .collect::<std::collections::BTreeSet<&Address>>()
            .into_iter()
            .find(|a| saved.get(a) != now.get(a))
            .cloned()
    }
}

/// An organization's plan as written to a file: one saved plan per target account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedOrgPlan {
    pub format_version: u32,
    /// `o-…`.
    pub organization: String,
    pub management_account: String,
    pub security_account: String,
    /// The name of each account, by id.
    pub names: BTreeMap<String, String>,
    /// By account id.
    pub accounts: Vec<SavedPlan>,
}

/// A plan file of either shape.
#[derive(Debug, Clone, PartialEq)]
pub enum SavedFile {
    Account(Box<SavedPlan>),
    Organization(SavedOrgPlan),
}

impl SavedFile {
    /// Reads a plan file of either shape (told apart by `format_version`), every account's
    /// changes checked against their digest.
    pub fn decode(text: &str) -> Result<Self, SavedPlanError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| SavedPlanError::NotAPlan(format!("not JSON ({e})")))?;
        let Some(holds) = value
            .get("format_version")
            .and_then(Value::as_u64)
            .and_then(account_format)
        else {
            return SavedPlan::decode(text).map(|p| SavedFile::Account(Box::new(p)));
        };
        #[derive(Deserialize)]
        struct Written<'a> {
            organization: String,
            management_account: String,
            security_account: String,
            names: BTreeMap<String, String>,
            #[serde(borrow)]
            accounts: Vec<&'a serde_json::value::RawValue>,
        }
        let written: Written<'_> =
            serde_json::from_str(text).map_err(|e| SavedPlanError::NotAPlan(e.to_string()))?;
        let mut accounts = Vec::new();
        for a in written.accounts {
            let found = serde_json::from_str::<Value>(a.get())
                .ok()
                .and_then(|v| v.get("format_version").and_then(Value::as_u64));
            if found != Some(holds) {
                return Err(SavedPlanError::UnknownVersion {
                    found: found.unwrap_or(0),
                });
            }
            accounts.push(SavedPlan::decode(a.get())?);
        }
        Ok(SavedFile::Organization(SavedOrgPlan {
            format_version: ORG_FORMAT_VERSION,
            organization: written.organization,
            management_account: written.management_account,
            security_account: written.security_account,
            names: written.names,
            accounts,
        }))
    }
}

impl SavedOrgPlan {
    pub fn encode(&self) -> Result<String, SavedPlanError> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|e| SavedPlanError::NotAPlan(e.to_string()))
    }
}

/// Every change's address with the fingerprint of its resource as `plan` observed it.
pub fn fingerprints(plan: &Plan) -> BTreeMap<Address, String> {
    plan.changes
        .iter()
        .map(|c| (c.address.clone(), fingerprint(c.before.as_ref())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::{BucketState, Encryption};
    use crate::plan::change::Action;
    use crate::plan::ownership::change;

    fn bucket(retention: u32) -> Resource {
        Resource::Bucket(BucketState {
            name: "logs".into(),
            region: "us-east-1".into(),
            block_public_access: true,
            owner_enforced: true,
            encryption: Encryption::S3,
            retention_days: Some(retention),
            policy: Some(
                serde_json::json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetBucketAcl"]}]}),
            ),
            access_logging: None,
            tags: Default::default(),
        })
    }

    fn context() -> Context {
        Context {
            spec_digest: digest(b"spec"),
            stack: "s".into(),
            home_region: "us-east-1".into(),
            regions: vec!["us-east-1".into()],
        }
    }

    fn saved() -> SavedPlan {
        let plan = Plan {
            account: "111122223333".into(),
            changes: vec![change(
                Address::Bucket("logs".into()),
                Action::Update,
                Some(bucket(30)),
                Some(bucket(400)),
            )],
            ..Plan::default()
        };
        SavedPlan::new(&plan, &context()).unwrap()
    }

    #[test]
    fn a_saved_plan_round_trips() {
        let s = saved();
        let back = SavedPlan::decode(&s.encode().unwrap()).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.plan().changes[0].after, Some(bucket(400)));
        back.check_spec(&context()).unwrap();
        back.check_account("111122223333").unwrap();
    }

    #[test]
    fn a_v1_file_without_the_later_fields_still_reads() {
        let mut v: Value = serde_json::from_str(&saved().encode().unwrap()).unwrap();
        let map = v.as_object_mut().unwrap();
        assert!(map.remove("lints").is_some() && map.remove("cost").is_some());
        let back = SavedPlan::decode(&v.to_string()).unwrap();
        assert_eq!(back.lints, vec![]);
        assert_eq!(back.cost, Estimate::default());
    }

    /// A plan file written by the trailctl before format 3 (`tests/fixtures/plans`), whose
    /// reductions were English text: still read, its digest checked as written, and brought to
    /// format 3 with the same reductions as data.
    #[test]
    fn a_format_1_file_reads_with_its_reductions_as_data() {
        let v1 = include_str!("../../tests/fixtures/plans/v1-destructive.json");
        assert!(v1.contains("\"format_version\": 1"));
        let read = SavedPlan::decode(v1).unwrap();
        let now = super::tests_support::destructive_plan();
        assert_eq!(read, now);
        assert_eq!(read.format_version, 3);
        let text = read.encode().unwrap();
        assert!(
            text.contains("\"reduction\": \"stops_access_logging\""),
            "{text}"
        );
        assert_eq!(SavedPlan::decode(&text).unwrap(), now);
        // Its changes are still guarded by the digest they were written with.
        let edited = v1.replace(
            "excludes management events from kms",
            "excludes management events from sts",
        );
        assert_ne!(edited, v1);
        assert_eq!(SavedPlan::decode(&edited), Err(SavedPlanError::Tampered));
        // An organization plan of format 2 holds format-1 plans: read the same way.
        let org = format!(
            r#"{{"format_version": 2, "organization": "o-abc", "management_account": "111122223333",
                "security_account": "444455556666", "names": {{}}, "accounts": [{v1}]}}"#
        );
        let SavedFile::Organization(o) = SavedFile::decode(&org).unwrap() else {
            panic!("not an organization plan")
        };
        assert_eq!(o.format_version, ORG_FORMAT_VERSION);
        assert_eq!(o.accounts, vec![now]);
    }

    #[test]
    fn fingerprints_follow_meaning_not_spelling() {
        let mut reordered = bucket(30);
        if let Resource::Bucket(b) = &mut reordered {
            b.policy = Some(
                serde_json::json!({"Statement": {"Action": "s3:GetBucketAcl", "Effect": "Allow"}}),
            );
        }
        assert_eq!(
            fingerprint(Some(&bucket(30))),
            fingerprint(Some(&reordered))
        );
        assert_ne!(
            fingerprint(Some(&bucket(30))),
            fingerprint(Some(&bucket(31)))
        );
        assert_eq!(fingerprint(None), ABSENT);
    }

    #[test]
    fn unusable_plan_files_are_refused_with_their_reason() {
        assert!(matches!(
            SavedPlan::decode("plan"),
            Err(SavedPlanError::NotAPlan(_))
        ));
        let text = saved().encode().unwrap();
        let v2 = text.replace("\"format_version\": 3", "\"format_version\": 2");
        assert_ne!(v2, text);
        assert_eq!(
            SavedPlan::decode(&v2),
            Err(SavedPlanError::UnknownVersion { found: 2 })
        );
        let edited = text.replace("\"retention_days\": 400", "\"retention_days\": 1");
        assert_ne!(edited, text);
        assert_eq!(SavedPlan::decode(&edited), Err(SavedPlanError::Tampered));
        let s = saved();
        assert!(matches!(
            s.check_account("999999999999"),
            Err(SavedPlanError::OtherAccount { .. })
        ));
        let other = Context {
            spec_digest: digest(b"another spec"),
            ..context()
        };
        assert!(matches!(
            s.check_spec(&other),
            Err(SavedPlanError::OtherSpec { .. })
        ));
    }
}
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::model::state::{BucketState, Encryption};
    use crate::plan::change::Action;
    use crate::plan::ownership::change;
    use crate::plan::safety::Reduction;

    fn bucket(retention: Option<u32>, logging: bool) -> Resource {
        Resource::Bucket(BucketState {
            name: "logs".into(),
            region: "us-east-1".into(),
            block_public_access: true,
            owner_enforced: true,
            encryption: Encryption::S3,
            retention_days: retention,
            policy: None,
            access_logging: logging.then(|| crate::model::state::AccessLogging {
                bucket: "access".into(),
                prefix: "logs/".into(),
            }),
            tags: Default::default(),
        })
    }

    /// A plan whose changes carry reductions of several shapes (fixed, with a value, with two).
    pub fn destructive_plan() -> SavedPlan {
        let mut update = change(
            Address::Bucket("logs".into()),
            Action::Update,
            Some(bucket(None, true)),
            Some(bucket(Some(30), false)),
        );
        update.destructive = vec![
            Reduction::ShorterRetention {
                days: 30,
                was: None,
            },
            Reduction::StopsAccessLogging,
        ];
        let mut gone = change(Address::Trail("audit".into()), Action::Delete, None, None);
        gone.destructive = vec![
            Reduction::Deletes,
            Reduction::Replaces {
                from: "us-east-1".into(),
                to: "eu-west-1".into(),
            },
            Reduction::ExcludesSource {
                source: "kms.amazonaws.com".into(),
            },
        ];
        let plan = Plan {
            account: "111122223333".into(),
            changes: vec![update, gone],
            ..Plan::default()
        };
        let context = Context {
            spec_digest: crate::model::digest::sha256(b"a spec"),
            stack: "audit".into(),
            home_region: "us-east-1".into(),
            regions: vec!["us-east-1".into()],
        };
        SavedPlan::new(&plan, &context).unwrap()
    }
}
