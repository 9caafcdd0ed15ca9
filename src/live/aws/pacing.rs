//! How fast trailctl talks to AWS, decided in one place for every service client:
//!
//! - **Calls in flight** are capped per credentials, service and Region ([`MAX_IN_FLIGHT`]), at the HTTP
//!   layer under the SDK, so that every attempt of every call (reads of `plan`, writes of
//!   `apply`, retries) waits for a slot: a spec of 16 alerts in 17 Regions never fires hundreds
//!   of calls at one endpoint at once. The key is the request's SigV4 credential scope, so it
//!   holds behind a single endpoint override too.
//! - **Retries** (`config::DEFAULT_MAX_ATTEMPTS`, exponential backoff with full jitter) are not
//!   cut short by the SDK's retry quota: each client gets a retry partition with an unlimited
//!   token bucket. The quota (500 tokens, 5 per throttled retry and 14 per other retry) exists
//!   to shed load from a long-running service; a command making a bounded number of calls
//!   would otherwise stop retrying after a few dozen throttled calls and fail the apply, which
//!   is what Terraform's AWS provider avoids the same way (it disables the SDK's retry rate
//!   limiter).
//! - **Every retry is counted** by kind (throttled, server error, connection) and logged at
//!   `-v`, so the apply summary can say how hard the account pushed back.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{Builder, ConnectorBuilder, tls};
use aws_smithy_runtime::client::retries::RetryPartition;
use aws_smithy_runtime::client::retries::TokenBucket;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use tokio::sync::Semaphore;

/// Calls in flight at once per service and Region. EventBridge, SNS and CloudTrail allow tens
/// of control-plane calls per second per Region by default (EventBridge: 50 per API); 16
/// calls of ~50 ms each stay near that rate, while reading a Region's 16 rules (their targets
/// and tags) still takes two waves, not sixteen. Throttling beyond it is retried.
pub const MAX_IN_FLIGHT: usize = 16;

/// Retries made, by the kind of failure that caused them.
#[derive(Debug, Default)]
pub struct Retries {
    throttled: AtomicU64,
    server: AtomicU64,
    connection: AtomicU64,
}

/// A snapshot of [`Retries`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RetryCounts {
    /// After a throttling answer (the API's rate quota).
    pub throttled: u64,
    /// After a 5xx answer.
    pub server_error: u64,
    /// After a reset, refused or timed-out connection.
    pub connection: u64,
}

impl RetryCounts {
    pub fn total(&self) -> u64 {
        self.throttled + self.server_error + self.connection
    }
}

impl Retries {
    pub fn counts(&self) -> RetryCounts {
        RetryCounts {
            throttled: self.throttled.load(Ordering::Relaxed),
            server_error: self.server.load(Ordering::Relaxed),
            connection: self.connection.load(Ordering::Relaxed),
        }
    }

    fn count(&self, kind: Failure) {
        let counter = match kind {
            Failure::Throttled => &self.throttled,
            Failure::Server => &self.server,
            Failure::Connection => &self.connection,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Why an attempt failed, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Throttled,
    Server,
    Connection,
}

impl Failure {
    fn name(self) -> &'static str {
        match self {
            Failure::Throttled => "throttled",
            Failure::Server => "server error",
            Failure::Connection => "connection",
        }
    }
}

impl Storable for Failure {
    type Storer = StoreReplace<Failure>;
}

/// The retry partition of one client (a service in a Region): its own unlimited retry quota.
pub fn retry_partition(service: &str, region: &str) -> RetryPartition {
    RetryPartition::custom(format!("trailctl-{service}-{region}"))
        .token_bucket(TokenBucket::unlimited())
        .build()
}

/// The HTTP client every service client shares: the SDK's default (hyper, rustls with
/// aws-lc, proxy settings from the environment), behind the per-service-and-Region cap.
pub fn http_client() -> SharedHttpClient {
    let inner = Builder::new().build_with_connector_fn(|settings, components| {
        let mut conn = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        conn.set_connector_settings(settings.cloned());
        if let Some(c) = components {
            conn.set_sleep_impl(c.sleep_impl());
        }
        conn.set_proxy_config(Some(ProxyConfig::from_env()));
        conn.build()
    });
    SharedHttpClient::new(Capped {
        inner,
        slots: Arc::new(Slots::default()),
    })
}

/// One semaphore per (service, Region), made on first use.
#[derive(Debug, Default)]
struct Slots(Mutex<HashMap<String, Arc<Semaphore>>>);

impl Slots {
    fn of(&self, key: &str) -> Arc<Semaphore> {
        match self.0.lock() {
            Ok(mut m) => m
                .entry(key.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(MAX_IN_FLIGHT)))
                .clone(),
            // A poisoned map: no cap rather than no call.
            Err(_) => Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        }
    }
}

#[derive(Debug)]
struct Capped {
    inner: SharedHttpClient,
    slots: Arc<Slots>,
}

impl HttpClient for Capped {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(CappedConnector {
            inner: self.inner.http_connector(settings, components),
            slots: self.slots.clone(),
        })
    }
}

struct CappedConnector {
    inner: SharedHttpConnector,
    slots: Arc<Slots>,
}

impl fmt::Debug for CappedConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CappedConnector")
    }
}

impl HttpConnector for CappedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let slot = self.slots.of(&scope(&request));
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            // A closed semaphore never happens (it is never closed); then there is no cap.
            let _permit = slot.acquire_owned().await.ok();
            inner.call(request).await
        })
    }
}

/// `AKID/region/service` from the SigV4 credential scope of a signed request
/// (`Credential=AKID/20261130/us-east-1/events/aws4_request`), else the host. The access key
/// keeps accounts apart: each account of an organization has its own quotas (and its own
/// assumed-role credentials), so one account's calls never wait for another's.
fn scope(request: &HttpRequest) -> String {
    let signed = request
        .headers()
        .get("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .map(|c| {
            let parts: Vec<&str> = c.split('/').collect();
            [parts.first(), parts.get(2), parts.get(3)]
                .into_iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join("/")
        });
    match signed {
        Some(s) if !s.is_empty() => s,
        _ => request
            .uri()
            .split('/')
            .nth(2)
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Counts and logs every retry the SDK makes, with the failure that caused it.
#[derive(Debug)]
pub struct RetryLog(pub Arc<Retries>);

impl Intercept for RetryLog {
    fn name(&self) -> &'static str {
        "trailctl-retry-log"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(kind) = failure(context) {
            cfg.interceptor_state().store_put(kind);
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The attempt about to be made, the first being 1.
        let attempt = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
        if attempt < 2 {
            return Ok(());
        }
        let kind = cfg.load::<Failure>().copied().unwrap_or(Failure::Server);
        self.0.count(kind);
        let (service, operation) = cfg
            .load::<Metadata>()
            .map_or(("?", "?"), |m| (m.service(), m.name()));
        tracing::info!(
            service,
            operation,
            attempt,
            cause = kind.name(),
            "retrying an AWS call"
        );
        Ok(())
    }
}

/// Why the attempt failed, if it did in a way the SDK retries.
fn failure(context: &FinalizerInterceptorContextRef<'_>) -> Option<Failure> {
    let Some(response) = context.response() else {
        // No response: the connection failed (reset, refused, timed out).
        return matches!(context.output_or_error(), Some(Err(_))).then_some(Failure::Connection);
    };
    let status = response.status().as_u16();
    let error_type = response
        .headers()
        .get("x-amzn-errortype")
        .unwrap_or_default();
    let body = response.body().bytes().unwrap_or_default();
    // The error as the SDK read it, with its code (the body may be gone by now).
    let parsed = match context.output_or_error() {
        Some(Err(e)) => format!("{e:?}"),
        _ => String::new(),
    };
    let throttling = |text: &[u8]| {
        [
            &b"Throttl"[..],
            b"TooManyRequests",
            b"RequestLimitExceeded",
            b"SlowDown",
            b"RequestThrottled",
            b"PriorRequestNotComplete",
        ]
        .iter()
        .any(|word| text.windows(word.len()).any(|w| w == *word))
    };
    let throttled = [error_type.as_bytes(), body, parsed.as_bytes()]
        .into_iter()
        .any(throttling);
    if status == 429 || (status >= 400 && throttled) {
        Some(Failure::Throttled)
    } else if status >= 500 {
        Some(Failure::Server)
    } else {
        None
    }
}
