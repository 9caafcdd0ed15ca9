//! An in-memory account for unit tests of observe, plan and apply: per-operation call counters,
//! and failure injection ("the k-th call of operation X fails with Y"). With the test-only
//! `fake` feature the binary runs on it too ([`Fake::open`]): its state (`fake_state.rs`) is a
//! JSON file, read when the command starts and written back when it ends, so the integration
//! tests drive the real CLI with no emulator.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::live::aws::operations as ops;
use crate::live::error::{ErrorKind, LiveError, LiveResult};
pub use crate::live::fake_state::{FAKE_ACCOUNT_VAR, FakeOrg, FakeTrail, State};
use crate::live::services::{CloudTrail, EventHistory, Kms, Lookup, S3, Sts, TrailListing};
use crate::model::arn;
use crate::model::desired::Insight;
use crate::model::observed::{LiveBucket, PolicyObservation, TrailDetails};
use crate::model::selector::AdvancedSelector;
use crate::model::state::Encryption;
use crate::model::state::TrailSettings;
use crate::model::tags::Tags;

/// The fake account. Single-threaded, like the code under test.
#[derive(Debug, Default)]
pub struct Fake {
    pub state: RefCell<State>,
    /// The file the state is written back to when the fake is dropped ([`Fake::open`]).
    file: Option<PathBuf>,
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(file) = &self.file
            && let Err(e) = self.state.borrow().write(file)
        {
            // A test tool: the test that reads the file next fails on what is missing.
            eprintln!("error: the fake account could not be saved: {e}");
        }
    }
}

impl Fake {
    pub fn new(account: &str) -> Self {
        let f = Fake::default();
        f.state.borrow_mut().account = account.to_owned();
        f
    }

    /// The account saved in `file` (at least `{"account": "ID"}`); its state is written back
    /// there when the fake is dropped, call counters and all.
    pub fn open(file: &Path) -> LiveResult<Fake> {
        let state = State::read(file).map_err(|e| {
            LiveError::new(
                "Fake:Open",
                None,
                ErrorKind::Service("FakeAccountFile".into()),
                format!("{}: {e}", file.display()),
            )
        })?;
        Ok(Fake {
            state: RefCell::new(state),
            file: Some(file.to_owned()),
        })
    }

    /// Makes the `n`-th call of `operation` (from now on, 1-based) fail with `kind`.
    pub fn fail(&self, operation: &str, n: usize, kind: ErrorKind) {
        let mut s = self.state.borrow_mut();
        let done = s.calls.get(operation).copied().unwrap_or(0);
        s.failures.push((operation.to_owned(), done + n, kind));
    }

    pub fn calls(&self, operation: &str) -> usize {
        self.state
            .borrow()
            .calls
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    pub fn total_calls(&self) -> usize {
        self.state.borrow().calls.values().sum()
    }

    pub fn reset_calls(&self) {
        self.state.borrow_mut().calls.clear();
    }

    pub(crate) fn call(&self, operation: &'static str, region: &str) -> LiveResult<()> {
        let mut s = self.state.borrow_mut();
        let n = s.calls.entry(operation.to_owned()).or_insert(0);
        *n += 1;
        let n = *n;
        if let Some(i) = s
            .failures
            .iter()
            .position(|(op, k, _)| *op == operation && *k == n)
        {
            let (_, _, kind) = s.failures.remove(i);
            return Err(LiveError::new(
                operation,
                Some(region),
                kind,
                "injected failure",
            ));
        }
        Ok(())
    }

    fn with_trail<T>(
        &self,
        op: &'static str,
        region: &str,
        name_or_arn: &str,
        f: impl FnOnce(&mut FakeTrail) -> T,
    ) -> LiveResult<T> {
        let mut s = self.state.borrow_mut();
        let account = s.account.clone();
        // An organization trail answers to its ARN only (as a delegated administrator finds).
        let t = s.trails.iter_mut().find(|((r, n), t)| {
            r == region
                && ((n == name_or_arn && !t.settings.organization)
                    || arn::trail(r, &account, n) == name_or_arn)
        });
        match t {
            Some((_, t)) => Ok(f(t)),
            None => Err(LiveError::new(
                op,
                Some(region),
                ErrorKind::Service("TrailNotFoundException".into()),
                name_or_arn,
            )),
        }
    }

    fn with_bucket(
        &self,
        op: &'static str,
        name: &str,
        f: impl FnOnce(&mut LiveBucket),
    ) -> LiveResult<()> {
        match self.state.borrow_mut().buckets.get_mut(name) {
            Some(b) => {
                f(b);
                Ok(())
            }
            None => Err(LiveError::new(
                op,
                None,
                ErrorKind::Service("NoSuchBucket".into()),
                name,
            )),
        }
    }
}

impl CloudTrail for Fake {
    async fn list_trails(&self, region: &str) -> LiveResult<Vec<(String, String, String)>> {
        self.call(ops::CLOUDTRAIL_LIST_TRAILS, region)?;
        let s = self.state.borrow();
        Ok(s.trails
            .keys()
            .map(|(r, n)| (n.clone(), arn::trail(r, &s.account, n), r.clone()))
            .collect())
    }

    async fn describe_trails(&self, region: &str) -> LiveResult<Vec<TrailListing>> {
        self.call(ops::CLOUDTRAIL_DESCRIBE_TRAILS, region)?;
        let s = self.state.borrow();
        Ok(s.trails
            .iter()
            .filter(|((r, _), _)| r == region)
            .map(|((r, n), t)| TrailListing {
                name: n.clone(),
                arn: arn::trail(r, &s.account, n),
                region: r.clone(),
                settings: t.settings.clone(),
            })
            .collect())
    }

    async fn list_tags(&self, region: &str, arns: &[String]) -> LiveResult<BTreeMap<String, Tags>> {
        self.call(ops::CLOUDTRAIL_LIST_TAGS, region)?;
        let s = self.state.borrow();
        Ok(arns
            .iter()
            .map(|a| (a.clone(), s.trail_tags.get(a).cloned().unwrap_or_default()))
            .collect())
    }

    async fn details(&self, region: &str, arn: &str) -> LiveResult<TrailDetails> {
        for op in [
            ops::CLOUDTRAIL_GET_TRAIL_STATUS,
            ops::CLOUDTRAIL_GET_EVENT_SELECTORS,
            ops::CLOUDTRAIL_GET_INSIGHT_SELECTORS,
        ] {
            self.call(op, region)?;
        }
        self.with_trail(ops::CLOUDTRAIL_GET_TRAIL_STATUS, region, arn, |t| {
            TrailDetails {
                logging: t.logging,
                selectors: t.selectors.clone(),
                insights: t.insights.clone(),
            }
        })
    }

    async fn create_trail(
        &self,
        region: &str,
        name: &str,
        settings: &TrailSettings,
        tags: &Tags,
    ) -> LiveResult<String> {
        self.call(ops::CLOUDTRAIL_CREATE_TRAIL, region)?;
        let mut s = self.state.borrow_mut();
        let key = (region.to_owned(), name.to_owned());
        if s.trails.contains_key(&key) {
            return Err(LiveError::new(
                ops::CLOUDTRAIL_CREATE_TRAIL,
                Some(region),
                ErrorKind::Service("TrailAlreadyExistsException".into()),
                name,
            ));
        }
        // Organization trails: the management account's, with CloudTrail's trusted access.
        if settings.organization {
            let refused = match &s.org {
                None => Some("NotOrganizationMasterAccountException"),
                Some(o) if o.info.management_account != s.account => {
                    Some("NotOrganizationMasterAccountException")
                }
                Some(o) if !o.trusted.contains(crate::model::org::CLOUDTRAIL_PRINCIPAL) => {
                    Some("CloudTrailAccessNotEnabledException")
                }
                Some(_) => None,
            };
            if let Some(code) = refused {
                return Err(LiveError::new(
                    ops::CLOUDTRAIL_CREATE_TRAIL,
                    Some(region),
                    ErrorKind::Service(code.into()),
                    name,
                ));
            }
        }
        let a = arn::trail(region, &s.account, name);
        s.trails.insert(
            key,
            FakeTrail {
                settings: settings.clone(),
                logging: false,
                selectors: crate::model::selector::classic_to_advanced(&[Default::default()]),
                insights: BTreeSet::new(),
            },
        );
        s.trail_tags.insert(a.clone(), tags.clone());
        Ok(a)
    }

    async fn update_trail(
        &self,
        region: &str,
        name: &str,
        settings: &TrailSettings,
    ) -> LiveResult<()> {
        self.call(ops::CLOUDTRAIL_UPDATE_TRAIL, region)?;
        self.with_trail(ops::CLOUDTRAIL_UPDATE_TRAIL, region, name, |t| {
            t.settings = settings.clone()
        })
    }

    async fn delete_trail(&self, region: &str, name: &str) -> LiveResult<()> {
        self.call(ops::CLOUDTRAIL_DELETE_TRAIL, region)?;
        let mut s = self.state.borrow_mut();
        let a = arn::trail(region, &s.account, name);
        s.trails.remove(&(region.to_owned(), name.to_owned()));
        s.trail_tags.remove(&a);
        Ok(())
    }

    async fn add_tags(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()> {
        self.call(ops::CLOUDTRAIL_ADD_TAGS, region)?;
        let mut s = self.state.borrow_mut();
        s.trail_tags
            .entry(arn.to_owned())
            .or_default()
            .extend(tags.clone());
        Ok(())
    }

    async fn remove_tags(
        &self,
        region: &str,
        arn: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        self.call(ops::CLOUDTRAIL_REMOVE_TAGS, region)?;
        let mut s = self.state.borrow_mut();
        if let Some(t) = s.trail_tags.get_mut(arn) {
            t.retain(|k, _| !keys.contains(k));
        }
        Ok(())
    }

    async fn put_selectors(
        &self,
        region: &str,
        name: &str,
        selectors: &[AdvancedSelector],
    ) -> LiveResult<()> {
        self.call(ops::CLOUDTRAIL_PUT_EVENT_SELECTORS, region)?;
        self.with_trail(ops::CLOUDTRAIL_PUT_EVENT_SELECTORS, region, name, |t| {
            t.selectors = selectors.to_vec()
        })
    }

    async fn put_insights(
        &self,
        region: &str,
        name: &str,
        insights: &BTreeSet<Insight>,
    ) -> LiveResult<()> {
        self.call(ops::CLOUDTRAIL_PUT_INSIGHT_SELECTORS, region)?;
        self.with_trail(ops::CLOUDTRAIL_PUT_INSIGHT_SELECTORS, region, name, |t| {
            t.insights = insights.clone()
        })
    }

    async fn set_logging(&self, region: &str, name: &str, on: bool) -> LiveResult<()> {
        let op = if on {
            ops::CLOUDTRAIL_START_LOGGING
        } else {
            ops::CLOUDTRAIL_STOP_LOGGING
        };
        self.call(op, region)?;
        self.with_trail(op, region, name, |t| t.logging = on)
    }
}

impl S3 for Fake {
    async fn bucket(&self, name: &str) -> LiveResult<Option<LiveBucket>> {
        self.call(ops::S3_GET_BUCKET_LOCATION, "us-east-1")?;
        let s = self.state.borrow();
        if s.foreign_buckets.contains(name) {
            return Err(LiveError::new(
                ops::S3_GET_BUCKET_LOCATION,
                None,
                ErrorKind::AccessDenied,
                name,
            ));
        }
        Ok(s.buckets.get(name).cloned())
    }

    async fn bucket_policy(&self, name: &str) -> LiveResult<PolicyObservation> {
        self.call(ops::S3_GET_BUCKET_POLICY, "us-east-1")?;
        let s = self.state.borrow();
        Ok(match s.buckets.get(name) {
            None => PolicyObservation::MissingBucket,
            Some(b) => b
                .policy
                .clone()
                .map_or(PolicyObservation::NoPolicy, PolicyObservation::Policy),
        })
    }

    async fn create_bucket(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        self.call(ops::S3_CREATE_BUCKET, region)?;
        self.state.borrow_mut().buckets.insert(
            name.to_owned(),
            LiveBucket {
                region: region.to_owned(),
                block_public_access: false,
                owner_enforced: false,
                encryption: Encryption::S3,
                retention_days: None,
                policy: None,
                access_logging: None,
                tags: tags.clone(),
            },
        );
        Ok(())
    }

    async fn block_public_access(&self, region: &str, name: &str) -> LiveResult<()> {
        self.call(ops::S3_PUT_PUBLIC_ACCESS_BLOCK, region)?;
        self.with_bucket(ops::S3_PUT_PUBLIC_ACCESS_BLOCK, name, |b| {
            b.block_public_access = true
        })
    }

    async fn enforce_bucket_owner(&self, region: &str, name: &str) -> LiveResult<()> {
        self.call(ops::S3_PUT_BUCKET_OWNERSHIP_CONTROLS, region)?;
        self.with_bucket(ops::S3_PUT_BUCKET_OWNERSHIP_CONTROLS, name, |b| {
            b.owner_enforced = true
        })
    }

    async fn put_encryption(
        &self,
        region: &str,
        name: &str,
        encryption: &Encryption,
    ) -> LiveResult<()> {
        self.call(ops::S3_PUT_BUCKET_ENCRYPTION, region)?;
        self.with_bucket(ops::S3_PUT_BUCKET_ENCRYPTION, name, |b| {
            b.encryption = encryption.clone()
        })
    }

    async fn put_access_logging(
        &self,
        region: &str,
        name: &str,
        logging: Option<&crate::model::state::AccessLogging>,
    ) -> LiveResult<()> {
        self.call(ops::S3_PUT_BUCKET_LOGGING, region)?;
        self.with_bucket(ops::S3_PUT_BUCKET_LOGGING, name, |b| {
            b.access_logging = logging.cloned()
        })
    }

    async fn put_retention(&self, region: &str, name: &str, days: Option<u32>) -> LiveResult<()> {
        self.call(ops::S3_PUT_BUCKET_LIFECYCLE_CONFIGURATION, region)?;
        self.with_bucket(ops::S3_PUT_BUCKET_LIFECYCLE_CONFIGURATION, name, |b| {
            b.retention_days = days
        })
    }

    async fn put_policy(&self, region: &str, name: &str, policy: Option<&Value>) -> LiveResult<()> {
        self.call(ops::S3_PUT_BUCKET_POLICY, region)?;
        self.with_bucket(ops::S3_PUT_BUCKET_POLICY, name, |b| {
            b.policy = policy.cloned()
        })
    }

    async fn put_tags(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        self.call(ops::S3_PUT_BUCKET_TAGGING, region)?;
        self.with_bucket(ops::S3_PUT_BUCKET_TAGGING, name, |b| b.tags = tags.clone())
    }
}

impl Sts for Fake {
    async fn account_id(&self) -> LiveResult<String> {
        self.call(ops::STS_GET_CALLER_IDENTITY, "us-east-1")?;
        Ok(self.state.borrow().account.clone())
    }
}

impl Kms for Fake {
    async fn key_arn(&self, region: &str, key: &str) -> LiveResult<Option<String>> {
        self.call(ops::KMS_DESCRIBE_KEY, region)?;
        Ok(self.state.borrow().kms.get(key).cloned())
    }
}

/// Event history as `LookupEvents` serves it: the records of the Region in the time range that
/// have the attribute, newest first, 50 a page (the token is the offset). `ResourceName`
/// matches a resource of the record (its ARN, or the ARN's last segment) or a string of its
/// request parameters, as event history derives resource names from both.
impl EventHistory for Fake {
    async fn lookup_events(
        &self,
        region: &str,
        lookup: &Lookup,
        start: i64,
        end: i64,
        token: Option<String>,
    ) -> LiveResult<(Vec<serde_json::Value>, Option<String>)> {
        self.call(ops::CLOUDTRAIL_LOOKUP_EVENTS, region)?;
        let s = self.state.borrow();
        let mut found: Vec<&serde_json::Value> = s
            .history
            .get(region)
            .into_iter()
            .flatten()
            .filter(|r| {
                let secs = r
                    .get("eventTime")
                    .and_then(serde_json::Value::as_str)
                    .and_then(epoch_seconds);
                secs.is_some_and(|t| t >= start && t <= end) && has_attribute(r, lookup)
            })
            .collect();
        found.sort_by(|a, b| b["eventTime"].as_str().cmp(&a["eventTime"].as_str()));
        let from: usize = token.and_then(|t| t.parse().ok()).unwrap_or(0);
        let page: Vec<serde_json::Value> = found
            .iter()
            .skip(from)
            .take(50)
            .map(|r| (*r).clone())
            .collect();
        let next = (from + 50 < found.len()).then(|| (from + 50).to_string());
        Ok((page, next))
    }
}

fn has_attribute(record: &serde_json::Value, lookup: &Lookup) -> bool {
    match lookup {
        Lookup::EventName(n) => {
            record.get("eventName").and_then(serde_json::Value::as_str) == Some(n)
        }
        Lookup::ResourceName(n) => {
            let in_resources = record
                .get("resources")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|rs| {
                    rs.iter()
                        .filter_map(|r| r.get("ARN").and_then(serde_json::Value::as_str))
                        .any(|a| a == n || a.rsplit(['/', ':']).next() == Some(n.as_str()))
                });
            let in_parameters = record
                .get("requestParameters")
                .and_then(serde_json::Value::as_object)
                .is_some_and(|m| m.values().any(|v| v.as_str() == Some(n.as_str())));
            in_resources || in_parameters
        }
    }
}

/// `2026-11-03T10:00:00Z` as Unix seconds.
fn epoch_seconds(time: &str) -> Option<i64> {
    let date: Vec<i64> = time
        .get(..10)?
        .split('-')
        .filter_map(|p| p.parse().ok())
        .collect();
    let [y, mo, d] = date[..] else { return None };
    let day = days_from_civil(y, mo, d);
    let clock: Vec<i64> = time
        .get(11..19)?
        .split(':')
        .filter_map(|p| p.parse().ok())
        .collect();
    let [h, m, sec] = clock[..] else { return None };
    Some(day * 86_400 + h * 3600 + m * 60 + sec)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
