//! `organization:`: the accounts of an AWS Organization the spec is for, checked offline (ids
//! well formed and quoted, the security account among the targets), and what an organization
//! changes in the rest of the spec.

use std::collections::BTreeSet;

use serde_yaml::Value;

use crate::model::desired::Desired;
use crate::model::diagnostic::{Diagnostic, SpecPath};
use crate::model::org::{Organization, Target, Targets};
use crate::spec::fields;
use crate::spec::names;
use crate::spec::reader::{Ctx, Map, kind_of};

/// Decodes `organization:` (absent: `None`).
pub fn decode(ctx: &mut Ctx, root: &Map<'_>) -> Option<Organization> {
    let v = root.get("organization")?;
    let map = Map::object(ctx, v, root.path_of("organization"), fields::ORGANIZATION)?;
    let accounts = match map.get("accounts") {
        None => {
            map.missing(ctx, "accounts");
            Targets::All
        }
        Some(Value::String(s)) if s == "all" => Targets::All,
        Some(Value::String(s)) => {
            ctx.push(
                Diagnostic::error(
                    &map.path_of("accounts"),
                    format!("expected `all` or a list of account and OU ids, found `{s}`"),
                )
                .with_hint(format!("write `accounts: [\"{s}\"]`")),
            );
            Targets::All
        }
        Some(_) => Targets::Listed(
            map.list(ctx, "accounts")
                .into_iter()
                .filter_map(|(p, v)| target(ctx, v, &p))
                .collect(),
        ),
    };
    let exclude: BTreeSet<String> = map
        .list(ctx, "exclude")
        .into_iter()
        .filter_map(|(p, v)| account_id(ctx, v, &p))
        .collect();
    let role = map.text_or_default(ctx, "role");
    if let Err(m) = role_name(&role) {
        ctx.error(&map.path_of("role"), m);
    }
    let security_path = map.path_of("security_account");
    let security_account = match map.get("security_account") {
        None => {
            map.missing(ctx, "security_account");
            String::new()
        }
        Some(v) => account_id(ctx, v, &security_path).unwrap_or_default(),
    };
    if exclude.contains(&security_account) {
        ctx.push(
            Diagnostic::error(
                &security_path,
                format!("the security account {security_account} is excluded"),
            )
            .with_hint(
                "every alert is delivered to the security account: remove it from `exclude`",
            ),
        );
    }
    // Only a list of account ids says offline which accounts are targets; OUs are resolved
    // through Organizations (and checked then).
    if let Targets::Listed(list) = &accounts
        && !security_account.is_empty()
        && list.iter().all(|t| matches!(t, Target::Account(_)))
        && !list.contains(&Target::Account(security_account.clone()))
    {
        ctx.push(
            Diagnostic::error(
                &security_path,
                format!("the security account {security_account} is not among `accounts`"),
            )
            .with_hint("add it to `accounts`: its topics and rules are planned there"),
        );
    }
    let concurrency = map
        .integer_or_default(ctx, "concurrency")
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(1);
    Some(Organization {
        accounts,
        exclude,
        role,
        security_account,
        concurrency,
        path: map.path.clone(),
    })
}

/// A quoted 12-digit account id.
fn account_id(ctx: &mut Ctx, v: &Value, path: &SpecPath) -> Option<String> {
    match v {
        Value::String(s) => match names::account_id(s) {
            Ok(()) => Some(s.clone()),
            Err(m) => {
                ctx.error(path, m);
                None
            }
        },
        Value::Number(_) => {
            ctx.push(
                Diagnostic::error(path, "an account id must be a quoted string").with_hint(
                    "write it in quotes, e.g. \"012345678901\": as a number YAML drops leading zeros",
                ),
            );
            None
        }
        v => {
            ctx.error(path, format!("expected a string, found {}", kind_of(v)));
            None
        }
    }
}

/// An account id, an OU id (`ou-…`) or the root (`r-…`).
fn target(ctx: &mut Ctx, v: &Value, path: &SpecPath) -> Option<Target> {
    if let Value::String(s) = v
        && (s.starts_with("ou-") || s.starts_with("r-"))
    {
        return match unit_id(s) {
            Ok(()) => Some(Target::Unit(s.clone())),
            Err(m) => {
                ctx.error(path, m);
                None
            }
        };
    }
    if let Value::String(s) = v
        && s == "all"
    {
        ctx.push(
            Diagnostic::error(path, "`all` cannot be mixed with a list of accounts")
                .with_hint("write `accounts: all` on its own"),
        );
        return None;
    }
    account_id(ctx, v, path).map(Target::Account)
}

/// Organizations' id patterns: `ou-` + 4-32 of [0-9a-z] + `-` + 8-32 of [0-9a-z]; `r-` + 4-32.
fn unit_id(s: &str) -> Result<(), String> {
    let part = |p: &str, min: usize| {
        (min..=32).contains(&p.len())
            && p.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    };
    let ok = match (s.strip_prefix("ou-"), s.strip_prefix("r-")) {
        (Some(rest), _) => rest
            .split_once('-')
            .is_some_and(|(root, unit)| part(root, 4) && part(unit, 8)),
        (None, Some(rest)) => part(rest, 4),
        (None, None) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not an OU id (ou-, 4-32 lowercase letters or digits, -, 8-32 more) or a root id (r-, 4-32)"
        ))
    }
}

/// An IAM role name: 1-64 of letters, digits and `+=,.@_-`.
fn role_name(s: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not a role name (1-64 letters, digits and +=,.@_-)"
        ))
    }
}

/// What an organization changes in the rest of the spec: an organization trail needs one;
/// under one, an alert cannot notify through a metric alarm (an alarm's actions stay in its
/// account, the trail's log group is the management account's, the topics the security
/// account's) and an organization trail's logs are not laid out for `athena:`'s table.
pub fn check(ctx: &mut Ctx, d: &Desired) {
    for t in d.trails.iter().filter(|t| t.settings.organization) {
        let path = t.path.key("organization");
        if d.organization.is_none() {
            ctx.push(
                Diagnostic::error(&path, "an organization trail needs the spec's `organization:`")
                    .with_hint("add `organization:` (accounts, security_account), or remove `organization: true`"),
            );
        }
        if let Some(a) = &t.athena {
            ctx.push(
                Diagnostic::error(
                    &a.path,
                    "`athena:` is not supported on an organization trail (its logs are under AWSLogs/o-ORGID/ACCOUNT/)",
                )
                .with_hint("query it from a trail of its own, or leave `athena:` out"),
            );
        }
    }
    if d.organization.is_some() {
        for a in d.alerts.iter().filter(|a| a.metric.is_some()) {
            ctx.push(
                Diagnostic::error(
                    &a.path.key("backend"),
                    "under `organization:`, an alert is delivered by EventBridge rules only: a metric alarm cannot notify the security account's topics",
                )
                .with_hint("use `backend: eventbridge` (the default)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(unit_id("ou-ab12-abcdefgh").is_ok());
        assert!(unit_id("r-ab12").is_ok());
        assert!(unit_id("ou-ab12-abc").is_err());
        assert!(unit_id("ou-AB12-abcdefgh").is_err());
        assert!(unit_id("r-a").is_err());
        assert!(role_name("OrganizationAccountAccessRole").is_ok());
        assert!(role_name("a/b").is_err());
    }
}
