//! Drift: only what differs between the account and the spec, field by field, as the nightly
//! check prints it (human) or feeds it to an alert pipeline (JSON, same versioned schema family).

use std::io::{self, Write};

use serde::{Serialize, Serializer};

use crate::model::state::FieldValue;
use crate::plan::Action;
use crate::render::plan::scalar;
use crate::render::style::Color;
use crate::render::view::{FORMAT_VERSION, PlanView, Problem};

/// What drifted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftView {
    pub format_version: u32,
    pub account: String,
    pub drifted: bool,
    pub resources: Vec<Drifted>,
    pub conflicts: Vec<Problem>,
}

/// How a resource differs from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In the spec, not in the account.
    Missing,
    /// In the account, owned by the stack, no longer in the spec.
    NotInSpec,
    /// Exists in both; these fields differ.
    Differs,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drifted {
    pub address: String,
    pub status: Status,
    pub fields: Vec<FieldDrift>,
}

/// One field: what the spec says, and what the account has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDrift {
    pub name: &'static str,
    #[serde(serialize_with = "as_json")]
    pub spec: FieldValue,
    #[serde(serialize_with = "as_json")]
    pub account: FieldValue,
}

fn as_json<S: Serializer>(v: &FieldValue, s: S) -> Result<S::Ok, S::Error> {
    v.to_json().serialize(s)
}

impl DriftView {
    pub fn new(view: &PlanView) -> Self {
        let resources: Vec<Drifted> = view
            .changes
            .iter()
            .map(|c| {
                let status = match c.action {
                    Action::Create => Status::Missing,
                    Action::Delete => Status::NotInSpec,
                    Action::Update | Action::Replace | Action::NoOp => Status::Differs,
                };
                let fields = if status == Status::Differs {
                    c.fields
                        .iter()
                        .map(|f| FieldDrift {
                            name: f.name,
                            spec: f.after.clone(),
                            account: f.before.clone(),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                Drifted {
                    address: c.address.clone(),
                    status,
                    fields,
                }
            })
            .collect();
        Self {
            format_version: FORMAT_VERSION,
            account: view.account.clone(),
            drifted: !resources.is_empty(),
            resources,
            conflicts: view.conflicts.clone(),
        }
    }
}

/// What a clean drift check prints, exactly.
pub const NO_DRIFT: &str = "No drift: the account matches the spec.";

/// Writes the drift as text: per resource, each field as `spec → account`.
pub fn write(out: &mut dyn Write, view: &DriftView, color: Color) -> io::Result<()> {
    if !view.drifted && view.conflicts.is_empty() {
        return writeln!(out, "{NO_DRIFT}");
    }
    if !view.drifted {
        return writeln!(
            out,
            "The account could not be compared with the spec: see the errors below."
        );
    }
    let n = view.resources.len();
    writeln!(
        out,
        "Drift in account {}: {n} resource{} differ{} from the spec (spec → account).\n",
        view.account,
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" },
    )?;
    for r in &view.resources {
        let (sign, what) = match r.status {
            Status::Missing => (color.red("-"), "missing: in the spec, not in the account"),
            Status::NotInSpec => (
                color.yellow("+"),
                "not in the spec: still in the account, owned by this stack",
            ),
            Status::Differs => (color.yellow("~"), "differs"),
        };
        writeln!(out, "  {sign} {}: {what}", color.bold(&r.address))?;
        for f in &r.fields {
            match (&f.spec, &f.account) {
                (FieldValue::Json(_), _) | (_, FieldValue::Json(_)) => {
                    writeln!(out, "      {}:", f.name)?;
                    writeln!(out, "        spec:    {}", scalar(&f.spec))?;
                    writeln!(out, "        account: {}", scalar(&f.account))?;
                }
                _ => writeln!(
                    out,
                    "      {}: {} → {}",
                    f.name,
                    scalar(&f.spec),
                    scalar(&f.account)
                )?,
            }
        }
    }
    Ok(())
}
