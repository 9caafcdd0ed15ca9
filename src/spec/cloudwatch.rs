//! A trail's `cloudwatch_logs:`: the log group trailctl builds (`log_group`, `retention_days`,
//! `kms_key`), or an existing one named by ARN with its role (`log_group_arn`, `role_arn`).

use crate::model::desired::{CloudWatchLogs, LOG_RETENTION_DAYS, LogGroup};
use crate::model::diagnostic::Diagnostic;
use crate::spec::fields;
use crate::spec::names;
use crate::spec::reader::check;
use crate::spec::reader::{Ctx, Map};

/// `cloudwatch_logs:`: the log group trailctl builds (`log_group`, `retention_days`,
/// `kms_key`), or an existing one by ARN with its role (`log_group_arn`, `role_arn`).
pub(crate) fn cloudwatch_logs(
    ctx: &mut Ctx,
    map: &Map<'_>,
) -> (Option<CloudWatchLogs>, Option<LogGroup>) {
    let Some(v) = map.get("cloudwatch_logs") else {
        return (None, None);
    };
    let Some(cw) = Map::object(
        ctx,
        v,
        map.path_of("cloudwatch_logs"),
        fields::CLOUDWATCH_LOGS,
    ) else {
        return (None, None);
    };
    let arn_keys: Vec<&str> = ["log_group_arn", "role_arn"]
        .into_iter()
        .filter(|k| cw.get(k).is_some())
        .collect();
    if cw.get("log_group").is_some() {
        for k in arn_keys {
            ctx.push(
                Diagnostic::error(
                    &cw.path_of(k),
                    format!("`{k}` names an existing log group; with `log_group`, trailctl builds the log group and its role"),
                )
                .with_hint("keep `log_group` (built and owned), or the two ARNs (made elsewhere)")
                .at_key(),
            );
        }
        return (None, built_log_group(ctx, &cw));
    }
    for k in ["retention_days", "kms_key"] {
        if cw.get(k).is_some() {
            ctx.push(
                Diagnostic::error(
                    &cw.path_of(k),
                    format!("`{k}` is for a log group trailctl builds (`log_group:`)"),
                )
                .at_key(),
            );
        }
    }
    if arn_keys.is_empty() {
        ctx.push(
            Diagnostic::error(
                &cw.path,
                "`cloudwatch_logs` needs `log_group` (built by trailctl) or `log_group_arn` and `role_arn`",
            )
            .with_hint("e.g. `cloudwatch_logs: {log_group: /trailctl/audit, retention_days: 365}`"),
        );
        return (None, None);
    }
    (arn_form(ctx, &cw), None)
}

/// CloudWatch Logs: 1-512 characters of letters, digits, `.`, `-`, `_`, `/` and `#`.
fn log_group_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '#'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a log group name: 1-512 letters, digits, . - _ / and #"
        ))
    }
}

fn built_log_group(ctx: &mut Ctx, cw: &Map<'_>) -> Option<LogGroup> {
    let name = cw.required_checked(ctx, "log_group", log_group_name);
    let retention_days = cw.integer(ctx, "retention_days").and_then(|d| {
        let d = u32::try_from(d).ok()?;
        if LOG_RETENTION_DAYS.contains(&d) {
            return Some(d);
        }
        ctx.push(
            Diagnostic::error(
                &cw.path_of("retention_days"),
                format!(
                    "CloudWatch Logs keeps events for one of a fixed set of periods, not {d} days"
                ),
            )
            .with_hint(format!(
                "one of {}",
                LOG_RETENTION_DAYS
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
        None
    });
    let kms_key = cw.string(ctx, "kms_key");
    if let Some(k) = &kms_key {
        check(ctx, &cw.path_of("kms_key"), names::kms_key(k));
    }
    Some(LogGroup {
        name,
        retention_days,
        kms_key,
        path: cw.path.clone(),
    })
}

fn arn_form(ctx: &mut Ctx, cw: &Map<'_>) -> Option<CloudWatchLogs> {
    let group = cw.required_string(ctx, "log_group_arn");
    let role = cw.required_string(ctx, "role_arn");
    if let Some(g) = &group {
        let path = cw.path_of("log_group_arn");
        match names::arn_of(g, "logs", "log-group:", "a CloudWatch Logs log group") {
            Err(e) => ctx.error(&path, e),
            Ok(()) if !g.ends_with(":*") => ctx.push(
                Diagnostic::error(&path, "a log group ARN for CloudTrail must end in `:*`")
                    .with_hint(format!("write `{g}:*`")),
            ),
            Ok(()) => {}
        }
    }
    if let Some(r) = &role {
        check(
            ctx,
            &cw.path_of("role_arn"),
            names::arn_of(r, "iam", "role/", "an IAM role"),
        );
    }
    Some(CloudWatchLogs {
        log_group_arn: group?,
        role_arn: role?,
    })
}
