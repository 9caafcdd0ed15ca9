//! `SdkError` → `LiveError`, once for every service: operation, Region, kind, request id.

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::operation::RequestId;

use crate::live::error::{ErrorKind, LiveError};

/// Maps a failed SDK call. `code` is also what "not found" checks look at first.
pub fn map<E, R>(operation: &'static str, region: &str, err: SdkError<E, R>) -> LiveError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
    SdkError<E, R>: RequestId,
{
    let request_id = err.request_id().map(str::to_owned);
    let (kind, message) = match &err {
        SdkError::ServiceError(s) => {
            let e = s.err();
            let code = e.code().unwrap_or("Unknown").to_owned();
            (kind_of(&code), e.message().unwrap_or_default().to_owned())
        }
        SdkError::TimeoutError(_) => (ErrorKind::Unreachable, "timed out".to_owned()),
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
            if connection_lost(&causes(&err)) =>
        {
            (ErrorKind::ConnectionLost, causes(&err))
        }
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => {
            (ErrorKind::Unreachable, causes(&err))
        }
        other => {
            let text = causes(other);
            if text.contains("credentials") {
                (ErrorKind::Credentials, text)
            } else {
                (ErrorKind::Service("RequestFailed".to_owned()), text)
            }
        }
    };
    LiveError {
        operation,
        region: Some(region.to_owned()),
        kind,
        message,
        request_id,
    }
}

/// Whether a failure broke a connection the endpoint had accepted (reset, closed before the
/// answer was complete, a broken pipe), as opposed to never reaching it (refused, no route,
/// timed out). The HTTP client says which only in its messages.
fn connection_lost(causes: &str) -> bool {
    let lower = causes.to_ascii_lowercase();
    [
        "connection reset",
        "reset by peer",
        "closed before message completed",
        "connection closed",
        "broken pipe",
        "unexpected eof",
        "incomplete message",
    ]
    .iter()
    .any(|l| lower.contains(l))
}

/// The error code of a service error (for "not found" checks), if it is one.
pub fn code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(s) => s.err().code(),
        _ => None,
    }
}

/// What trailctl makes of a service's error code.
pub fn kind_of(code: &str) -> ErrorKind {
    match code {
        "AccessDenied" | "AccessDeniedException" | "Forbidden" | "UnauthorizedOperation" => {
            ErrorKind::AccessDenied
        }
        "InsufficientS3BucketPolicyException" => ErrorKind::BucketPolicyNotReady,
        "InvalidCloudWatchLogsRoleArnException" => ErrorKind::LogsRoleNotReady,
        "BucketNotEmpty" => ErrorKind::BucketNotEmpty,
        "Throttling"
        | "ThrottlingException"
        | "ThrottledException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown" => ErrorKind::Throttled(code.to_owned()),
        "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "InvalidAccessKeyId"
        | "SignatureDoesNotMatch" => ErrorKind::Credentials,
        _ => ErrorKind::Service(code.to_owned()),
    }
}

/// A builder that rejected its input: a bug in trailctl, reported, never a panic.
pub fn build(operation: &'static str, region: &str, err: impl std::fmt::Display) -> LiveError {
    LiveError::new(
        operation,
        Some(region),
        ErrorKind::Service("InvalidRequest".to_owned()),
        err.to_string(),
    )
}

/// An error and its causes, each by its `Display`, joined with ": " (never `Debug` output).
pub fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::connection_lost;

    #[test]
    fn lost_connections_are_told_from_unreachable_endpoints() {
        for lost in [
            "dispatch failure: io error: Connection reset by peer (os error 104)",
            "client error (SendRequest): connection closed before message completed",
            "io error: Broken pipe (os error 32)",
        ] {
            assert!(connection_lost(lost), "{lost}");
        }
        for unreachable in [
            "dispatch failure: io error: Connection refused (os error 111)",
            "dispatch failure: timeout: error trying to connect: HTTP connect timeout occurred after 3s",
            "io error: No route to host (os error 113)",
        ] {
            assert!(!connection_lost(unreachable), "{unreachable}");
        }
    }
}
