//! Applying a plan: execute its changes through the `live` traits in dependency order, report
//! progress, then re-read and verify that every touched resource converged.

mod alerting;
mod execute;
pub mod verify;

#[cfg(test)]
mod alert_tests;
#[cfg(test)]
pub(crate) mod tests;

pub use execute::{Event, Failure, Options, Outcome, Recheck, Refusal, Stage, apply, refusal};
pub use verify::{NotConverged, verify};
