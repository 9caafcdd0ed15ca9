//! The live account: one async trait per AWS service, reading into `model` types. `live/aws` is
//! the only code that touches the SDK; `live/fake` is an in-memory account for unit tests.

pub mod aws;
pub mod error;
#[cfg(test)]
pub mod fake;
#[cfg(test)]
mod fake_alerts;
#[cfg(test)]
mod fake_athena;
#[cfg(test)]
mod fake_logs;
pub mod observe;
pub mod org;
#[cfg(test)]
pub(crate) mod org_tests;
pub mod services;

pub use error::{ErrorKind, LiveError, LiveResult};
pub use observe::observe;
