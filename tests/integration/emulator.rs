//! The emulator fixture: one moto server per test run on a free loopback port, started on first
//! use; every test gets its own 12-digit account (credentials from `AssumeRole` into it), so
//! tests run in parallel with no reset. If the venv or the server cannot be set up, tests fail loudly.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use trailctl::live::aws::{AwsSettings, sdk_config};

use crate::trails::Runs;

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
fn account() -> String {
    NEXT_ACCOUNT.fetch_add(1, Ordering::Relaxed).to_string()
}

fn start() -> Result<Emulator, String> {
    if let Ok(url) = std::env::var("TRAILCTL_TEST_ENDPOINT") {
        return Ok(Emulator {
            endpoint: url,
            _child: None,
        });
    }
    spawn("emulator")
}

/// An emulator of its own, for a test that changes the whole server (IAM enforcement).
pub fn private(name: &str) -> Emulator {
    spawn(name).unwrap_or_else(|e| panic!("the AWS emulator could not be started: {e}"))
}

fn spawn(name: &str) -> Result<Emulator, String> {
    let python = venv_python();
    let log_path = root().join(format!("target/{name}.log"));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let port = free_port()?;
    let child = Command::new(python)
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

/// An isolated emulator account: credentials from STS `AssumeRole` into a role of that account
/// (moto then answers every call made with them in that account), usable by SDK clients and by
/// the real binary alike.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
    pub session_token: String,
}

impl Emulator {
    /// A fresh account of its own for one test.
    pub async fn account(&self) -> Account {
        let id = account();
        let creds =
            aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "emulator");
        let settings = AwsSettings {
            region: Some("us-east-1".to_owned()),
            endpoint_url: Some(self.endpoint.clone()),
            max_attempts: 1,
            ..AwsSettings::default()
        };
        let config = sdk_config(&settings)
            .await
            .into_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(creds))
            .build();
        let out = aws_sdk_sts::Client::new(&config)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{id}:role/trailctl-test"))
            .role_session_name("trailctl-test")
            .send()
            .await
            .expect("AssumeRole in the emulator");
        let c = out.credentials().expect("credentials");
        Account {
            id,
            endpoint: self.endpoint.clone(),
            access_key: c.access_key_id().to_owned(),
            secret_key: c.secret_access_key().to_owned(),
            session_token: c.session_token().to_owned(),
        }
    }
}

impl Account {
    /// Another account, reached as a role in it (STS `AssumeRole` with these credentials):
    /// how an organization's management account reaches a member.
    pub async fn assume(&self, account: &str, role: &str) -> Account {
        let out = aws_sdk_sts::Client::new(&self.sdk_config("us-east-1").await)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
            .role_session_name("trailctl-test")
            .send()
            .await
            .expect("AssumeRole into the member account");
        let c = out.credentials().expect("credentials");
        Account {
            id: account.to_owned(),
            endpoint: self.endpoint.clone(),
            access_key: c.access_key_id().to_owned(),
            secret_key: c.secret_access_key().to_owned(),
            session_token: c.session_token().to_owned(),
        }
    }

    /// trailctl's own SDK configuration (the code path `--endpoint-url` takes), pointed at the
    /// emulator with this account's credentials and one attempt per call.
    pub async fn sdk_config(&self, region: &str) -> SdkConfig {
        let settings = AwsSettings {
            region: Some(region.to_owned()),
            endpoint_url: Some(self.endpoint.clone()),
            max_attempts: 1,
            ..AwsSettings::default()
        };
        let creds = aws_sdk_sts::config::Credentials::new(
            &self.access_key,
            &self.secret_key,
            (!self.session_token.is_empty()).then(|| self.session_token.clone()),
            None,
            "emulator",
        );
        sdk_config(&settings)
            .await
            .into_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(creds))
            .build()
    }

    pub async fn s3(&self) -> aws_sdk_s3::Client {
        let config = self.sdk_config("us-east-1").await;
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        )
    }

    /// Creates a bucket of someone else's (not trailctl's) named `PREFIX-ACCOUNT`: names are
    /// global across the emulator's accounts, as in AWS.
    pub async fn foreign_bucket(&self, prefix: &str) -> String {
        let name = format!("{prefix}-{}", self.id);
        self.s3()
            .await
            .create_bucket()
            .bucket(&name)
            .send()
            .await
            .expect("create a bucket");
        name
    }

    pub async fn events(&self, region: &str) -> aws_sdk_eventbridge::Client {
        aws_sdk_eventbridge::Client::new(&self.sdk_config(region).await)
    }

    pub async fn sns(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.sdk_config("us-east-1").await)
    }

    pub async fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk_config("us-east-1").await)
    }

    pub async fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config("us-east-1").await)
    }

    pub async fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        aws_sdk_cloudtrail::Client::new(&self.sdk_config(region).await)
    }

    /// The real binary, run in the repository with this account's credentials and the emulator
    /// as endpoint; nothing from the caller's AWS environment leaks in.
    pub fn trailctl(&self, args: &[&str]) -> std::process::Output {
        Runs::trailctl(self, args)
    }

    /// The command `trailctl` runs, to spawn it (and kill it) yourself.
    pub fn command(&self, args: &[&str]) -> Command {
        Runs::command(self, args)
    }
}

impl Runs for Account {
    fn id(&self) -> &str {
        &self.id
    }

    /// The spec the command is given (`-f FILE`) finds its stack's permissions boundary in
    /// place, as an administrator creates it once before the first apply (`trailctl policy
    /// --role boundary`).
    fn command(&self, args: &[&str]) -> Command {
        // Only on the shared emulator, reached directly: a test behind the fault proxy, or with
        // an emulator of its own, creates the boundary itself.
        let direct = EMULATOR
            .get()
            .and_then(|e| e.as_ref().ok())
            .is_some_and(|e| e.endpoint == self.endpoint);
        let spec = args
            .iter()
            .position(|a| *a == "-f")
            .and_then(|i| args.get(i + 1));
        if let Some(stack) = spec
            .filter(|_| direct)
            .and_then(|f| std::fs::read_to_string(root().join(f)).ok())
            .and_then(|text| stack_of(&text))
        {
            self.ensure_boundary(&stack);
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailctl"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("AWS_") {
                cmd.env_remove(k);
            }
        }
        cmd.args(args)
            .current_dir(root())
            .env("AWS_ACCESS_KEY_ID", &self.access_key)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret_key)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        if !self.session_token.is_empty() {
            cmd.env("AWS_SESSION_TOKEN", &self.session_token);
        }
        cmd
    }
}

impl Account {
    /// Seeds the emulator's event history of `region` with CloudTrail `records` (the launcher's
    /// emulator-only `TrailctlSeedEvents` action, patch 8); its first `throttle_first`
    /// `LookupEvents` calls there answer `ThrottlingException`.
    pub fn seed_events(&self, region: &str, records: &[serde_json::Value], throttle_first: usize) {
        let body = serde_json::json!({
            "Region": region, "Records": records, "ThrottleFirst": throttle_first,
        })
        .to_string();
        let headers = format!(
            "Content-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: CloudTrail_20131101.TrailctlSeedEvents\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential={}/20260101/{region}/cloudtrail/aws4_request, SignedHeaders=host, Signature=0\r\n\
             X-Amz-Security-Token: {}\r\n",
            self.access_key, self.session_token,
        );
        let answer = self.post("/", &headers, &body);
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "seeding failed: {answer}"
        );
    }

    /// Sets this account's EventBridge "Number of rules" quota in `region`, as Service Quotas
    /// then reports it (the launcher's emulator-only `TrailctlSetQuota` action, patch 24).
    pub fn set_rule_quota(&self, region: &str, value: u32) {
        let body = serde_json::json!({"Value": value}).to_string();
        let headers = format!(
            "Content-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: ServiceQuotasV20190624.TrailctlSetQuota\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential={}/20260101/{region}/servicequotas/aws4_request, SignedHeaders=host, Signature=0\r\n\
             X-Amz-Security-Token: {}\r\n",
            self.access_key, self.session_token,
        );
        let answer = self.post("/", &headers, &body);
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "setting the quota failed: {answer}"
        );
    }

    /// Queues the results moto's Athena gives this account's next queries in `region`, one
    /// result per query: `(column names, rows)`, every cell a string (moto runs no SQL; its
    /// `moto-api/static/athena/query-results`).
    pub fn queue_query_results(&self, region: &str, results: &[(Vec<&str>, Vec<Vec<&str>>)]) {
        let results: Vec<serde_json::Value> = results
            .iter()
            .map(|(columns, rows)| {
                let cells = |r: &Vec<&str>| {
                    serde_json::json!({"Data": r.iter().map(|c| serde_json::json!({"VarCharValue": c})).collect::<Vec<_>>()})
                };
                let header: Vec<&str> = columns.clone();
                let mut all = vec![cells(&header)];
                all.extend(rows.iter().map(cells));
                serde_json::json!({
                    "rows": all,
                    "column_info": columns.iter().map(|c| serde_json::json!({"Name": c, "Type": "varchar"})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let body = serde_json::json!({"account_id": self.id, "region": region, "results": results})
            .to_string();
        let answer = self.post(
            "/moto-api/static/athena/query-results",
            "Content-Type: application/json\r\n",
            &body,
        );
        assert!(
            answer.starts_with("HTTP/1.1 201"),
            "queueing failed: {answer}"
        );
    }

    /// Creates the stack's permissions boundary `trailctl-STACK-boundary` in this account, once
    /// (IAM `CreatePolicy`; an existing one is kept). What it allows does not matter to the
    /// emulator, which does not apply boundaries.
    pub fn ensure_boundary(&self, stack: &str) {
        let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["events:PutEvents","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#;
        let body = format!(
            "Action=CreatePolicy&Version=2010-05-08&PolicyName=trailctl-{stack}-boundary&PolicyDocument={}",
            form_encode(document)
        );
        let mut headers = format!(
            "Content-Type: application/x-www-form-urlencoded\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential={}/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\n",
            self.access_key,
        );
        if !self.session_token.is_empty() {
            headers.push_str(&format!("X-Amz-Security-Token: {}\r\n", self.session_token));
        }
        let answer = self.post("/", &headers, &body);
        assert!(
            answer.starts_with("HTTP/1.1 200") || answer.contains("EntityAlreadyExists"),
            "creating the boundary failed: {answer}"
        );
    }

    /// A raw POST to the emulator; the whole answer.
    fn post(&self, path: &str, headers: &str, body: &str) -> String {
        use std::io::{Read, Write};
        let host = self
            .endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut conn = std::net::TcpStream::connect(host).expect("connect to the emulator");
        conn.write_all(request.as_bytes())
            .expect("write to the emulator");
        let mut answer = String::new();
        conn.read_to_string(&mut answer)
            .expect("the emulator's answer");
        answer
    }
}

/// The `stack:` of a spec's text, if it has one at the top level.
fn stack_of(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("stack:"))
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
}

/// `application/x-www-form-urlencoded` encoding of a value.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The Python of the project's venv (moto, and the test-side judges: parliament, DuckDB,
/// sqlglot), installed first if it is not.
pub fn venv_python() -> PathBuf {
    let script = root().join("scripts/emulator.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg("install")
        .status()
        .expect("run scripts/emulator.sh");
    assert!(status.success(), "{} install failed", script.display());
    std::env::var_os("TRAILCTL_EMULATOR_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-emulator"))
        .join("bin/python")
}
