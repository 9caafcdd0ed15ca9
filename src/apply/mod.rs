//! Applying a plan: execute its changes through the `live` traits in dependency order, report
//! progress, then re-read and verify that every touched resource converged.

mod alerting;
mod athena;
mod execute;
mod logs;
mod recheck;
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
pub(crate) mod tests;

pub use execute::{Event, Failure, Options, Outcome, Refusal, Stage, apply, refusal};
pub use recheck::Recheck;
pub use verify::{NotConverged, verify};
