//! The one integration test binary: the real CLI, the spec corpus, the IAM policies, and AWS
//! calls against the local emulator (moto server on loopback).

// A benchmark and a test binary stop at the first surprise: unwrap, expect and panic are the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
