//! AWS access, configured in one place: credential chain, profile, Region, endpoint, retries, timeouts.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

/// What the command line says about AWS access; anything unset comes from the standard chain
/// (environment, shared config and credentials files incl. SSO, web identity, IMDS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// `--endpoint-url` or `AWS_ENDPOINT_URL`: every service at one endpoint (the local emulator).
    pub endpoint_url: Option<String>,
    /// Attempts per call, first included (the SDK's standard retry mode).
    pub max_attempts: u32,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            endpoint_url: None,
            max_attempts: 3,
        }
    }
}

/// Connect timeout: a closed port or an unreachable endpoint fails fast.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Whole-operation timeout, retries included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// The shared SDK configuration every service client is built from.
pub async fn sdk_config(settings: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(settings.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        );
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &settings.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &settings.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    loader.load().await
}
