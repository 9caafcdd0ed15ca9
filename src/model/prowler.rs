//! Would Prowler's CIS metric-filter checks pass on what the spec deploys? Each check reads the
//! filter text of the metric filters on a trail's log group with a regular expression that wants
//! its selectors in order (`$.eventName = CreateRoute` … then `$.eventName = CreateRouteTable`
//! …), and an alarm on the filter's metric. The expressions are kept here as their ordered
//! selectors and matched the way the expression does (`\$\.F\s*OP\s*.?VALUE`, one or more
//! characters between selectors). Pure: decided from the spec alone.

use crate::model::desired::Desired;

/// How a selector is compared in the check's expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    NotExists,
}

/// One of Prowler's CIS checks: its id, the CIS control, the selectors it wants in order.
pub struct Check {
    pub id: &'static str,
    /// CIS AWS Foundations v1.4–v3.0 numbering (4.x).
    pub cis: &'static str,
    selectors: &'static [(&'static str, Op, &'static str)],
}

macro_rules! events {
    ($($name:literal),+) => { &[$(("eventName", Op::Eq, $name)),+] };
}

/// Prowler 5's CloudWatch checks for CIS 4.1–4.15, their expressions read from
/// `prowler/providers/aws/services/cloudwatch/*/…py`. The KMS check's expression was not at hand:
/// its selectors are those of the filter its remediation writes.
pub const CHECKS: &[Check] = &[
    Check {
        id: "cloudwatch_log_metric_filter_unauthorized_api_calls",
        cis: "4.1",
        selectors: &[
            ("errorCode", Op::Eq, "*UnauthorizedOperation"),
            ("errorCode", Op::Eq, "AccessDenied*"),
        ],
    },
    Check {
        id: "cloudwatch_log_metric_filter_sign_in_without_mfa",
        cis: "4.2",
        selectors: &[
            ("eventName", Op::Eq, "ConsoleLogin"),
            ("additionalEventData.MFAUsed", Op::Ne, "Yes"),
        ],
    },
    Check {
        id: "cloudwatch_log_metric_filter_root_usage",
        cis: "4.3",
        selectors: &[
            ("userIdentity.type", Op::Eq, "Root"),
            ("userIdentity.invokedBy", Op::NotExists, ""),
            ("eventType", Op::Ne, "AwsServiceEvent"),
        ],
    },
    Check {
        id: "cloudwatch_log_metric_filter_policy_changes",
        cis: "4.4",
        selectors: events!(
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy"
        ),
    },
    Check {
        id: "cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled",
        cis: "4.5",
        selectors: events!(
            "CreateTrail",
            "UpdateTrail",
            "DeleteTrail",
            "StartLogging",
            "StopLogging"
        ),
    },
    Check {
        id: "cloudwatch_log_metric_filter_authentication_failures",
        cis: "4.6",
        selectors: &[
            ("eventName", Op::Eq, "ConsoleLogin"),
            ("errorMessage", Op::Eq, "Failed authentication"),
        ],
    },
    Check {
        id: "cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk",
        cis: "4.7",
        selectors: &[
            ("eventSource", Op::Eq, "kms.amazonaws.com"),
            ("eventName", Op::Eq, "DisableKey"),
            ("eventName", Op::Eq, "ScheduleKeyDeletion"),
        ],
    },
    Check {
        id: "cloudwatch_log_metric_filter_for_s3_bucket_policy_changes",
        cis: "4.8",
        selectors: &[
            ("eventSource", Op::Eq, "s3.amazonaws.com"),
            ("eventName", Op::Eq, "PutBucketAcl"),
            ("eventName", Op::Eq, "PutBucketPolicy"),
            ("eventName", Op::Eq, "PutBucketCors"),
            ("eventName", Op::Eq, "PutBucketLifecycle"),
            ("eventName", Op::Eq, "PutBucketReplication"),
            ("eventName", Op::Eq, "DeleteBucketPolicy"),
            ("eventName", Op::Eq, "DeleteBucketCors"),
            ("eventName", Op::Eq, "DeleteBucketLifecycle"),
            ("eventName", Op::Eq, "DeleteBucketReplication"),
        ],
    },
    Check {
        id: "cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled",
        cis: "4.9",
        selectors: &[
            ("eventSource", Op::Eq, "config.amazonaws.com"),
            ("eventName", Op::Eq, "StopConfigurationRecorder"),
            ("eventName", Op::Eq, "DeleteDeliveryChannel"),
            ("eventName", Op::Eq, "PutDeliveryChannel"),
            ("eventName", Op::Eq, "PutConfigurationRecorder"),
        ],
    },
    Check {
        id: "cloudwatch_log_metric_filter_security_group_changes",
        cis: "4.10",
        selectors: events!(
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup"
        ),
    },
    Check {
        id: "cloudwatch_changes_to_network_acls_alarm_configured",
        cis: "4.11",
        selectors: events!(
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation"
        ),
    },
    Check {
        id: "cloudwatch_changes_to_network_gateways_alarm_configured",
        cis: "4.12",
        selectors: events!(
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway"
        ),
    },
    Check {
        id: "cloudwatch_changes_to_network_route_tables_alarm_configured",
        cis: "4.13",
        selectors: &[
            ("eventSource", Op::Eq, "ec2.amazonaws.com"),
            ("eventName", Op::Eq, "CreateRoute"),
            ("eventName", Op::Eq, "CreateRouteTable"),
            ("eventName", Op::Eq, "ReplaceRoute"),
            ("eventName", Op::Eq, "ReplaceRouteTableAssociation"),
            ("eventName", Op::Eq, "DeleteRouteTable"),
            ("eventName", Op::Eq, "DeleteRoute"),
            ("eventName", Op::Eq, "DisassociateRouteTable"),
        ],
    },
    Check {
        id: "cloudwatch_changes_to_vpcs_alarm_configured",
        cis: "4.14",
        selectors: events!(
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink"
        ),
    },
    Check {
        id: "cloudwatch_log_metric_filter_aws_organizations_changes",
        cis: "4.15",
        selectors: &[
            ("eventSource", Op::Eq, "organizations.amazonaws.com"),
            ("eventName", Op::Eq, "AcceptHandshake"),
            ("eventName", Op::Eq, "AttachPolicy"),
            ("eventName", Op::Eq, "CancelHandshake"),
            ("eventName", Op::Eq, "CreateAccount"),
            ("eventName", Op::Eq, "CreateOrganization"),
            ("eventName", Op::Eq, "CreateOrganizationalUnit"),
            ("eventName", Op::Eq, "CreatePolicy"),
            ("eventName", Op::Eq, "DeclineHandshake"),
            ("eventName", Op::Eq, "DeleteOrganization"),
            ("eventName", Op::Eq, "DeleteOrganizationalUnit"),
            ("eventName", Op::Eq, "DeletePolicy"),
            ("eventName", Op::Eq, "EnableAllFeatures"),
            ("eventName", Op::Eq, "EnablePolicyType"),
            ("eventName", Op::Eq, "InviteAccountToOrganization"),
            ("eventName", Op::Eq, "LeaveOrganization"),
            ("eventName", Op::Eq, "DetachPolicy"),
            ("eventName", Op::Eq, "DisablePolicyType"),
            ("eventName", Op::Eq, "MoveAccount"),
            ("eventName", Op::Eq, "RemoveAccountFromOrganization"),
            ("eventName", Op::Eq, "UpdateOrganizationalUnit"),
            ("eventName", Op::Eq, "UpdatePolicy"),
        ],
    },
];

impl Check {
    /// Whether the check's expression finds its selectors, in order, in `filter`.
    pub fn accepts(&self, filter: &str) -> bool {
        let text: Vec<char> = filter.chars().collect();
        let mut from = 0;
        for (i, (field, op, value)) in self.selectors.iter().enumerate() {
            // `.+` between selectors: at least one character after the previous one.
            let start = if i == 0 { from } else { from + 1 };
            match (start..text.len()).find_map(|at| selector_at(&text, at, field, *op, value)) {
                Some(end) => from = end,
                None => return false,
            }
        }
        true
    }
}

/// Where the selector `$.FIELD OP VALUE` found at `at` ends, if it is there.
fn selector_at(text: &[char], at: usize, field: &str, op: Op, value: &str) -> Option<usize> {
    let mut i = expect(text, at, &format!("$.{field}"))?;
    if op == Op::NotExists {
        return expect(text, i, " NOT EXISTS");
    }
    while text.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i = expect(text, i, if op == Op::Eq { "=" } else { "!=" })?;
    while text.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    // `.?`: the value, or one character (a quote) then the value.
    expect(text, i, value).or_else(|| expect(text, i + 1, value))
}

/// Where `want` ends when `text[at..]` starts with it.
fn expect(text: &[char], at: usize, want: &str) -> Option<usize> {
    let mut i = at;
    for w in want.chars() {
        if *text.get(i)? != w {
            return None;
        }
        i += 1;
    }
    Some(i)
}

/// The preset written to pass the check where the CIS preset's filter does not.
pub fn passing_preset(cis: &str) -> Option<&'static str> {
    match cis {
        "4.13" => Some("strict-route-table-changes"),
        "4.15" => Some("strict-organizations-changes"),
        _ => None,
    }
}

/// One check, and the alert whose metric filter passes it (none: it fails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub check: &'static str,
    pub cis: &'static str,
    pub alert: Option<String>,
    /// No trail of the spec delivers to CloudWatch Logs.
    pub no_log_group: bool,
}

impl Verdict {
    pub fn passes(&self) -> bool {
        self.alert.is_some() && !self.no_log_group
    }
}

/// Prowler's verdict on each CIS check, for a spec with metric-filter alerts (empty without).
pub fn report(d: &Desired) -> Vec<Verdict> {
    let filters: Vec<(&str, &str)> = d
        .alerts
        .iter()
        .filter_map(|a| Some((a.name.as_str(), a.metric.as_ref()?.filter.text.as_str())))
        .collect();
    let uses_cis = d.alerts.iter().any(|a| {
        a.preset
            .as_deref()
            .and_then(crate::model::presets::find)
            .is_some_and(|p| p.cis.is_some() || p.sets.iter().any(|s| s == "strict"))
    });
    if filters.is_empty() && !uses_cis {
        return Vec::new();
    }
    let no_log_group = !d.trails.iter().any(|t| t.log_group_name().is_some());
    CHECKS
        .iter()
        .map(|c| Verdict {
            check: c.id,
            cis: c.cis,
            alert: filters
                .iter()
                .find(|(_, f)| c.accepts(f))
                .map(|(n, _)| (*n).to_owned()),
            no_log_group,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::presets;

    fn check(cis: &str) -> &'static Check {
        CHECKS
            .iter()
            .find(|c| c.cis == cis)
            .unwrap_or_else(|| panic!("{cis}"))
    }

    /// Security Hub's exact filters (the CIS presets) pass Prowler's checks, but for route
    /// tables (no event source) and Organizations (no Security Hub control, three calls missing),
    /// which the strict presets pass.
    #[test]
    fn the_cis_filters_pass_prowler_but_route_tables_which_the_strict_preset_passes() {
        for p in presets::all() {
            let Some(filter) = &p.filter else { continue };
            let Some(cis) = p.cis.as_ref().map(|c| c.v1_4_to_v3.as_str()) else {
                continue;
            };
            let want = cis != "4.13";
            assert_eq!(check(cis).accepts(filter), want, "{}: {filter}", p.id);
        }
        for (id, cis) in [
            ("strict-route-table-changes", "4.13"),
            ("strict-organizations-changes", "4.15"),
        ] {
            let p = presets::find(id).unwrap_or_else(|| panic!("{id}"));
            assert!(
                check(cis).accepts(p.filter.as_deref().unwrap_or_default()),
                "{id}"
            );
        }
    }

    #[test]
    fn selectors_are_wanted_in_order_with_the_expressions_spacing_and_quotes() {
        let c = check("4.6");
        assert!(c.accepts(
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#
        ));
        assert!(
            c.accepts(r#"{($.eventName=ConsoleLogin)&&($.errorMessage="Failed authentication")}"#)
        );
        assert!(!c.accepts(
            r#"{ ($.errorMessage = "Failed authentication") && ($.eventName = ConsoleLogin) }"#
        ));
        let root = check("4.3");
        assert!(root.accepts(r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#));
        assert!(
            !root
                .accepts(r#"{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }"#)
        );
    }
}
