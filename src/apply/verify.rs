//! Convergence: after apply, the account is read again and planned again; every resource that
//! was touched must now be a no-op, and as the next plan sees it: a conflict on it (its
//! ownership tags dropped, say) fails the verification as a field that differs would. One that
//! is not is named with the field that still differs.

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
    let mut out: Vec<NotConverged> = after
        .conflicts
        .iter()
        .filter_map(|c| {
            let address = c.address.as_ref().filter(|a| touched.contains(a))?;
            Some(NotConverged {
                address: address.clone(),
                field: "plan",
                expected: FieldValue::Text("no conflict".to_owned()),
                actual: FieldValue::Text(c.message.clone()),
            })
        })
        .collect();
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

#[cfg(test)]
mod tests {
    use super::verify;
    use crate::plan::change::Conflict;
    use crate::plan::{Address, Plan};

    /// A resource the service stripped of its ownership tags is a conflict for the next plan,
    /// so it is not verified.
    #[test]
    fn a_conflict_on_a_touched_resource_fails_the_verification() {
        let topic = Address::Topic("alerts".into());
        let mut after = Plan::default();
        after.conflicts.push(Conflict {
            address: Some(topic.clone()),
            message: "topic alerts exists but is not managed by stack s".into(),
            hint: None,
        });
        let stuck = verify(&after, std::slice::from_ref(&topic));
        assert_eq!(stuck.len(), 1, "{stuck:?}");
        assert_eq!(stuck[0].field, "plan");
        assert!(verify(&after, &[Address::Topic("other".into())]).is_empty());
    }
}
