//! The in-memory account: the real binary (built with the test-only `fake` feature) on an
//! account kept in a JSON file (`TRAILCTL_FAKE_ACCOUNT`), for the flows that test trailctl and
//! not AWS's protocol (saved plans, refusals, formats, exit codes). No emulator: the test reads
//! the account, changes it behind trailctl's back and counts the calls made, in the file.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use trailctl::live::fake::State;

use crate::trails::Runs;

/// Ids apart from the emulator's accounts (`100000000001`…).
static NEXT_ACCOUNT: AtomicU64 = AtomicU64::new(200_000_000_001);

/// One account of its own, for one test.
pub struct Memory {
    pub id: String,
    file: PathBuf,
}

impl Memory {
    pub fn new() -> Memory {
        let id = NEXT_ACCOUNT.fetch_add(1, Ordering::Relaxed).to_string();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("in-memory");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{id}.json"));
        let m = Memory { id, file };
        // Written afresh: a file left by an earlier run of the tests is not read.
        m.write(State::default());
        m
    }

    /// The account as trailctl left it.
    pub fn state(&self) -> State {
        serde_json::from_slice(&std::fs::read(&self.file).unwrap()).unwrap()
    }

    /// Changes the account behind trailctl's back (as another client would).
    pub fn edit(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.state();
        f(&mut state);
        self.write(state);
    }

    fn write(&self, mut state: State) {
        state.account = self.id.clone();
        std::fs::write(&self.file, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
    }

    /// Every call made so far, by operation (`S3:CreateBucket`); forgotten afterwards.
    pub fn take_calls(&self) -> Vec<String> {
        let mut calls = Vec::new();
        self.edit(|s| calls = std::mem::take(&mut s.calls).into_keys().collect());
        calls
    }
}

impl Runs for Memory {
    fn id(&self) -> &str {
        &self.id
    }

    /// The real binary, run in the repository on this account; nothing from the caller's AWS
    /// environment leaks in (a call that reached for AWS would fail for want of credentials).
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailctl"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("AWS_") {
                cmd.env_remove(k);
            }
        }
        cmd.args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("TRAILCTL_FAKE_ACCOUNT", &self.file)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }
}

#[test]
fn the_account_file_round_trips_what_trailctl_wrote() {
    let m = Memory::new();
    let f = crate::trails::spec(
        &m,
        "round-trip",
        "version: 1\nstack: rt\nhome_region: us-east-1\nbuckets: [{name: rt-ACCOUNT}]\n",
    );
    let out: Output = crate::trails::apply(&m, &f, &[]);
    crate::trails::ok(&out);
    let state = m.state();
    assert_eq!(state.account, m.id);
    let bucket = &state.buckets[&format!("rt-{}", m.id)];
    assert_eq!(bucket.tags["trailctl:stack"], "rt");
    assert!(m.take_calls().contains(&"S3:CreateBucket".to_owned()));
    assert_eq!(
        crate::trails::ok(&crate::trails::plan(&m, &f, &[])),
        crate::trails::NO_CHANGES
    );
}
