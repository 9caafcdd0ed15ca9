//! The spec's rules against EventBridge's quota of rules per bus, as the account has it.

use crate::model::desired::Desired;
use crate::model::observed::Observed;
use crate::plan::change::{Address, Conflict, Plan, Warning};

/// The spec's rules on each Region's default bus against the account's quota (Service Quotas,
/// read by `observe`; the default where it could not be read): over it, a conflict before any
/// write, so that apply never stops halfway; within a tenth of it, a warning (other rules on the
/// bus count too).
pub fn rule_quota(d: &Desired, o: &Observed, p: &mut Plan) {
    let share = crate::model::quota::could_share(d);
    for (region, alerts) in crate::model::quota::rules_per_region(d, |_| true) {
        let (quota, whose) = match o.rule_quotas.get(&region) {
            Some(q) => (*q as usize, "the account's quota there (Service Quotas)"),
            None => (
                crate::model::quota::default_rules_per_bus(&region),
                "EventBridge's default quota there (Service Quotas did not give the account's)",
            ),
        };
        let count = alerts.len();
        let groups: Vec<String> = share
            .iter()
            .filter(|g| g.iter().all(|a| alerts.iter().any(|b| b.name == a.name)))
            .map(|g| {
                g.iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ")
            })
            .collect();
        let sharing = if groups.is_empty() {
            String::new()
        } else {
            format!(
                "; these alerts notify the same topics with the same message and could each be one rule (a pattern with `$or`): {}",
                groups.join(", ")
            )
        };
        if count > quota {
            p.conflicts.push(Conflict {
                address: None,
                message: format!(
                    "{count} alerts of this spec have a rule on the default event bus of {region}, over {whose}: {quota} rules per bus; apply would stop at the {}th",
                    quota + 1
                ),
                hint: Some(format!(
                    "raise EventBridge's \"Number of rules\" (L-244521F2) in Service Quotas for {region}, or place fewer alerts there{sharing}"
                )),
            });
        } else if count * 10 >= quota * 9 {
            p.warnings.push(Warning {
                address: Address::Alert(alerts[0].name.clone()),
                message: format!(
                    "{count} alerts of this spec have a rule on the default event bus of {region}, close to {whose}: {quota} rules per bus, which the bus's other rules share"
                ),
                detail: (!sharing.is_empty()).then(|| sharing.trim_start_matches("; ").to_owned()),
            });
        }
    }
}
