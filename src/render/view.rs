//! The plan as shown: one structure that the human, JSON and Markdown renderers all read, so they
//! never disagree (Terraform's `jsonformat`). Its serialized form is the documented JSON schema
//! (`docs/json-output.md`), versioned by [`FORMAT_VERSION`].

use serde::{Serialize, Serializer};

use crate::model::state::{FieldValue, diff};
use crate::plan::{Action, Change, Lint, Plan, Resource};
use crate::render::cost::CostView;

/// The version of the JSON documents `plan`, `show`, `drift` and `apply` print.
pub const FORMAT_VERSION: u32 = 1;

/// A plan, as every renderer shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanView {
    pub format_version: u32,
    pub account: String,
    pub summary: Summary,
    /// The changes apply would make, in plan order (no-ops left out).
    pub changes: Vec<ChangeView>,
    /// Addresses the spec declares that match the account already.
    pub unchanged: Vec<String>,
    pub conflicts: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// The spec's warnings and notes (`validate` prints the same).
    pub lints: Vec<Lint>,
    pub cost: CostView,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub destructive: usize,
}

/// One resource's change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeView {
    pub address: String,
    pub action: Action,
    /// Alerts only: where the rules are and where each delivers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<String>,
    /// Why the change reduces audit logging (apply then needs `--allow-destroy`).
    pub destructive: Vec<String>,
    /// The resource exists without trailctl's tags and is taken over.
    pub adopt: bool,
    /// Create: every field set; update and replace: the fields that differ; delete: none.
    pub fields: Vec<FieldChange>,
}

/// One field: its value in the account (`before`) and in the spec (`after`); `null` is absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub name: &'static str,
    #[serde(serialize_with = "as_json")]
    pub before: FieldValue,
    #[serde(serialize_with = "as_json")]
    pub after: FieldValue,
    pub forces_replacement: bool,
}

/// A conflict (stops the plan) or a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub address: Option<String>,
    pub message: String,
    /// A hint (conflicts) or the text to act on (warnings, e.g. policy statements).
    pub detail: Option<String>,
}

fn as_json<S: Serializer>(v: &FieldValue, s: S) -> Result<S::Ok, S::Error> {
    v.to_json().serialize(s)
}

impl PlanView {
    pub fn new(plan: &Plan) -> Self {
        let (add, change, destroy) = plan.counts();
        Self {
            format_version: FORMAT_VERSION,
            account: plan.account.clone(),
            summary: Summary {
                add,
                change,
                destroy,
                destructive: plan.destructive().count(),
            },
            changes: plan
                .changes
                .iter()
                .filter(|c| c.action != Action::NoOp)
                .map(ChangeView::new)
                .collect(),
            unchanged: plan
                .changes
                .iter()
                .filter(|c| c.action == Action::NoOp)
                .map(|c| c.address.to_string())
                .collect(),
            conflicts: plan
                .conflicts
                .iter()
                .map(|c| Problem {
                    address: c.address.as_ref().map(ToString::to_string),
                    message: c.message.clone(),
                    detail: c.hint.clone(),
                })
                .collect(),
            warnings: plan
                .warnings
                .iter()
                .map(|w| Problem {
                    address: Some(w.address.to_string()),
                    message: w.message.clone(),
                    detail: w.detail.clone(),
                })
                .collect(),
            lints: plan.lints.clone(),
            cost: CostView::new(&plan.cost),
        }
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// `Plan: N to add, N to change, N to destroy.`
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        format!(
            "Plan: {} to add, {} to change, {} to destroy.",
            s.add, s.change, s.destroy
        )
    }
}

impl ChangeView {
    fn new(c: &Change) -> Self {
        // Where the rules are and deliver to, as it is → as it will be when that changes.
        let placement = match (&c.before, &c.after) {
            (Some(Resource::Alert(b)), Some(Resource::Alert(a))) => {
                let (was, will) = (b.placement(), a.placement());
                Some(if was == will {
                    will
                } else {
                    format!("{was} → {will}")
                })
            }
            (_, Some(Resource::Alert(a))) | (Some(Resource::Alert(a)), None) => Some(a.placement()),
            _ => None,
        };
        let fields = match (&c.before, &c.after) {
            (None, Some(after)) => after
                .fields()
                .into_iter()
                .filter(|(_, v)| *v != FieldValue::Absent)
                .map(|(name, v)| FieldChange {
                    name,
                    before: FieldValue::Absent,
                    after: v,
                    forces_replacement: false,
                })
                .collect(),
            (Some(before), Some(after)) => diff(&before.fields(), &after.fields())
                .into_iter()
                .map(|(name, b, a)| FieldChange {
                    name,
                    before: b,
                    after: a,
                    forces_replacement: c.forces_replacement.iter().any(|f| f == name),
                })
                .collect(),
            _ => Vec::new(),
        };
        Self {
            address: c.address.to_string(),
            action: c.action,
            placement,
            destructive: c.destructive.iter().map(ToString::to_string).collect(),
            adopt: c.adopt,
            fields,
        }
    }
}
