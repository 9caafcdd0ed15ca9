//! trailctl: CloudTrail trails and CloudTrail-driven alerts as code, with no state file.
//!
//! Data flows spec → model → live → plan → apply → render; see `../shared/STYLE.md`.

pub mod access;
pub(crate) mod apply;
pub mod archive;
pub mod backtest;
pub(crate) mod cli;
pub mod exit;
pub mod filter;
pub mod init;
pub mod investigate;
pub mod live;
pub mod model;
pub mod pattern;
pub mod plan;
pub mod query;
pub(crate) mod render;
pub mod sigma;
pub mod spec;
pub mod verdict;

pub use cli::{Io, run};
pub use exit::Exit;
