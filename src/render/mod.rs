//! Turns results into text on any `Write`; decides nothing.

pub mod apply;
pub mod backtest;
pub mod cis;
pub mod cost;
pub mod diagnostics;
pub mod drift;
pub mod investigate;
pub mod markdown;
pub mod org;
pub mod plan;
pub mod query;
pub mod sarif;
pub mod style;
pub mod test_report;
pub mod view;
