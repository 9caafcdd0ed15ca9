//! The IAM permissions trailctl needs, derived from the operations table and a spec: the policy
//! documents `trailctl policy` prints (and the templates in `policies/`), the permissions
//! boundary of the stack's roles, and the sentence an AccessDenied turns into.

pub mod denied;
pub mod names;
pub mod policy;
