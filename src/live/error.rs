//! The one error type of every live call: which operation, where, and what kind of failure.

use std::fmt;

/// What went wrong, as far as trailctl acts on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    /// The credentials are not allowed to make the call.
    AccessDenied,
    /// No credentials could be found (or they are expired).
    Credentials,
    /// The endpoint could not be reached or did not answer in time.
    Unreachable,
    /// The endpoint was reached, then the connection broke (reset, closed mid-answer): the call
    /// may or may not have taken effect.
    ConnectionLost,
    /// CloudTrail cannot yet see a bucket policy that was just written (eventual consistency).
    BucketPolicyNotReady,
    /// CloudTrail cannot yet assume a log-delivery role that was just created (IAM's eventual
    /// consistency: `InvalidCloudWatchLogsRoleArnException` for a while).
    LogsRoleNotReady,
    /// The bucket still holds objects.
    BucketNotEmpty,
    /// Over the API's rate quota, after every attempt (the service's error code).
    Throttled(String),
    /// Any other error, with the service's error code.
    Service(String),
}

/// A failed AWS call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LiveError {
    /// `Service:Operation`, e.g. `CloudTrail:CreateTrail`.
    pub operation: &'static str,
    pub region: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
    pub request_id: Option<String>,
}

impl LiveError {
    pub fn new(
        operation: &'static str,
        region: Option<&str>,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        Self {
            operation,
            region: region.map(str::to_owned),
            kind,
            message: message.into(),
            request_id: None,
        }
    }
}

/// What an AccessDenied says beyond the operation: the resources the spec gives the action and
/// the command that prints the policy (installed by the command line once the spec is loaded).
pub type DeniedHint = dyn Fn(&'static str) -> Option<String> + Send + Sync;

static DENIED_HINT: std::sync::RwLock<Option<Box<DeniedHint>>> = std::sync::RwLock::new(None);

/// Installs what AccessDenied errors add about the spec (see `DeniedHint`).
pub fn explain_denials(hint: Box<DeniedHint>) {
    if let Ok(mut slot) = DENIED_HINT.write() {
        *slot = Some(hint);
    }
}

impl LiveError {
    /// An AccessDenied as what to grant: `S3:CreateBucket (us-east-1) was denied — the caller
    /// needs s3:CreateBucket on arn:aws:s3:::logs; `trailctl policy …` prints what this spec
    /// needs`.
    fn fmt_denied(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.operation)?;
        if let Some(r) = &self.region {
            write!(f, " ({r})")?;
        }
        write!(f, " was denied ({})", self.kind_name())?;
        let row = crate::live::aws::operations::OPERATIONS
            .iter()
            .find(|o| o.name == self.operation);
        if let Some(op) = row {
            let actions: Vec<&str> = op.actions().map(|(a, _)| a).collect();
            write!(f, " — the caller needs {}", actions.join(" and "))?;
        }
        let hint = DENIED_HINT
            .read()
            .ok()
            .and_then(|h| h.as_ref().and_then(|h| h(self.operation)));
        match hint {
            Some(h) => write!(f, "{h}")?,
            None => {
                let role = row.map_or("plan", |o| o.access.policy_role());
                write!(
                    f,
                    "; `trailctl policy -f SPEC --role {role}` prints what a spec needs"
                )?;
            }
        }
        if !self.message.is_empty() {
            write!(f, " ({})", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == ErrorKind::AccessDenied {
            return self.fmt_denied(f);
        }
        write!(f, "{}", self.operation)?;
        if let Some(r) = &self.region {
            write!(f, " in {r}")?;
        }
        match &self.kind {
            ErrorKind::Throttled(code) => write!(
                f,
                " failed: throttled ({code}) at every attempt: the API's rate quota (raise --max-attempts, or run when the account is quieter)"
            )?,
            _ => write!(f, " failed: {}", self.kind_name())?,
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

pub type LiveResult<T> = Result<T, LiveError>;

impl LiveError {
    /// The kind as a short name (the service's error code where there is one).
    pub fn kind_name(&self) -> &str {
        match &self.kind {
            ErrorKind::AccessDenied => "AccessDenied",
            ErrorKind::Credentials => "no usable credentials",
            ErrorKind::Unreachable => "endpoint unreachable",
            ErrorKind::ConnectionLost => {
                "connection lost (the call may or may not have taken effect)"
            }
            ErrorKind::BucketPolicyNotReady => "InsufficientS3BucketPolicyException",
            ErrorKind::LogsRoleNotReady => "InvalidCloudWatchLogsRoleArnException",
            ErrorKind::BucketNotEmpty => "BucketNotEmpty",
            ErrorKind::Throttled(code) => code,
            ErrorKind::Service(code) => code,
        }
    }
}
