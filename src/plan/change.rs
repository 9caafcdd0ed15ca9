//! A plan: one `Change` per resource, plus what stops it from being applied and what to know.
//!
//! `apply` reads only `Change { address, action, before, after }`; the destructive reasons and
//! warnings are for people (and for the `--allow-destroy` gate).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::cost::FixedCharge;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::observed::Scope;
use crate::model::state::{Compared, Fields, Writes};
use crate::plan::cost::Estimate;
use crate::plan::safety::Reduction;

/// Every kind of resource trailctl manages, each declared once as `Variant("name", State)`: the
/// address and resource enums below and every dispatch over kinds are made from this list.
/// What a kind is to a plan is its state's [`Kind`] impl (beside its planner), how apply writes
/// it its `apply::execute::Written` impl (beside the calls it makes). `name` is the address's
/// prefix (`trail.audit`) and the saved plan's tag.
macro_rules! each_kind {
    ($then:ident) => {
        $then! {
            Bucket("bucket", crate::model::state::BucketState),
            Trail("trail", crate::model::state::TrailState),
            Topic("topic", crate::model::alert_state::TopicState),
            Alert("alert", crate::model::alert_state::AlertState),
            Role("role", crate::model::alert_state::RoleState),
            Database("database", crate::model::athena_state::DatabaseState),
            Table("table", crate::model::athena_state::TableState),
            Workgroup("workgroup", crate::model::athena_state::WorkgroupState),
            LogGroup("log_group", crate::model::logs_state::LogGroupState),
            MetricFilter("metric_filter", crate::model::logs_state::MetricFilterState),
            Alarm("alarm", crate::model::logs_state::AlarmState),
            BusPolicy("bus_policy", crate::model::bus_state::BusPolicyState),
        }
    };
}

/// What a kind of resource is to a plan and an apply, said by its comparable state (whose
/// [`Compared`] writes are the one rule the plan, changed or not, and the executor, what to
/// call, both follow).
pub trait Kind: Compared {
    /// What apply re-reads just before it writes a resource of this kind.
    const SCOPE: Scope;
    /// The fixed monthly charge each resource of this kind carries, if any (the cost estimate
    /// counts them before and after).
    const CHARGE: Option<FixedCharge> = None;
    /// Whether `this` change (of this kind) must wait until `first` is finished: the order
    /// this kind needs, the one place `plan::order` asks.
    fn waits_for(this: &Change, first: &Change) -> bool {
        let _ = (this, first);
        false
    }

    /// Why making this resource `after` (`None`: deleting it) reduces what is logged, kept or
    /// watched: the audit safety of this kind, which `--allow-destroy` must allow. Nothing, by
    /// default.
    fn reductions(action: Action, before: Option<&Self>, after: Option<&Self>) -> Vec<Reduction> {
        let _ = (action, before, after);
        Vec::new()
    }
}

/// A kind's state as one variant of [`Resource`] (made for every kind by [`each_kind`]).
pub trait Variant: Sized {
    /// `r`'s state, when `r` is of this kind.
    fn of(r: &Resource) -> Option<&Self>;
}

/// The address and resource enums, from [`each_kind`].
macro_rules! kinds {
    ($($kind:ident($name:literal, $state:ty)),* $(,)?) => {
        /// A resource's address, as shown and as targeted: `bucket.NAME`, `trail.NAME`. Saved
        /// and shown in JSON as that string.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum Address {
            $($kind(String),)*
        }

        /// A resource in its comparable form.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "state")]
        pub enum Resource {
            $(#[serde(rename = $name)] $kind($state),)*
        }

        impl Address {
            /// The kind's name (`trail`, `log_group`) and the resource's.
            pub fn parts(&self) -> (&'static str, &str) {
                match self {
                    $(Address::$kind(n) => ($name, n),)*
                }
            }

            fn of(kind: &str, name: String) -> Option<Address> {
                match kind {
                    $($name => Some(Address::$kind(name)),)*
                    _ => None,
                }
            }

            /// What apply re-reads just before it writes the resource at this address.
            pub fn scope(&self) -> Scope {
                match self {
                    $(Address::$kind(_) => <$state as Kind>::SCOPE,)*
                }
            }

            /// The fixed monthly charge the resource at this address carries.
            pub fn charge(&self) -> Option<FixedCharge> {
                match self {
                    $(Address::$kind(_) => <$state as Kind>::CHARGE,)*
                }
            }
        }

        impl Change {
            /// Whether this change must wait until `first` is finished (its kind says).
            pub fn waits_for(&self, first: &Change) -> bool {
                match self.address {
                    $(Address::$kind(_) => <$state as Kind>::waits_for(self, first),)*
                }
            }

            /// Why this change reduces audit logging (its kind says); none for states of
            /// another kind than its address.
            pub fn reductions(&self) -> Vec<Reduction> {
                match &self.address {
                    $(Address::$kind(_) => {
                        let before = self.before.as_ref().and_then(<$state as Variant>::of);
                        let after = self.after.as_ref().and_then(<$state as Variant>::of);
                        <$state as Kind>::reductions(self.action, before, after)
                    })*
                }
            }
        }

        $(impl Variant for $state {
            fn of(r: &Resource) -> Option<&Self> {
                match r {
                    Resource::$kind(s) => Some(s),
                    _ => None,
                }
            }
        })*

        impl Resource {
            /// The kind's name: `bucket`, `trail`, `log_group`…
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Resource::$kind(_) => $name,)*
                }
            }

            /// What making this resource `want` writes; `None` for resources of different
            /// kinds.
            fn writes(&self, want: &Resource) -> Option<Box<dyn Writes>> {
                match (self, want) {
                    $((Resource::$kind(b), Resource::$kind(a)) => Some(Box::new(Compared::writes(b, a))),)*
                    _ => None,
                }
            }

            pub fn fields(&self) -> Fields {
                match self {
                    $(Resource::$kind(r) => Compared::fields(r),)*
                }
            }
        }
    };
}
each_kind!(kinds);
pub(crate) use each_kind;

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, name) = self.parts();
        write!(f, "{kind}.{name}")
    }
}

impl FromStr for Address {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, name) = s
            .split_once('.')
            .filter(|(_, n)| !n.is_empty())
            .ok_or_else(|| format!("`{s}` is not a resource address (KIND.NAME)"))?;
        Address::of(kind, name.to_owned())
            .ok_or_else(|| format!("`{s}`: unknown resource kind `{kind}`"))
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
    /// Whether the resource is there once the change is made (anything but a deletion).
    pub fn keeps(self) -> bool {
        self != Action::Delete
    }

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

impl Resource {
    /// Whether anything must be written to make this resource `want`. Resources of different
    /// kinds always differ.
    pub fn differs(&self, want: &Resource) -> bool {
        self.writes(want).is_none_or(|w| !w.is_empty())
    }

    /// Whether making this resource `want` writes more than tags.
    pub fn differs_beyond_tags(&self, want: &Resource) -> bool {
        self.writes(want).is_none_or(|w| w.beyond_tags())
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
    /// Why this change reduces audit logging (its kind's [`Kind::reductions`], set once the
    /// plan is made); not empty means `apply` needs `--allow-destroy`.
    pub destructive: Vec<Reduction>,
    /// The fields that force a replacement.
    pub forces_replacement: Vec<String>,
    /// The resource exists without trailctl's tags and `--adopt` takes it over.
    pub adopt: bool,
}

impl Change {
    /// The resource as it will be, or as it was when the change deletes it.
    pub fn state(&self) -> Option<&Resource> {
        self.after.as_ref().or(self.before.as_ref())
    }

    /// The states before and after as kind `S`; `None` when either is of another kind.
    pub fn states<S: Variant>(&self) -> Option<(Option<&S>, Option<&S>)> {
        fn of<S: Variant>(r: Option<&Resource>) -> Option<Option<&S>> {
            r.map_or(Some(None), |r| S::of(r).map(Some))
        }
        Some((of(self.before.as_ref())?, of(self.after.as_ref())?))
    }

    /// Whether both changes leave their resources in place (neither is a deletion).
    pub fn both_keep(&self, other: &Change) -> bool {
        self.action.keeps() && other.action.keeps()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_s_address_reads_back_as_written() {
        macro_rules! addresses {
            ($($kind:ident($name:literal, $state:ty)),* $(,)?) => {
                vec![$(Address::$kind("db.name".to_owned()),)*]
            };
        }
        let all: Vec<Address> = each_kind!(addresses);
        assert_eq!(all.len(), 12);
        let mut kinds: Vec<&str> = all.iter().map(|a| a.parts().0).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), all.len(), "two kinds share a name: {kinds:?}");
        for a in &all {
            let text = a.to_string();
            assert_eq!(text, format!("{}.db.name", a.parts().0));
            assert_eq!(text.parse::<Address>().as_ref(), Ok(a));
        }
        assert_eq!(
            "bukket.logs".parse::<Address>(),
            Err("`bukket.logs`: unknown resource kind `bukket`".to_owned())
        );
    }
}
