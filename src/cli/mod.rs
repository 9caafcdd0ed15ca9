//! The command line: flags → validated configuration → one command's orchestration.

mod args;
mod completions;
pub mod config;
mod run;
mod validate;

pub use run::{Io, run};
