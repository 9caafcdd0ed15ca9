//! The command line: flags → validated configuration → one command's orchestration.

mod apply;
mod approval;
mod archives;
mod args;
mod backtest;
mod backtest_athena;
mod backtest_report;
mod completions;
pub mod config;
mod drift;
mod error;
mod events;
mod fleet;
mod import;
mod init;
pub mod inputs;
mod investigate;
mod io;
mod org;
mod output;
mod plan;
mod plan_file;
mod policy;
mod presets;
mod query;
mod run;
mod session;
mod show;
mod test;
mod validate;

pub use io::Io;
pub use run::run;
