//! Every AWS operation trailctl can call, with the IAM action it needs: the source of truth that
//! `policies/trailctl-plan.json` and `policies/trailctl-apply.json` are tested against.
//!
//! An adapter that calls an operation adds its row here in the same change; `validate` and
//! `completions` call none.

/// Whether an operation only reads the account (allowed to `plan`) or changes it (`apply` only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// One callable AWS operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `Service:Operation`, as in the API reference, e.g. `CloudTrail:DescribeTrails`.
    pub name: &'static str,
    /// The IAM action, e.g. `cloudtrail:DescribeTrails`.
    pub iam_action: &'static str,
    pub access: Access,
}

/// The operations the code can call.
pub const OPERATIONS: &[Operation] = &[];
