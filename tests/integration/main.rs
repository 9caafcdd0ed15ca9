//! The one integration test binary: the real CLI, the spec corpus, the IAM policies, and AWS
//! calls against the local emulator (moto server on loopback); the CLI's own flows on the
//! in-memory account (`in_memory`).

// A benchmark and a test binary stop at the first surprise: unwrap, expect and panic are the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(not(feature = "fake"))]
compile_error!(
    "the integration tests run the binary on the in-memory account: `cargo test --features fake` (scripts/test.sh)"
);

mod alerts;
mod athena;
mod backtest;
mod cli;
mod cloudwatch;
mod cost;
mod docs_links;
mod emulator;
mod emulator_smoke;
mod fault_proxy;
mod faults;
mod filter_conformance;
mod iam_enforced;
mod in_memory;
mod init;
mod investigate;
mod mutations;
mod organizations;
mod pattern_cli;
mod pattern_conformance;
mod policies;
mod presets;
mod schema;
mod sigma;
mod specs;
mod sql_executed;
mod trails;
mod workflow;
