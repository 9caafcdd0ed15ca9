//! The real binary: exit codes, help, version, usage errors, completions, colour.

use std::process::{Command, Output};

fn trailctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailctl"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_exits_0_for_every_example() {
    for (f, counts) in [
        ("examples/minimal.yaml", "1 bucket; 0 warnings, 2 notes"),
        ("examples/baseline.yaml", "2 buckets; 0 warnings"),
    ] {
        let out = trailctl(&["validate", "-f", f]);
        assert_eq!(out.status.code(), Some(0), "{f}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            format!("{f}: valid (1 trail, {counts})\n")
        );
    }
}

#[test]
fn validate_exits_1_with_every_error_located() {
    let out = trailctl(&["validate", "--file", "tests/specs/invalid/trail-names.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.matches(": error: ").count(), 5, "{err}");
    assert!(err.contains("tests/specs/invalid/trail-names.yaml:5:12: error: a trail name has 3 to 128 characters, this one has 2 (at trails[0].name)"), "{err}");
    assert!(err.ends_with("invalid (5 errors, 0 warnings)\n"), "{err}");
    assert!(!err.contains('\x1b'), "no colour when not a terminal");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_spec_file_is_an_error_not_a_panic() {
    let out = trailctl(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: cannot read trailctl.yaml: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_and_version_exit_0_usage_errors_exit_1() {
    let help = trailctl(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let h = text(&help.stdout);
    for needle in [
        "validate",
        "completions",
        "--profile",
        "--region",
        "--endpoint-url",
        "--no-color",
        "--verbose",
        "Examples:",
        "Exit codes:",
    ] {
        assert!(h.contains(needle), "help lacks {needle}:\n{h}");
    }
    let version = trailctl(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    // The version and the commit it was built from.
    let v = text(&version.stdout);
    let commit = v
        .strip_prefix(&format!("trailctl {} (commit ", env!("CARGO_PKG_VERSION")))
        .and_then(|rest| rest.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{v}"
    );
    for bad in [&["--bogus"][..], &["frobnicate"], &[]] {
        let out = trailctl(bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert!(!out.stderr.is_empty());
    }
}

/// The manual pages come from the same definitions as `--help`: the main page on stdout, one
/// page per command with `--dir`.
#[test]
fn man_pages_are_generated_from_the_help() {
    let out = trailctl(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = text(&out.stdout);
    assert!(
        page.contains(".TH trailctl 1") && page.contains("investigate"),
        "{page}"
    );
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("man");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = trailctl(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for name in ["trailctl.1", "trailctl-apply.1", "trailctl-investigate.1"] {
        let page = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(page.contains(".SH OPTIONS"), "{name}");
    }
    let missing = trailctl(&["man", "--dir", "/nonexistent/man"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("error: cannot write /nonexistent/man"));
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = trailctl(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(text(&out.stdout).contains("validate"), "{shell}");
    }
}

#[test]
fn verbose_logs_to_stderr_only() {
    let out = trailctl(&["-vv", "validate", "-f", "examples/minimal.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("configuration"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout),
        "examples/minimal.yaml: valid (1 trail, 1 bucket; 0 warnings, 2 notes)\n"
    );
}

/// A command that reads the account, with no credentials anywhere and an instance metadata
/// service that accepts connections and never answers (the worst case off EC2).
#[test]
fn missing_credentials_fail_fast_with_one_clear_error() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let imds = format!("http://{}", silent.local_addr().unwrap());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailctl"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    let started = std::time::Instant::now();
    let out = cmd
        .args(["plan", "-f", "examples/minimal.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    // A hang guard, not a speed target: the bound is the documented 5 s plus process start.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    // The spec's notes come first (no KMS key in the minimal example), then the one error.
    let first_error = err.lines().find(|l| l.starts_with("error: ")).unwrap_or("");
    assert!(
        first_error.starts_with("error: no AWS credentials found"),
        "{err}"
    );
    assert_eq!(err.matches("error: ").count(), 1, "one error: {err}");
    assert!(err.contains("credentials"), "{err}");
    assert!(
        !err.contains("Some(") && !err.contains("{ "),
        "no Debug output: {err}"
    );
    assert!(out.stdout.is_empty());
}

/// An invalid spec is reported in full and no AWS call is made: the endpoint is a listener
/// that would see any connection.
#[test]
fn an_invalid_spec_makes_no_aws_call() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    for command in ["plan", "apply"] {
        let out = Command::new(env!("CARGO_BIN_EXE_trailctl"))
            .args([
                command,
                "-f",
                "tests/specs/invalid/trail-names.yaml",
                if command == "plan" {
                    // An error is 1, never the 2 of "changes present".
                    "--detailed-exitcode"
                } else {
                    "--auto-approve"
                },
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_ACCESS_KEY_ID", "x")
            .env("AWS_SECRET_ACCESS_KEY", "x")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert_eq!(err.matches(": error: ").count(), 5, "{err}");
        assert!(
            listener.accept().is_err(),
            "{command} connected to AWS with an invalid spec"
        );
    }
}

/// `--deny-warnings` fails on warnings, before any AWS call, and never on notes.
#[test]
fn deny_warnings_fails_on_warnings_but_not_on_notes() {
    let warned = "tests/specs/invalid/bucket-typo-warning.yaml";
    let out = trailctl(&["validate", "-f", warned]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = trailctl(&["validate", "--deny-warnings", "-f", warned]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(": warning: bucket `acme-audit-log`"), "{err}");
    assert!(
        err.contains(&format!(
            "{warned}: refused (1 warning and --deny-warnings)"
        )),
        "{err}"
    );
    assert_eq!(text(&out.stdout), "");

    // plan refuses the same way, before reading the account (port 9 answers nothing).
    let out = Command::new(env!("CARGO_BIN_EXE_trailctl"))
        .args(["plan", "--deny-warnings", "-f", warned])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("refused (1 warning and --deny-warnings)"),
        "{err}"
    );
    assert!(!err.contains("127.0.0.1:9"), "no AWS call: {err}");

    // Notes (the minimal example has no KMS key) never fail.
    let out = trailctl(&["validate", "--deny-warnings", "-f", "examples/minimal.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(": note: [trail-integrity]"));
}

/// Output that could not be written is an error (exit 1, one message); a closed pipe is not.
#[test]
fn a_failed_write_fails_and_a_closed_pipe_ends_quietly() {
    use std::process::Stdio;

    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    for args in [
        &["presets", "list"][..],
        &[
            "presets",
            "show",
            "cis-4.1-unauthorized-api-calls",
            "--format",
            "json",
        ],
        &["validate", "-f", "examples/baseline.yaml"],
        &["--help"],
        &["completions", "bash"],
        &["man"],
        &["events", "validate-pattern", r#"{"source":["aws.s3"]}"#],
        &[
            "test",
            "-f",
            "examples/seed-alerts.yaml",
            "--format",
            "junit",
        ],
        &[
            "backtest",
            "-f",
            "examples/cis-baseline.yaml",
            "tests/fixtures/cloudtrail/s3-layout/AWSLogs",
            "--format",
            "json",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_trailctl"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::fs::File::create(full).unwrap())
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(
            err.matches("error: cannot write to standard output: ")
                .count(),
            1,
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    for args in [&["completions", "zsh"][..], &["presets", "list"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trailctl"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), "", "{args:?}");
    }
}

/// A connection the endpoint accepted and then dropped is told apart from an endpoint that
/// cannot be reached: the first may have taken effect, the second did not.
#[test]
fn a_dropped_connection_is_not_an_unreachable_endpoint() {
    use std::io::Read;

    let hang_up = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let lost = format!("http://{}", hang_up.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in hang_up.incoming().take(10) {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            // Dropped without an answer: the request was received, the connection closes.
        }
    });
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    for (endpoint, want, not) in [
        (
            &lost,
            "connection lost (the call may or may not have taken effect)",
            "unreachable",
        ),
        (&refused, "endpoint unreachable", "connection lost"),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailctl"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("AWS_") {
                cmd.env_remove(k);
            }
        }
        let out = cmd
            .args(["plan", "-f", "examples/minimal.yaml", "--max-attempts", "2"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_ENDPOINT_URL", endpoint)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        let line = err.lines().find(|l| l.starts_with("error: ")).unwrap_or("");
        assert!(line.contains("STS:GetCallerIdentity"), "{err}");
        assert!(
            line.contains(want) && !line.contains(not),
            "{endpoint}: {line}"
        );
    }
}

/// `validate --format sarif` is a SARIF 2.1.0 log code scanning can read: every lint a rule,
/// every finding a result under its rule, at its line and column, with its spec path; `--format
/// json` lists the same; the exit codes are the human form's.
#[test]
fn validate_writes_sarif_and_json_with_every_finding_placed() {
    let file = "tests/specs/invalid/lints.yaml";
    let out = trailctl(&["validate", "-f", file, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "findings go into the document only");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "trailctl");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for lint in [
        "alert-placement",
        "trail-coverage",
        "unknown-service",
        "spec-error",
    ] {
        assert!(rules.contains(&lint), "{rules:?}");
    }
    let results = run["results"].as_array().unwrap();
    let human = text(&trailctl(&["validate", "-f", file]).stderr);
    assert_eq!(
        results.len(),
        human.matches(": warning: ").count() + human.matches(": note: ").count()
    );
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert!(rules.contains(&id), "{id}");
        assert!(
            ["warning", "note"].contains(&r["level"].as_str().unwrap()),
            "{r}"
        );
        let at = &r["locations"][0];
        assert_eq!(at["physicalLocation"]["artifactLocation"]["uri"], file);
        let line = at["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap();
        let column = at["physicalLocation"]["region"]["startColumn"]
            .as_u64()
            .unwrap();
        let path = at["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        assert!(
            human.contains(&format!("{file}:{line}:{column}: "))
                && human.contains(&format!("(at {path})")),
            "{r}"
        );
    }
    let denied = trailctl(&[
        "validate",
        "-f",
        file,
        "--format",
        "sarif",
        "--deny-warnings",
    ]);
    assert_eq!(denied.status.code(), Some(1));
    let invalid = trailctl(&[
        "validate",
        "-f",
        "tests/specs/invalid/dropped-items.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(invalid.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&invalid.stdout).unwrap();
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["diagnostics"][1]["path"], "trails[2].name");
    assert_eq!(
        (
            doc["diagnostics"][1]["line"].as_u64(),
            doc["diagnostics"][1]["column"].as_u64()
        ),
        (Some(12), Some(11))
    );
}

/// A plan file of format 1 (reductions as English text), as trailctl wrote them before format 3,
/// still shows: its reductions read back from their text.
#[test]
fn show_reads_a_plan_file_of_format_1() {
    let out = trailctl(&["show", "tests/fixtures/plans/v1-destructive.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("! destructive: turns off server access logging"),
        "{shown}"
    );
    assert!(
        shown.contains("! destructive: replaces the trail: nothing is logged between its deletion in us-east-1 and its creation in eu-west-1"),
        "{shown}"
    );
    assert!(
        shown.contains("Plan: 0 to add, 1 to change, 1 to destroy."),
        "{shown}"
    );
}
