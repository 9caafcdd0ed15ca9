//! The shape of one row of the operations table (`operations.rs`): an AWS operation, the IAM
//! action it needs, and whether `plan`, `apply` or the log readers may call it.

/// Whether an operation only reads the account (allowed to `plan`) or changes it (`apply` only),
/// or reads the events a trail recorded (`backtest`, `investigate`: archived logs and event
/// history, `policies/trailctl-read-logs.json` only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Logs,
}

/// One callable AWS operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `Service:Operation`, as in the API reference, e.g. `CloudTrail:DescribeTrails`.
    pub name: &'static str,
    /// The IAM action, e.g. `cloudtrail:DescribeTrails`.
    pub iam_action: &'static str,
    pub access: Access,
    /// Other IAM actions the call needs, with the same access (e.g. passing a role).
    pub also: &'static [&'static str],
}

pub(super) const fn op(
    name: &'static str,
    iam_action: &'static str,
    access: Access,
    also: &'static [&'static str],
) -> Operation {
    Operation {
        name,
        iam_action,
        access,
        also,
    }
}
