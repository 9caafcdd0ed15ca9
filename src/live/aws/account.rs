//! `AwsAccount`: the live account through the AWS SDK, one client per service and Region built
//! from the one shared configuration. Implements STS and KMS here; CloudTrail and S3 in their
//! own files.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::{Region, SdkConfig};

use crate::live::aws::error::{causes, code, kind_of, map};
use crate::live::aws::operations as ops;
use crate::live::aws::pacing::{Retries, RetryCounts, RetryLog, retry_partition};
use crate::live::error::LiveResult;
use crate::live::error::{ErrorKind, LiveError};
use crate::live::services::{Kms, Sts};

/// The account the credentials give access to.
pub struct AwsAccount {
    config: SdkConfig,
    /// Path-style S3 addressing, for an endpoint override (a local emulator).
    path_style: bool,
    /// The Region for calls that have none of their own (STS).
    default_region: String,
    cloudtrail: Mutex<HashMap<String, aws_sdk_cloudtrail::Client>>,
    s3: Mutex<HashMap<String, aws_sdk_s3::Client>>,
    kms: Mutex<HashMap<String, aws_sdk_kms::Client>>,
    sns: Mutex<HashMap<String, aws_sdk_sns::Client>>,
    events: Mutex<HashMap<String, aws_sdk_eventbridge::Client>>,
    glue: Mutex<HashMap<String, aws_sdk_glue::Client>>,
    athena: Mutex<HashMap<String, aws_sdk_athena::Client>>,
    tagging: Mutex<HashMap<String, aws_sdk_resourcegroupstagging::Client>>,
    quotas: Mutex<HashMap<String, aws_sdk_servicequotas::Client>>,
    logs: Mutex<HashMap<String, aws_sdk_cloudwatchlogs::Client>>,
    cloudwatch: Mutex<HashMap<String, aws_sdk_cloudwatch::Client>>,
    /// The account id, once STS has said it (ARNs of Glue and Athena resources need it).
    id: tokio::sync::OnceCell<String>,
    /// Items per page for EventBridge's list calls (`None`: the service's default).
    page_size: Option<i32>,
    /// Every retry of every client, by cause.
    retries: Arc<Retries>,
}

fn cached<C: Clone>(
    cache: &Mutex<HashMap<String, C>>,
    region: &str,
    make: impl FnOnce() -> C,
) -> C {
    match cache.lock() {
        Ok(mut m) => m.entry(region.to_owned()).or_insert_with(make).clone(),
        Err(_) => make(),
    }
}

impl AwsAccount {
    /// `default_region` is used for STS and S3 location lookups.
    pub fn new(config: SdkConfig, default_region: &str, path_style: bool) -> Self {
        Self {
            config,
            path_style,
            default_region: default_region.to_owned(),
            cloudtrail: Mutex::default(),
            s3: Mutex::default(),
            kms: Mutex::default(),
            sns: Mutex::default(),
            events: Mutex::default(),
            glue: Mutex::default(),
            athena: Mutex::default(),
            tagging: Mutex::default(),
            quotas: Mutex::default(),
            logs: Mutex::default(),
            cloudwatch: Mutex::default(),
            id: tokio::sync::OnceCell::new(),
            page_size: None,
            retries: Arc::default(),
        }
    }

    /// Asks list calls for pages of `n` items (tests use it to exercise pagination).
    pub fn with_page_size(mut self, n: i32) -> Self {
        self.page_size = Some(n);
        self
    }

    pub(super) fn page_size(&self) -> Option<i32> {
        self.page_size
    }

    /// The retries made so far, by cause.
    pub fn retries(&self) -> RetryCounts {
        self.retries.counts()
    }

    fn log(&self) -> RetryLog {
        RetryLog(self.retries.clone())
    }

    pub(super) fn sns(&self, region: &str) -> aws_sdk_sns::Client {
        cached(&self.sns, region, || {
            let c = aws_sdk_sns::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("sns", region))
                .interceptor(self.log())
                .build();
            aws_sdk_sns::Client::from_conf(c)
        })
    }

    pub(super) fn events(&self, region: &str) -> aws_sdk_eventbridge::Client {
        cached(&self.events, region, || {
            let c = aws_sdk_eventbridge::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("events", region))
                .interceptor(self.log())
                .build();
            aws_sdk_eventbridge::Client::from_conf(c)
        })
    }

    pub(super) fn glue(&self, region: &str) -> aws_sdk_glue::Client {
        cached(&self.glue, region, || {
            let c = aws_sdk_glue::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("glue", region))
                .interceptor(self.log())
                .build();
            aws_sdk_glue::Client::from_conf(c)
        })
    }

    pub(super) fn athena(&self, region: &str) -> aws_sdk_athena::Client {
        cached(&self.athena, region, || {
            let c = aws_sdk_athena::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("athena", region))
                .interceptor(self.log())
                .build();
            aws_sdk_athena::Client::from_conf(c)
        })
    }

    pub(super) fn tagging(&self, region: &str) -> aws_sdk_resourcegroupstagging::Client {
        cached(&self.tagging, region, || {
            let c = aws_sdk_resourcegroupstagging::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("tagging", region))
                .interceptor(self.log())
                .build();
            aws_sdk_resourcegroupstagging::Client::from_conf(c)
        })
    }

    pub(super) fn quotas(&self, region: &str) -> aws_sdk_servicequotas::Client {
        cached(&self.quotas, region, || {
            let c = aws_sdk_servicequotas::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("servicequotas", region))
                .interceptor(self.log())
                .build();
            aws_sdk_servicequotas::Client::from_conf(c)
        })
    }

    pub(super) fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        cached(&self.logs, region, || {
            let c = aws_sdk_cloudwatchlogs::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("logs", region))
                .interceptor(self.log())
                .build();
            aws_sdk_cloudwatchlogs::Client::from_conf(c)
        })
    }

    pub(super) fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        cached(&self.cloudwatch, region, || {
            let c = aws_sdk_cloudwatch::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("monitoring", region))
                .interceptor(self.log())
                .build();
            aws_sdk_cloudwatch::Client::from_conf(c)
        })
    }

    /// Organizations is global: its calls go to the default Region's endpoint.
    pub(super) fn organizations(&self) -> aws_sdk_organizations::Client {
        let c = aws_sdk_organizations::config::Builder::from(&self.config)
            .region(Region::new(self.default_region.clone()))
            .retry_partition(retry_partition("organizations", &self.default_region))
            .interceptor(self.log())
            .build();
        aws_sdk_organizations::Client::from_conf(c)
    }

    /// Another account, through `role_arn` assumed with these credentials (STS AssumeRole,
    /// session `session`): the same settings, its own clients, credentials refreshed before
    /// they expire. The role is assumed here, once, so that a role that cannot be assumed is
    /// one clear error (STS's code and message), not a credentials failure of the first call.
    pub async fn assume(&self, role_arn: &str, session: &str) -> LiveResult<AwsAccount> {
        use aws_sdk_sts::config::ProvideCredentials;

        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(session)
            .configure(&self.config)
            .build()
            .await;
        if let Err(e) = provider.provide_credentials().await {
            return Err(assume_failure(&self.default_region, &e));
        }
        let config = self
            .config
            .to_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
                provider,
            ))
            .build();
        let mut other = AwsAccount::new(config, &self.default_region, self.path_style);
        other.page_size = self.page_size;
        Ok(other)
    }

    /// The account id (STS, asked once).
    pub(super) async fn id(&self) -> LiveResult<String> {
        self.id
            .get_or_try_init(|| self.caller_account())
            .await
            .cloned()
    }

    /// STS `GetCallerIdentity`: the caller's account.
    async fn caller_account(&self) -> LiveResult<String> {
        let c = aws_sdk_sts::config::Builder::from(&self.config)
            .region(Region::new(self.default_region.clone()))
            .retry_partition(retry_partition("sts", &self.default_region))
            .interceptor(self.log())
            .build();
        let out = aws_sdk_sts::Client::from_conf(c)
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| map(ops::STS_GET_CALLER_IDENTITY, &self.default_region, e))?;
        Ok(out.account().unwrap_or_default().to_owned())
    }

    /// IAM is global: its calls go to the default Region's endpoint.
    pub(super) fn iam(&self) -> aws_sdk_iam::Client {
        let c = aws_sdk_iam::config::Builder::from(&self.config)
            .region(Region::new(self.default_region.clone()))
            .retry_partition(retry_partition("iam", &self.default_region))
            .interceptor(self.log())
            .build();
        aws_sdk_iam::Client::from_conf(c)
    }

    pub(super) fn default_region(&self) -> &str {
        &self.default_region
    }

    pub(super) fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        cached(&self.cloudtrail, region, || {
            let c = aws_sdk_cloudtrail::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("cloudtrail", region))
                .interceptor(self.log())
                .build();
            aws_sdk_cloudtrail::Client::from_conf(c)
        })
    }

    pub(super) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        cached(&self.s3, region, || {
            let c = aws_sdk_s3::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .force_path_style(self.path_style)
                .retry_partition(retry_partition("s3", region))
                .interceptor(self.log())
                .build();
            aws_sdk_s3::Client::from_conf(c)
        })
    }

    fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        cached(&self.kms, region, || {
            let c = aws_sdk_kms::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(retry_partition("kms", region))
                .interceptor(self.log())
                .build();
            aws_sdk_kms::Client::from_conf(c)
        })
    }
}

/// Why a role could not be assumed: STS's own error when the chain of causes holds it (code
/// and message, never `Debug` output), else the causes.
fn assume_failure(region: &str, e: &(dyn std::error::Error + 'static)) -> LiveError {
    use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

    let mut next = Some(e);
    while let Some(cause) = next {
        if let Some(SdkError::ServiceError(s)) =
            cause.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>()
        {
            let code = s.err().code().unwrap_or("Unknown");
            return LiveError::new(
                ops::STS_ASSUME_ROLE,
                Some(region),
                kind_of(code),
                s.err().message().unwrap_or(code),
            );
        }
        next = cause.source();
    }
    LiveError::new(
        ops::STS_ASSUME_ROLE,
        Some(region),
        ErrorKind::Credentials,
        causes(e),
    )
}

impl Sts for AwsAccount {
    /// Asked of STS once per account object, however many readers need it.
    async fn account_id(&self) -> LiveResult<String> {
        self.id().await
    }
}

impl Kms for AwsAccount {
    async fn key_arn(&self, region: &str, key: &str) -> LiveResult<Option<String>> {
        match self.kms(region).describe_key().key_id(key).send().await {
            Ok(out) => Ok(out.key_metadata().and_then(|m| m.arn()).map(str::to_owned)),
            Err(e) if code(&e) == Some("NotFoundException") => Ok(None),
            Err(e) => Err(map(ops::KMS_DESCRIBE_KEY, region, e)),
        }
    }
}
