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
    /// Attempts per call, first included (the SDK's standard retry mode: exponential backoff
    /// with full jitter, capped at `MAX_BACKOFF`).
    pub max_attempts: u32,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            endpoint_url: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// Attempts per call by default. AWS answers a burst over an API's rate quota (EventBridge,
/// SNS, CloudTrail each have their own) with throttling errors that clear within seconds; the
/// SDK's default of 3 attempts gives up inside that window, and a call that gives up fails what
/// depends on it. 12 attempts with backoff capped at `MAX_BACKOFF` (exponential with full
/// jitter from 1 s) wait at most 47 s in all, inside `OPERATION_TIMEOUT`, and a call then fails
/// only if 12 attempts in a row do: with a third of all calls failing, about 1 in 300,000 (an
/// apply of the reference spec makes ~1,200). (Terraform's AWS provider makes up to 25.)
pub const DEFAULT_MAX_ATTEMPTS: u32 = 12;

/// The longest wait between two attempts: short enough that retries keep probing a quota that
/// has recovered, long enough to spread a burst.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Connect timeout: a closed port or an unreachable endpoint fails fast.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Whole-operation timeout, retries included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// The shared SDK configuration every service client is built from.
pub async fn sdk_config(settings: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(crate::live::aws::pacing::http_client())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(settings.max_attempts.max(1))
                .with_max_backoff(MAX_BACKOFF),
        )
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

/// Credentials must resolve within this time: a machine with no credentials fails fast instead
/// of waiting on the instance metadata service.
const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(4);

/// The account, connected once, up front: configuration loaded, credentials resolved (or one
/// clear error), calls going to `home_region` unless a resource lives elsewhere.
pub async fn connect(
    settings: &AwsSettings,
    home_region: &str,
) -> Result<crate::live::aws::AwsAccount, crate::live::LiveError> {
    use aws_sdk_sts::config::ProvideCredentials;

    use crate::live::{ErrorKind, LiveError};

    let mut settings = settings.clone();
    let region = settings
        .region
        .get_or_insert_with(|| home_region.to_owned())
        .clone();
    let config = sdk_config(&settings).await;
    let fail =
        |message: String| LiveError::new("credentials", None, ErrorKind::Credentials, message);
    let Some(provider) = config.credentials_provider() else {
        return Err(fail("no credentials provider is configured".to_owned()));
    };
    match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            return Err(fail(format!(
                "no AWS credentials found (environment, shared config and credentials files, SSO, web identity, container and instance metadata were tried): {}",
                crate::live::aws::error::causes(&e)
            )));
        }
        Err(_) => {
            return Err(fail(format!(
                "resolving AWS credentials took longer than {} s (is this an EC2 instance without a role?)",
                CREDENTIALS_TIMEOUT.as_secs()
            )));
        }
    }
    Ok(crate::live::aws::AwsAccount::new(
        config,
        &region,
        settings.endpoint_url.is_some(),
    ))
}
