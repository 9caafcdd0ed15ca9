//! A plan: one `Change` per resource, plus what stops it from being applied and what to know.
//!
//! `apply` reads only `Change { address, action, before, after }`; the destructive reasons and
//! warnings are for people (and for the `--allow-destroy` gate).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::alert_state::{AlertState, RoleState, TopicState};
use crate::model::athena_state::{DatabaseState, TableState, WorkgroupState};
use crate::model::bus_state::BusPolicyState;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::logs_state::{AlarmState, LogGroupState, MetricFilterState};
use crate::model::state::{BucketState, Fields, TrailState};
use crate::plan::cost::Estimate;
use crate::plan::safety::Reduction;

/// A resource's address, as shown and as targeted: `bucket.NAME`, `trail.NAME`. Saved and shown
/// in JSON as that string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Address {
    Bucket(String),
    Trail(String),
    Topic(String),
    Alert(String),
    Role(String),
    /// A Glue database.
    Database(String),
    /// A Glue table: `DATABASE.TABLE`.
    Table(String),
    /// An Athena workgroup.
    Workgroup(String),
    /// A CloudWatch Logs log group a trail delivers to.
    LogGroup(String),
    /// An alert's metric filter (by the alert's name).
    MetricFilter(String),
    /// An alert's metric alarm (by the alert's name).
    Alarm(String),
    /// The statement of the default bus's policy (in the home Region) that admits the
    /// organization (by the stack's name).
    BusPolicy(String),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Bucket(n) => write!(f, "bucket.{n}"),
            Address::Trail(n) => write!(f, "trail.{n}"),
            Address::Topic(n) => write!(f, "topic.{n}"),
            Address::Alert(n) => write!(f, "alert.{n}"),
            Address::Role(n) => write!(f, "role.{n}"),
            Address::Database(n) => write!(f, "database.{n}"),
            Address::Table(n) => write!(f, "table.{n}"),
            Address::Workgroup(n) => write!(f, "workgroup.{n}"),
            Address::LogGroup(n) => write!(f, "log_group.{n}"),
            Address::MetricFilter(n) => write!(f, "metric_filter.{n}"),
            Address::Alarm(n) => write!(f, "alarm.{n}"),
            Address::BusPolicy(n) => write!(f, "bus_policy.{n}"),
        }
    }
}

impl FromStr for Address {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, name) = s
            .split_once('.')
            .filter(|(_, n)| !n.is_empty())
            .ok_or_else(|| format!("`{s}` is not a resource address (KIND.NAME)"))?;
        let name = name.to_owned();
        Ok(match kind {
            "bucket" => Address::Bucket(name),
            "trail" => Address::Trail(name),
            "topic" => Address::Topic(name),
            "alert" => Address::Alert(name),
            "role" => Address::Role(name),
            "database" => Address::Database(name),
            "table" => Address::Table(name),
            "workgroup" => Address::Workgroup(name),
            "log_group" => Address::LogGroup(name),
            "metric_filter" => Address::MetricFilter(name),
            "alarm" => Address::Alarm(name),
            "bus_policy" => Address::BusPolicy(name),
            _ => return Err(format!("`{s}`: unknown resource kind `{kind}`")),
        })
    }
}

impl TryFrom<String> for Address {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.to_string()
    }
}

/// What applying a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Delete, then create: the API cannot change a field in place.
    Replace,
    Delete,
}

impl Action {
    /// The plan's symbol for this action.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }

    /// The action's name in JSON and Markdown.
    pub fn name(self) -> &'static str {
        match self {
            Action::NoOp => "no_op",
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// A resource in its comparable form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "state", rename_all = "snake_case")]
pub enum Resource {
    Bucket(BucketState),
    Trail(TrailState),
    Topic(TopicState),
    Alert(AlertState),
    Role(RoleState),
    Database(DatabaseState),
    Table(TableState),
    Workgroup(WorkgroupState),
    LogGroup(LogGroupState),
    MetricFilter(MetricFilterState),
    Alarm(AlarmState),
    BusPolicy(BusPolicyState),
}

impl Resource {
    /// `bucket`, `trail`, `topic`, `alert` or `role`.
    pub fn kind(&self) -> &'static str {
        match self {
            Resource::Bucket(_) => "bucket",
            Resource::Trail(_) => "trail",
            Resource::Topic(_) => "topic",
            Resource::Alert(_) => "alert",
            Resource::Role(_) => "role",
            Resource::Database(_) => "database",
            Resource::Table(_) => "table",
            Resource::Workgroup(_) => "workgroup",
            Resource::LogGroup(_) => "log_group",
            Resource::MetricFilter(_) => "metric_filter",
            Resource::Alarm(_) => "alarm",
            Resource::BusPolicy(_) => "bus_policy",
        }
    }

    /// What making this resource `want` writes (`Writes`, the one rule the executor follows
    /// too); `None` for resources of different kinds.
    fn writes(&self, want: &Resource) -> Option<Box<dyn crate::model::state::Writes>> {
        Some(match (self, want) {
            (Resource::Bucket(b), Resource::Bucket(a)) => Box::new(b.writes(a)),
            (Resource::Trail(b), Resource::Trail(a)) => Box::new(b.writes(a)),
            (Resource::Topic(b), Resource::Topic(a)) => Box::new(b.writes(a)),
            (Resource::Alert(b), Resource::Alert(a)) => Box::new(b.writes(a)),
            (Resource::Role(b), Resource::Role(a)) => Box::new(b.writes(a)),
            (Resource::Database(b), Resource::Database(a)) => Box::new(b.writes(a)),
            (Resource::Table(b), Resource::Table(a)) => Box::new(b.writes(a)),
            (Resource::Workgroup(b), Resource::Workgroup(a)) => Box::new(b.writes(a)),
            (Resource::LogGroup(b), Resource::LogGroup(a)) => Box::new(b.writes(a)),
            (Resource::MetricFilter(b), Resource::MetricFilter(a)) => Box::new(b.writes(a)),
            (Resource::Alarm(b), Resource::Alarm(a)) => Box::new(b.writes(a)),
            (Resource::BusPolicy(b), Resource::BusPolicy(a)) => Box::new(b.writes(a)),
            _ => return None,
        })
    }

    /// Whether anything must be written to make this resource `want`. Resources of different
    /// kinds always differ.
    pub fn differs(&self, want: &Resource) -> bool {
        self.writes(want).is_none_or(|w| !w.is_empty())
    }

    /// Whether making this resource `want` writes more than tags.
    pub fn differs_beyond_tags(&self, want: &Resource) -> bool {
        self.writes(want).is_none_or(|w| w.beyond_tags())
    }

    pub fn fields(&self) -> Fields {
        match self {
            Resource::Bucket(b) => b.fields(),
            Resource::Trail(t) => t.fields(),
            Resource::Topic(t) => t.fields(),
            Resource::Alert(a) => a.fields(),
            Resource::Role(r) => r.fields(),
            Resource::Database(d) => d.fields(),
            Resource::Table(t) => t.fields(),
            Resource::Workgroup(w) => w.fields(),
            Resource::LogGroup(l) => l.fields(),
            Resource::MetricFilter(m) => m.fields(),
            Resource::Alarm(a) => a.fields(),
            Resource::BusPolicy(b) => b.fields(),
        }
    }
}

/// One resource's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub address: Address,
    pub action: Action,
    /// The resource as observed (`None` when it does not exist).
    pub before: Option<Resource>,
    /// The resource as the spec wants it (`None` when it is to be deleted).
    pub after: Option<Resource>,
    /// Why this change reduces audit logging; not empty means `apply` needs `--allow-destroy`.
    pub destructive: Vec<Reduction>,
    /// The fields that force a replacement.
    pub forces_replacement: Vec<String>,
    /// The resource exists without trailctl's tags and `--adopt` takes it over.
    pub adopt: bool,
}

/// A reason the plan cannot be applied at all (a name conflict, a bucket in another account…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// `None` for the account as a whole. The message never repeats it: renderers write it
    /// first.
    pub address: Option<Address>,
    pub message: String,
    pub hint: Option<String>,
}

/// Something worth knowing that does not stop the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub address: Address,
    pub message: String,
    /// Extra text shown under the message (for example a policy statement to add).
    pub detail: Option<String>,
}

/// A lint of the spec a plan was made from (a warning or a note), kept with the plan so that a
/// saved plan shows it too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lint {
    /// `warning` or `note`.
    pub severity: Severity,
    /// The spec path, e.g. `alerts[2].regions`.
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl Lint {
    pub fn of(d: &Diagnostic) -> Self {
        Self {
            severity: d.severity,
            path: d.path.to_string(),
            line: d.location.map(|l| l.line),
            column: d.location.map(|l| l.column),
            message: d.text(),
            hint: d.hint.clone(),
        }
    }
}

/// The plan for one spec against one account.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The account planned against.
    pub account: String,
    /// Every resource of the spec or its stack, in apply order, no-ops included.
    pub changes: Vec<Change>,
    pub conflicts: Vec<Conflict>,
    pub warnings: Vec<Warning>,
    /// Trails seen that this stack does not manage: `(name, home Region, owner stack if any)`.
    pub unmanaged: Vec<(String, String, Option<String>)>,
    /// The spec's warnings and notes (set by the caller that loaded the spec).
    pub lints: Vec<Lint>,
    /// What the plan does to the CloudTrail bill.
    pub cost: Estimate,
}

impl Plan {
    /// `(to add, to change, to destroy)`; a replacement counts as one add and one destroy.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for ch in &self.changes {
            match ch.action {
                Action::NoOp => {}
                Action::Create => c.0 += 1,
                Action::Update => c.1 += 1,
                Action::Replace => {
                    c.0 += 1;
                    c.2 += 1;
                }
                Action::Delete => c.2 += 1,
            }
        }
        c
    }

    /// Whether anything would change.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::NoOp)
    }

    /// The changes that reduce audit logging.
    pub fn destructive(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| !c.destructive.is_empty())
    }
}
