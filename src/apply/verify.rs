//! Convergence: after apply, the account is read again and planned again; every resource that
//! was touched must now be a no-op. One that is not is named with the field that still differs.

use crate::model::state::{FieldValue, diff};
use crate::plan::{Action, Address, Plan};

/// A touched resource whose field still differs after apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotConverged {
    pub address: Address,
    pub field: &'static str,
    pub expected: FieldValue,
    pub actual: FieldValue,
}

/// Checks the re-plan (`after`) for the resources in `touched`.
pub fn verify(after: &Plan, touched: &[Address]) -> Vec<NotConverged> {
    let mut out = Vec::new();
    for c in after
        .changes
        .iter()
        .filter(|c| touched.contains(&c.address) && c.action != Action::NoOp)
    {
        let before = c.before.as_ref().map(|r| r.fields());
        let want = c.after.as_ref().map(|r| r.fields());
        match (before, want) {
            (Some(b), Some(a)) => {
                for (field, actual, expected) in diff(&b, &a) {
                    out.push(NotConverged {
                        address: c.address.clone(),
                        field,
                        expected,
                        actual,
                    });
                }
            }
            (None, _) => out.push(NotConverged {
                address: c.address.clone(),
                field: "exists",
                expected: FieldValue::Bool(true),
                actual: FieldValue::Bool(false),
            }),
            (Some(_), None) => out.push(NotConverged {
                address: c.address.clone(),
                field: "exists",
                expected: FieldValue::Bool(false),
                actual: FieldValue::Bool(true),
            }),
        }
    }
    out
}
