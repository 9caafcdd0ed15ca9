//! Applying a plan: execute its changes through the `live` traits in dependency order, report
//! progress, then re-read and verify that every touched resource converged.

mod alerting;
mod athena;
mod execute;
mod logs;
mod recheck;
mod run;
pub mod verify;

#[cfg(test)]
mod alert_tests;
#[cfg(test)]
mod athena_tests;
#[cfg(test)]
mod logs_tests;
#[cfg(test)]
mod org_tests;
#[cfg(test)]
mod run_tests;
#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
pub(crate) use execute::apply;
pub use execute::{Event, Failure, Options, Outcome, Refusal, Stage};
pub use recheck::Recheck;
pub use run::{Ended, Report, StaleAt, check, run};
pub use verify::NotConverged;
#[cfg(test)]
pub(crate) use verify::verify;
