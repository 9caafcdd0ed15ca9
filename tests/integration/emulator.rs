//! The emulator fixture: one moto server per test run on a free loopback port, started on first
//! use; every test gets its own 12-digit account (header `x-moto-account-id`), so tests run in
//! parallel with no reset. If the venv or the server cannot be set up, tests fail loudly.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use trailctl::live::aws::{AwsSettings, sdk_config};

pub struct Emulator {
    pub endpoint: String,
    /// Kept so the server lives as long as the test binary (it also exits when we do).
    _child: Option<Child>,
}

static EMULATOR: OnceLock<Result<Emulator, String>> = OnceLock::new();
static NEXT_ACCOUNT: AtomicU64 = AtomicU64::new(100_000_000_001);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared emulator, started on first use. `TRAILCTL_TEST_ENDPOINT` points the tests at one
/// that is already running instead.
pub fn shared() -> &'static Emulator {
    match EMULATOR.get_or_init(start) {
        Ok(e) => e,
        Err(msg) => panic!("the AWS emulator could not be started: {msg}"),
    }
}

/// A fresh account id: its resources are invisible to every other test.
pub fn account() -> String {
    NEXT_ACCOUNT.fetch_add(1, Ordering::Relaxed).to_string()
}

fn start() -> Result<Emulator, String> {
    if let Ok(url) = std::env::var("TRAILCTL_TEST_ENDPOINT") {
        return Ok(Emulator {
            endpoint: url,
            _child: None,
        });
    }
    let script = root().join("scripts/emulator.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg("install")
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!("{} install failed ({status})", script.display()));
    }
    let venv = std::env::var_os("TRAILCTL_EMULATOR_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-emulator"));
    let log_path = root().join("target/emulator.log");
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let port = free_port()?;
    let child = Command::new(venv.join("bin/python"))
        .arg(root().join("tests/emulator/moto_server.py"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .args(["--parent-pid", &std::process::id().to_string()])
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start moto server: {e}"))?;
    wait_until_listening(port, &log_path)?;
    Ok(Emulator {
        endpoint: format!("http://127.0.0.1:{port}"),
        _child: Some(child),
    })
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn wait_until_listening(port: u16, log: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let tail = std::fs::read_to_string(log).unwrap_or_default();
    Err(format!(
        "moto server did not listen on port {port} within 60 s; its log:\n{tail}"
    ))
}

/// Sends `x-moto-account-id` on every request: one isolated account per test.
#[derive(Debug)]
pub struct MotoAccount(pub String);

impl Intercept for MotoAccount {
    fn name(&self) -> &'static str {
        "MotoAccount"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        context
            .request_mut()
            .headers_mut()
            .insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}

impl Emulator {
    /// trailctl's own SDK configuration (the code path `--endpoint-url` takes), pointed at the
    /// emulator with dummy static credentials and one attempt per call.
    pub async fn sdk_config(&self, region: &str) -> SdkConfig {
        let settings = AwsSettings {
            region: Some(region.to_owned()),
            endpoint_url: Some(self.endpoint.clone()),
            max_attempts: 1,
            ..AwsSettings::default()
        };
        let creds =
            aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "emulator");
        sdk_config(&settings)
            .await
            .into_builder()
            .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(creds))
            .build()
    }
}
